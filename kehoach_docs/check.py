"""Conformance checker: does a .docx follow the thể thức of its profile?

Works on any .docx: our own output (formatting in styles) and documents made by hand in
Word (direct formatting, tab-separated headers, line breaks). Every value is read as the
reader sees it: run → character style → paragraph style (basedOn chain) → table style →
docDefaults; theme fonts are resolved through the theme part.

    detect_profile(path)         → Profile | None  (regime from the header, date from the date line)
    check_docx(path, profile)    → list[Violation] (every violation, in reading order)
    check_files(paths, profile)  → {Path: [Violation]} (folders are expanded to their .docx)
    format_report(violations)    → Vietnamese text, one line per violation

Rule ids. Formatting of an element is "<property>.<element>", the element being the
profile's `phan_tu` key: co_chu (size), dam (bold), nghieng (italic), gach_chan (underline),
in_hoa (upper case), can_le (alignment), duong_ke (line under the element), e.g.
"co_chu.noi_nhan", "dam.tieu_de", "gach_chan.nhan_noi_nhan". Content rules are
"<element>.<rule>":
    page:        kho_giay, huong_giay, le_tren, le_duoi, le_trai, le_phai, dau_trang
    font:        phong_chu
    header:      <element>.thieu (tieu_de, dau_sao, co_quan_ban_hanh, so_ky_hieu…),
                 tieu_de.noi_dung, so_ky_hieu.dau_hai_cham, so_ky_hieu.dem_so, so_ky_hieu.mau,
                 ngay_thang.thieu, ngay_thang.dem_so, ngay_thang.dau_phay, ngay_thang.dia_danh,
                 ngay_thang.khong_co_that, ngay_thang.mau
    title block: ten_loai.thieu, trich_yeu.thieu, trich_yeu.chu_dau_thuong,
                 phan_cach.thieu, phan_cach.noi_dung
    body:        co_chu.doan, can_le.doan, thut_dau_dong.doan (counts, not one per paragraph)
    recipients:  noi_nhan.thieu, nhan_noi_nhan.noi_dung, noi_nhan.gach_dau_dong,
                 noi_nhan.ket_thuc_dong, noi_nhan.ket_thuc_cuoi, noi_nhan.luu
    signer:      quyen_han_ky.mau, chuc_vu_ky.thieu, ho_ten_ky.thieu, ky.thieu
    page number: so_trang.trang_dau, so_trang.thieu, so_trang.vi_tri
    other:       he_thong (no regime found), tep (unreadable file, check_files only)

Rules come from the profile, except (noted in the code): the date padding rule (the same in
both regimes), the names of document types used to find the title, and the forms of the
signing authority (T/M… for Party, TM.… for State), which the profile schema does not hold.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
import zipfile
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from lxml import etree

from kehoach_docs.errors import ProblemList, UserError
from kehoach_docs.format.vn import ngay_hanh_chinh
from kehoach_docs.profile import Element, Profile, choose_profile

__all__ = ["Violation", "check_docx", "check_files", "detect_profile", "format_report"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
VML = "{urn:schemas-microsoft-com:vml}"
RT_THEME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"

TWIPS_PER_MM = 1440 / 25.4
EMU_PER_MM = 36000
PAGE_TOLERANCE = 0.5     # mm, paper size and margins
INDENT_TOLERANCE = 1.0   # mm, first-line indent of body paragraphs
LINE_TOLERANCE = 3.0     # mm, length of the line under the title
MAX_PLACES = 5           # paragraphs listed in one violation before "và N đoạn khác"

_OFF = {"0", "false", "off", "none"}


@dataclass
class Violation:
    """One departure from the thể thức, located in the document."""

    rule: str
    element: str
    expected: str
    found: str
    place: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.element}: cần {self.expected}, thấy {self.found} ({self.place})"


# --- Vietnamese names and language data -----------------------------------------------

_NAMES = {
    "tieu_de": "Tiêu đề", "quoc_hieu": "Quốc hiệu", "tieu_ngu": "Tiêu ngữ",
    "co_quan_cap_tren": "Tên cơ quan cấp trên", "co_quan_ban_hanh": "Tên cơ quan ban hành",
    "dau_sao": "Dấu sao (*)", "so_ky_hieu": "Số, ký hiệu", "dia_danh_ngay": "Địa danh, ngày tháng",
    "ten_loai": "Tên loại văn bản", "trich_yeu": "Trích yếu", "phan_cach": "Dòng phân cách",
    "tieu_de_cap1": "Đề mục cấp 1", "tieu_de_cap2": "Đề mục cấp 2", "tieu_de_cap3": "Đề mục cấp 3",
    "doan": "Đoạn văn", "nhan_noi_nhan": "Chữ “Nơi nhận”", "noi_nhan": "Nơi nhận",
    "quyen_han_ky": "Quyền hạn ký", "chuc_vu_ky": "Chức vụ người ký", "ho_ten_ky": "Họ tên người ký",
    "so_trang": "Số trang", "ky": "Chữ ký",
}

# Header elements, in the order they are looked for. Those with `noi_dung` in the profile
# (tiêu đề, dấu sao, tiêu ngữ…) must be present.
_HEADER_ELEMENTS = ("tieu_de", "quoc_hieu", "tieu_ngu", "dau_sao")

# Names of document types, used only to find the title line (language data, both regimes).
_DOC_TYPES = (
    "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "CHỈ THỊ", "KẾT LUẬN", "QUY CHẾ", "QUY ĐỊNH", "THÔNG TRI",
    "HƯỚNG DẪN", "BÁO CÁO", "KẾ HOẠCH", "CHƯƠNG TRÌNH", "THÔNG BÁO", "THÔNG CÁO", "TỜ TRÌNH",
    "ĐỀ ÁN", "PHƯƠNG ÁN", "DỰ ÁN", "QUY HOẠCH", "BIÊN BẢN", "HỢP ĐỒNG", "CÔNG ĐIỆN",
    "BẢN GHI NHỚ", "BẢN THỎA THUẬN", "GIẤY ỦY QUYỀN", "GIẤY MỜI", "GIẤY GIỚI THIỆU",
    "GIẤY NGHỈ PHÉP", "PHIẾU GỬI", "PHIẾU CHUYỂN", "PHIẾU BÁO", "THƯ CÔNG", "NGHỊ ĐỊNH",
    "THÔNG TƯ", "ĐIỀU LỆ", "QUY TRÌNH", "DIỄN VĂN", "LỜI KÊU GỌI", "TUYÊN BỐ",
)

_REGIME_TITLES = (("dang", "ĐẢNG CỘNG SẢN VIỆT NAM"), ("nha_nuoc", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))

# Forms of the signing authority (36-HD point 1.7 / NĐ 30), for profiles that lack `ky.quyen_han`.
_AUTHORITY_FORMS = {
    "dang": {"TM": "T/M", "KT": "K/T", "TL": "T/L"},
    "nha_nuoc": {"TM": "TM.", "KT": "KT.", "TL": "TL.", "TUQ": "TUQ.", "TU": "TUQ."},
}
_AUTHORITY_RE = re.compile(r"^\s*(T\s*/\s*[MLU]|K\s*/\s*T|TUQ\.?|TM\.?|KT\.?|TL\.?)(?=\s|$)", re.I)

_ALIGN_TEXT = {"trai": "căn trái", "giua": "căn giữa", "phai": "căn phải", "deu": "căn đều hai bên"}
_JC = {"both": "deu", "distribute": "deu", "justify": "deu", "center": "giua", "right": "phai",
       "end": "phai", "left": "trai", "start": "trai"}

_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe",
          "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=8192)
def _key(s: str) -> str:
    """Accent- and case-insensitive key for locating text: "ĐẢNG ỦY" → "dang uy"."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.casefold().split())


def _tone_norm(s: str) -> str:
    """Lower case with the old and new tone placements made equal ("hoà" = "hòa")."""
    s = _nfc(s).lower()
    for old, new in _TONES.items():
        s = s.replace(old, new)
    return " ".join(s.split())


def _num(x: float) -> str:
    """14.0 → "14", 65.4 → "65,4" (Vietnamese decimal comma)."""
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def _quote(s: str, limit: int = 60) -> str:
    s = " ".join(s.split())
    return "“" + (s if len(s) <= limit else s[: limit - 1] + "…") + "”"


def _name(element: str) -> str:
    return _NAMES.get(element, element)


# --- Effective formatting ----------------------------------------------------------------


def _on(el) -> bool | None:
    if el is None:
        return None
    return el.get(W + "val", "true").lower() not in _OFF


def _twips_mm(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value) / TWIPS_PER_MM
    except ValueError:
        return None


class _Resolver:
    """Effective run and paragraph properties through styles, table style and defaults."""

    def __init__(self, doc) -> None:
        styles = doc.styles.element
        self.styles = {s.get(W + "styleId"): s for s in styles.findall(W + "style")}
        self.default = {}
        for s in styles.findall(W + "style"):
            if (s.get(W + "default") or "").lower() in ("1", "true", "on"):
                self.default.setdefault(s.get(W + "type"), s.get(W + "styleId"))
        self.rpr_default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.ppr_default = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
        self.theme = self._theme_fonts(doc)
        self._chains: dict[tuple, list] = {}
        self.run_cache: dict[tuple, tuple] = {}
        self.para_cache: dict[tuple, tuple] = {}

    @staticmethod
    def _theme_fonts(doc) -> dict[str, str]:
        fonts: dict[str, str] = {}
        try:
            part = doc.part.part_related_by(RT_THEME)
            root = etree.fromstring(part.blob)
        except Exception:  # no theme part, or unreadable: theme fonts stay unknown
            return fonts
        for kind in ("major", "minor"):
            latin = root.find(f".//{A}{kind}Font/{A}latin")
            if latin is not None and latin.get("typeface"):
                fonts[kind] = latin.get("typeface")
        return fonts

    def chain(self, style_id: str | None, kind: str) -> list:
        key = (style_id, kind)
        if key not in self._chains:
            self._chains[key] = self._chain(style_id, kind)
        return self._chains[key]

    def _chain(self, style_id: str | None, kind: str) -> list:
        out, seen = [], set()
        if style_id is None or style_id not in self.styles:
            style_id = self.default.get(kind)
        while style_id and style_id in self.styles and style_id not in seen and len(out) < 30:
            seen.add(style_id)
            style = self.styles[style_id]
            out.append(style)
            based = style.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None
        return out

    def _style_id(self, ppr, tag: str) -> str | None:
        el = ppr.find(W + tag) if ppr is not None else None
        return el.get(W + "val") if el is not None else None

    def para_levels(self, p, table_style: str | None) -> list:
        ppr = p.find(W + "pPr")
        levels = [ppr]
        styles = self.chain(self._style_id(ppr, "pStyle"), "paragraph")
        levels += [s.find(W + "pPr") for s in styles]
        if table_style is not None:
            levels += [s.find(W + "pPr") for s in self.chain(table_style, "table")]
        levels.append(self.ppr_default)
        return [lv for lv in levels if lv is not None]

    def run_levels(self, r, p, table_style: str | None) -> list:
        rpr = r.find(W + "rPr")
        levels = [rpr]
        rstyle = self._style_id(rpr, "rStyle")
        levels += [s.find(W + "rPr") for s in self.chain(rstyle, "character")]
        ppr = p.find(W + "pPr")
        levels += [s.find(W + "rPr") for s in self.chain(self._style_id(ppr, "pStyle"), "paragraph")]
        if table_style is not None:
            levels += [s.find(W + "rPr") for s in self.chain(table_style, "table")]
        levels.append(self.rpr_default)
        return [lv for lv in levels if lv is not None]

    def font(self, levels: list, slot: str) -> str | None:
        for lv in levels:
            fonts = lv.find(W + "rFonts")
            if fonts is None:
                continue
            theme = fonts.get(W + slot + "Theme")
            if theme:
                return self.theme.get("major" if theme.startswith("major") else "minor", f"({theme})")
            if fonts.get(W + slot):
                return fonts.get(W + slot)
        return None


def _first(levels: list, path: str):
    for lv in levels:
        el = lv.find(path)
        if el is not None:
            return el
    return None


@dataclass
class _Run:
    text: str
    size: float | None
    bold: bool
    italic: bool
    underline: bool
    caps: bool
    fonts: tuple[str | None, str | None]  # ascii, hAnsi


def _run_text(r) -> str:
    parts = []
    for child in r:
        tag = child.tag
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
    return _nfc("".join(parts))


def _run_props(resolver: _Resolver, r, p, table_style: str | None, style: str | None = None) -> tuple:
    """Effective (size, bold, italic, underline, caps, fonts, hidden) of a run. Runs with the
    same direct formatting in the same paragraph style resolve alike: cache by that key."""
    rpr = r.find(W + "rPr")
    if style is None:
        style = resolver._style_id(p.find(W + "pPr"), "pStyle")
    key = (etree.tostring(rpr) if rpr is not None else b"", style, table_style)
    cached = resolver.run_cache.get(key)
    if cached is not None:
        return cached
    levels = resolver.run_levels(r, p, table_style)
    sz = _first(levels, W + "sz")
    try:
        size = float(sz.get(W + "val")) / 2 if sz is not None else None
    except (TypeError, ValueError):
        size = None
    u = _first(levels, W + "u")
    props = (size, bool(_on(_first(levels, W + "b"))), bool(_on(_first(levels, W + "i"))),
             u is not None and (u.get(W + "val") or "single").lower() != "none",
             bool(_on(_first(levels, W + "caps"))),
             (resolver.font(levels, "ascii"), resolver.font(levels, "hAnsi")),
             bool(_on(_first(levels, W + "vanish"))))
    resolver.run_cache[key] = props
    return props


def _make_run(resolver: _Resolver, r, p, table_style: str | None, text: str | None = None) -> _Run:
    size, bold, italic, underline, caps, fonts, _ = _run_props(resolver, r, p, table_style)
    return _Run(text=_run_text(r) if text is None else text, size=size, bold=bold, italic=italic,
                underline=underline, caps=caps, fonts=fonts)


def _own_runs(p) -> Iterator:
    """Runs of this paragraph, not of paragraphs nested in its text boxes."""
    for r in p.iter(W + "r"):
        anc = r.getparent()
        while anc is not None and anc.tag != W + "p":
            anc = anc.getparent()
        if anc is p:
            yield r


@dataclass
class _Para:
    el: Any
    place: str
    runs: list[_Run]
    align: str
    first_line: float
    ind_left: float
    ind_right: float
    width: float | None            # width of the container (cell or text area), mm
    numbered: bool = False
    column: str | None = None      # "trai" / "phai" in a table row, None elsewhere
    split: bool = False            # a piece of a line cut at tabs: its alignment means nothing
    part: int = 1                  # 2, 3… for the text after the 1st, 2nd… tab of a line

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def visible(self) -> str:
        return "".join(r.text.upper() if r.caps else r.text for r in self.runs)

    @property
    def clean(self) -> str:
        return " ".join(self.text.replace("\u00a0", " ").split())

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def pieces(self, tabs: bool = False) -> list[_Para]:
        """The paragraph cut at line breaks (and tabs): one piece per visible line or column."""
        seps = "\n\t" if tabs else "\n"
        groups: list[list[_Run]] = [[]]
        kinds: list[str] = [""]
        for run in self.runs:
            for piece in re.split(f"([{re.escape(seps)}])", run.text):
                if piece in ("\n", "\t"):
                    groups.append([])
                    kinds.append(piece)
                elif piece:
                    groups[-1].append(replace(run, text=piece))
        if len(groups) == 1:
            return [self]
        tabbed = "\t" in kinds
        out, line, part = [], 1, 1
        for group, kind in zip(groups, kinds):
            if kind == "\n":
                line, part = line + 1, 1
            elif kind == "\t":
                part += 1
            suffix = f", dòng {line}" + (f", phần {part}" if tabs and part > 1 else "")
            out.append(replace(self, runs=group, place=self.place + suffix, split=tabbed, part=part,
                               column=self.column if part == 1 else (self.column or "phai")))
        return out


def _make_para(resolver: _Resolver, p, place: str, table_style: str | None,
               width: float | None, column: str | None = None) -> _Para:
    align, first, left, right, numbered = _para_props(resolver, p, table_style)
    runs = []
    style = resolver._style_id(p.find(W + "pPr"), "pStyle")
    for r in _own_runs(p):
        size, bold, italic, underline, caps, fonts, hidden = _run_props(resolver, r, p, table_style, style)
        if not hidden:
            runs.append(_Run(text=_run_text(r), size=size, bold=bold, italic=italic,
                             underline=underline, caps=caps, fonts=fonts))
    return _Para(el=p, place=place, runs=runs, align=align, first_line=first or 0.0,
                 ind_left=left or 0.0, ind_right=right or 0.0, width=width,
                 numbered=numbered, column=column)


def _para_props(resolver: _Resolver, p, table_style: str | None) -> tuple:
    """Effective (alignment, first-line, left, right indent, numbered) of a paragraph; cached
    by its direct properties and table style, as runs are."""
    ppr = p.find(W + "pPr")
    key = (etree.tostring(ppr) if ppr is not None else b"", table_style)
    cached = resolver.para_cache.get(key)
    if cached is not None:
        return cached
    levels = resolver.para_levels(p, table_style)
    jc = _first(levels, W + "jc")
    align = _JC.get((jc.get(W + "val") or "left") if jc is not None else "left", "trai")
    first = left = right = None
    for lv in levels:
        ind = lv.find(W + "ind")
        if ind is None:
            continue
        if first is None:
            if ind.get(W + "hanging") is not None:
                first = -(_twips_mm(ind.get(W + "hanging")) or 0.0)
            elif ind.get(W + "firstLine") is not None:
                first = _twips_mm(ind.get(W + "firstLine"))
        if left is None:
            left = _twips_mm(ind.get(W + "left") or ind.get(W + "start"))
        if right is None:
            right = _twips_mm(ind.get(W + "right") or ind.get(W + "end"))
    props = (align, first, left, right, _first(levels, W + "numPr") is not None)
    resolver.para_cache[key] = props
    return props


def _flag(runs: list[_Run], attr: str) -> bool | None:
    """True/False when all runs with letters or digits agree, None when mixed."""
    relevant = [r for r in runs if any(c.isalnum() for c in r.text)] or \
        [r for r in runs if r.text.strip()]
    values = {getattr(r, attr) for r in relevant}
    if not values:
        return None
    return values.pop() if len(values) == 1 else None


def _sizes(runs: list[_Run]) -> list[float | None]:
    seen = []
    for r in runs:
        if r.text.strip() and r.size not in seen:
            seen.append(r.size)
    return seen


def _size_text(sizes: list[float | None]) -> str:
    if not sizes:
        return "không có chữ"
    shown = ["10 (mặc định)" if s is None else _num(s) for s in sizes]
    return ("cỡ " if len(shown) == 1 else "lẫn cỡ ") + "/".join(shown)


# --- Document model ----------------------------------------------------------------------


def _block_children(el) -> Iterator:
    """Children, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag in (W + "sdt",):
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _block_children(content)
        elif child.tag == W + "customXml":
            yield from _block_children(child)
        else:
            yield child


@dataclass
class _Table:
    index: int
    el: Any
    rows: list[list[list[_Para]]]  # rows → cells → paragraphs

    def cells(self) -> Iterator[list[_Para]]:
        for row in self.rows:
            yield from row


@dataclass
class _Model:
    doc: Any
    resolver: _Resolver
    blocks: list = field(default_factory=list)       # top-level _Para and _Table, in order
    all_paras: list = field(default_factory=list)    # every paragraph, nested tables included
    content_width: float | None = None


def _cell_widths(tbl) -> list[list[float | None]]:
    grid = [_twips_mm(g.get(W + "w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    out = []
    for tr in tbl.findall(W + "tr"):
        row, pos = [], 0
        for tc in tr.findall(W + "tc"):
            span_el = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span_el.get(W + "val", "1")) if span_el is not None else 1
            tcw = tc.find(f"{W}tcPr/{W}tcW")
            width = None
            if tcw is not None and (tcw.get(W + "type") or "dxa") == "dxa" and tcw.get(W + "w"):
                width = _twips_mm(tcw.get(W + "w"))
            if not width and pos + span <= len(grid) and all(grid[pos:pos + span]):
                width = sum(grid[pos:pos + span])
            row.append(width)
            pos += span
        out.append(row)
    return out


def _walk(model: _Model, container, prefix: str, width: float | None,
          table_style: str | None, top: bool) -> list:
    """Paragraphs and tables of a container; records every paragraph in model.all_paras."""
    blocks, n_p, n_t = [], 0, 0
    for child in _block_children(container):
        if child.tag == W + "p":
            n_p += 1
            para = _make_para(model.resolver, child, f"{prefix}đoạn {n_p}", table_style, width)
            model.all_paras.append(para)
            blocks.append(para)
        elif child.tag == W + "tbl":
            n_t += 1
            style_el = child.find(f"{W}tblPr/{W}tblStyle")
            tstyle = style_el.get(W + "val") if style_el is not None else model.resolver.default.get("table")
            widths = _cell_widths(child)
            rows = []
            trs = [tr for tr in _block_children(child) if tr.tag == W + "tr"]
            for ri, tr in enumerate(trs):
                tcs = [tc for tc in _block_children(tr) if tc.tag == W + "tc"]
                row = []
                for ci, tc in enumerate(tcs):
                    cwidth = widths[ri][ci] if ri < len(widths) and ci < len(widths[ri]) else None
                    column = None if len(tcs) == 1 else ("trai" if ci == 0 else "phai")
                    inner = _walk(model, tc, f"{prefix}bảng {n_t}, hàng {ri + 1}, ô {ci + 1}, ",
                                  cwidth, tstyle, False)
                    paras = [b for b in inner if isinstance(b, _Para)]
                    for para in paras:
                        para.column = column
                    row.append(paras)
                rows.append(row)
            blocks.append(_Table(n_t, child, rows))
    return blocks


def _open(path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if isinstance(path, (str, Path)) and not Path(path).is_file():
        raise UserError(f"Không tìm thấy tệp '{path}'.")
    try:
        return docx.Document(path)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        hint = " Tệp .doc cũ cần được lưu lại dưới dạng .docx." if str(path).lower().endswith(".doc") else ""
        raise UserError(f"Không đọc được '{path}' như một tệp .docx ({exc}).{hint}") from None


_RESOLVERS: dict[bytes, _Resolver] = {}


def _resolver(doc) -> _Resolver:
    """One resolver (and its caches) per distinct set of styles: every document made from
    the same template resolves its formatting alike, so a build resolves each style once."""
    try:
        theme = doc.part.part_related_by(RT_THEME).blob
    except Exception:  # no theme part
        theme = b""
    key = hashlib.sha256(etree.tostring(doc.styles.element) + theme).digest()
    if key not in _RESOLVERS:
        if len(_RESOLVERS) > 32:
            _RESOLVERS.clear()
        _RESOLVERS[key] = _Resolver(doc)
    return _RESOLVERS[key]


def _model(doc) -> _Model:
    model = _Model(doc=doc, resolver=_resolver(doc))
    sec = doc.sections[0] if len(doc.sections) else None
    if sec is not None and sec.page_width and sec.left_margin is not None and sec.right_margin is not None:
        model.content_width = (sec.page_width - sec.left_margin - sec.right_margin) / EMU_PER_MM
    model.blocks = _walk(model, doc.element.body, "", model.content_width, None, True)
    return model


# --- Locating the parts of a document ----------------------------------------------------


_DATE_RE = re.compile(
    r"^(?P<place>.*?)(?P<comma>,?)\s*(?P<ngay>ngày)\s*(?P<d>\d+)?[\s._…]*(?P<thang>tháng)\s*"
    r"(?P<m>\d+)?[\s._…]*(?P<nam>năm)\s*(?P<y>\d{4})(?P<rest>.*)$", re.I)


def _date_line(text: str) -> re.Match | None:
    return _DATE_RE.match(" ".join(text.replace("\u00a0", " ").split()))


def _is_number_line(text: str) -> bool:
    return re.match(r"^\s*Số\b\s*[:.\d\s_…-]", text, re.I) is not None


def _is_authority(text: str) -> bool:
    return _AUTHORITY_RE.match(text) is not None


def _is_noi_nhan(text: str) -> bool:
    return _key(text).startswith("noi nhan")


@dataclass
class _Layout:
    header_lines: list[_Para]
    header_is_table: bool
    header_end: int                 # index in blocks after the header
    ten_loai: _Para | None = None
    ten_loai_idx: int | None = None
    trich_yeu: list[_Para] = field(default_factory=list)
    phan_cach: _Para | None = None
    phan_cach_other: _Para | None = None   # what stands where the separator should be
    body: list[_Para] = field(default_factory=list)
    recipients: list[_Para] | None = None
    signer: list[_Para] | None = None


def _find_type(blocks: list) -> int | None:
    types = {_key(t) for t in _DOC_TYPES}
    for i, b in enumerate(blocks):
        if isinstance(b, _Para) and not b.empty and _key(b.text) in types:
            return i
    return None


def _header(blocks: list, ten_loai_idx: int | None) -> tuple[list[_Para], bool, int]:
    limit = ten_loai_idx if ten_loai_idx is not None else len(blocks)
    nonempty_seen = 0
    for i, b in enumerate(blocks[:limit]):
        if isinstance(b, _Table):
            if ten_loai_idx is not None or nonempty_seen < 3:
                lines = []
                for row in b.rows:
                    for cell in row:
                        for para in cell:
                            lines += para.pieces()
                return lines, True, i + 1
            break
        if not b.empty:
            nonempty_seen += 1
    # No header table: the paragraphs before the title (or the first ones), cut at tabs.
    lines, end = [], 0
    for i, b in enumerate(blocks[:limit]):
        if not isinstance(b, _Para):
            continue
        if ten_loai_idx is None and len([x for x in lines if not x.empty]) >= 12:
            break
        lines += b.pieces(tabs=True)
        end = i + 1
        if ten_loai_idx is None and _date_line(b.text):
            break
    return lines, False, end


def _layout(model: _Model, profile: Profile) -> _Layout:
    blocks = model.blocks
    tl_idx = _find_type(blocks)
    lines, is_table, end = _header(blocks, tl_idx)
    lay = _Layout(header_lines=lines, header_is_table=is_table, header_end=end)
    start = end
    if tl_idx is not None:
        lay.ten_loai, lay.ten_loai_idx = blocks[tl_idx], tl_idx
        start = _title_block(lay, blocks, tl_idx, profile)
    # Closing block: the last table with "Nơi nhận" or a signing authority, else paragraphs.
    close_idx, close_table = None, None
    for i in range(len(blocks) - 1, start - 1, -1):
        b = blocks[i]
        if isinstance(b, _Table) and any(_is_noi_nhan(p.text) or _is_authority(p.text)
                                         for cell in b.cells() for p in cell):
            close_idx, close_table = i, b
            break
    if close_table is not None:
        _closing_from_table(lay, close_table)
    else:
        for i in range(start, len(blocks)):
            b = blocks[i]
            if isinstance(b, _Para) and (_is_noi_nhan(b.text) or _is_authority(b.text)):
                close_idx = i
                break
        if close_idx is not None:
            _closing_from_paragraphs(lay, blocks[close_idx:])
    stop = close_idx if close_idx is not None else len(blocks)
    lay.body = [b for b in blocks[start:stop] if isinstance(b, _Para) and not b.empty]
    return lay


def _is_separator_like(text: str) -> bool:
    return re.fullmatch(r"[-–—_=*.\s]{3,}", text.strip() or "x") is not None


def _has_drawing(p) -> bool:
    return p.find(f".//{W}drawing") is not None or p.find(f".//{W}pict") is not None


def _title_block(lay: _Layout, blocks: list, tl_idx: int, profile: Profile) -> int:
    """Finds trích yếu and separator after the type name; returns where the body starts."""
    sep_el = profile.phan_tu.get("phan_cach")
    i = tl_idx + 1
    while i < len(blocks) and isinstance(blocks[i], _Para) and len(lay.trich_yeu) < 4:
        p = blocks[i]
        if p.empty:
            if lay.trich_yeu or _has_drawing(p.el):
                break
            i += 1
            continue
        if _is_separator_like(p.text):
            break
        if lay.trich_yeu and p.align != "giua" and _flag(p.runs, "bold") is not True:
            break  # the body has started
        if not lay.trich_yeu and p.align == "deu" and p.first_line > 1 and _flag(p.runs, "bold") is not True:
            break  # no trích yếu: this is already a body paragraph
        lay.trich_yeu.append(p)
        i += 1
    if sep_el is None or not sep_el.noi_dung:
        return i
    j = i
    while j < len(blocks) and isinstance(blocks[j], _Para) and blocks[j].empty \
            and not _has_drawing(blocks[j].el):
        j += 1
    if j < len(blocks) and isinstance(blocks[j], _Para):
        p = blocks[j]
        if _is_separator_like(p.text):
            lay.phan_cach = p
            return j + 1
        lay.phan_cach_other = p
    return i


def _closing_from_table(lay: _Layout, table: _Table) -> None:
    left = right = None
    for row in table.rows:
        for ci, cell in enumerate(row):
            if left is None and any(_is_noi_nhan(p.text) for p in cell):
                left = cell
                if right is None and len(row) > 1 and ci < len(row) - 1:
                    right = row[-1]
    for row in table.rows:
        for cell in row:
            if any(_is_authority(p.text) for p in cell) and cell is not left:
                right = cell
    if right is None:  # the head signs directly: the other cell of the row
        for row in table.rows:
            if left is not None and any(c is left for c in row) and len(row) > 1:
                right = [c for c in row if c is not left][-1]
    if left is not None:
        lines = [piece for p in left for piece in p.pieces()]
        start = next((k for k, ln in enumerate(lines) if _is_noi_nhan(ln.text)), 0)
        lay.recipients = lines[start:]
    if right is not None:
        lay.signer = [piece for p in right for piece in p.pieces()]


def _closing_from_paragraphs(lay: _Layout, paras: list) -> None:
    recipients: list[_Para] = []
    signer: list[_Para] = []
    in_list = False
    for b in paras:
        if not isinstance(b, _Para):
            break
        if _key(b.text).startswith("phu luc"):
            break
        for piece in b.pieces(tabs=True):
            first_part = piece.part == 1
            if first_part and _is_noi_nhan(piece.text):
                in_list = True
                recipients.append(piece)
            elif in_list and first_part and not piece.empty and \
                    (piece.clean.startswith(("-", "–", "+")) or _key(piece.text).startswith("luu")):
                recipients.append(piece)
            elif not piece.empty:
                if in_list and first_part and recipients and not _is_authority(piece.text):
                    in_list = False
                signer.append(piece)
            elif b.empty and in_list:
                in_list = False
    lay.recipients = recipients or None
    lay.signer = signer or None


# --- The checker -------------------------------------------------------------------------


class _Checker:
    def __init__(self, doc, profile: Profile, model: _Model | None = None) -> None:
        self.doc = doc
        self.profile = profile
        self.model = model or _model(doc)
        self.out: list[Violation] = []

    def add(self, rule: str, element: str, expected: str, found: str, place: str) -> None:
        self.out.append(Violation(rule, element, expected, found, place))

    def run(self) -> list[Violation]:
        self.page()
        self.fonts()
        lay = _layout(self.model, self.profile)
        self.header(lay)
        self.title_block(lay)
        self.body(lay)
        self.recipients(lay)
        self.signer(lay)
        self.page_numbers()
        return self.out

    # 1. Page --------------------------------------------------------------------------

    def _range(self, name: str) -> tuple[float, float]:
        lo = float(getattr(self.profile.trang, name))
        hi = getattr(self.profile.trang, f"{name}_toi_da", None)  # a range, when a profile gives one
        return lo, float(hi) if hi is not None else lo

    def page(self) -> None:
        t = self.profile.trang
        sections = list(self.doc.sections)
        for n, sec in enumerate(sections, 1):
            place = "thiết lập trang" + (f", phần {n} của văn bản" if len(sections) > 1 else "")
            w = sec.page_width / EMU_PER_MM if sec.page_width else None
            h = sec.page_height / EMU_PER_MM if sec.page_height else None
            if w is None or h is None:
                self.add("kho_giay", "Khổ giấy", f"{_num(t.rong)} × {_num(t.cao)} mm", "không đặt", place)
                continue
            portrait = abs(w - t.rong) <= PAGE_TOLERANCE and abs(h - t.cao) <= PAGE_TOLERANCE
            landscape = abs(w - t.cao) <= PAGE_TOLERANCE and abs(h - t.rong) <= PAGE_TOLERANCE
            if not portrait and not landscape:
                self.add("kho_giay", "Khổ giấy", f"{_num(t.rong)} × {_num(t.cao)} mm",
                         f"{_num(w)} × {_num(h)} mm", place)
            elif landscape and n == 1:
                self.add("huong_giay", "Hướng giấy", "khổ dọc", "khổ ngang", place)
            if landscape and n > 1:
                continue  # a landscape appendix section: margins follow the rotated page
            for name, attr, label in (("le_tren", "top_margin", "Lề trên"),
                                      ("le_duoi", "bottom_margin", "Lề dưới"),
                                      ("le_trai", "left_margin", "Lề trái"),
                                      ("le_phai", "right_margin", "Lề phải"),
                                      ("dau_trang", "header_distance", "Khoảng cách đầu trang")):
                self._page_value(name, label, getattr(sec, attr), place)

    def _page_value(self, name: str, label: str, value, place: str) -> None:
        lo, hi = self._range(name)
        expected = f"{_num(lo)} mm" if lo == hi else f"{_num(lo)}–{_num(hi)} mm"
        if value is None:
            self.add(name, label, expected, "không đặt", place)
            return
        mm = value / EMU_PER_MM
        if not lo - PAGE_TOLERANCE <= mm <= hi + PAGE_TOLERANCE:
            self.add(name, label, expected, f"{_num(mm)} mm", place)

    # 2. Fonts ---------------------------------------------------------------------------

    def _header_parts(self) -> Iterator[tuple[str, Any]]:
        """Headers and footers of every section, each part once."""
        seen = set()
        kinds = {"default": "", "first": " của trang đầu", "even": " trang chẵn"}
        for sec in self.doc.sections:
            for tag, label in (("headerReference", "đầu trang"), ("footerReference", "chân trang")):
                for ref in sec._sectPr.findall(W + tag):
                    rid = ref.get(R + "id")
                    if rid in seen or rid not in self.doc.part.related_parts:
                        continue
                    seen.add(rid)
                    yield label + kinds.get(ref.get(W + "type"), ""), self.doc.part.related_parts[rid]

    def fonts(self) -> None:
        want = self.profile.phong_chu.casefold()
        paras = list(self.model.all_paras)
        for label, part in self._header_parts():
            for k, p in enumerate(part.element.iter(W + "p"), 1):
                paras.append(_make_para(self.model.resolver, p, f"{label}, đoạn {k}", None, None))
        bad: dict[str, list[str]] = {}
        for para in paras:
            found = set()
            for run in para.runs:
                if not run.text.strip():
                    continue
                for font in run.fonts:
                    if font is None or font.casefold() != want:
                        found.add(font or "không khai báo (tùy phần mềm)")
            for font in sorted(found):
                bad.setdefault(font, []).append(para.place)
        for font, places in bad.items():
            self.add("phong_chu", "Phông chữ", self.profile.phong_chu,
                     f"{font} ở {len(places)} đoạn", _places(places))

    # Element formatting -----------------------------------------------------------------

    def style(self, name: str, para: _Para, *, case: bool = True, align: bool = True,
              label: str | None = None) -> None:
        el: Element | None = self.profile.phan_tu.get(name)
        if el is None:
            return
        label = label or _name(name)
        sizes = _sizes(para.runs)
        if sizes and sizes != [el.co]:
            self.add(f"co_chu.{name}", label, f"cỡ {_num(el.co)}", _size_text(sizes), para.place)
        for attr, prop, yes, no in (("bold", "dam", "chữ đậm", "chữ không đậm"),
                                    ("italic", "nghieng", "chữ nghiêng", "chữ đứng"),
                                    ("underline", "gach_chan", "có gạch chân", "không gạch chân")):
            want = getattr(el, prop)
            got = _flag(para.runs, attr)
            if got is None and not para.text.strip():
                continue
            if got != want:
                found = "chỉ một phần " + yes if got is None else (yes if got else no)
                self.add(f"{prop}.{name}", label, yes if want else no, found, para.place)
        if case and el.in_hoa:
            vis = para.visible
            if vis != vis.upper():
                self.add(f"in_hoa.{name}", label, "chữ IN HOA", _quote(para.text), para.place)
        if align and not para.split:
            ok = para.align == el.can_le or (el.can_le == "trai" and para.align == "deu")
            if not ok:
                self.add(f"can_le.{name}", label, _ALIGN_TEXT[el.can_le], _ALIGN_TEXT[para.align],
                         para.place)

    def line_under(self, name: str, para: _Para) -> None:
        el = self.profile.phan_tu.get(name)
        if el is None or el.duong_ke_duoi is None:
            return
        label = _name(name)
        want = f"đường kẻ liền bên dưới, dài {_num(el.duong_ke_duoi)} mm (±{_num(LINE_TOLERANCE)})"
        found_line, length = False, None
        levels = self.model.resolver.para_levels(para.el, None)
        bottom = _first(levels, f"{W}pBdr/{W}bottom")
        if bottom is not None and (bottom.get(W + "val") or "none") not in ("none", "nil"):
            found_line = True
            if (para.ind_left > 0.05 or para.ind_right > 0.05) and para.width:
                length = para.width - para.ind_left - para.ind_right
        if not found_line:
            length_d = _drawing_length(para.el)
            found_line = length_d is not False
            length = length_d if isinstance(length_d, float) else None
        nxt = para.el.getnext()
        while not found_line and nxt is not None and nxt.tag == W + "p":
            levels = self.model.resolver.para_levels(nxt, None)
            top = _first(levels, f"{W}pBdr/{W}top")
            if top is not None and (top.get(W + "val") or "none") not in ("none", "nil"):
                found_line = True
                nxt_para = _make_para(self.model.resolver, nxt, "", None, para.width)
                if (nxt_para.ind_left > 0.05 or nxt_para.ind_right > 0.05) and para.width:
                    length = para.width - nxt_para.ind_left - nxt_para.ind_right
                break
            d = _drawing_length(nxt)
            if d is not False:
                found_line, length = True, (d if isinstance(d, float) else None)
                break
            if "".join(t.text or "" for t in nxt.iter(W + "t")).strip():
                break
            nxt = nxt.getnext()
        if not found_line:
            self.add(f"duong_ke.{name}", label, want, "không có đường kẻ", para.place)
        elif length is not None and abs(length - el.duong_ke_duoi) > LINE_TOLERANCE:
            self.add(f"duong_ke.{name}", label, want, f"đường kẻ dài {_num(length)} mm", para.place)

    # 3. Header ----------------------------------------------------------------------------

    def header(self, lay: _Layout) -> None:
        ph = self.profile.phan_tu
        lines = [ln for ln in lay.header_lines if not ln.empty]
        place0 = "phần đầu văn bản"
        if lay.header_is_table and lines:
            place0 += ", " + lines[0].place.split(", hàng")[0]
        used: set[int] = set()
        # Elements with a fixed text: tiêu đề, dấu sao (Party), tiêu ngữ (State)…
        for name in _HEADER_ELEMENTS:
            el = ph.get(name)
            if el is None or not el.noi_dung:
                continue
            hit = next((ln for ln in lines if id(ln) not in used and _key(ln.text) == _key(el.noi_dung)), None)
            if hit is None:
                self.add(f"{name}.thieu", _name(name), f"có dòng {_quote(el.noi_dung)}", "không có", place0)
                continue
            used.add(id(hit))
            if _tone_norm(hit.visible) != _tone_norm(el.noi_dung):
                self.add(f"{name}.noi_dung", _name(name), _quote(el.noi_dung), _quote(hit.text), hit.place)
            self.style(name, hit)
            self.line_under(name, hit)
        # Số, ký hiệu and the place-date line.
        number = next((ln for ln in lines if id(ln) not in used and _is_number_line(ln.text)), None)
        if number is None:
            self.add("so_ky_hieu.thieu", _name("so_ky_hieu"), "dòng số, ký hiệu " +
                     _quote(self._number_example("44", "KH", "ĐUK")), "không có", place0)
        else:
            used.add(id(number))
            self.number(number)
            self.style("so_ky_hieu", number)
        dated = next((ln for ln in lines if id(ln) not in used and _date_line(ln.text)), None)
        if dated is None:
            self.add("ngay_thang.thieu", _name("dia_danh_ngay"),
                     "dòng “<Địa danh>, ngày … tháng … năm …”", "không có", place0)
        else:
            used.add(id(dated))
            self.date(dated)
            self.style("dia_danh_ngay", dated)
        # Body names: the left column above the number.
        names = []
        for ln in lines:
            if ln is number or ln is dated:
                break
            if id(ln) in used or ln.column == "phai" or _is_separator_like(ln.text):
                continue
            if _key(ln.text).startswith(("v/v", "ve viec")) or _key(ln.text) in ("khan", "thuong khan", "hoa toc"):
                continue
            if not lay.header_is_table and ln.column is None and ln.align in ("phai",):
                continue
            names.append(ln)
        self.body_names(names, place0)

    def body_names(self, names: list[_Para], place0: str) -> None:
        ph = self.profile.phan_tu
        if not names:
            if "co_quan_ban_hanh" in ph:
                self.add("co_quan_ban_hanh.thieu", _name("co_quan_ban_hanh"),
                         "tên cơ quan ban hành ở cột trái", "không có", place0)
            return
        upper, issuing = [], names
        if "co_quan_cap_tren" in ph and len(names) >= 2:
            bold = [_flag(n.runs, "bold") for n in names]
            b_up, b_iss = ph["co_quan_cap_tren"].dam, ph.get("co_quan_ban_hanh", ph["co_quan_cap_tren"]).dam
            if len(names) == 2 and b_up != b_iss and bold[0] == bold[1] == b_iss:
                upper, issuing = [], names      # one issuing body written on two lines
            else:
                k = 1
                while k < len(names) - 1 and bold[k] == bold[0]:
                    k += 1
                upper, issuing = names[:k], names[k:]
        for n in upper:
            self.style("co_quan_cap_tren", n)
        for n in issuing:
            self.style("co_quan_ban_hanh", n)
        if issuing:
            self.line_under("co_quan_ban_hanh", issuing[-1])

    def _number_example(self, so: str, loai: str, co_quan: str) -> str:
        mau = self.profile.so_ky_hieu.mau
        return mau.replace("{so}", so).replace("{loai}", loai).replace("{co_quan}", co_quan)

    def number(self, line: _Para) -> None:
        rules = self.profile.so_ky_hieu
        text = line.clean
        label = _name("so_ky_hieu")
        fields = {"so": r"(?P<so>\d+)", "loai": r"(?P<loai>[^\s/:-]+)", "co_quan": r"(?P<co_quan>[^\s/:]+)"}
        strict = _pattern_regex(rules.mau, fields)
        draft = _pattern_regex(rules.mau_du_thao, fields, draft=True)
        prefix = rules.mau.split("{", 1)[0]
        colon_wanted = ":" in prefix
        colon_found = re.match(r"^Số\s*:", text, re.I) is not None
        if colon_wanted != colon_found:
            want = "có dấu hai chấm sau “Số”" if colon_wanted else "không có dấu hai chấm sau “Số”"
            self.add("so_ky_hieu.dau_hai_cham", label, f"{want} ({_quote(self._fix_number(text))})",
                     _quote(text), line.place)
            text = re.sub(r"^(Số)\s*:?\s*", r"\1: " if colon_wanted else r"\1 ", text, flags=re.I)
        m = strict.match(text)
        if m is None:
            if draft.match(text) or draft.match(line.text.strip()):
                return
            self.add("so_ky_hieu.mau", label, f"dạng {_quote(self._fix_number(text))}", _quote(line.text),
                     line.place)
            return
        so = m.group("so")
        padded = str(int(so)).zfill(rules.dem_so)
        if so != padded:
            self.add("so_ky_hieu.dem_so", label,
                     f"số dưới {10 ** (rules.dem_so - 1)} thêm số 0 ({_quote(self._fix_number(text))})",
                     _quote(line.text), line.place)

    def _fix_number(self, text: str) -> str:
        """The number line rewritten in the profile's form, for the expected value."""
        rest = re.sub(r"^Số\s*:?\s*", "", text, flags=re.I)
        so_m = re.search(r"\d+", rest)
        tokens = [t for t in re.split(r"[\s/:-]+", re.sub(r"^\d+", "", rest)) if t]
        if so_m is None or not tokens:
            return self._number_example("44", "KH", "ĐUK")
        so = str(int(so_m.group())).zfill(self.profile.so_ky_hieu.dem_so)
        loai, co_quan = tokens[0], "-".join(tokens[1:]) or "…"
        return self._number_example(so, loai, co_quan)

    def date(self, line: _Para) -> None:
        label = _name("dia_danh_ngay")
        m = _date_line(line.text)
        assert m is not None
        place_name = m.group("place").strip()
        if not place_name:
            self.add("ngay_thang.dia_danh", label, "địa danh trước ngày tháng (“Nghệ An, ngày …”)",
                     _quote(line.text), line.place)
        elif not m.group("comma"):
            self.add("ngay_thang.dau_phay", label, f"dấu phẩy sau địa danh ({_quote(place_name + ', ngày …')})",
                     _quote(line.text), line.place)
        wrong_case = (m.group("ngay"), m.group("thang"), m.group("nam")) != ("ngày", "tháng", "năm")
        if m.group("rest").strip() or wrong_case:
            self.add("ngay_thang.mau", label, "“<Địa danh>, ngày DD tháng M năm YYYY”", _quote(line.text),
                     line.place)
        d, mo, y = m.group("d"), m.group("m"), int(m.group("y"))
        if d is None or mo is None:
            return  # a draft: day and month are left blank
        try:
            real = date(y, int(mo), int(d))
        except ValueError:
            self.add("ngay_thang.khong_co_that", label, "một ngày có thật",
                     f"ngày {d} tháng {mo} năm {y}", line.place)
            return
        # Padding: day below 10, month 1 and 2 only (same rule in both regimes, the-thuc §3.3).
        want = ngay_hanh_chinh(real)
        want_d = f"{real.day:02d}"
        want_m = f"{real.month:02d}" if real.month < 3 else str(real.month)
        if d != want_d:
            self.add("ngay_thang.dem_so", label, f"“ngày {want_d}” ({want})", f"“ngày {d}”", line.place)
        if mo != want_m:
            self.add("ngay_thang.dem_so", label, f"“tháng {want_m}” ({want})", f"“tháng {mo}”", line.place)

    # 4. Title block ---------------------------------------------------------------------

    def title_block(self, lay: _Layout) -> None:
        ph = self.profile.phan_tu
        if lay.ten_loai is None:
            is_letter = any(_key(ln.text).startswith(("v/v", "ve viec")) for ln in lay.header_lines)
            if not is_letter and "ten_loai" in ph:
                self.add("ten_loai.thieu", _name("ten_loai"), "tên loại văn bản (“KẾ HOẠCH”, “BÁO CÁO”…)",
                         "không có", "sau phần đầu văn bản")
            return
        self.style("ten_loai", lay.ten_loai)
        self.line_under("ten_loai", lay.ten_loai)
        if not lay.trich_yeu:
            if "trich_yeu" in ph:
                self.add("trich_yeu.thieu", _name("trich_yeu"), "trích yếu ngay dưới tên loại",
                         "không có", lay.ten_loai.place)
        else:
            for p in lay.trich_yeu:
                self.style("trich_yeu", p, case=False)
            el = ph.get("trich_yeu")
            first = lay.trich_yeu[0]
            if el is not None and el.chu_dau_thuong:
                word = first.visible.split()[0] if first.visible.split() else ""
                letters = [c for c in word if c.isalpha()]
                acronym = len(letters) >= 2 and all(c.isupper() for c in letters)
                if letters and letters[0].isupper() and not acronym:
                    k = next(i for i, c in enumerate(first.clean) if c.isalpha())
                    fixed = first.clean[:k] + first.clean[k].lower() + first.clean[k + 1:]
                    self.add("trich_yeu.chu_dau_thuong", _name("trich_yeu"),
                             f"chữ cái đầu viết thường ({_quote(fixed, 40)})", _quote(first.text, 40), first.place)
            self.line_under("trich_yeu", lay.trich_yeu[-1])
        sep = ph.get("phan_cach")
        if sep is None or not sep.noi_dung:
            return
        after = (lay.trich_yeu or [lay.ten_loai])[-1].place
        if lay.phan_cach is None:
            found = "không có" if lay.phan_cach_other is None else _quote(lay.phan_cach_other.text, 40)
            self.add("phan_cach.thieu", _name("phan_cach"), f"dòng {_quote(sep.noi_dung)} ngay sau trích yếu",
                     found, after)
            return
        if lay.phan_cach.clean != sep.noi_dung.strip():
            self.add("phan_cach.noi_dung", _name("phan_cach"), _quote(sep.noi_dung), _quote(lay.phan_cach.text),
                     lay.phan_cach.place)
        self.style("phan_cach", lay.phan_cach, case=False)

    # 5. Body ------------------------------------------------------------------------------

    def body(self, lay: _Layout) -> None:
        tv = self.profile.than_van_ban
        ph = self.profile.phan_tu
        heading_sizes = {tv.co} | {ph[n].co for n in ("tieu_de_cap1", "tieu_de_cap2", "tieu_de_cap3") if n in ph}
        by_size: dict[str, list[str]] = {}
        by_align: dict[str, list[str]] = {}
        by_indent: dict[str, list[str]] = {}
        for p in lay.body:
            if _key(p.text).startswith("kinh gui"):
                continue
            bold, italic = _flag(p.runs, "bold"), _flag(p.runs, "italic")
            heading = bold is True
            sizes = _sizes(p.runs)
            allowed = heading_sizes if heading else {tv.co}
            if sizes and not set(sizes) <= allowed:
                by_size.setdefault(_size_text(sizes), []).append(p.place)
            if heading or italic is True:
                continue  # headings and notes: only the size is checked
            if p.align != tv.can_le:
                by_align.setdefault(_ALIGN_TEXT[p.align], []).append(p.place)
            if not p.numbered and abs(p.first_line - tv.thut_dau_dong) > INDENT_TOLERANCE:
                by_indent.setdefault(f"thụt {_num(p.first_line)} mm", []).append(p.place)
        label = _name("doan") + " (thân văn bản)"
        if by_size:
            self.add("co_chu.doan", label, f"cỡ {_num(tv.co)}", _counts(by_size), _places(_all(by_size)))
        if by_align:
            self.add("can_le.doan", label, _ALIGN_TEXT[tv.can_le], _counts(by_align), _places(_all(by_align)))
        if by_indent:
            self.add("thut_dau_dong.doan", label,
                     f"thụt đầu dòng {_num(tv.thut_dau_dong)} mm (±{_num(INDENT_TOLERANCE)})",
                     _counts(by_indent), _places(_all(by_indent)))

    # 6. Recipients ----------------------------------------------------------------------

    def recipients(self, lay: _Layout) -> None:
        ph = self.profile.phan_tu
        rules = self.profile.noi_nhan
        label = _name("noi_nhan")
        lines = [ln for ln in (lay.recipients or []) if not ln.empty]
        if not lines:
            self.add("noi_nhan.thieu", label, "khối “Nơi nhận” ở cuối văn bản", "không có", "cuối văn bản")
            return
        head = lines[0]
        lab_el = ph.get("nhan_noi_nhan")
        if lab_el is not None:
            want = lab_el.noi_dung or "Nơi nhận:"
            if head.clean != want.strip():
                self.add("nhan_noi_nhan.noi_dung", _name("nhan_noi_nhan"), _quote(want), _quote(head.text),
                         head.place)
            self.style("nhan_noi_nhan", head)
        items: list[_Para] = []
        for ln in lines[1:]:
            text = ln.clean
            if items and not text.startswith(("-", "–", "+")) and not items[-1].clean.endswith((",", ";", ".")):
                items[-1] = replace(items[-1], runs=items[-1].runs + [replace(ln.runs[0], text=" ")] + ln.runs)
                continue  # a long item continued on the next line
            items.append(ln)
            if _key(text.lstrip("-–+ ")).startswith("luu"):
                break  # what follows (typist code, copies) is not part of the list
        if not items:
            self.add("noi_nhan.thieu", label, "các dòng nơi nhận dưới chữ “Nơi nhận”", "không có", head.place)
            return
        dash = self.profile.danh_so.gach_dau_dong
        for k, item in enumerate(items):
            self.style("noi_nhan", item, case=False, align=False)
            text = item.clean
            if not (text + " ").startswith(dash):
                self.add("noi_nhan.gach_dau_dong", label, f"bắt đầu bằng {_quote(dash)}", _quote(text, 40),
                         item.place)
            last = k == len(items) - 1
            end = rules.ket_thuc_cuoi if last else rules.ket_thuc_dong
            if not text.endswith(end):
                what = "dòng cuối" if last else "mỗi dòng"
                self.add("noi_nhan.ket_thuc_cuoi" if last else "noi_nhan.ket_thuc_dong", label,
                         f"{what} kết thúc bằng {_quote(end)}", _quote(text, 40), item.place)
        last = items[-1]
        body = last.clean[len(dash.strip()):].strip() if last.clean.startswith(dash.strip()) else last.clean
        luu = _pattern_regex(rules.mau_luu, {"noi_luu": r"(?P<noi_luu>\S.*?)"})
        if luu.match(body) is None:
            if _key(body).startswith("luu"):
                where = re.sub(r"^Lưu\s*:?\s*", "", body, flags=re.I).rstrip(".,; ") or "…"
                want = dash + rules.mau_luu.replace("{noi_luu}", where)
                self.add("noi_nhan.luu", label, _quote(want), _quote(last.text), last.place)
            else:
                want = dash + rules.mau_luu.replace("{noi_luu}", "…")
                self.add("noi_nhan.luu", label, f"dòng cuối {_quote(want)}", _quote(last.text, 40), last.place)

    # 7. Signer --------------------------------------------------------------------------

    def signer(self, lay: _Layout) -> None:
        lines = [ln for ln in (lay.signer or []) if not ln.empty and not re.fullmatch(r"\(.*\)", ln.clean)
                 and not _key(ln.text).startswith("da ky")]
        if not lines:
            self.add("ky.thieu", _name("ky"), "quyền hạn, chức vụ và họ tên người ký", "không có", "cuối văn bản")
            return
        authority = lines[0] if _is_authority(lines[0].text) else None
        rest = lines[1:] if authority else lines
        if authority is not None:
            self.authority(authority)
            self.style("quyen_han_ky", authority)
        if len(rest) >= 2:
            titles, name = rest[:-1], rest[-1]
        else:
            titles, name = rest, None
        if not titles:
            self.add("chuc_vu_ky.thieu", _name("chuc_vu_ky"), "chức vụ người ký", "không có",
                     (authority or lines[0]).place)
        for t in titles:
            self.style("chuc_vu_ky", t)
        if name is None:
            self.add("ho_ten_ky.thieu", _name("ho_ten_ky"), "họ tên người ký", "không có", lines[-1].place)
        else:
            self.style("ho_ten_ky", name)

    def authority(self, line: _Para) -> None:
        forms = self.profile.ky.quyen_han or _AUTHORITY_FORMS.get(self.profile.he_thong, {})
        m = _AUTHORITY_RE.match(line.clean)
        assert m is not None
        token = re.sub(r"\s+", "", m.group(1))
        canon = re.sub(r"[^A-Za-z]", "", token).upper()
        rest = line.clean[m.end():].strip()
        if forms.get(canon) == token:
            return
        if canon in forms:
            want = _quote(f"{forms[canon]} {rest}")
        else:
            want = "một trong " + ", ".join(f"“{f} …”" for f in dict.fromkeys(forms.values()))
        self.add("quyen_han_ky.mau", _name("quyen_han_ky"), want, _quote(line.text), line.place)

    # 8. Page numbers --------------------------------------------------------------------

    def page_numbers(self) -> None:
        el = self.profile.phan_tu.get("so_trang")
        if el is None or not len(self.doc.sections):
            return
        label = _name("so_trang")
        sec = self.doc.sections[0]
        sect = sec._sectPr
        parts = {}
        for kind, tag in (("header", "headerReference"), ("footer", "footerReference")):
            for ref in sect.findall(W + tag):
                rid = ref.get(R + "id")
                if rid in self.doc.part.related_parts:
                    parts[(kind, ref.get(W + "type"))] = self.doc.part.related_parts[rid]
        title_pg = bool(_on(sect.find(W + "titlePg")))
        default = parts.get(("header", "default"))
        page_para = _page_field_para(default.element) if default is not None else None
        place = "đầu trang của các trang từ trang 2"
        if page_para is None:
            footer = parts.get(("footer", "default"))
            if footer is not None and _page_field_para(footer.element) is not None:
                self.add("so_trang.vi_tri", label, "số trang ở đầu trang, căn giữa", "số trang ở chân trang",
                         "chân trang")
            else:
                self.add("so_trang.thieu", label, "trường số trang (PAGE) ở đầu trang",
                         "không có" if default is None else "đầu trang không có trường PAGE", place)
        else:
            para = _make_para(self.model.resolver, page_para, place, None, None)
            if not para.text.strip():  # no cached result: the field's own runs carry the formatting
                para.runs = [_make_run(self.model.resolver, r, page_para, None, text="1")
                             for r in _own_runs(page_para) if r.find(W + "instrText") is not None] or para.runs
            self.style("so_trang", para, case=False)
        if el.tu_trang is not None and el.tu_trang > 1:
            first = parts.get(("header", "first"))
            if not title_pg:
                found = "trang 1 có số trang" if page_para is not None else "chưa đặt “trang đầu khác”"
                self.add("so_trang.trang_dau", label,
                         f"không đánh số trang 1 (bật “trang đầu khác”), số từ trang {el.tu_trang}",
                         found, "thiết lập trang")
            elif first is not None and _page_field_para(first.element) is not None:
                self.add("so_trang.trang_dau", label, "không đánh số trang 1", "trang 1 có số trang",
                         "đầu trang của trang đầu")


def _page_field_para(root) -> Any | None:
    for p in root.iter(W + "p"):
        for fs in p.iter(W + "fldSimple"):
            if re.match(r"\s*PAGE\b", fs.get(W + "instr") or ""):
                return p
        for it in p.iter(W + "instrText"):
            if re.match(r"\s*PAGE\b", it.text or ""):
                return p
    return None


def _drawing_length(p) -> float | bool | None:
    """False when the paragraph has no drawing; the length of the drawn line in mm, or None."""
    ext = p.find(f".//{W}drawing//{WP}extent")
    if ext is not None:
        try:
            return int(ext.get("cx")) / EMU_PER_MM
        except (TypeError, ValueError):
            return None
    pict = p.find(f".//{W}pict")
    if pict is None:
        return False if p.find(f".//{W}drawing") is None else None
    line = pict.find(f".//{VML}line")
    if line is not None:
        a, b = _vml_point(line.get("from")), _vml_point(line.get("to"))
        if a is not None and b is not None:
            return abs(b - a)
    for shape in pict.iter():
        m = re.search(r"(?:^|;)\s*width:\s*([\d.]+)(pt|in|cm|mm)", shape.get("style") or "")
        if m:
            return _to_mm(float(m.group(1)), m.group(2))
    return None


def _to_mm(value: float, unit: str) -> float:
    return value * {"pt": 25.4 / 72, "in": 25.4, "cm": 10.0, "mm": 1.0}[unit]


def _vml_point(text: str | None) -> float | None:
    m = re.match(r"\s*(-?[\d.]+)(pt|in|cm|mm)", text or "")
    return _to_mm(float(m.group(1)), m.group(2)) if m else None


def _pattern_regex(mau: str, fields: dict[str, str], draft: bool = False) -> re.Pattern:
    """A regex from a profile pattern: "Số {so}-{loai}/{co_quan}" → ^Số\\s+(?P<so>\\d+)-…$."""
    out = []
    for part in re.split(r"(\{\w+\})", mau):
        m = re.fullmatch(r"\{(\w+)\}", part)
        if m:
            out.append(fields.get(m.group(1), rf"(?P<{m.group(1)}>.+?)"))
            continue
        for piece in re.split(r"(\s+)", part):
            if not piece:
                continue
            if piece.isspace():
                out.append(r"[\s._…]+" if draft and len(piece) > 1 else r"\s+")
            else:
                out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "$")


def _all(groups: dict[str, list[str]]) -> list[str]:
    return [p for places in groups.values() for p in places]


def _counts(groups: dict[str, list[str]]) -> str:
    return ", ".join(f"{len(places)} đoạn {what}" for what, places in
                     sorted(groups.items(), key=lambda kv: -len(kv[1])))


def _places(places: list[str]) -> str:
    """"đoạn 6, 7, 9 và 4 đoạn khác"; cells and headers spelled out in full."""
    places = list(dict.fromkeys(places))
    shown, more = places[:MAX_PLACES], len(places) - MAX_PLACES
    if all(re.fullmatch(r"đoạn \d+", p) for p in shown):
        text = "đoạn " + ", ".join(p.split()[1] for p in shown)
    else:
        text = "; ".join(shown)
    return text + (f" và {more} đoạn khác" if more > 0 else "")


# --- Public API --------------------------------------------------------------------------


def _regime_and_date(model: _Model) -> tuple[str | None, date | None]:
    paras = [p for p in model.all_paras[:80] if not p.empty]
    regime, found_date = None, None
    for p in paras:
        key = _key(p.text)
        if regime is None:
            for name, title in _REGIME_TITLES:
                if _key(title) in key:
                    regime = name
                    break
        if found_date is None:
            for piece in p.pieces(tabs=True):
                m = _date_line(piece.text)
                if m is not None:
                    found_date = _parse_date(m)
                    break
        if regime and found_date:
            break
    return regime, found_date


def _parse_date(m: re.Match) -> date | None:
    y = int(m.group("y"))
    try:
        if m.group("d") and m.group("m"):
            return date(y, int(m.group("m")), int(m.group("d")))
        return date(y, 12, 31)  # a draft: the rules in force at the end of that year
    except ValueError:
        return None


def _profile_for(model: _Model) -> Profile | None:
    regime, day = _regime_and_date(model)
    if regime is None:
        return None
    return choose_profile(regime, day or date.today())


def detect_profile(doc_path: str | Path | IO[bytes]) -> Profile | None:
    """The profile for a document: regime from its header title, date from its date line.

    None when neither "ĐẢNG CỘNG SẢN VIỆT NAM" nor "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" is found.
    Raises ProblemList when no profile of the regime covers the date.
    """
    return _profile_for(_model(_open(doc_path)))


def check_docx(path: str | Path | IO[bytes], profile: Profile | None = None) -> list[Violation]:
    """Every violation of the thể thức in one .docx; the profile is detected when not given.

    Raises UserError when the file is not a readable .docx.
    """
    doc = _open(path)
    model = _model(doc)
    checker_profile = profile
    if checker_profile is None:
        checker_profile = _profile_for(model)
        if checker_profile is None:
            return [Violation("he_thong", "Tiêu đề văn bản",
                              "“ĐẢNG CỘNG SẢN VIỆT NAM” hoặc “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM” ở đầu văn bản",
                              "không có", "đầu văn bản")]
    return _Checker(doc, checker_profile, model).run()


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*.docx") if not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


def check_files(paths: Iterable[str | Path], profile: Profile | None = None) -> dict[Path, list[Violation]]:
    """check_docx for each file (folders give their .docx files); unreadable files get a "tep" entry."""
    results: dict[Path, list[Violation]] = {}
    for path in _expand(paths):
        try:
            results[path] = check_docx(path, profile)
        except UserError as exc:
            results[path] = [Violation("tep", "Tệp", "tệp .docx đọc được", str(exc), str(path))]
        except ProblemList as exc:
            results[path] = [Violation("he_thong", "Bộ thể thức", "bộ thể thức có hiệu lực vào ngày văn bản",
                                       "; ".join(p.message for p in exc.problems), str(path))]
        except FileNotFoundError:
            results[path] = [Violation("tep", "Tệp", "tệp có thật", "không tìm thấy tệp", str(path))]
    return results


def format_report(violations: list[Violation]) -> str:
    """Vietnamese report, one line per violation: "<element>: cần <expected>, thấy <found> (<place>)"."""
    if not violations:
        return "Không phát hiện lỗi thể thức."
    return "\n".join(str(v) for v in violations)
