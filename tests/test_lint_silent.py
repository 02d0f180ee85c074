"""Lint finds what breaks silently, and every template error has a place a person can find:
the paragraph as Word counts it, with that paragraph's own text, and the column in the tag."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from kehoach_docs.check import check_docx
from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.errors import ProblemList
from kehoach_docs.templates.lint import lint_template
from kehoach_docs.render.engine import CompiledTemplate
from kehoach_docs.templates import TEMPLATES_DIR
from helpers import template_with as _with

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = TEMPLATES_DIR / "ke-hoach-dang.docx"
REPORT = TEMPLATES_DIR / "bao-cao-dang.docx"
SAMPLE = ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml"


def _body_paragraph_number(template: Path, text: str) -> int:
    """1-based number, among the body's paragraphs outside tables, of the one with `text`."""
    body = docx.Document(str(template)).element.body
    paragraphs = [el for el in body.iterchildren() if el.tag.endswith("}p")]
    return next(i for i, p in enumerate(paragraphs, 1) if text in "".join(p.itertext()))


def test_the_shipped_templates_lint_clean():
    for template in sorted(TEMPLATES_DIR.glob("*.docx")):
        assert [str(p) for p in lint_template(template)] == [], template.name


def test_text_beside_a_paragraph_tag_is_found_with_its_paragraph(tmp_path):
    bad = _with(tmp_path, "{%p for d in mo_dau %}", "Kính gửi các đồng chí. {%p for d in mo_dau %}")
    [p] = lint_template(bad)
    n = _body_paragraph_number(bad, "Kính gửi")
    assert p.level == "lỗi"
    assert p.field == f"phần thân, đoạn {n} «Kính gửi các đồng chí. {{%p for d in mo_dau %}}»"
    assert "«Kính gửi các đồng chí.»" in p.message and "bị xóa" in p.message
    # It is what rendering does: the text is gone from the document.
    data = render_bytes(prepare(SAMPLE, bad))
    assert "Kính gửi" not in "".join(docx.Document(io.BytesIO(data)).element.body.itertext())


def test_text_beside_a_row_or_cell_tag_is_found(tmp_path):
    xml = zipfile.ZipFile(REPORT).read("word/document.xml").decode()
    tr = next(t for t in ("{%tr for ", "{%tc for ") if t in xml)
    start = xml.index(tr)
    tag = xml[start:xml.index("%}", start) + 2]
    bad = _with(tmp_path, tag, tag + " (xem ghi chú)", REPORT)
    problems = lint_template(bad)
    assert any("«(xem ghi chú)»" in p.message and "bảng" in p.field for p in problems), problems


def test_direct_italic_on_the_signers_name_is_found_before_check_finds_it(tmp_path):
    run = '<w:r><w:t xml:space="preserve">{{ nguoi_ky.ho_ten }}</w:t></w:r>'
    bad = _with(tmp_path, run, run.replace("<w:r>", "<w:r><w:rPr><w:i/></w:rPr>"))
    [p] = lint_template(bad)
    assert p.field.startswith("phần thân, bảng 2, hàng 1, ô 2 «{{ nguoi_ky.ho_ten }}»")
    assert "Họ tên người ký" in p.message and "chữ nghiêng (thể thức: chữ đứng)" in p.message
    # check says the same after rendering: lint's finding is real.
    found = check_docx(io.BytesIO(render_bytes(prepare(SAMPLE, bad))))
    assert any(v.message.startswith("Họ tên người ký") and "nghiêng" in v.message.split(", thấy ")[1]
               for v in found), found


def test_direct_formatting_that_agrees_with_the_profile_is_not_reported(tmp_path):
    run = '<w:r><w:t xml:space="preserve">{{ nguoi_ky.ho_ten }}</w:t></w:r>'
    ok = _with(tmp_path, run, run.replace("<w:r>", '<w:r><w:rPr><w:b/><w:i w:val="0"/><w:sz w:val="28"/></w:rPr>'))
    assert lint_template(ok) == []


def test_a_syntax_error_names_its_paragraph_its_own_text_and_the_column_in_the_tag(tmp_path):
    # As LibreOffice writes a quote inside a tag, but with a stray character: '&' stays.
    bad = _with(tmp_path, '{%p if d.kieu == "cap2" %}', "{%p if d.kieu == &amp;&quot;cap2&quot; %}")
    with pytest.raises(ProblemList) as exc:
        CompiledTemplate(bad)
    [p] = exc.value.problems
    n = _body_paragraph_number(bad, '{%p if d.kieu == &"cap2" %}')
    assert p.field == f'phần thân, đoạn {n} «{{%p if d.kieu == &"cap2" %}}»'
    assert "ký tự '&' không hợp lệ ở cột 17 của thẻ «{% if d.kieu == &\"cap2\" %}»" in p.message
    assert " at " not in p.message


def test_missing_variables_in_paragraph_tags_name_that_paragraph(tmp_path):
    bad = _with(tmp_path, "{%p for d in ket_thuc %}", "{%p for d in ket_thuc_sai %}")
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepare(SAMPLE, bad))
    [p] = exc.value.problems
    n = _body_paragraph_number(bad, "ket_thuc_sai")
    assert p.field == f"phần thân, đoạn {n} «{{%p for d in ket_thuc_sai %}}»"


def test_a_part_that_is_not_utf8_is_a_problem_of_the_template_not_a_crash(tmp_path):
    """lint reads the template once, as the renderer does: a part that is not text is named
    as the template's problem (it was a UnicodeDecodeError, "Lỗi nội bộ")."""
    bad = tmp_path / "mau.docx"
    with zipfile.ZipFile(TEMPLATES_DIR / "ke-hoach-dang.docx") as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data + b"\xff" if info.filename == "word/document.xml" else data)
    problems = lint_template(bad)
    assert problems and all(p.file == bad for p in problems)
    assert any("word/document.xml" in p.field for p in problems)
