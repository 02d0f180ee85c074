"""One number format for every figure of a report (tables and sentences alike).

- A rate (tỷ lệ) is rounded half up to one decimal and always written with it ("96,9%",
  "23,0%"); the two whole rates 0% and 100% are written without it, as offices do ("100%").
- A count with its noun is written as the office writes it: below ten with a leading zero
  ("02 mô hình", "08 lớp"), from a thousand with dots ("1.877 hồ sơ").
- A fraction is written plainly, with dots: "62/64", "1.877/1.928".
- A rank is a whole number ("hạng 16"); a change of rank says which way ("tăng 2 bậc",
  "giữ nguyên thứ hạng", "giảm 1 bậc"), never "tăng 0 bậc".
- Text built for a report never breaks after a comparison sign or inside a year range: the
  sign is followed by a no-break space (U+00A0) and the range's hyphen is the no-break
  hyphen U+2011 (LibreOffice draws it with the font's own hyphen, so Liberation Serif, which
  has no U+2011 glyph, prints a plain "-"; Times New Roman has the glyph).
"""

from __future__ import annotations

import re
from decimal import Decimal

from kehoach_docs.format import lam_tron, so, so_dem

NBSP = "\u00a0"
NB_HYPHEN = "\u2011"


def rounded(x: Decimal | float | int) -> Decimal:
    """Half up to one decimal (96,65 → 96,7): the value a verdict compares (format.lam_tron,
    the rounding of every printed figure)."""
    return lam_tron(x, 1)


def percent(num: int | Decimal, den: int | Decimal) -> Decimal:
    return rounded(Decimal(num) * 100 / Decimal(den))


def ty_le(x: Decimal | float | int) -> str:
    """A rate: "96,9%", "23,0%"; "100%" and "0%" whole."""
    d = rounded(x)
    if d in (0, 100):
        return f"{so(d)}%"
    return f"{so(d, 1)}%"


def dem(n: int | Decimal, noun: str | None = None) -> str:
    """A count as the office writes it: "02", "02 mô hình", "1.877 hồ sơ" (format.so_dem: one
    implementation for plans and reports)."""
    return so_dem(n, noun)


def phan_so(num: int | Decimal, den: int | Decimal) -> str:
    """"62/64", "1.877/1.928"."""
    return f"{so(num)}/{so(den)}"


def so_bac(gain: int | Decimal) -> str:
    """A change of rank: "tăng 2 bậc", "giữ nguyên thứ hạng", "giảm 1 bậc"."""
    gain = int(gain)
    if gain == 0:
        return "giữ nguyên thứ hạng"
    return f"{'tăng' if gain > 0 else 'giảm'} {so(abs(gain))} bậc"


def gia_tri(x: float | Decimal) -> str:
    """A target's own value as the plan writes it: 98 → "98", 1.5 → "1,5"."""
    d = Decimal(str(x))
    return so(d) if d == d.to_integral_value() else so(d, 1)


_RANGE = re.compile(r"(?<!\d)(\d{4}) ?[-–] ?(\d{4})(?!\d)")
_SIGN = re.compile(r"([≥≤=<>]) (?=\d)")


def khong_ngat(text: str) -> str:
    """No line break after a comparison sign or inside a year range ("2021-2025")."""
    text = _RANGE.sub(lambda m: f"{m.group(1)}{NB_HYPHEN}{m.group(2)}", text)
    return _SIGN.sub(lambda m: m.group(1) + NBSP, text)
