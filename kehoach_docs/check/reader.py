"""Reading a .docx as its reader sees it: effective formatting (run → styles → defaults,
theme fonts) and a light model of its paragraphs and tables."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from lxml import etree

from kehoach_docs.check.common import (
    JC,
    OFF,
    EMU_PER_MM,
    RT_THEME,
    TWIPS_PER_MM,
    A,
    W,
    num,
)
from kehoach_docs.errors import UserError
from kehoach_docs.format.vn import nfc

# --- Effective formatting ----------------------------------------------------------------


def is_on(el) -> bool | None:
    if el is None:
        return None
    return el.get(W + "val", "true").lower() not in OFF


def _twips_mm(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value) / TWIPS_PER_MM
    except ValueError:
        return None


class Resolver:
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


def first_of(levels: list, path: str):
    for lv in levels:
        el = lv.find(path)
        if el is not None:
            return el
    return None


@dataclass
class Run:
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
    return nfc("".join(parts))


def _run_props(resolver: Resolver, r, p, table_style: str | None, style: str | None = None) -> tuple:
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
    sz = first_of(levels, W + "sz")
    try:
        size = float(sz.get(W + "val")) / 2 if sz is not None else None
    except (TypeError, ValueError):
        size = None
    u = first_of(levels, W + "u")
    props = (size, bool(is_on(first_of(levels, W + "b"))), bool(is_on(first_of(levels, W + "i"))),
             u is not None and (u.get(W + "val") or "single").lower() != "none",
             bool(is_on(first_of(levels, W + "caps"))),
             (resolver.font(levels, "ascii"), resolver.font(levels, "hAnsi")),
             bool(is_on(first_of(levels, W + "vanish"))))
    resolver.run_cache[key] = props
    return props


def make_run(resolver: Resolver, r, p, table_style: str | None, text: str | None = None) -> Run:
    size, bold, italic, underline, caps, fonts, _ = _run_props(resolver, r, p, table_style)
    return Run(text=_run_text(r) if text is None else text, size=size, bold=bold, italic=italic,
                underline=underline, caps=caps, fonts=fonts)


def own_runs(p) -> Iterator:
    """Runs of this paragraph, not of paragraphs nested in its text boxes."""
    for r in p.iter(W + "r"):
        anc = r.getparent()
        while anc is not None and anc.tag != W + "p":
            anc = anc.getparent()
        if anc is p:
            yield r


@dataclass
class Para:
    el: Any
    place: str
    runs: list[Run]
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

    def pieces(self, tabs: bool = False) -> list[Para]:
        """The paragraph cut at line breaks (and tabs): one piece per visible line or column."""
        seps = "\n\t" if tabs else "\n"
        groups: list[list[Run]] = [[]]
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


def make_para(resolver: Resolver, p, place: str, table_style: str | None,
               width: float | None, column: str | None = None) -> Para:
    align, first, left, right, numbered = _para_props(resolver, p, table_style)
    runs = []
    style = resolver._style_id(p.find(W + "pPr"), "pStyle")
    for r in own_runs(p):
        size, bold, italic, underline, caps, fonts, hidden = _run_props(resolver, r, p, table_style, style)
        if not hidden:
            runs.append(Run(text=_run_text(r), size=size, bold=bold, italic=italic,
                             underline=underline, caps=caps, fonts=fonts))
    return Para(el=p, place=place, runs=runs, align=align, first_line=first or 0.0,
                 ind_left=left or 0.0, ind_right=right or 0.0, width=width,
                 numbered=numbered, column=column)


def _para_props(resolver: Resolver, p, table_style: str | None) -> tuple:
    """Effective (alignment, first-line, left, right indent, numbered) of a paragraph; cached
    by its direct properties and table style, as runs are."""
    ppr = p.find(W + "pPr")
    key = (etree.tostring(ppr) if ppr is not None else b"", table_style)
    cached = resolver.para_cache.get(key)
    if cached is not None:
        return cached
    levels = resolver.para_levels(p, table_style)
    jc = first_of(levels, W + "jc")
    align = JC.get((jc.get(W + "val") or "left") if jc is not None else "left", "trai")
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
    props = (align, first, left, right, first_of(levels, W + "numPr") is not None)
    resolver.para_cache[key] = props
    return props


def flag(runs: list[Run], attr: str) -> bool | None:
    """True/False when all runs with letters or digits agree, None when mixed."""
    relevant = [r for r in runs if any(c.isalnum() for c in r.text)] or \
        [r for r in runs if r.text.strip()]
    values = {getattr(r, attr) for r in relevant}
    if not values:
        return None
    return values.pop() if len(values) == 1 else None


def sizes_of(runs: list[Run]) -> list[float | None]:
    seen = []
    for r in runs:
        if r.text.strip() and r.size not in seen:
            seen.append(r.size)
    return seen


def size_text(sizes: list[float | None]) -> str:
    if not sizes:
        return "không có chữ"
    shown = ["10 (mặc định)" if s is None else num(s) for s in sizes]
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
class Table:
    index: int
    el: Any
    rows: list[list[list[Para]]]  # rows → cells → paragraphs

    def cells(self) -> Iterator[list[Para]]:
        for row in self.rows:
            yield from row


@dataclass
class Model:
    doc: Any
    resolver: Resolver
    blocks: list = field(default_factory=list)       # top-level Para and Table, in order
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


def _walk(model: Model, container, prefix: str, width: float | None,
          table_style: str | None, top: bool) -> list:
    """Paragraphs and tables of a container; records every paragraph in model.all_paras."""
    blocks, n_p, n_t = [], 0, 0
    for child in _block_children(container):
        if child.tag == W + "p":
            n_p += 1
            para = make_para(model.resolver, child, f"{prefix}đoạn {n_p}", table_style, width)
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
                    paras = [b for b in inner if isinstance(b, Para)]
                    for para in paras:
                        para.column = column
                    row.append(paras)
                rows.append(row)
            blocks.append(Table(n_t, child, rows))
    return blocks


def _within_bounds(path) -> None:
    """A small .docx may inflate to gigabytes: refuse it before python-docx reads it all."""
    from kehoach_docs.errors import ProblemList
    from kehoach_docs.package_safety import check_bounds

    name = path if isinstance(path, (str, Path)) else "văn bản"
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_bounds(infos, name)
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in zf.namelist() else b""
    except ProblemList as exc:
        raise UserError(f"'{name}': {exc.problems[0].message}") from None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        return  # python-docx says what is wrong
    finally:
        if not isinstance(path, (str, Path)):
            path.seek(0)
    if b"macroEnabled" in types:
        raise UserError(f"'{name}' là văn bản có macro (.docm) đặt tên thành .docx; hãy mở bằng Word và lưu lại "
                        "dưới dạng \"Word Document (*.docx)\".")


def open_docx(path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if isinstance(path, (str, Path)) and not Path(path).is_file():
        raise UserError(f"Không tìm thấy tệp '{path}'.")
    _within_bounds(path)
    try:
        return docx.Document(path)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        hint = " Tệp .doc cũ cần được lưu lại dưới dạng .docx." if str(path).lower().endswith(".doc") else ""
        raise UserError(f"Không đọc được '{path}' như một tệp .docx ({exc}).{hint}") from None


_RESOLVERS: dict[bytes, Resolver] = {}


def _resolver(doc) -> Resolver:
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
        _RESOLVERS[key] = Resolver(doc)
    return _RESOLVERS[key]


def read_model(doc) -> Model:
    model = Model(doc=doc, resolver=_resolver(doc))
    sec = doc.sections[0] if len(doc.sections) else None
    if sec is not None and sec.page_width and sec.left_margin is not None and sec.right_margin is not None:
        model.content_width = (sec.page_width - sec.left_margin - sec.right_margin) / EMU_PER_MM
    model.blocks = _walk(model, doc.element.body, "", model.content_width, None, True)
    return model
