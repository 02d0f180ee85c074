"""Measuring rendered documents the way real readers see them (python-docx, pdfplumber).

Shared by the real-reader tests. Every length is in millimetres, every font size in points.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

MM_PER_PT = 25.4 / 72
EMU_PER_MM = 36000

# Vertical metrics of Liberation Serif (all four faces): hhea ascender 1825, descender -443,
# lineGap 87, unitsPerEm 2048. LibreOffice puts the line gap above the ascent, so the first
# baseline of a single-spaced paragraph lies (1825 + 87) / 2048 = 0.9336 em below the top of
# its line box. Measured on the sample plan (page 1, header table with zero cell margins, top
# margin 20 mm): 15 pt title baseline 24.942 mm → 24.942 - 0.9336·15 pt = 20.005 mm;
# 14 pt superior body baseline 24.624 mm → 20.016 mm. With the bare ascender (0.891 em) the
# same lines give 20.23 mm, and pdfplumber's char 'top' (baseline - 1.0 em, as pdfminer reads
# Descent 0 from LibreOffice's subset fonts) gives 19.65 mm: off by 0.35 mm at 15 pt, so 'top'
# is not used for margins.
FIRST_LINE_ASCENT_EM = (1825 + 87) / 2048
ASCENT_EM = 1825 / 2048
DESCENT_EM = 443 / 2048

_SUBSET = re.compile(r"^[A-Z]{6}\+")


def pt_mm(pt: float) -> float:
    return pt * MM_PER_PT


def base_font(name: str) -> str:
    """Font name without the subset prefix: "BAAAAA+LiberationSerif-Bold" → "LiberationSerif-Bold"."""
    return _SUBSET.sub("", name)


def squash(text: str) -> str:
    """NFC text without any whitespace: compares texts wherever lines happen to wrap
    (a wrapped line drops its space, and a line may also break after "-" or "/")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def normalize(text: str) -> str:
    """NFC text with runs of whitespace collapsed to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


# ----------------------------------------------------------------------------------- PDF

@dataclass
class PdfLine:
    """One line of text in one column: chars sharing a baseline, without a wide gap."""

    page: int
    page_height_pt: float = field(repr=False)
    chars: list[dict] = field(repr=False)

    @cached_property
    def ink(self) -> list[dict]:
        return [c for c in self.chars if c["text"].strip()] or self.chars

    @cached_property
    def text(self) -> str:
        return normalize("".join(c["text"] for c in self.chars))

    @property
    def x0(self) -> float:
        return pt_mm(min(c["x0"] for c in self.ink))

    @property
    def x1(self) -> float:
        return pt_mm(max(c["x1"] for c in self.ink))

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @cached_property
    def baseline(self) -> float:
        return pt_mm(self.page_height_pt - self.chars[0]["matrix"][5])

    @property
    def sizes(self) -> set[float]:
        return {round(c["size"], 2) for c in self.ink}

    @property
    def size(self) -> float:
        return max(self.sizes)

    @property
    def top(self) -> float:
        """Top of the line box as LibreOffice lays out a single-spaced first line."""
        return self.baseline - FIRST_LINE_ASCENT_EM * pt_mm(self.size)

    @property
    def ascender(self) -> float:
        """The font's ascender line (no glyph of the line rises above it but stacked marks)."""
        return self.baseline - ASCENT_EM * pt_mm(self.size)

    @property
    def bottom(self) -> float:
        """Lowest point of the glyphs' descent."""
        return self.baseline + DESCENT_EM * pt_mm(self.size)

    @property
    def fonts(self) -> set[str]:
        return {base_font(c["fontname"]) for c in self.ink}

    @property
    def bold(self) -> bool:
        return all("Bold" in f for f in self.fonts)

    @property
    def italic(self) -> bool:
        return all("Italic" in f for f in self.fonts)


@dataclass
class Rule:
    """A horizontal line or thin filled rectangle (underline, the line under the title)."""

    page: int
    x0: float
    x1: float
    y: float

    @property
    def length(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class PdfPage:
    number: int
    width: float
    height: float
    lines: list[PdfLine]
    rules: list[Rule]
    fonts: set[str]
    """Every glyph's font, spaces included."""


@dataclass
class PdfDoc:
    pages: list[PdfPage]

    @property
    def lines(self) -> list[PdfLine]:
        return [ln for p in self.pages for ln in p.lines]

    @property
    def fonts(self) -> set[str]:
        return {f for p in self.pages for f in p.fonts}


def _split_lines(page_no: int, chars: list[dict], height: float) -> list[PdfLine]:
    rows: dict[float, list[dict]] = {}
    for c in chars:
        rows.setdefault(round(c["matrix"][5], 1), []).append(c)
    lines = []
    for y in sorted(rows, reverse=True):  # top of the page first
        row = sorted(rows[y], key=lambda c: c["x0"])
        current = [row[0]]
        for prev, c in zip(row, row[1:]):
            # Spaces, justified ones too, are glyphs of their own: a gap of half an em
            # only appears between two table columns.
            if c["x0"] - prev["x1"] > 0.5 * c["size"]:
                lines.append(PdfLine(page_no, height, current))
                current = []
            current.append(c)
        lines.append(PdfLine(page_no, height, current))
    return [ln for ln in lines if ln.text]


def _rules(page_no: int, page) -> list[Rule]:
    found = {}
    for obj in list(page.lines) + list(page.rects):
        if obj["bottom"] - obj["top"] < 1.5 and obj["x1"] - obj["x0"] > 3:  # pt: thin, not a dot
            rule = Rule(page_no, pt_mm(obj["x0"]), pt_mm(obj["x1"]),
                        pt_mm((obj["top"] + obj["bottom"]) / 2))
            found[(round(rule.x0, 2), round(rule.x1, 2), round(rule.y, 2))] = rule  # drop repeats
    return list(found.values())


def read_pdf(path: Path) -> PdfDoc:
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n = page.page_number
            pages.append(PdfPage(n, pt_mm(page.width), pt_mm(page.height),
                                 _split_lines(n, page.chars, page.height), _rules(n, page),
                                 {base_font(c["fontname"]) for c in page.chars}))
            page.close()
    return PdfDoc(pages)


def pdf_lines(path: Path) -> list[PdfLine]:
    return read_pdf(path).lines


def reading_order(lines: list[PdfLine], right_column_from: float) -> list[PdfLine]:
    """Lines in reading order: the full-width/left column across all pages, then the right
    column (lines centred right of `right_column_from` mm: the title, the date, the signer).
    Body paragraphs continue across pages; table cells stay together."""
    def key(ln: PdfLine):
        return ln.page, ln.baseline, ln.x0
    left = sorted((ln for ln in lines if ln.centre < right_column_from), key=key)
    right = sorted((ln for ln in lines if ln.centre >= right_column_from), key=key)
    return left + right


def find_paragraph(stream: list[PdfLine], text: str) -> list[list[PdfLine]]:
    """Every run of consecutive lines of `stream` that together hold exactly `text`."""
    target = squash(text)
    found = []
    for i in range(len(stream)):
        acc = ""
        for j in range(i, len(stream)):
            acc += squash(stream[j].text)
            if acc == target:
                found.append(stream[i:j + 1])
            if not target.startswith(acc) or acc == target:
                break
    return found


# ---------------------------------------------------------------------------------- DOCX

@dataclass(frozen=True)
class RunFormat:
    font: str | None
    size: float
    bold: bool
    italic: bool
    underline: bool


def iter_paragraphs(doc: DocxDocument) -> Iterator[Paragraph]:
    """Every body paragraph in document order, those in table cells included."""
    for p in doc.element.body.iter(qn("w:p")):
        yield Paragraph(p, doc._body)


def paragraphs_with_text(doc: DocxDocument, text: str) -> list[Paragraph]:
    want = normalize(text)
    return [p for p in iter_paragraphs(doc) if normalize(p.text) == want]


def _doc_defaults(doc: DocxDocument) -> RunFormat:
    rpr = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")

    def on(tag: str) -> bool:
        el = rpr.find(qn(tag)) if rpr is not None else None
        return el is not None and el.get(qn("w:val"), "true") not in ("0", "false", "none")

    sz = rpr.find(qn("w:sz")) if rpr is not None else None
    size = int(sz.get(qn("w:val"))) / 2 if sz is not None else 10.0  # Word's built-in default
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    font = fonts.get(qn("w:ascii")) if fonts is not None else None
    return RunFormat(font, size, on("w:b"), on("w:i"), on("w:u"))


def _style_chain(style) -> Iterator:
    while style is not None:
        yield style
        style = style.base_style


def effective_run_format(paragraph: Paragraph) -> RunFormat:
    """The format of the paragraph's text: run → character style → paragraph style chain →
    document defaults (the first level that sets a property wins; toggle properties are
    treated as plain overrides, enough for these templates). Every text run must agree."""
    defaults = _doc_defaults(paragraph.part.package.main_document_part.document)
    formats = set()
    for run in paragraph.runs:
        if not run.text:
            continue
        fonts = [run.font]
        if run._r.rPr is not None and run._r.rPr.rStyle is not None:
            fonts += [s.font for s in _style_chain(run.style)]
        fonts += [s.font for s in _style_chain(paragraph.style)]

        def first(attr: str, default):
            for font in fonts:
                value = getattr(font, attr)
                if value is not None:
                    return value
            return default

        size = first("size", None)
        formats.add(RunFormat(
            font=first("name", defaults.font),
            size=size.pt if size is not None else defaults.size,
            bold=bool(first("bold", defaults.bold)),
            italic=bool(first("italic", defaults.italic)),
            underline=bool(first("underline", defaults.underline)),  # WD_UNDERLINE.NONE → False
        ))
    assert len(formats) == 1, f"{paragraph.text!r}: runs differ or no text: {formats}"
    return formats.pop()


def effective_alignment(paragraph: Paragraph):
    """Paragraph alignment from direct formatting or the style chain (None = left)."""
    if paragraph.alignment is not None:
        return paragraph.alignment
    for style in _style_chain(paragraph.style):
        if style.paragraph_format.alignment is not None:
            return style.paragraph_format.alignment
    return None


def emu_mm(length) -> float:
    return length / EMU_PER_MM
