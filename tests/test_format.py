import unicodedata
from datetime import date, datetime
from decimal import Decimal

import jinja2
import pytest

from kehoach_docs.format import (
    FILTERS,
    dia_danh_ngay,
    in_hoa,
    la_ma,
    ngay_hanh_chinh,
    ngay_ngan,
    nfc,
    phan_tram,
    quy,
    so,
    so_dem,
    viet_thuong_dau,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def assert_nfc(s: str) -> None:
    assert unicodedata.is_normalized("NFC", s), repr(s)


# --- Ngày tháng -------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2022, 2, 5), "ngày 05 tháng 02 năm 2022"),
        (date(2021, 12, 10), "ngày 10 tháng 12 năm 2021"),
        (date(2018, 4, 3), "ngày 03 tháng 4 năm 2018"),
        (date(2023, 1, 1), "ngày 01 tháng 01 năm 2023"),
        (date(2023, 1, 9), "ngày 09 tháng 01 năm 2023"),
        (date(2023, 2, 10), "ngày 10 tháng 02 năm 2023"),
        (date(2023, 3, 1), "ngày 01 tháng 3 năm 2023"),
        (date(2023, 3, 31), "ngày 31 tháng 3 năm 2023"),
        (date(2023, 10, 9), "ngày 09 tháng 10 năm 2023"),
        (date(2023, 11, 1), "ngày 01 tháng 11 năm 2023"),
        (date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
        (datetime(2024, 2, 29, 15, 30), "ngày 29 tháng 02 năm 2024"),
    ],
)
def test_ngay_hanh_chinh(d, expected):
    assert ngay_hanh_chinh(d) == expected
    assert_nfc(ngay_hanh_chinh(d))


@pytest.mark.parametrize(
    ("dia_danh", "d", "expected"),
    [
        ("Nghệ An", date(2021, 12, 10), "Nghệ An, ngày 10 tháng 12 năm 2021"),
        ("Hà Nội", date(2022, 2, 5), "Hà Nội, ngày 05 tháng 02 năm 2022"),
        (nfd("Đà Nẵng"), date(2018, 4, 3), "Đà Nẵng, ngày 03 tháng 4 năm 2018"),
    ],
)
def test_dia_danh_ngay(dia_danh, d, expected):
    kq = dia_danh_ngay(dia_danh, d)
    assert kq == expected
    assert_nfc(kq)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2021, 10, 1), "01/10/2021"),
        (date(2022, 2, 5), "05/02/2022"),
        (date(2018, 4, 9), "09/04/2018"),
        (date(2021, 12, 10), "10/12/2021"),
        (date(2023, 3, 31), "31/03/2023"),
    ],
)
def test_ngay_ngan(d, expected):
    assert ngay_ngan(d) == expected


# --- Số, ký hiệu, trích dẫn: the profiles' rules ------------------------------------------
# What HD 36 / NĐ 30 say, written here as literals: the profiles must write exactly these.


def number_rule(he_thong: str):
    from kehoach_docs.profile import get_profile

    return get_profile(PROFILE_OF[he_thong]).so_ky_hieu


PROFILE_OF = {"dang": "dang-hd36-2018", "nha_nuoc": "nha-nuoc-nd30-2020"}


@pytest.mark.parametrize(
    ("so_vb", "ma_loai", "ma_co_quan", "he_thong", "expected"),
    [
        (44, "KH", "ĐUK", "dang", "Số 44-KH/ĐUK"),
        (5, "KH", "ĐUK", "dang", "Số 05-KH/ĐUK"),
        (1, "NQ", "TU", "dang", "Số 01-NQ/TU"),
        (9, "CT", "TW", "dang", "Số 09-CT/TW"),
        (10, "KH", "ĐUK", "dang", "Số 10-KH/ĐUK"),
        (1234, "CV", "ĐUK", "dang", "Số 1234-CV/ĐUK"),
        (696, "KH", "UBND", "nha_nuoc", "Số: 696/KH-UBND"),
        (5, "KH", "UBND", "nha_nuoc", "Số: 05/KH-UBND"),
        (10, "QĐ", "UBND", "nha_nuoc", "Số: 10/QĐ-UBND"),
        (None, "KH", "ĐUK", "dang", "Số      -KH/ĐUK"),
        (None, "KH", "UBND", "nha_nuoc", "Số:      /KH-UBND"),
        (None, "QĐ", "UBND", "nha_nuoc", "Số:      /QĐ-UBND"),
    ],
)
def test_so_ky_hieu(so_vb, ma_loai, ma_co_quan, he_thong, expected):
    kq = number_rule(he_thong).line(so_vb, ma_loai, ma_co_quan)
    assert kq == expected
    assert_nfc(kq)


def test_so_ky_hieu_du_thao_co_dung_6_dau_cach():
    assert number_rule("dang").line(None, "KH", "ĐUK").count(" ") == 6
    assert number_rule("nha_nuoc").line(None, "KH", "UBND").count(" ") == 6


@pytest.mark.parametrize(
    ("so_vb", "ma_loai", "ma_co_quan", "he_thong", "expected"),
    [
        (44, "KH", "ĐUK", "dang", "44-KH/ĐUK"),
        (4, "ĐA", "TU", "dang", "04-ĐA/TU"),
        (696, "KH", "UBND", "nha_nuoc", "696/KH-UBND"),
        (7, "BC", "UBND", "nha_nuoc", "07/BC-UBND"),
    ],
)
def test_so_hieu(so_vb, ma_loai, ma_co_quan, he_thong, expected):
    assert number_rule(he_thong).symbol(so_vb, ma_loai, ma_co_quan) == expected


@pytest.mark.parametrize(
    ("he_thong", "args", "expected"),
    [
        ("dang", ("Đề án", "04-ĐA/TU", date(2021, 10, 1), "Ban Thường vụ Tỉnh ủy"),
         "Đề án số 04-ĐA/TU, ngày 01/10/2021 của Ban Thường vụ Tỉnh ủy"),
        ("dang", ("Đề án", "04-ĐA/TU", None, "Ban Thường vụ Tỉnh ủy"), "Đề án số 04-ĐA/TU của Ban Thường vụ Tỉnh ủy"),
        ("dang", ("Kế hoạch", "44-KH/ĐUK", date(2022, 2, 5), None), "Kế hoạch số 44-KH/ĐUK, ngày 05/02/2022"),
        ("dang", ("Chỉ thị", "05-CT/TW", None, None), "Chỉ thị số 05-CT/TW"),
        ("dang", ("Chỉ thị", None, None, None), "Chỉ thị"),
        # State documents write no comma before "ngày" (NĐ 30), with or without the issuer.
        ("nha_nuoc", ("Kế hoạch", "696/KH-UBND", date(2022, 2, 5), "UBND tỉnh"),
         "Kế hoạch số 696/KH-UBND ngày 05/02/2022 của UBND tỉnh"),
        ("nha_nuoc", ("Kế hoạch", "696/KH-UBND", date(2022, 2, 5), None), "Kế hoạch số 696/KH-UBND ngày 05/02/2022"),
    ],
)
def test_trich_dan(he_thong, args, expected):
    from kehoach_docs.profile import get_profile

    kq = get_profile(PROFILE_OF[he_thong]).than_van_ban.cite(*args)
    assert kq == expected
    assert_nfc(kq)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "I"),
        (2, "II"),
        (3, "III"),
        (4, "IV"),
        (5, "V"),
        (9, "IX"),
        (10, "X"),
        (14, "XIV"),
        (40, "XL"),
        (49, "XLIX"),
        (90, "XC"),
        (400, "CD"),
        (900, "CM"),
        (1994, "MCMXCIV"),
        (2024, "MMXXIV"),
        (3999, "MMMCMXCIX"),
    ],
)
def test_la_ma(n, expected):
    assert la_ma(n) == expected


@pytest.mark.parametrize("n", [0, -1, 4000, 10_000])
def test_la_ma_loi(n):
    with pytest.raises(ValueError):
        la_ma(n)


@pytest.mark.parametrize(
    ("q", "nam", "dai", "expected"),
    [
        (1, 2022, False, "Quý I/2022"),
        (2, 2022, False, "Quý II/2022"),
        (3, 2021, False, "Quý III/2021"),
        (4, 2021, False, "Quý IV/2021"),
        (4, 2022, True, "Quý IV năm 2022"),
        (1, 2023, True, "Quý I năm 2023"),
    ],
)
def test_quy(q, nam, dai, expected):
    assert quy(q, nam, dai) == expected


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quy_loi(q):
    with pytest.raises(ValueError):
        quy(q, 2022)


@pytest.mark.parametrize(
    ("n", "don_vi", "expected"),
    [
        (0, None, "00"),
        (1, None, "01"),
        (9, None, "09"),
        (10, None, "10"),
        (123, None, "123"),
        (1, "mô hình", "01 mô hình"),
        (12, "cơ sở đảng", "12 cơ sở đảng"),
        (3, nfd("đảng viên"), "03 đảng viên"),
    ],
)
def test_so_dem(n, don_vi, expected):
    kq = so_dem(n, don_vi)
    assert kq == expected
    assert_nfc(kq)


def test_so_dem_loi():
    with pytest.raises(ValueError):
        so_dem(-1)


# --- Số thập phân, phần trăm ------------------------------------------------


@pytest.mark.parametrize(
    ("x", "chu_so", "expected"),
    [
        (0, 0, "0"),
        (7, 0, "7"),
        (999, 0, "999"),
        (1234, 0, "1.234"),
        (1234567.5, 1, "1.234.567,5"),
        (1234567, 2, "1.234.567,00"),
        (1_234_567_890_123, 0, "1.234.567.890.123"),
        (10**30, 0, "1" + ".000" * 10),
        (
            Decimal("123456789012345678901234567890.25"),
            1,
            "123.456.789.012.345.678.901.234.567.890,3",
        ),
        # Half-up, not Babel's default half-even.
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (2.5, 0, "3"),
        (Decimal("2.5"), 0, "3"),
        (96.65, 1, "96,7"),
        (1.005, 2, "1,01"),
        (2.45, 1, "2,5"),
        (0.4, 0, "0"),
        (-2.5, 0, "-3"),
        (-1234.5, 0, "-1.235"),
        (-0.4, 0, "0"),
        (Decimal("1234.5678"), 2, "1.234,57"),
        (3, 2, "3,00"),
    ],
)
def test_so(x, chu_so, expected):
    assert so(x, chu_so) == expected


@pytest.mark.parametrize(
    ("x", "chu_so"),
    [(float("nan"), 0), (float("inf"), 0), (Decimal("NaN"), 1), (1, -1)],
)
def test_so_loi(x, chu_so):
    with pytest.raises(ValueError):
        so(x, chu_so)


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (98.5, {}, "98,5%"),
        (96.6667, {}, "96,7%"),
        (96.65, {}, "96,7%"),
        (Decimal("96.65"), {}, "96,7%"),
        (100, {}, "100%"),
        (100.0, {}, "100%"),
        (90.0, {}, "90%"),
        (96.0, {}, "96%"),
        (96.04, {}, "96%"),
        (99.96, {}, "100%"),
        (0, {}, "0%"),
        (0.05, {}, "0,1%"),
        (12.345, {"chu_so_thap_phan": 2}, "12,35%"),
        (96.5, {"chu_so_thap_phan": 2}, "96,50%"),
        (96.5, {"chu_so_thap_phan": 0}, "97%"),
        (1234.5, {}, "1.234,5%"),
        (0.985, {"la_ty_le": True}, "98,5%"),
        (0.96665, {"la_ty_le": True}, "96,7%"),
        (1, {"la_ty_le": True}, "100%"),
        (Decimal("0.5"), {"la_ty_le": True}, "50%"),
        (0.12345, {"la_ty_le": True, "chu_so_thap_phan": 2}, "12,35%"),
    ],
)
def test_phan_tram(x, kwargs, expected):
    kq = phan_tram(x, **kwargs)
    assert kq == expected
    # Administrative form: no (non-breaking) space before "%".
    assert " " not in kq and "\u00a0" not in kq and "\u202f" not in kq


# --- Chữ hoa/thường, NFC ----------------------------------------------------


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("đảng ủy khối", "ĐẢNG ỦY KHỐI"),
        ("Ủy ban nhân dân tỉnh Nghệ An", "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"),
        ("kế hoạch", "KẾ HOẠCH"),
        (nfd("Đảng ủy"), "ĐẢNG ỦY"),
        (nfd("cộng hòa xã hội chủ nghĩa việt nam"), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("", ""),
    ],
)
def test_in_hoa(s, expected):
    kq = in_hoa(s)
    assert kq == expected
    assert_nfc(kq)


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("Triển khai", "triển khai"),
        ("Đẩy mạnh chuyển đổi số", "đẩy mạnh chuyển đổi số"),
        ("Ứng dụng CNTT", "ứng dụng CNTT"),
        (nfd("Ứng dụng"), "ứng dụng"),
        ("triển khai", "triển khai"),
        ("UBND tỉnh", "UBND tỉnh"),
        ("COVID-19", "COVID-19"),
        ("A", "a"),
        ("", ""),
    ],
)
def test_viet_thuong_dau(s, expected):
    kq = viet_thuong_dau(s)
    assert kq == expected
    assert_nfc(kq)


@pytest.mark.parametrize("s", ["Đảng ủy", "Nghệ An", "ngày 05 tháng 02", ""])
def test_nfc(s):
    assert nfc(nfd(s)) == s
    assert_nfc(nfc(nfd(s)))


# --- Jinja ------------------------------------------------------------------


def test_filters_cover_names():
    assert set(FILTERS) == {
        "ngay_hanh_chinh",
        "ngay_ngan",
        "la_ma",
        "quy",
        "so_dem",
        "so",
        "phan_tram",
        "in_hoa",
        "viet_thuong_dau",
    }


@pytest.mark.parametrize(
    ("template", "ctx", "expected"),
    [
        ("{{ ngay | ngay_hanh_chinh }}", {"ngay": date(2022, 2, 5)}, "ngày 05 tháng 02 năm 2022"),
        ("{{ ngay | ngay_ngan }}", {"ngay": date(2021, 10, 1)}, "01/10/2021"),
        ("{{ 4 | la_ma }}", {}, "IV"),
        ("{{ 4 | quy(2021) }}", {}, "Quý IV/2021"),
        ("{{ 4 | quy(2022, dai=True) }}", {}, "Quý IV năm 2022"),
        ("{{ 1 | so_dem('mô hình') }}", {}, "01 mô hình"),
        ("{{ x | so }}", {"x": 1234}, "1.234"),
        ("{{ x | so(1) }}", {"x": 1234567.5}, "1.234.567,5"),
        ("{{ x | phan_tram }}", {"x": 98.5}, "98,5%"),
        ("{{ x | phan_tram(la_ty_le=True) }}", {"x": 0.985}, "98,5%"),
        ("{{ t | in_hoa }}", {"t": "đảng ủy khối"}, "ĐẢNG ỦY KHỐI"),
        ("về {{ t | viet_thuong_dau }}", {"t": "Triển khai"}, "về triển khai"),
    ],
)
def test_jinja_filters(template, ctx, expected):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    assert env.from_string(template).render(**ctx) == expected


def test_one_rounding_for_printed_figures_and_verdicts():
    """targets.so_lieu.rounded (the value a verdict compares) is format.lam_tron, the rounding
    of every printed figure: half up, never half to even."""
    from decimal import Decimal

    from kehoach_docs.format import lam_tron, so
    from kehoach_docs.targets.so_lieu import rounded

    for x, want in ((96.65, "96.7"), (2.25, "2.3"), (0.05, "0.1"), (Decimal("33.35"), "33.4"), (100, "100.0")):
        assert rounded(x) == lam_tron(x, 1) == Decimal(want), x
        assert so(x, 1) == want.replace(".", ","), x


@pytest.mark.parametrize("he_thong, co_quan, rest", [("dang", "ĐUK", "-KH/ĐUK"), ("nha_nuoc", "UBND", "/KH-UBND")])
def test_a_drafts_symbol_keeps_the_numbers_room_for_the_hand(he_thong, co_quan, rest):
    """A draft cited (its number not given yet): six no-break spaces where the number goes."""
    assert number_rule(he_thong).symbol(None, "KH", co_quan) == "\u00a0" * 6 + rest
