"""Real readers: the rendered sample documents as Word-side tools (openxml-audit, lxml,
python-docx) and a PDF reader (LibreOffice → pdfplumber) see them, against the profile.

One session fixture renders the Party plan and a few unit plans (the longest and the
shortest unit name of each kind of organisation) and converts them all in ONE
convert_to_pdf call: LibreOffice start-up dominates the run time.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from kehoach_docs.documents.pipeline import Prepared, prepare, render_bytes
from kehoach_docs.load.yaml_source import load_yaml
from kehoach_docs.pdf import LibreOfficeMissing, convert_to_pdf, find_soffice
from kehoach_docs.workspace.write import atomic_write

from readers import (
    MM_PER_PT, PdfDoc, PdfLine, effective_alignment, effective_run_format, emu_mm, find_paragraph,
    paragraphs_with_text, read_pdf, reading_order,
)

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = ROOT / "data" / "de-an-04"
PLAN = WORKSPACE / "ke-hoach-44.yaml"
STATE_PLAN = ROOT / "data" / "ubnd-nghe-an" / "ke-hoach-696.yaml"
UNIT_KINDS = ("dang_bo_btv", "dang_bo", "chi_bo")
LIBERATION = {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
              "LiberationSerif-BoldItalic"}
ALIGN = {"trai": WD_ALIGN_PARAGRAPH.LEFT, "giua": WD_ALIGN_PARAGRAPH.CENTER,
         "phai": WD_ALIGN_PARAGRAPH.RIGHT, "deu": WD_ALIGN_PARAGRAPH.JUSTIFY}

DOCX_MM = 0.1     # page set-up in the .docx
PDF_MM = 0.5      # margins measured in the PDF
RULE_MM = 1.5     # the line under the title
CENTRE_MM = 2.0   # page numbers


def choose_sources() -> list[Path]:
    """The plan, then for each kind of unit the longest and the shortest unit name."""
    by_kind: dict[str, list[tuple[int, str, Path]]] = {}
    for path in sorted((WORKSPACE / "don-vi").glob("[!._]*.yaml")):
        data = load_yaml(path).data
        if isinstance(data, dict) and data.get("loai") in UNIT_KINDS:
            by_kind.setdefault(data["loai"], []).append((len(str(data.get("ten", ""))), path.name, path))
    chosen = [PLAN, STATE_PLAN]
    for kind in UNIT_KINDS:
        group = sorted(by_kind.get(kind, []))
        for _, _, path in (group[-1:] + group[:1]) if group else []:
            if path not in chosen:
                chosen.append(path)
    return chosen


SOURCES = choose_sources()


@dataclass
class Sample:
    source: Path
    docx: Path
    prepared: Prepared
    pdf: Path | None = None
    pdf_error: str | None = None
    fallback_fonts: list[str] | None = None
    """check_fonts() of the PDF, as convert_to_pdf reports it."""

    @property
    def profile(self):
        return self.prepared.profile

    @property
    def ctx(self):
        return self.prepared.context

    @cached_property
    def document(self):
        return Document(str(self.docx))

    @cached_property
    def pdf_doc(self) -> PdfDoc:
        if self.pdf is None:
            pytest.fail(f"no PDF for {self.docx.name}: {self.pdf_error}")
        return read_pdf(self.pdf)

    @cached_property
    def stream(self) -> list[PdfLine]:
        """PDF lines in reading order, without the page numbers in the top margin."""
        t, b1, b2 = self.profile.trang, self.profile.bang_dau, self.profile.bang_ky
        text_centre = t.le_trai + (t.rong - t.le_trai - t.le_phai) / 2
        right_cell = min(t.le_trai + b.cot_trai + b.cot_phai / 2 for b in (b1, b2))
        body = [ln for ln in self.pdf_doc.lines if ln.baseline > t.le_tren]
        return reading_order(body, (text_centre + right_cell) / 2)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Sample]:
    out = tmp_path_factory.mktemp("real-readers")
    result = {}
    for src in SOURCES:
        prepared = prepare(src)
        docx = out / f"{src.stem}.docx"
        atomic_write(docx, render_bytes(prepared))
        result[src.stem] = Sample(src, docx, prepared)
    try:
        find_soffice()
    except LibreOfficeMissing as exc:  # part of the test environment: fail, never skip
        pytest.fail(str(exc))
    for res in convert_to_pdf([s.docx for s in result.values()], out):
        sample = result[res.source.stem]
        sample.pdf, sample.pdf_error = (res.pdf, None) if res.ok else (None, res.error)
        sample.fallback_fonts = res.fallback_fonts
    return result


@pytest.fixture(params=[s.stem for s in SOURCES])
def sample(request, samples) -> Sample:
    return samples[request.param]


@pytest.fixture(scope="session")
def validator():
    from openxml_audit import OpenXmlValidator

    return OpenXmlValidator()


def elements(ctx) -> list[tuple[str, str]]:
    """(profile element, paragraph text) for every paragraph of the document, in order."""
    out = [("tieu_de", ctx.tieu_de), ("tieu_ngu", ctx.tieu_ngu), ("co_quan_cap_tren", ctx.co_quan_cap_tren),
           ("co_quan_ban_hanh", ctx.co_quan_ban_hanh), ("dau_sao", ctx.dau_sao),
           ("so_ky_hieu", ctx.so_ky_hieu), ("dia_danh_ngay", ctx.dia_danh_ngay),
           ("ten_loai", ctx.ten_loai), ("trich_yeu", ctx.trich_yeu), ("phan_cach", ctx.phan_cach)]
    out += [("doan", t) for t in ctx.mo_dau]
    for section in ctx.phan:
        out.append(("tieu_de_cap1", section.dong_tieu_de))
        out += [("tieu_de_cap2" if p.kieu == "cap2" else "doan", p.van_ban) for p in section.doan]
    out += [("doan", t) for t in ctx.ket_thuc]
    out.append(("nhan_noi_nhan", ctx.nhan_noi_nhan))
    out += [("noi_nhan", t) for t in ctx.noi_nhan]
    out += [("quyen_han_ky", ctx.nguoi_ky.quyen_han), ("quyen_han_ky", ctx.nguoi_ky.ky_thay),
            ("chuc_vu_ky", ctx.nguoi_ky.chuc_vu),
            ("ho_ten_ky", ctx.nguoi_ky.ho_ten)]
    return [(key, text) for key, text in out if text.strip()]


def located(sample: Sample, text: str) -> list[PdfLine]:
    found = find_paragraph(sample.stream, text)
    assert found, f"{text!r} not found as whole lines in the PDF"
    return [ln for match in found for ln in match]


# ------------------------------------------------------------------------------ package

def test_openxml_audit_reports_no_error(sample, validator):
    from openxml_audit import ValidationSeverity

    result = validator.validate(str(sample.docx))
    errors = [str(e) for e in result.errors if e.severity == ValidationSeverity.ERROR]
    assert errors == []
    assert result.is_valid


def test_every_xml_part_parses_strictly(sample):
    with zipfile.ZipFile(sample.docx) as z:
        names = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in names
        for name in names:
            etree.fromstring(z.read(name))  # no recover=True: any error raises


# -------------------------------------------------------------------------- python-docx

def test_docx_page_setup_equals_profile(sample):
    t = sample.profile.trang
    for section in sample.document.sections:
        measured = {
            "rong": emu_mm(section.page_width), "cao": emu_mm(section.page_height),
            "le_tren": emu_mm(section.top_margin), "le_duoi": emu_mm(section.bottom_margin),
            "le_trai": emu_mm(section.left_margin), "le_phai": emu_mm(section.right_margin),
            "dau_trang": emu_mm(section.header_distance),
            "chan_trang": emu_mm(section.footer_distance),
        }
        wrong = {k: round(v, 3) for k, v in measured.items() if abs(v - getattr(t, k)) > DOCX_MM}
        assert wrong == {}, f"profile: {t}"


def test_docx_element_run_formats_equal_profile(sample):
    doc, rules = sample.document, sample.profile.phan_tu
    wrong = []
    for key, text in elements(sample.ctx):
        paragraphs = paragraphs_with_text(doc, text)
        assert paragraphs, f"{key}: no paragraph with text {text!r}"
        el = rules[key]
        want = (sample.profile.phong_chu, el.co, el.dam, el.nghieng, el.gach_chan)
        for p in paragraphs:
            f = effective_run_format(p)
            if (f.font, f.size, f.bold, f.italic, f.underline) != want:
                wrong.append((key, text[:40], f, want))
    assert wrong == []


def test_docx_element_alignment_equals_profile(sample):
    doc, rules = sample.document, sample.profile.phan_tu
    wrong = []
    for key, text in elements(sample.ctx):
        for p in paragraphs_with_text(doc, text):
            want = ALIGN[rules[key].can_le]
            got = effective_alignment(p) or WD_ALIGN_PARAGRAPH.LEFT
            if got != want:
                wrong.append((key, text[:40], got, want))
    assert wrong == []


def test_docx_body_paragraph_format_equals_profile(sample):
    body = sample.profile.than_van_ban
    texts = [text for key, text in elements(sample.ctx) if key == "doan"]
    assert texts
    for p in paragraphs_with_text(sample.document, texts[0]):
        style = p.style.paragraph_format
        assert emu_mm(style.first_line_indent) == pytest.approx(body.thut_dau_dong, abs=DOCX_MM)
        assert style.space_before.pt == pytest.approx(body.gian_doan_truoc)
        assert (style.space_after.pt if style.space_after is not None else 0) == body.gian_doan_sau
        if body.gian_dong is not None:
            assert style.line_spacing_rule == WD_LINE_SPACING.EXACTLY
            assert style.line_spacing.pt == pytest.approx(body.gian_dong)


def test_docx_page_number_header(sample):
    el = sample.profile.phan_tu["so_trang"]
    section = sample.document.sections[0]

    def numbered(header) -> list:
        return [Paragraph(p, header) for p in header._element.iter(qn("w:p"))
                if any("PAGE" in (t.text or "") for t in p.iter(qn("w:instrText")))]

    first = numbered(section.first_page_header) if section.different_first_page_header_footer else None
    (number,) = numbered(section.header)
    f = effective_run_format(number)
    assert (f.font, f.size, f.bold, f.italic, f.underline) == \
        (sample.profile.phong_chu, el.co, el.dam, el.nghieng, el.gach_chan)
    assert (effective_alignment(number) or WD_ALIGN_PARAGRAPH.LEFT) == ALIGN[el.can_le]
    # From page tu_trang on: page 1 carries no number when numbering starts at page 2.
    assert (first == []) == ((el.tu_trang or 1) >= 2)


# -------------------------------------------------------------------------------- PDF

def test_pdf_has_no_fallback_font(sample):
    fonts = sample.pdf_doc.fonts
    assert sample.fallback_fonts == []  # convert_to_pdf ran check_fonts on it
    assert fonts <= LIBERATION, fonts - LIBERATION


BODY = {"doan", "tieu_de_cap1", "tieu_de_cap2"}


def body_paragraph_lines(sample: Sample) -> list[list[PdfLine]]:
    return [lines for key, text in elements(sample.ctx) if key in BODY
            for lines in find_paragraph(sample.stream, text)]


def test_pdf_left_and_right_margins(sample):
    t = sample.profile.trang
    right_edge = t.rong - t.le_phai
    # Lines after the first of a body paragraph start at the left margin (the first one an
    # indent further right); lines before the last are justified up to the right margin.
    continued = {id(ln) for par in body_paragraph_lines(sample) for ln in par[1:]}
    justified = {id(ln) for par in body_paragraph_lines(sample) for ln in par[:-1]}
    checked = 0
    for page in sample.pdf_doc.pages:
        assert page.width == pytest.approx(t.rong, abs=PDF_MM)
        assert page.height == pytest.approx(t.cao, abs=PDF_MM)
        assert min(ln.x0 for ln in page.lines) >= t.le_trai - PDF_MM, f"page {page.number}"
        assert max(ln.x1 for ln in page.lines) <= right_edge + PDF_MM, f"page {page.number}"
        lefts = [ln.x0 for ln in page.lines if id(ln) in continued]
        rights = [ln.x1 for ln in page.lines if id(ln) in justified]
        if lefts:
            assert min(lefts) == pytest.approx(t.le_trai, abs=PDF_MM), f"page {page.number}"
        if rights:
            assert max(rights) == pytest.approx(right_edge, abs=PDF_MM), f"page {page.number}"
        checked += bool(lefts) and bool(rights)
    assert checked >= len(sample.pdf_doc.pages) - 1  # the last page may hold only the closing


def test_pdf_first_line_indent(sample):
    t, body = sample.profile.trang, sample.profile.than_van_ban
    firsts = {round(par[0].x0, 2) for par in body_paragraph_lines(sample)}
    assert firsts and all(x == pytest.approx(t.le_trai + body.thut_dau_dong, abs=PDF_MM)
                          for x in firsts), firsts


# Single line spacing of Liberation Serif (= Times New Roman): (ascent 1825 + descent 443
# + line gap 87) / 2048 em.
SINGLE_LINE_EM = (1825 + 443 + 87) / 2048


def test_pdf_body_line_pitch(sample):
    body = sample.profile.than_van_ban
    expected = body.gian_dong * MM_PER_PT if body.gian_dong is not None else \
        (body.boi_so_dong or 1.0) * SINGLE_LINE_EM * body.co * MM_PER_PT
    pitches = {round(b.baseline - a.baseline, 2) for par in body_paragraph_lines(sample)
               for a, b in zip(par, par[1:]) if a.page == b.page}
    assert pitches and all(p == pytest.approx(expected, abs=0.1) for p in pitches), (pitches, expected)


def test_pdf_top_margin_of_page_one(sample):
    first = min(sample.pdf_doc.pages[0].lines, key=lambda ln: ln.top)
    assert first.top == pytest.approx(sample.profile.trang.le_tren, abs=PDF_MM)


def test_pdf_no_text_in_top_margin_but_page_numbers(sample):
    t = sample.profile.trang
    for page in sample.pdf_doc.pages:
        inside = [ln for ln in page.lines if ln.baseline > t.le_tren]
        # The ascender line (0.891 em above the baseline) stays inside the text area.
        high = [(ln.text[:30], round(ln.ascender, 2))
                for ln in inside if ln.ascender < t.le_tren - PDF_MM]
        assert high == [], f"page {page.number}"


def test_pdf_no_text_below_bottom_margin(sample):
    t = sample.profile.trang
    limit = t.cao - t.le_duoi
    low = [(ln.page, ln.text[:30], round(ln.bottom, 2))
           for ln in sample.pdf_doc.lines if ln.bottom > limit]
    assert low == []


def test_pdf_element_sizes_and_styles(sample):
    rules = sample.profile.phan_tu
    wrong = []
    for key, text in elements(sample.ctx):
        el = rules[key]
        for ln in located(sample, text):
            got = (ln.sizes, ln.bold, ln.italic)
            # A regular element has no bold/italic glyph at all.
            regular_ok = el.dam or not any("Bold" in f for f in ln.fonts)
            upright_ok = el.nghieng or not any("Italic" in f for f in ln.fonts)
            if got[0] != {el.co} or (el.dam and not ln.bold) or (el.nghieng and not ln.italic) \
                    or not regular_ok or not upright_ok:
                wrong.append((key, ln.text[:40], got, (el.co, el.dam, el.nghieng)))
    assert wrong == []


def test_pdf_nhan_noi_nhan_underline(sample):
    (line,) = located(sample, sample.ctx.nhan_noi_nhan)
    em = line.size * MM_PER_PT
    under = [r for r in sample.pdf_doc.pages[line.page - 1].rules
             if line.baseline < r.y < line.baseline + 0.4 * em
             and abs(r.x0 - line.x0) <= PDF_MM and abs(r.x1 - line.x1) <= PDF_MM]
    assert bool(under) == sample.profile.phan_tu["nhan_noi_nhan"].gach_chan, line


def test_pdf_line_under_the_title(sample):
    # Party: under "ĐẢNG CỘNG SẢN VIỆT NAM"; State: under the motto "Độc lập - Tự do - Hạnh phúc".
    key = "tieu_ngu" if sample.ctx.tieu_ngu else "tieu_de"
    (title,) = located(sample, getattr(sample.ctx, key))
    # (in its column: the line under a two-line body name sits at the same height, on the left)
    below = [r for r in sample.pdf_doc.pages[title.page - 1].rules
             if title.baseline < r.y < title.baseline + 10 and title.x0 <= r.centre <= title.x1]
    assert below, "no horizontal line under the title"
    rule = min(below, key=lambda r: r.y)
    assert rule.length == pytest.approx(title.width, abs=RULE_MM)
    assert rule.centre == pytest.approx(title.centre, abs=RULE_MM)
    assert rule.length == pytest.approx(sample.profile.phan_tu[key].duong_ke_duoi, abs=RULE_MM)


def test_pdf_issuing_body_fits_its_column(sample):
    t, head = sample.profile.trang, sample.profile.bang_dau
    lines = located(sample, "\n".join(sample.ctx.dong_co_quan_ban_hanh))
    # As many lines as the header rule made (kehoach_docs.render.header_lines), none wrapped by Word.
    assert len({round(ln.baseline, 2) for ln in lines}) == len(sample.ctx.dong_co_quan_ban_hanh), \
        [ln.text for ln in lines]
    for ln in lines:
        assert ln.x0 >= t.le_trai - PDF_MM and ln.x1 <= t.le_trai + head.cot_trai + PDF_MM


def test_pdf_page_numbers(sample):
    t, el = sample.profile.trang, sample.profile.phan_tu["so_trang"]
    centre = t.le_trai + (t.rong - t.le_trai - t.le_phai) / 2
    for page in sample.pdf_doc.pages:
        margin = [ln for ln in page.lines if ln.baseline < t.le_tren]
        if page.number < (el.tu_trang or 1):
            assert not [ln.text for ln in margin if ln.text.isdigit()], f"page {page.number}"
            continue
        numbers = [ln for ln in margin if ln.text == str(page.number)]
        assert len(numbers) == 1, f"page {page.number}: {[ln.text for ln in margin]}"
        (number,) = numbers
        assert [ln.text for ln in margin] == [str(page.number)]
        assert number.centre == pytest.approx(centre, abs=CENTRE_MM)
        assert number.sizes == {el.co}
        assert number.top == pytest.approx(t.dau_trang, abs=PDF_MM)


def test_pdf_text_holds_every_paragraph(sample):
    missing = [text for _, text in elements(sample.ctx) if not find_paragraph(sample.stream, text)]
    assert missing == []
