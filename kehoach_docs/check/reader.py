"""Reading a .docx as its reader sees it: effective formatting (run → styles → defaults,
theme fonts) and a light view of its paragraphs and tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

from lxml import etree

from kehoach_docs.check.common import (
    num,
    text_key,
)
from kehoach_docs.check.package import Package, twips_mm
from kehoach_docs.ooxml import JC, RT_STYLES, RT_THEME, A, W, is_on_value, parse_part
from kehoach_docs.format.vn import nfc

# --- Effective formatting ----------------------------------------------------------------


def is_on(el) -> bool | None:
    if el is None:
        return None
    return is_on_value(el.get(W + "val"))


class Resolver:
    """Effective run and paragraph properties through styles, table style and defaults."""

    def __init__(self, styles, theme: bytes | None) -> None:
        styles = styles if styles is not None else etree.Element(W + "styles")
        self.styles = {s.get(W + "styleId"): s for s in styles.findall(W + "style")}
        self.default = {}
        for s in styles.findall(W + "style"):
            if (s.get(W + "default") or "").lower() in ("1", "true", "on"):
                self.default.setdefault(s.get(W + "type"), s.get(W + "styleId"))
        self.rpr_default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.ppr_default = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
        self.theme = self._theme_fonts(theme)
        self._chains: dict[tuple, list] = {}
        self.run_cache: dict[tuple, tuple] = {}
        self.para_cache: dict[tuple, tuple] = {}
        self.memo: dict[tuple, tuple] = {}
        """Whole paragraphs by their XML: documents of one template share most of theirs."""

    @staticmethod
    def _theme_fonts(theme: bytes | None) -> dict[str, str]:
        fonts: dict[str, str] = {}
        try:
            root = parse_part(theme)
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

    def style_id(self, ppr, tag: str) -> str | None:
        el = ppr.find(W + tag) if ppr is not None else None
        return el.get(W + "val") if el is not None else None

    def para_levels(self, p, table_style: str | None) -> list:
        ppr = p.find(W + "pPr")
        levels = [ppr]
        styles = self.chain(self.style_id(ppr, "pStyle"), "paragraph")
        levels += [s.find(W + "pPr") for s in styles]
        if table_style is not None:
            levels += [s.find(W + "pPr") for s in self.chain(table_style, "table")]
        levels.append(self.ppr_default)
        return [lv for lv in levels if lv is not None]

    def run_levels(self, r, p, table_style: str | None) -> list:
        rpr = r.find(W + "rPr")
        levels = [rpr]
        rstyle = self.style_id(rpr, "rStyle")
        levels += [s.find(W + "rPr") for s in self.chain(rstyle, "character")]
        ppr = p.find(W + "pPr")
        levels += [s.find(W + "rPr") for s in self.chain(self.style_id(ppr, "pStyle"), "paragraph")]
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


_MISSING = object()
_LINES = re.compile("(\n)")
_LINES_AND_TABS = re.compile("([\n\t])")


@dataclass
class Look:
    """What one paragraph's XML resolves to, with the document's styles: shared by every
    document that has the same paragraph, with the values derived from its runs."""

    runs: tuple[Run, ...]
    align: str
    first_line: float
    ind_left: float
    ind_right: float
    numbered: bool
    derived: dict = field(default_factory=dict)


@dataclass(frozen=True)
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
        style = resolver.style_id(p.find(W + "pPr"), "pStyle")
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
    runs: Sequence[Run]
    align: str
    first_line: float
    ind_left: float
    ind_right: float
    width: float | None            # width of the container (cell or text area), mm
    numbered: bool = False
    column: str | None = None      # "trai" / "phai" in a table row, None elsewhere
    split: bool = False            # a piece of a line cut at tabs: its alignment means nothing
    part: int = 1                  # 2, 3… for the text after the 1st, 2nd… tab of a line
    look: Look | None = field(default=None, repr=False, compare=False)
    """The shared resolution of this paragraph's XML, while `runs` are still its runs."""

    def _derived(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed from the runs, once for every document sharing this paragraph."""
        look = self.look
        if look is None or look.runs is not self.runs:
            return compute()
        found = look.derived.get(key, _MISSING)
        if found is _MISSING:
            found = look.derived[key] = compute()
        return found

    def derived_for(self, owner: Any, key: tuple, compute: Callable[[], Any]) -> Any:
        """Like _derived, for a value that depends on `owner` too (the profile). The look
        keeps `owner` alive, so that its id never stands for another object."""
        look = self.look
        if look is None or look.runs is not self.runs:
            return compute()
        full = (id(owner), *key)
        found = look.derived.get(full, _MISSING)
        if found is _MISSING:
            look.derived.setdefault(("owner", id(owner)), owner)
            found = look.derived[full] = compute()
        return found

    @property
    def text(self) -> str:
        return self._derived("text", lambda: "".join(r.text for r in self.runs))

    @property
    def key(self) -> str:
        """text_key of the text: accent- and case-free, for locating the parts."""
        return self._derived("key", lambda: text_key(self.text))

    @property
    def visible(self) -> str:
        return self._derived("visible", lambda: "".join(r.text.upper() if r.caps else r.text for r in self.runs))

    @property
    def clean(self) -> str:
        return self._derived("clean", lambda: " ".join(self.text.replace("\u00a0", " ").split()))

    @property
    def empty(self) -> bool:
        return self._derived("empty", lambda: not self.text.strip())

    def flag(self, attr: str) -> bool | None:
        """flag() of the runs: True/False when all runs with letters or digits agree."""
        return self._derived("flag." + attr, lambda: flag(self.runs, attr))

    def sizes(self) -> list[float | None]:
        """The distinct sizes of the runs with text, in order (do not change the list)."""
        return self._derived("sizes", lambda: sizes_of(self.runs))

    def fonts(self) -> list[str | None]:
        """The distinct fonts (ascii, hAnsi) of the runs with text (do not change the list)."""
        return self._derived("fonts", lambda: list(dict.fromkeys(
            font for run in self.runs if run.text.strip() for font in run.fonts)))

    def pieces(self, tabs: bool = False) -> list[Para]:
        """The paragraph cut at line breaks (and tabs): one piece per visible line or column."""
        text = self.text
        if "\n" not in text and (not tabs or "\t" not in text):
            return [self]
        splitter = _LINES_AND_TABS if tabs else _LINES
        groups: list[list[Run]] = [[]]
        kinds: list[str] = [""]
        for run in self.runs:
            for piece in splitter.split(run.text):
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
    # What a paragraph looks like depends only on its own XML, the styles and the table
    # style: documents of one template repeat most paragraphs, so each is resolved once.
    key = (etree.tostring(p), table_style)
    look = resolver.memo.get(key)
    if look is None:
        align, first, left, right, numbered = _para_props(resolver, p, table_style)
        runs = []
        style = resolver.style_id(p.find(W + "pPr"), "pStyle")
        for r in own_runs(p):
            size, bold, italic, underline, caps, fonts, hidden = _run_props(resolver, r, p, table_style, style)
            if not hidden:
                runs.append(Run(text=_run_text(r), size=size, bold=bold, italic=italic,
                                underline=underline, caps=caps, fonts=fonts))
        look = Look(tuple(runs), align, first or 0.0, left or 0.0, right or 0.0, numbered)
        if len(resolver.memo) > 50_000:
            resolver.memo.clear()
        resolver.memo[key] = look
    return Para(el=p, place=place, runs=look.runs, align=look.align, first_line=look.first_line,
                ind_left=look.ind_left, ind_right=look.ind_right, width=width, numbered=look.numbered,
                column=column, look=look)


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
                first = -(twips_mm(ind.get(W + "hanging")) or 0.0)
            elif ind.get(W + "firstLine") is not None:
                first = twips_mm(ind.get(W + "firstLine"))
        if left is None:
            left = twips_mm(ind.get(W + "left") or ind.get(W + "start"))
        if right is None:
            right = twips_mm(ind.get(W + "right") or ind.get(W + "end"))
    props = (align, first, left, right, first_of(levels, W + "numPr") is not None)
    resolver.para_cache[key] = props
    return props


def flag(runs: Sequence[Run], attr: str) -> bool | None:
    """True/False when all runs with letters or digits agree, None when mixed."""
    relevant = [r for r in runs if any(c.isalnum() for c in r.text)] or \
        [r for r in runs if r.text.strip()]
    values = {getattr(r, attr) for r in relevant}
    if not values:
        return None
    return values.pop() if len(values) == 1 else None


def sizes_of(runs: Sequence[Run]) -> list[float | None]:
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


# --- Document view ----------------------------------------------------------------------


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
class DocView:
    package: Package
    resolver: Resolver
    sections: list = field(default_factory=list)     # package.Section, in order
    blocks: list = field(default_factory=list)       # top-level Para and Table, in order
    all_paras: list = field(default_factory=list)    # every paragraph, nested tables included
    content_width: float | None = None


def _cell_widths(tbl) -> list[list[float | None]]:
    grid = [twips_mm(g.get(W + "w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    out = []
    for tr in tbl.findall(W + "tr"):
        row, pos = [], 0
        for tc in tr.findall(W + "tc"):
            span_el = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span_el.get(W + "val", "1")) if span_el is not None else 1
            tcw = tc.find(f"{W}tcPr/{W}tcW")
            width = None
            if tcw is not None and (tcw.get(W + "type") or "dxa") == "dxa" and tcw.get(W + "w"):
                width = twips_mm(tcw.get(W + "w"))
            if not width and pos + span <= len(grid) and all(grid[pos:pos + span]):
                width = sum(grid[pos:pos + span])
            row.append(width)
            pos += span
        out.append(row)
    return out


def walk(view: DocView, container, prefix: str, width: float | None,
          table_style: str | None, top: bool) -> list:
    """Paragraphs and tables of a container; records every paragraph in view.all_paras."""
    blocks, n_p, n_t = [], 0, 0
    for child in _block_children(container):
        if child.tag == W + "p":
            n_p += 1
            para = make_para(view.resolver, child, f"{prefix}đoạn {n_p}", table_style, width)
            view.all_paras.append(para)
            blocks.append(para)
        elif child.tag == W + "tbl":
            n_t += 1
            style_el = child.find(f"{W}tblPr/{W}tblStyle")
            tstyle = style_el.get(W + "val") if style_el is not None else view.resolver.default.get("table")
            widths = _cell_widths(child)
            rows = []
            trs = [tr for tr in _block_children(child) if tr.tag == W + "tr"]
            for ri, tr in enumerate(trs):
                tcs = [tc for tc in _block_children(tr) if tc.tag == W + "tc"]
                row = []
                for ci, tc in enumerate(tcs):
                    cwidth = widths[ri][ci] if ri < len(widths) and ci < len(widths[ri]) else None
                    column = None if len(tcs) == 1 else ("trai" if ci == 0 else "phai")
                    inner = walk(view, tc, f"{prefix}bảng {n_t}, hàng {ri + 1}, ô {ci + 1}, ",
                                  cwidth, tstyle, False)
                    paras = [b for b in inner if isinstance(b, Para)]
                    for para in paras:
                        para.column = column
                    row.append(paras)
                rows.append(row)
            blocks.append(Table(n_t, child, rows))
    return blocks


_RESOLVERS: dict[tuple[bytes, bytes], Resolver] = {}


def resolver_for(package: Package) -> Resolver:
    """One resolver (and its caches) per distinct set of styles: every document made from
    the same template resolves its formatting alike, so a build resolves each style once.
    Keyed by the parts' bytes (a build hands the same bytes objects: their hash is kept)."""
    styles = package.part_bytes(RT_STYLES) or b""
    theme = package.part_bytes(RT_THEME) or b""
    key = (styles, theme)
    found = _RESOLVERS.get(key)
    if found is None:
        if len(_RESOLVERS) > 32:
            _RESOLVERS.clear()
        try:
            root = parse_part(styles) if styles else None
        except etree.XMLSyntaxError:
            root = None
        found = _RESOLVERS[key] = Resolver(root, theme or None)
    return found


def read_view(package: Package) -> DocView:
    view = DocView(package=package, resolver=resolver_for(package))
    sections = package.sections()
    sec = sections[0] if sections else None
    if sec is not None and sec.page_width and sec.left_margin is not None and sec.right_margin is not None:
        view.content_width = sec.page_width - sec.left_margin - sec.right_margin
    view.sections = sections
    body = package.body
    view.blocks = walk(view, body, "", view.content_width, None, True) if body is not None else []
    return view
