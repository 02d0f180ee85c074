"""Aggregation against hand-computed cases: every method and comparator, missing reports,
rounding, number formatting."""

from decimal import Decimal

import pytest

from kehoach_docs.aggregate import (
    CHUA_DAT, DAT, VUOT, UnitInfo, aggregate, percent, rounded, verdict,
)
from kehoach_docs.schema.plan import Target
from kehoach_docs.programme import Programme

# A programme that declares one list of items counted toward per-unit targets.
Results = Programme(ket_qua={"mo_hinh": {"kieu": "danh_sach", "nhan": "mô hình"}}).results_model()


def T(**kw) -> Target:
    base = {"ma": "x", "ten": "x", "gia_tri": 100}
    return Target(**{**base, **kw})


UNITS = [UnitInfo(f"u{i}", f"Đơn vị {i}") for i in range(1, 5)]


def R(year: int, **chi_tieu) -> Results:
    return Results(nam=year, chi_tieu=chi_tieu)


@pytest.mark.parametrize("num,den,expected", [
    (58, 60, Decimal("96.7")), (2, 3, Decimal("66.7")), (1, 3, Decimal("33.3")),
    (1933, 2000, Decimal("96.7")),  # 96.65 → half up
    (1, 8, Decimal("12.5")), (0, 5, Decimal("0.0")), (60, 60, Decimal("100.0")),
])
def test_percent_rounds_half_up_to_one_decimal(num, den, expected):
    assert percent(num, den) == expected


@pytest.mark.parametrize("kw,achieved,expected", [
    ({"so_sanh": ">=", "gia_tri": 98}, "98.5", VUOT),
    ({"so_sanh": ">=", "gia_tri": 98}, "98.0", DAT),
    ({"so_sanh": ">=", "gia_tri": 98}, "97.9", CHUA_DAT),
    ({"so_sanh": ">", "gia_tri": 90}, "90.1", DAT),
    ({"so_sanh": ">", "gia_tri": 90}, "90.0", CHUA_DAT),
    ({"so_sanh": "=", "gia_tri": 100}, "100.0", DAT),
    ({"so_sanh": "=", "gia_tri": 100}, "96.7", CHUA_DAT),
    ({"so_sanh": "<=", "gia_tri": 5}, "3", VUOT),
    ({"so_sanh": "<=", "gia_tri": 5}, "6", CHUA_DAT),
    ({"so_sanh": "top", "gia_tri": 15}, "12", VUOT),
    ({"so_sanh": "top", "gia_tri": 15}, "15", DAT),
    ({"so_sanh": "top", "gia_tri": 15}, "16", CHUA_DAT),
    ({"so_sanh": "tang_bac", "gia_tri": 1, "gia_tri_den": 2}, "1", DAT),
    ({"so_sanh": "tang_bac", "gia_tri": 1, "gia_tri_den": 2}, "2", DAT),
    ({"so_sanh": "tang_bac", "gia_tri": 1, "gia_tri_den": 2}, "3", VUOT),
    ({"so_sanh": "tang_bac", "gia_tri": 1, "gia_tri_den": 2}, "0", CHUA_DAT),
])
def test_verdict_per_comparator(kw, achieved, expected):
    assert verdict(T(**kw), Decimal(achieved)) == expected


def test_share_of_units_with_missing_reports_left_out():
    t = T(ma="ke_hoach", so_sanh="=", doi_tuong="cấp ủy cơ sở")
    reports = {2022: {"u1": R(2022, ke_hoach=True), "u2": R(2022, ke_hoach=True),
                      "u3": R(2022, ke_hoach=False)}}  # u4 did not report
    agg = aggregate([t], UNITS, [2022], reports, {})
    fig = agg.target("ke_hoach").years[2022]
    assert fig.text == "2/3 cấp ủy cơ sở, đạt 66,7%"
    assert (fig.value, fig.assessment, fig.of_target_text) == (Decimal("66.7"), CHUA_DAT, "66,7%")
    assert [u.ma for u in agg.missing(2022)] == ["u4"]
    assert aggregate([t], UNITS, [2021], {}, {}).missing(2021) == []  # no reporting year


def test_period_target_met_in_any_year_and_yearly_target_counted_per_report():
    once = T(ma="ke_hoach", so_sanh="=", doi_tuong="cấp ủy cơ sở")
    yearly = T(ma="quan_triet", so_sanh="=", ky="hang_nam", doi_tuong="cấp ủy cơ sở")
    reports = {
        2022: {"u1": R(2022, ke_hoach=True, quan_triet=True), "u2": R(2022, ke_hoach=False, quan_triet=True)},
        2023: {"u1": R(2023, quan_triet=True), "u2": R(2023, ke_hoach=True, quan_triet=False)},
    }
    agg = aggregate([once, yearly], UNITS, [2022, 2023], reports, {})
    assert agg.target("ke_hoach").years[2022].text == "1/2 cấp ủy cơ sở, đạt 50%"   # by the end of 2022
    assert agg.target("ke_hoach").years[2023].text == "2/2 cấp ủy cơ sở, đạt 100%"  # by the end of 2023
    assert agg.target("ke_hoach").total.text == "2/2 cấp ủy cơ sở, đạt 100%"
    assert agg.target("ke_hoach").total.assessment == DAT
    q = agg.target("quan_triet")
    assert [q.years[y].short for y in (2022, 2023)] == ["100%", "50%"]
    assert q.total.text == "3/4 lượt cấp ủy cơ sở, đạt 75%" and q.total.assessment == CHUA_DAT


def test_ratio_of_sums():
    t = T(ma="tthc", so_sanh=">=", gia_tri=98, cach_tinh="ty_le", doi_tuong="thủ tục hành chính")
    reports = {2022: {"u1": R(2022, tthc={"dat": 990, "tong": 1000}), "u2": R(2022, tthc={"dat": 234, "tong": 234})},
               2023: {"u1": R(2023, tthc={"dat": 1500, "tong": 1510})}}
    agg = aggregate([t], UNITS, [2022, 2023], reports, {})
    r = agg.target("tthc")
    assert r.years[2022].text == "1.224/1.234 thủ tục hành chính, đạt 99,2%"  # 99.19 → 99.2
    assert r.years[2022].assessment == VUOT and r.years[2022].of_target_text == "101,2%"
    assert r.total.text == "2.724/2.744 thủ tục hành chính, đạt 99,3%"       # 99.27


def test_mean_of_percentages_excludes_non_reporters():
    t = T(ma="hai_long", so_sanh=">", gia_tri=90, cach_tinh="trung_binh")
    reports = {2022: {"u1": R(2022, hai_long=92.5), "u2": R(2022, hai_long=88), "u3": R(2022)}}
    fig = aggregate([t], UNITS, [2022], reports, {}).target("hai_long").years[2022]
    assert fig.text == "bình quân 90,3% (2 đơn vị báo cáo)"   # (92.5 + 88) / 2 = 90.25 → 90.3
    assert fig.assessment == DAT


def test_models_per_unit_counted_from_the_list():
    t = T(ma="mo_hinh", so_sanh=">=", gia_tri=1, don_vi="mô hình", pham_vi="moi_co_so",
          doi_tuong="cấp ủy cơ sở")
    assert t.cach_tinh == "so_luong"
    m = lambda name: {"ten": name, "chi_tieu": "mo_hinh"}  # noqa: E731
    reports = {2022: {"u1": Results(nam=2022, mo_hinh=[m("A"), m("B")]), "u2": Results(nam=2022)},
               2023: {"u2": Results(nam=2023, mo_hinh=[m("C")]), "u3": Results(nam=2023)}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("mo_hinh")
    assert r.years[2022].text == "1/2 cấp ủy cơ sở có từ 01 mô hình trở lên (tổng số 2 mô hình), đạt 50%"
    assert r.total.text == "2/3 cấp ủy cơ sở có từ 01 mô hình trở lên (tổng số 3 mô hình), đạt 66,7%"
    assert r.total.assessment == CHUA_DAT


def test_whole_body_count_each_year():
    t = T(ma="lop", so_sanh=">=", gia_tri=1, don_vi="lớp", ky="hang_nam")
    office = {2022: R(2022, lop=2), 2023: R(2023, lop=0)}
    r = aggregate([t], UNITS, [2022, 2023], {}, office).target("lop")
    assert (r.years[2022].short, r.years[2022].assessment) == ("2 lớp", VUOT)
    assert r.years[2023].assessment == CHUA_DAT
    assert (r.total.short, r.total.assessment) == ("2 lớp", CHUA_DAT)


def test_rank_top_n_uses_the_last_year():
    t = T(ma="par", so_sanh="top", gia_tri=15, ky=2025)
    office = {2022: R(2022, par=18), 2023: R(2023, par=13)}
    r = aggregate([t], UNITS, [2022, 2023], {}, office).target("par")
    assert (r.years[2022].short, r.years[2022].assessment) == ("hạng 18", CHUA_DAT)
    assert (r.total.short, r.total.assessment) == ("hạng 13", VUOT)


def test_rises_by_ranks_each_year():
    t = T(ma="sipas", so_sanh="tang_bac", gia_tri=1, gia_tri_den=2, don_vi="bậc", ky="hang_nam")
    office = {2021: R(2021, sipas=30), 2022: R(2022, sipas=28), 2023: R(2023, sipas=28)}
    r = aggregate([t], UNITS, [2022, 2023], {}, office).target("sipas")
    assert (r.years[2022].text, r.years[2022].assessment) == ("tăng 2 bậc (hạng 30 → 28)", DAT)
    assert (r.years[2023].short, r.years[2023].assessment) == ("tăng 0 bậc", CHUA_DAT)
    assert (r.total.text, r.total.assessment) == ("tăng 2 bậc sau 2 năm", CHUA_DAT)


def test_no_reports_gives_no_data_not_zero():
    t = T(ma="ke_hoach", so_sanh="=")
    r = aggregate([t], UNITS, [2022], {}, {}).target("ke_hoach")
    assert r.years[2022].short == "—" and r.years[2022].assessment is None


def test_a_unit_report_uses_only_its_own_results_and_unit_targets():
    share = T(ma="ke_hoach", so_sanh="=")
    rank = T(ma="par", so_sanh="top", gia_tri=15)
    reports = {2022: {"u1": R(2022, ke_hoach=True), "u2": R(2022, ke_hoach=False)}}
    agg = aggregate([share, rank], UNITS, [2022], reports, {}, only=["u2"])
    assert [r.target.ma for r in agg.targets] == ["ke_hoach"]
    assert agg.target("ke_hoach").years[2022].text == "chưa thực hiện"   # a unit's own words
    assert agg.target("ke_hoach").years[2022].assessment == CHUA_DAT


def test_a_unit_report_counts_its_models_and_years():
    m = T(ma="mo_hinh", so_sanh=">=", gia_tri=2, don_vi="mô hình", pham_vi="moi_co_so")
    yearly = T(ma="quan_triet", so_sanh="=", ky="hang_nam")
    mean = T(ma="hai_long", so_sanh=">", gia_tri=90, cach_tinh="trung_binh")
    model = {"ten": "A", "chi_tieu": "mo_hinh"}
    reports = {2022: {"u1": Results(nam=2022, mo_hinh=[model], chi_tieu={"quan_triet": True, "hai_long": 91})},
               2023: {"u1": Results(nam=2023, chi_tieu={"quan_triet": False, "hai_long": 94})}}
    agg = aggregate([m, yearly, mean], UNITS, [2022, 2023], reports, {}, only=["u1"])
    assert (agg.target("mo_hinh").total.text, agg.target("mo_hinh").total.assessment) == ("01 mô hình", CHUA_DAT)
    assert agg.target("quan_triet").total.text == "thực hiện 1/2 năm"
    assert agg.target("hai_long").total.text == "bình quân 92,5% (2 năm)"


def test_rounded_is_half_up():
    assert rounded(Decimal("0.05")) == Decimal("0.1") and rounded(2.25) == Decimal("2.3")
