"""Structure other readers use: the headings' outline levels (Word's navigation pane, pandoc,
screen readers) come from the templates' heading styles, and the PDF has bookmarks from them."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.templates import TEMPLATES_DIR
from kehoach_docs.templates.generate import KINDS, template_bytes
from kehoach_docs.profile import get_profile

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml"
HEADINGS = {"tieu_de_cap1": 0, "tieu_de_cap2": 1}


def _outline(style) -> int | None:
    """Outline level through the style chain (None: body text)."""
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.find(docx.oxml.ns.qn("w:outlineLvl")) is not None:
            return int(ppr.find(docx.oxml.ns.qn("w:outlineLvl")).get(docx.oxml.ns.qn("w:val")))
        style = style.base_style
    return None


@pytest.mark.parametrize("kind,profile", [(k, p) for k, files in KINDS.items() for p in files])
def test_every_generated_template_gives_its_headings_outline_levels(kind, profile):
    d = docx.Document(io.BytesIO(template_bytes(get_profile(profile), kind)))
    for style in d.styles:
        if style.type == docx.enum.style.WD_STYLE_TYPE.PARAGRAPH:
            assert _outline(style) == HEADINGS.get(style.style_id), style.style_id


def _levels(data: bytes) -> list[tuple[int, str]]:
    d = docx.Document(io.BytesIO(data))
    return [(lvl, p.text) for p in d.paragraphs if (lvl := _outline(p.style)) is not None]


def test_the_seed_plans_headings_have_levels_one_and_two():
    levels = _levels(render_bytes(prepare(SAMPLE)))
    # Recomputed from the data: the numbered headings are I-, II-… and 1., 2.…
    import re

    assert [t for lvl, t in levels if lvl == 0] == [t for _, t in levels if re.match(r"[IVX]+- ", t)]
    assert [t for lvl, t in levels if lvl == 1] == [t for _, t in levels if re.match(r"\d+\. ", t)]
    assert levels[0] == (0, "I- MỤC ĐÍCH, YÊU CẦU")
    assert sum(lvl == 0 for lvl, _ in levels) == 5 and sum(lvl == 1 for lvl, _ in levels) >= 6


@pytest.mark.libreoffice
def test_the_pdf_has_bookmarks_from_the_headings(tmp_path):
    import pdfplumber

    from kehoach_docs.pdf import convert_to_pdf

    data = render_bytes(prepare(SAMPLE))
    src = tmp_path / "ke-hoach-44.docx"
    src.write_bytes(data)
    [result] = convert_to_pdf([src])
    assert result.ok, result.error
    with pdfplumber.open(result.pdf) as pdf:
        outline = [(level - 1, title) for level, title, *_ in pdf.doc.get_outlines()]
    assert outline == _levels(data)
