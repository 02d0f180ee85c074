"""Shared pieces of the checker: its findings (Problems), names, language data, tolerances."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from kehoach_docs.errors import ERROR, Problem
from kehoach_docs.format.vn import nfc

PAGE_TOLERANCE = 0.5     # mm, paper size and margins
INDENT_TOLERANCE = 1.0   # mm, first-line indent of body paragraphs
LINE_TOLERANCE = 3.0     # mm, length of the line under the title
MAX_PLACES = 5           # paragraphs listed in one violation before "và N đoạn khác"


def finding(rule: str, element: str, expected: str, found: str, place: str, file: Path | str = "") -> Problem:
    """One departure from the thể thức, as a Problem: `rule` broken, its place in the document
    (paragraph, table cell) as the field, "<element>: cần <expected>, thấy <found>" as the
    message. The file is set when the document is one (check_docx)."""
    return Problem(file, 0, 0, place, f"{element}: cần {expected}, thấy {found}", ERROR, rule)


def finding_text(p: Problem) -> str:
    """A finding as the checker's report writes it: "<element>: cần …, thấy … (<place>)"."""
    return f"{p.message} ({p.field})"


def of_template(p: Problem, template: Path | str) -> Problem:
    """A finding in a rendered document as a problem of its template: the output broke the
    thể thức, so the template or the profile is at fault, not the clerk's data."""
    return replace(p, file=template, message=f"văn bản tạo ra sai thể thức — {finding_text(p)}")


# --- Vietnamese names and language data -----------------------------------------------

_NAMES = {
    "tieu_de": "Tiêu đề", "quoc_hieu": "Quốc hiệu", "tieu_ngu": "Tiêu ngữ",
    "co_quan_cap_tren": "Tên cơ quan cấp trên", "co_quan_ban_hanh": "Tên cơ quan ban hành",
    "dau_sao": "Dấu sao (*)", "so_ky_hieu": "Số, ký hiệu", "dia_danh_ngay": "Địa danh, ngày tháng",
    "ten_loai": "Tên loại văn bản", "trich_yeu": "Trích yếu", "phan_cach": "Dòng phân cách",
    "tieu_de_cap1": "Đề mục cấp 1", "tieu_de_cap2": "Đề mục cấp 2", "tieu_de_cap3": "Đề mục cấp 3",
    "doan": "Đoạn văn", "nhan_noi_nhan": "Chữ “Nơi nhận”", "noi_nhan": "Nơi nhận",
    "quyen_han_ky": "Quyền hạn ký", "chuc_vu_ky": "Chức vụ người ký", "ho_ten_ky": "Họ tên người ký",
    "so_trang": "Số trang", "ky": "Chữ ký", "du_thao": "Chữ “Dự thảo”",
}

# Header elements, in the order they are looked for. Those with `noi_dung` in the profile
# (tiêu đề, dấu sao, tiêu ngữ…) must be present.
HEADER_ELEMENTS = ("tieu_de", "quoc_hieu", "tieu_ngu", "dau_sao")

# Names of document types, used only to find the title line (language data, both regimes).
DOC_TYPES = (
    "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "CHỈ THỊ", "KẾT LUẬN", "QUY CHẾ", "QUY ĐỊNH", "THÔNG TRI",
    "HƯỚNG DẪN", "BÁO CÁO", "KẾ HOẠCH", "CHƯƠNG TRÌNH", "THÔNG BÁO", "THÔNG CÁO", "TỜ TRÌNH",
    "ĐỀ ÁN", "PHƯƠNG ÁN", "DỰ ÁN", "QUY HOẠCH", "BIÊN BẢN", "HỢP ĐỒNG", "CÔNG ĐIỆN",
    "BẢN GHI NHỚ", "BẢN THỎA THUẬN", "GIẤY ỦY QUYỀN", "GIẤY MỜI", "GIẤY GIỚI THIỆU",
    "GIẤY NGHỈ PHÉP", "PHIẾU GỬI", "PHIẾU CHUYỂN", "PHIẾU BÁO", "THƯ CÔNG", "NGHỊ ĐỊNH",
    "THÔNG TƯ", "ĐIỀU LỆ", "QUY TRÌNH", "DIỄN VĂN", "LỜI KÊU GỌI", "TUYÊN BỐ",
)

REGIME_TITLES = (("dang", "ĐẢNG CỘNG SẢN VIỆT NAM"), ("nha_nuoc", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))

# Forms of the signing authority (36-HD point 1.7 / NĐ 30), for profiles that lack `ky.quyen_han`.
AUTHORITY_FORMS = {
    "dang": {"TM": "T/M", "KT": "K/T", "TL": "T/L"},
    "nha_nuoc": {"TM": "TM.", "KT": "KT.", "TL": "TL.", "TUQ": "TUQ.", "TU": "TUQ."},
}
AUTHORITY_RE = re.compile(r"^\s*(T\s*/\s*[MLU]|K\s*/\s*T|TUQ\.?|TM\.?|KT\.?|TL\.?)(?=\s|$)", re.I)

ALIGN_TEXT = {"trai": "căn trái", "giua": "căn giữa", "phai": "căn phải", "deu": "căn đều hai bên"}

_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe",
          "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}


# Combining marks (U+0300-U+036F covers every Vietnamese tone and vowel mark) are dropped
# (a pattern, not str.translate: a table lookup per character cost more than the check's rules).
_MARKS = re.compile("[\u0300-\u036f]+")


@lru_cache(maxsize=8192)
def text_key(s: str) -> str:
    """Accent- and case-insensitive key for locating text: "ĐẢNG ỦY" → "dang uy"."""
    s = _MARKS.sub("", unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d")))
    return " ".join(s.casefold().split())


def tone_norm(s: str) -> str:
    """Lower case with the old and new tone placements made equal ("hoà" = "hòa")."""
    s = nfc(s).lower()
    for old, new in _TONES.items():
        s = s.replace(old, new)
    return " ".join(s.split())


def num(x: float) -> str:
    """14.0 → "14", 65.4 → "65,4" (Vietnamese decimal comma)."""
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def quote(s: str, limit: int = 60) -> str:
    s = " ".join(s.split())
    return "“" + (s if len(s) <= limit else s[: limit - 1] + "…") + "”"


def element_name(element: str) -> str:
    return _NAMES.get(element, element)
