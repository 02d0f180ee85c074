"""Định dạng ngày, số theo thể thức hành chính Việt Nam (số, ký hiệu văn bản: bộ thể thức, profile.NumberSymbol).

Mọi hàm đều thuần (không trạng thái) và trả về chuỗi dạng NFC.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from babel.numbers import format_decimal

__all__ = [
    "FILTERS",
    "dia_danh_ngay",
    "in_hoa",
    "la_ma",
    "lam_tron",
    "ngay_hanh_chinh",
    "ngay_ngan",
    "nfc",
    "phan_tram",
    "quy",
    "so",
    "so_dem",
    "viet_thuong_dau",
]

_LOCALE = "vi"

Number = int | float | Decimal


def nfc(s: str) -> str:
    """Chuẩn hóa Unicode về dạng NFC."""
    return unicodedata.normalize("NFC", s)


# --- Ngày tháng -------------------------------------------------------------


def ngay_hanh_chinh(d: date) -> str:
    """Ngày theo thể thức: "ngày 05 tháng 02 năm 2022", "ngày 03 tháng 4 năm 2018".

    Ngày dưới 10 thêm số 0; tháng chỉ thêm số 0 với tháng 1 và 2
    (Nghị định 30/2020/NĐ-CP).
    """
    thang = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {thang} năm {d.year}"


def dia_danh_ngay(dia_danh: str, d: date) -> str:
    """Dòng địa danh, ngày tháng: "Nghệ An, ngày 10 tháng 12 năm 2021"."""
    return nfc(f"{dia_danh.strip()}, {ngay_hanh_chinh(d)}")


def ngay_ngan(d: date) -> str:
    """Ngày dạng ngắn khi trích dẫn: "01/10/2021"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


_LA_MA = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def la_ma(n: int) -> str:
    """Số La Mã cho 1..3999 ("IV", "MCMXCIV"); ValueError nếu ngoài khoảng."""
    if not 1 <= n <= 3999:
        raise ValueError(f"Chỉ đổi được số La Mã từ 1 đến 3999, nhận được {n}")
    phan = []
    for gia_tri, ky_hieu in _LA_MA:
        lan, n = divmod(n, gia_tri)
        phan.append(ky_hieu * lan)
    return "".join(phan)


def quy(q: int, nam: int, dai: bool = False) -> str:
    """Quý: "Quý IV/2021"; `dai=True` → "Quý IV năm 2021". ValueError nếu q ngoài 1..4."""
    if not 1 <= q <= 4:
        raise ValueError(f"Quý phải từ 1 đến 4, nhận được {q}")
    return f"Quý {la_ma(q)} năm {nam}" if dai else f"Quý {la_ma(q)}/{nam}"


def so_dem(n: int, don_vi: str | None = None) -> str:
    """Số đếm, dưới 10 thêm số 0: "01", "10"; từ 1.000 có dấu chấm (Babel vi): "1.877"; có đơn
    vị: "01 mô hình". ValueError nếu n < 0. Một cách viết cho kế hoạch và báo cáo."""
    n = int(n)
    if n < 0:
        raise ValueError(f"Số đếm không được âm, nhận được {n}")
    text = f"{n:02d}" if n < 10 else so(n)
    return nfc(f"{text} {don_vi}") if don_vi else text


# --- Số thập phân, phần trăm ------------------------------------------------


def _thap_phan(x: Number) -> Decimal:
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    else:
        # str() gives the shortest repr, so 96.65 stays 96.65 instead of 96.6499…
        d = Decimal(str(x))
    if not d.is_finite():
        raise ValueError(f"Không định dạng được giá trị {x!r}")
    return d


def _lam_tron(d: Decimal, chu_so_thap_phan: int) -> Decimal:
    if chu_so_thap_phan < 0:
        raise ValueError(f"Số chữ số thập phân không được âm, nhận được {chu_so_thap_phan}")
    with localcontext() as ctx:
        # Default precision (28) makes quantize fail on very large values.
        ctx.prec = max(28, d.adjusted() + chu_so_thap_phan + 2)
        kq = d.quantize(Decimal(1).scaleb(-chu_so_thap_phan), rounding=ROUND_HALF_UP)
    # Avoid "-0" when a small negative value rounds to zero.
    return kq.copy_abs() if kq.is_zero() else kq


def lam_tron(x: Number, chu_so_thap_phan: int = 0) -> Decimal:
    """Làm tròn nửa lên (ROUND_HALF_UP: 96,65 → 96,7 với 1 chữ số): một cách làm tròn cho cả
    số in ra (`so`, `phan_tram`) và giá trị mà chỉ tiêu so sánh (targets.so_lieu.rounded)."""
    return _lam_tron(_thap_phan(x), chu_so_thap_phan)


@lru_cache(maxsize=4096)
def _babel(d: Decimal, chu_so_thap_phan: int) -> str:
    # Reports format the same few numbers thousands of times; Babel is slow per call.
    mau = "#,##0" + ("." + "0" * chu_so_thap_phan if chu_so_thap_phan else "")
    with localcontext() as ctx:
        # Babel quantizes again in the current context: it must not overflow, and
        # since `d` is already rounded its (half-even) rounding is a no-op.
        ctx.prec = max(28, d.adjusted() + chu_so_thap_phan + 2)
        return format_decimal(d, format=mau, locale=_LOCALE)


def so(x: Number, chu_so_thap_phan: int = 0) -> str:
    """Số theo kiểu Việt Nam: 1234 → "1.234", 1234567.5 (1 chữ số) → "1.234.567,5".

    Làm tròn nửa lên (ROUND_HALF_UP: 0,5 → 1; 2,5 → 3), không theo kiểu
    làm tròn về số chẵn mặc định của Babel. Float được đọc theo dạng thập phân
    ngắn nhất (96.65 là 96,65).
    """
    d = _lam_tron(_thap_phan(x), chu_so_thap_phan)
    return _babel(d, chu_so_thap_phan)


def phan_tram(x: Number, chu_so_thap_phan: int = 1, la_ty_le: bool = False) -> str:
    """Phần trăm không dấu cách: 98.5 → "98,5%"; `la_ty_le=True`: 0.985 → "98,5%".

    Mặc định `x` đã là phần trăm. Làm tròn nửa lên tới `chu_so_thap_phan`;
    nếu giá trị sau làm tròn là số nguyên thì bỏ phần thập phân
    (100 → "100%", 96.0 → "96%", 96.04 → "96%"), còn lại giữ đủ chữ số
    (96.5 với 2 chữ số → "96,50%").
    """
    d = _thap_phan(x)
    if la_ty_le:
        d = d.scaleb(2)
    d = _lam_tron(d, chu_so_thap_phan)
    chu_so = 0 if d == d.to_integral_value() else chu_so_thap_phan
    return so(d, chu_so) + "%"


# --- Chữ hoa/thường ---------------------------------------------------------


def in_hoa(s: str) -> str:
    """In hoa tiếng Việt: "đảng ủy khối" → "ĐẢNG ỦY KHỐI" (NFC vào và ra)."""
    return nfc(nfc(s).upper())


def viet_thuong_dau(s: str) -> str:
    """Viết thường ký tự đầu (dùng cho trích yếu): "Triển khai" → "triển khai".

    Từ đầu viết tắt toàn chữ hoa (≥ 2 chữ cái, vd. "UBND", "COVID-19") giữ nguyên.
    """
    # NFC first so an NFD base letter and its combining marks form one character.
    s = nfc(s)
    tu_dau = s.split(maxsplit=1)[0] if s.strip() else ""
    chu_cai = [c for c in tu_dau if c.isalpha()]
    if len(chu_cai) >= 2 and all(c.isupper() for c in chu_cai):
        return s
    return s[:1].lower() + s[1:]


FILTERS: dict[str, Callable[..., str]] = {
    "ngay_hanh_chinh": ngay_hanh_chinh,
    "ngay_ngan": ngay_ngan,
    "la_ma": la_ma,
    "quy": quy,
    "so_dem": so_dem,
    "so": so,
    "phan_tram": phan_tram,
    "in_hoa": in_hoa,
    "viet_thuong_dau": viet_thuong_dau,
}
