"""Column widths of a table from what is in it (the automatic table layout of CSS 2.1, §17.5.2.2).

A table whose columns are declared in data (a report's units appendix) cannot get its widths
from the template: one loop cell gives every column the same width, so a column of fractions
breaks "(1.032/1.064)" mid-number while another column is half empty. Here each column gets
at least its longest word (never broken) and, of the width left, a share in proportion to how
much more it would take to print its cells on one line.

Text is measured with the advance widths of Times New Roman (font_widths.py), regular for
cells and bold for the header row.
"""

from __future__ import annotations

import re

from lxml import etree

from kehoach_docs.format.vn import nfc
from kehoach_docs.render.font_widths import text_width_mm
from kehoach_docs.ooxml import W

SLACK = 1.05
"""Measured widths are rounded up by 5% (a renderer's own rounding of advances)."""
BORDER_MM = 1.0
"""Room for the cell borders and the rounding of twips."""


def text_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Printed width of one line of `text` (Times New Roman advances, font_widths.py)."""
    return text_width_mm(nfc(text), size_pt, bold)


def fit(header: list[str], rows: list[list[str]], total_mm: float, size_pt: float,
        padding_mm: float) -> list[float]:
    """Column widths (mm) adding up to `total_mm`: each at least its longest word, the rest
    shared in proportion to each column's want beyond that."""
    n = len(header)
    least, want = [0.0] * n, [0.0] * n
    padding_mm += BORDER_MM
    for r, cells in enumerate([header, *rows]):
        bold = r == 0
        for i, text in enumerate(cells[:n]):
            lines = str(text).split("\n")
            words = [w for line in lines for w in line.split()]
            longest = max((text_mm(w, size_pt, bold) for w in words), default=0)
            least[i] = max(least[i], longest * SLACK + padding_mm)
            want[i] = max(want[i], max(text_mm(line, size_pt, bold) for line in lines) * SLACK + padding_mm)
    if sum(least) >= total_mm:
        # Even the words do not fit: the narrowest table that keeps the proportions.
        return [w * total_mm / sum(least) for w in least]
    if sum(want) <= total_mm:
        return [w * total_mm / sum(want) for w in want]
    extra = total_mm - sum(least)
    spread = sum(w - m for w, m in zip(want, least))
    return [m + extra * (w - m) / spread for w, m in zip(want, least)]


def twips(shares: list[float], total_twips: int) -> list[int]:
    """Whole twips in proportion to `shares`, adding up to `total_twips` exactly (the
    remainder to the widest column)."""
    out = [int(w * total_twips / sum(shares)) for w in shares]
    out[out.index(max(out))] += total_twips - sum(out)
    return out


def _cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))


def apply(root, sized: list[dict]) -> bool:
    """Share the width of each table whose first row reads `dau` among its columns in the
    proportions `rong` (mm). A table the template author changed (other header, other column
    count) is left as it is."""
    changed = False
    for spec in sized:
        for tbl in root.iter(f"{W}tbl"):
            first = tbl.find(f"{W}tr")
            grid = tbl.find(f"{W}tblGrid")
            if first is None or grid is None:
                continue
            cells = first.findall(f"{W}tc")
            cols = grid.findall(f"{W}gridCol")
            if [_cell_text(c).strip() for c in cells] != spec["dau"] or len(cols) != len(spec["rong"]) \
                    or not all((c.get(f"{W}w") or "").isdigit() for c in cols):
                continue
            widths = twips(spec["rong"], sum(int(c.get(f"{W}w")) for c in cols))
            for col, w in zip(cols, widths):
                col.set(f"{W}w", str(w))
            for tr in tbl.findall(f"{W}tr"):
                for tc, w in zip(tr.findall(f"{W}tc"), widths):
                    tcw = tc.find(f"{W}tcPr/{W}tcW")
                    if tcw is not None:
                        tcw.set(f"{W}w", str(w))
                        tcw.set(f"{W}type", "dxa")
            changed = True
    return changed


def apply_to_xml(data: bytes, sized: list[dict] | None) -> bytes:
    """document.xml with the sized tables' grids set (unchanged bytes when none applies)."""
    if not sized:
        return data
    root = etree.fromstring(data)
    if not apply(root, sized):
        return data
    m = re.match(rb"<\?xml[^>]*\?>\s*", data)
    decl = m.group().decode("utf-8") if m else ""
    return (decl + etree.tostring(root, encoding="unicode")).encode("utf-8")
