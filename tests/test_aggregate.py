"""Target kinds, the verdict rule and the number format, against hand-computed cases: one
table per rule, then each kind's yearly figure, period figure and words."""

from decimal import Decimal

import pytest

from kehoach_docs.results.aggregate import CHUA_DAT, DAT, VUOT, UnitInfo, aggregate, percent, rounded
from kehoach_docs.schema.plan import Target
from kehoach_docs.results.programme import Programme
from kehoach_docs.targets.kinds import KINDS, kind_of
from kehoach_docs.targets.so_lieu import NB_HYPHEN, NBSP, dem, khong_ngat, phan_so, so_bac, ty_le
from kehoach_docs.targets.verdict import verdict, worst

# A programme that declares one list of items counted toward per-unit targets.
Results = Programme(ket_qua={"mo_hinh": {"kieu": "danh_sach", "nhan": "mô hình"}}).results_model()


def T(**kw) -> Target:
    base = {"ma": "x", "ten": "x", "gia_tri": 100}
    return Target(**{**base, **kw})


UNITS = [UnitInfo(f"u{i}", f"Đơn vị {i}") for i in range(1, 5)]


def R(year: int, **chi_tieu) -> Results:
    return Results(nam=year, chi_tieu=chi_tieu)


# ------------------------------------------------------------------ the number format

@pytest.mark.parametrize("num,den,expected", [
    (58, 60, Decimal("96.7")), (2, 3, Decimal("66.7")), (1, 3, Decimal("33.3")),
    (1933, 2000, Decimal("96.7")),  # 96.65 → half up
    (1, 8, Decimal("12.5")), (0, 5, Decimal("0.0")), (60, 60, Decimal("100.0")),
])
def test_percent_rounds_half_up_to_one_decimal(num, den, expected):
    assert percent(num, den) == expected


@pytest.mark.parametrize("value,text", [
    ("96.65", "96,7%"), ("23", "23,0%"), ("53.1", "53,1%"), ("100", "100%"), ("100.0", "100%"),
    ("0", "0%"), ("99.96", "100%"), ("0.04", "0%"), ("0.05", "0,1%"), ("90", "90,0%"),
])
def test_a_rate_has_one_decimal_but_0_and_100(value, text):
    assert ty_le(Decimal(value)) == text


@pytest.mark.parametrize("n,noun,text", [
    (2, "mô hình", "02 mô hình"), (0, "lớp", "00 lớp"), (10, None, "10"), (1877, "hồ sơ", "1.877 hồ sơ"),
    (9, None, "09"),
])
def test_counts_are_written_as_the_office_writes_them(n, noun, text):
    assert dem(n, noun) == text


@pytest.mark.parametrize("gain,text", [
    (2, "tăng 2 bậc"), (1, "tăng 1 bậc"), (0, "giữ nguyên thứ hạng"), (-1, "giảm 1 bậc"), (-12, "giảm 12 bậc"),
])
def test_a_change_of_rank_says_which_way(gain, text):
    assert so_bac(gain) == text


def test_fractions_and_no_break_text():
    assert phan_so(1877, 1928) == "1.877/1.928" and phan_so(62, 64) == "62/64"
    assert khong_ngat("giai đoạn 2021-2025 (chỉ tiêu ≥ 98%)") == f"giai đoạn 2021{NB_HYPHEN}2025 (chỉ tiêu ≥{NBSP}98%)"
    assert khong_ngat("(2022 - 2023)") == f"(2022{NB_HYPHEN}2023)"
    assert khong_ngat("số 04-ĐA/TU, 1-2 bậc") == "số 04-ĐA/TU, 1-2 bậc"  # only year ranges


def test_rounded_is_half_up():
    assert rounded(Decimal("0.05")) == Decimal("0.1") and rounded(2.25) == Decimal("2.3")


# ------------------------------------------------------------------ one verdict rule

@pytest.mark.parametrize("so_sanh,goal,goal_to,achieved,expected", [
    (">=", 98, None, "98.4", VUOT), (">=", 98, None, "98.0", DAT), (">=", 98, None, "97.9", CHUA_DAT),
    (">", 90, None, "93.9", VUOT), (">", 90, None, "90.1", VUOT), (">", 90, None, "90.0", CHUA_DAT),
    ("=", 100, None, "100.0", DAT), ("=", 100, None, "96.7", CHUA_DAT), ("=", 5, None, "6", CHUA_DAT),
    ("<=", 5, None, "3", VUOT), ("<=", 5, None, "5", DAT), ("<=", 5, None, "6", CHUA_DAT),
    ("top", 15, None, "12", VUOT), ("top", 15, None, "15", DAT), ("top", 15, None, "16", CHUA_DAT),
    ("tang_bac", 1, 2, "1", DAT), ("tang_bac", 1, 2, "2", DAT), ("tang_bac", 1, 2, "3", VUOT),
    ("tang_bac", 1, 2, "0", CHUA_DAT), ("tang_bac", 1, 2, "-1", CHUA_DAT), ("tang_bac", 1, None, "2", VUOT),
    (">=", 1, 2, "2", DAT), (">=", 1, 2, "3", VUOT),
])
def test_one_verdict_rule_for_every_comparator(so_sanh, goal, goal_to, achieved, expected):
    assert verdict(so_sanh, goal, Decimal(achieved), goal_to) == expected


@pytest.mark.parametrize("verdicts,expected", [
    ([VUOT, VUOT], VUOT), ([VUOT, DAT], DAT), ([DAT, CHUA_DAT, VUOT], CHUA_DAT), ([None, DAT], DAT), ([None], None),
])
def test_a_yearly_target_is_judged_by_its_worst_year(verdicts, expected):
    assert worst(verdicts) == expected


# ------------------------------------------------------------------ kinds

def test_each_kind_is_declared_or_follows_from_the_comparator():
    assert T(so_sanh="top", gia_tri=15).loai == "thu_hang"
    assert T(so_sanh="tang_bac", gia_tri=1).loai == "tang_bac"
    assert T(so_sanh="=").loai == "ty_le_don_vi"
    assert T(gia_tri=1, don_vi="lớp").loai == "cong_don" and T(gia_tri=1, don_vi="lớp").nguon == "van_phong"
    assert T(gia_tri=1, don_vi="mô hình", pham_vi="moi_co_so").counts_items
    assert T(cach_tinh="ty_le").loai == "cong_don" and T(cach_tinh="trung_binh").loai == "binh_quan"
    assert T(loai="trang_thai").reported_by_units and not T(so_sanh="top", gia_tri=15).reported_by_units
    assert set(KINDS) == {"ty_le_don_vi", "trang_thai", "cong_don", "binh_quan", "thu_hang", "tang_bac"}


@pytest.mark.parametrize("kw,good,bad", [
    ({"loai": "ty_le_don_vi"}, True, 1),
    ({"loai": "trang_thai"}, {"dat": 1, "tong": 2}, True),
    ({"loai": "cong_don"}, {"dat": 1, "tong": 2}, 3),
    ({"loai": "cong_don", "don_vi": "lớp", "gia_tri": 1}, 3, {"dat": 1, "tong": 2}),
    ({"loai": "binh_quan"}, 93.5, 101),
    ({"loai": "thu_hang", "so_sanh": "top", "gia_tri": 15}, 12, 0),
])
def test_each_kind_knows_its_result_shape(kw, good, bad):
    from kehoach_docs.schema.results import Counts
    t = T(**kw)
    conv = lambda v: Counts(**v) if isinstance(v, dict) else v  # noqa: E731
    assert kind_of(t).accepts(t, conv(good)) and not kind_of(t).accepts(t, conv(bad))


def test_share_of_units_over_the_units_that_reported():
    t = T(ma="ke_hoach", so_sanh="=", doi_tuong="cấp ủy cơ sở", ky="hang_nam", co_so="bao_cao",
          viec="xây dựng kế hoạch")
    reports = {2022: {"u1": R(2022, ke_hoach=True), "u2": R(2022, ke_hoach=True),
                      "u3": R(2022, ke_hoach=False)}}  # u4 did not report
    agg = aggregate([t], UNITS, [2022], reports, {})
    r = agg.target("ke_hoach")
    assert r.years[2022].phrase == "2/3 cấp ủy cơ sở có báo cáo (66,7%)"
    assert r.years[2022].cell == "66,7% (2/3)"
    assert (r.years[2022].value, r.years[2022].verdict) == (Decimal("66.7"), CHUA_DAT)
    assert [u.ma for u in agg.missing(2022)] == ["u4"]
    assert aggregate([t], UNITS, [2021], {}, {}).missing(2021) == []  # no reporting year


def test_share_of_all_units_keeps_one_base_in_every_column():
    t = T(ma="ke_hoach", so_sanh="=", doi_tuong="cấp ủy cơ sở", co_so="tat_ca", viec="xây dựng kế hoạch")
    reports = {
        2022: {"u1": R(2022, ke_hoach=True), "u2": R(2022, ke_hoach=False)},
        2023: {"u2": R(2023, ke_hoach=True), "u3": R(2023, ke_hoach=False)},
    }
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("ke_hoach")
    # By the end of each year, over all four units (u4 never reported: not met).
    assert [f.cell for f in r.years.values()] == ["25,0% (1/4)", "50,0% (2/4)"]
    assert r.total.cell == "50,0% (2/4)"  # a period target: where things stood at the end
    assert r.sentence() == "2/4 cấp ủy cơ sở (50,0%) đã xây dựng kế hoạch, chưa đạt chỉ tiêu 100%"


def test_yearly_share_adds_up_unit_years_and_says_so():
    t = T(ma="quan_triet", so_sanh="=", ky="hang_nam", doi_tuong="cấp ủy cơ sở", viec="quán triệt")
    reports = {2022: {"u1": R(2022, quan_triet=True), "u2": R(2022, quan_triet=True)},
               2023: {"u1": R(2023, quan_triet=True), "u2": R(2023, quan_triet=False)}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("quan_triet")
    assert [f.cell for f in r.years.values()] == ["100% (2/2)", "50,0% (1/2)"]
    assert r.total.phrase == "3/4 lượt cấp ủy cơ sở có báo cáo (75,0%)"
    assert r.total.verdict == CHUA_DAT
    assert r.sentence() == ("Năm 2022 có 2/2 cấp ủy cơ sở có báo cáo (100%), năm 2023 có 1/2 (50,0%) đã "
                            "quán triệt; chưa đạt chỉ tiêu 100% hằng năm")


def test_a_state_is_never_added_up_over_years():
    t = T(ma="cong_khai", loai="trang_thai", so_sanh="=", doi_tuong="thủ tục hành chính", viec="được công khai")
    reports = {2022: {"u1": R(2022, cong_khai={"dat": 80, "tong": 81}), "u2": R(2022, cong_khai={"dat": 20, "tong": 20})},
               2023: {"u1": R(2023, cong_khai={"dat": 81, "tong": 81}), "u2": R(2023, cong_khai={"dat": 20, "tong": 20})}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("cong_khai")
    assert r.years[2022].phrase == "100/101 thủ tục hành chính (99,0%)"
    assert (r.total.num, r.total.den) == (101, 101)  # not 201/202
    assert r.total.verdict == DAT
    assert r.sentence() == "Năm 2023, 101/101 thủ tục hành chính (100%) được công khai, đạt chỉ tiêu 100%"


def test_a_flow_is_added_up_over_years():
    t = T(ma="tthc", so_sanh=">=", gia_tri=98, loai="cong_don", doi_tuong="hồ sơ", viec="được giải quyết đúng hạn")
    reports = {2022: {"u1": R(2022, tthc={"dat": 990, "tong": 1000}), "u2": R(2022, tthc={"dat": 234, "tong": 234})},
               2023: {"u1": R(2023, tthc={"dat": 1500, "tong": 1510})}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("tthc")
    assert r.years[2022].phrase == "1.224/1.234 hồ sơ (99,2%)"  # 99.19 → 99.2
    assert r.years[2022].verdict == VUOT
    assert r.total.phrase == "2.724/2.744 hồ sơ (99,3%)"        # 99.27
    assert r.sentence() == "2.724/2.744 hồ sơ (99,3%) được giải quyết đúng hạn, vượt chỉ tiêu ít nhất 98%"


def test_a_count_each_year_is_added_up_and_judged_every_year():
    t = T(ma="lop", so_sanh=">=", gia_tri=1, don_vi="lớp", ky="hang_nam", viec="tổ chức", ten="lớp tập huấn")
    office = {2022: R(2022, lop=2), 2023: R(2023, lop=0)}
    r = aggregate([t], UNITS, [2022, 2023], {}, office).target("lop")
    assert (r.years[2022].cell, r.years[2022].verdict) == ("02", VUOT)
    assert r.years[2023].verdict == CHUA_DAT
    assert (r.total.phrase, r.total.verdict) == ("02 lớp", CHUA_DAT)
    assert r.sentence() == ("Tổ chức 02 lớp tập huấn (năm 2022: 02 lớp; năm 2023: 00 lớp), "
                            "chưa đạt chỉ tiêu ít nhất 01 lớp mỗi năm")


def test_an_average_says_over_how_many_unit_years():
    t = T(ma="hai_long", so_sanh=">", gia_tri=90, loai="binh_quan", doi_tuong="đơn vị", ten="mức hài lòng")
    reports = {2022: {"u1": R(2022, hai_long=92.5), "u2": R(2022, hai_long=88), "u3": R(2022)},
               2023: {"u1": R(2023, hai_long=95)}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("hai_long")
    assert r.years[2022].phrase == "bình quân 90,3% (2 đơn vị báo cáo)"   # (92.5 + 88) / 2 = 90.25
    assert r.years[2022].verdict == VUOT
    # (92.5 + 88 + 95) / 3 = 91.83: three unit-years of two units, never "3 đơn vị".
    assert r.total.phrase == "bình quân 91,8% (tính trên 3 lượt báo cáo của 2 đơn vị trong 02 năm)"


def test_models_every_unit_must_have_are_a_share_of_units():
    t = T(ma="mo_hinh", so_sanh=">=", gia_tri=1, don_vi="mô hình", pham_vi="moi_co_so", co_so="tat_ca",
          doi_tuong="cấp ủy cơ sở", ten="mô hình “Dân vận khéo”")
    m = lambda name: {"ten": name, "chi_tieu": "mo_hinh"}  # noqa: E731
    reports = {2022: {"u1": Results(nam=2022, mo_hinh=[m("A"), m("B")]), "u2": Results(nam=2022)},
               2023: {"u2": Results(nam=2023, mo_hinh=[m("C")]), "u3": Results(nam=2023)}}
    r = aggregate([t], UNITS, [2022, 2023], reports, {}).target("mo_hinh")
    assert r.years[2022].cell == "25,0% (1/4)"
    assert r.total.cell == "50,0% (2/4)" and r.total.extra["so_muc"] == 3
    assert r.kind.goal_cell(t) == f"100% (≥{NBSP}01 mô hình/cơ sở)"
    assert r.sentence() == ("2/4 cấp ủy cơ sở (50,0%) có ít nhất 01 mô hình “Dân vận khéo”, tổng số 03 mô hình, "
                            "chưa đạt chỉ tiêu 100% cấp ủy cơ sở có ít nhất 01 mô hình")


def test_a_rank_is_shown_against_top_n_never_as_a_percentage():
    t = T(ma="par", so_sanh="top", gia_tri=15, ky=2025, ten="Chỉ số PAR INDEX", nhom="tỉnh, thành phố đứng đầu")
    office = {2022: R(2022, par=18), 2023: R(2023, par=13)}
    r = aggregate([t], UNITS, [2022, 2023], {}, office).target("par")
    assert (r.years[2022].cell, r.years[2022].verdict) == ("18", CHUA_DAT)
    assert (r.total.phrase, r.total.verdict) == ("hạng 13", VUOT)
    assert r.kind.goal_cell(t) == f"Top{NBSP}15 (năm 2025)" and r.kind.unit_text(t) == "Hạng"
    assert r.sentence() == ("Chỉ số PAR INDEX năm 2023 xếp hạng 13 (năm 2022: hạng 18), nằm trong nhóm 15 "
                            "tỉnh, thành phố đứng đầu, vượt chỉ tiêu")
    assert "%" not in r.sentence() + r.total.cell


def test_a_change_of_rank_each_year():
    t = T(ma="sipas", so_sanh="tang_bac", gia_tri=1, gia_tri_den=2, don_vi="bậc", ky="hang_nam", ten="SIPAS")
    office = {2021: R(2021, sipas=30), 2022: R(2022, sipas=28), 2023: R(2023, sipas=28), 2024: R(2024, sipas=29)}
    r = aggregate([t], UNITS, [2022, 2023, 2024], {}, office).target("sipas")
    assert [(f.cell, f.verdict) for f in r.years.values()] == [
        ("Tăng 2 bậc", DAT), ("Giữ nguyên thứ hạng", CHUA_DAT), ("Giảm 1 bậc", CHUA_DAT)]
    assert (r.total.phrase, r.total.verdict) == ("tăng 1 bậc (từ hạng 30 lên hạng 29)", CHUA_DAT)
    assert r.sentence() == ("SIPAS năm 2022 tăng 2 bậc (từ hạng 30 lên hạng 28), năm 2023 giữ nguyên thứ hạng "
                            "(hạng 28), năm 2024 giảm 1 bậc (từ hạng 28 xuống hạng 29); chưa đạt chỉ tiêu "
                            "tăng 1-2 bậc mỗi năm")
    assert "tăng 0" not in r.sentence()


def test_a_first_year_without_an_earlier_rank_claims_no_change():
    """Ranks from the first year of the period only: that year says its rank and that there is
    nothing to compare it with (no figure, no verdict: a year without data counts for
    nothing); the period's change is counted from inside the period and names its years."""
    t = T(ma="pii", so_sanh="tang_bac", gia_tri=2, gia_tri_den=3, don_vi="bậc", ten="Chỉ số PII")
    office = {2025: R(2025, pii=31), 2026: R(2026, pii=28)}
    r = aggregate([t], UNITS, [2025, 2026], {}, office).target("pii")
    first = r.years[2025]
    assert not first.has_data and first.verdict is None and first.cell == "Hạng 31"
    assert first.phrase == "xếp hạng 31 (chưa có thứ hạng năm 2024 để so sánh)"
    assert (r.years[2026].cell, r.years[2026].verdict) == ("Tăng 3 bậc", DAT)
    # 31 − 28 = 3 bậc, from 2025 to 2026 (not "after 2 years", not from 2024).
    assert (r.total.phrase, r.total.verdict) == ("tăng 3 bậc (từ hạng 31 năm 2025 lên hạng 28 năm 2026)", DAT)
    assert r.sentence() == ("Chỉ số PII năm 2025 xếp hạng 31 (chưa có thứ hạng năm 2024 để so sánh), "
                            "năm 2026 tăng 3 bậc (từ hạng 31 lên hạng 28); đạt chỉ tiêu tăng 2-3 bậc")
    # Only the first year reported: its rank, and no verdict.
    only = aggregate([t], UNITS, [2025], {}, {2025: R(2025, pii=31)}).target("pii")
    assert not only.total.has_data and only.total.verdict is None
    assert only.total.phrase == "xếp hạng 31 năm 2025 (chưa có thứ hạng năm 2024 để so sánh)"
    assert only.sentence() == ("Chỉ số PII năm 2025 xếp hạng 31 (chưa có thứ hạng năm 2024 để so sánh); "
                               "chưa có số liệu để đánh giá")
    assert "bậc sau" not in only.sentence() and "tăng" not in only.total.phrase


def test_no_reports_gives_no_data_not_zero():
    t = T(ma="ke_hoach", so_sanh="=")
    r = aggregate([t], UNITS, [2022], {}, {}).target("ke_hoach")
    assert r.years[2022].cell == "—" and r.years[2022].verdict is None


def test_a_unit_report_uses_only_its_own_results_and_unit_targets():
    share = T(ma="ke_hoach", so_sanh="=", viec="xây dựng kế hoạch")
    rank = T(ma="par", so_sanh="top", gia_tri=15)
    reports = {2022: {"u1": R(2022, ke_hoach=True), "u2": R(2022, ke_hoach=False)}}
    agg = aggregate([share, rank], UNITS, [2022], reports, {}, only=["u2"])
    assert [r.target.ma for r in agg.targets] == ["ke_hoach"]
    r = agg.target("ke_hoach")
    assert (r.years[2022].cell, r.total.verdict) == ("Chưa thực hiện", CHUA_DAT)
    assert r.sentence() == "Chưa xây dựng kế hoạch"


def test_a_unit_report_counts_its_models_and_years():
    m = T(ma="mo_hinh", so_sanh=">=", gia_tri=2, don_vi="mô hình", pham_vi="moi_co_so", ten="mô hình A")
    yearly = T(ma="quan_triet", so_sanh="=", ky="hang_nam", viec="quán triệt")
    mean = T(ma="hai_long", so_sanh=">", gia_tri=90, loai="binh_quan", ten="mức hài lòng")
    model = {"ten": "A", "chi_tieu": "mo_hinh"}
    reports = {2022: {"u1": Results(nam=2022, mo_hinh=[model], chi_tieu={"quan_triet": True, "hai_long": 91})},
               2023: {"u1": Results(nam=2023, chi_tieu={"quan_triet": False, "hai_long": 94})}}
    agg = aggregate([m, yearly, mean], UNITS, [2022, 2023], reports, {}, only=["u1"])
    assert (agg.target("mo_hinh").total.phrase, agg.target("mo_hinh").total.verdict) == ("01 mô hình", CHUA_DAT)
    assert agg.target("mo_hinh").sentence() == "Có 01 mô hình A, chưa đạt chỉ tiêu ít nhất 02 mô hình"
    assert agg.target("quan_triet").total.phrase == "1/2 năm"
    assert agg.target("quan_triet").sentence() == "Quán triệt trong 1/2 năm (2022); năm 2023 chưa thực hiện"
    assert agg.target("hai_long").total.phrase == "bình quân 92,5% (02 năm)"


@pytest.mark.parametrize("kw,unit_value,weaker", [
    ({"loai": "ty_le_don_vi", "so_sanh": "=", "gia_tri": 100}, 90, True),
    ({"loai": "cong_don", "so_sanh": ">=", "gia_tri": 98}, 99, False),
    ({"loai": "ty_le_don_vi", "pham_vi": "moi_co_so", "don_vi": "mô hình", "gia_tri": 1}, 2, False),
    ({"loai": "binh_quan", "so_sanh": ">", "gia_tri": 90}, 85, True),
    ({"loai": "thu_hang", "so_sanh": "top", "gia_tri": 15}, 10, False),
    ({"loai": "thu_hang", "so_sanh": "top", "gia_tri": 15}, 20, True),
    ({"loai": "tang_bac", "so_sanh": "tang_bac", "gia_tri": 1, "gia_tri_den": 2}, 0, True),
])
def test_which_way_a_unit_may_move_a_target(kw, unit_value, weaker):
    t = T(**kw)
    assert kind_of(t).weaker(t, unit_value) is weaker
