"""Parity with docxtpl on its own test templates (tests/fixtures/docxtpl, LGPL-2.1).

Each template is rendered with the installed docxtpl and with kehoach_docs, with the context
of docxtpl's test script; the documents' text (every text part, tabs and breaks, the core
properties) must be the same, or kehoach_docs refuses in Vietnamese naming the template part.
No output may point to a relationship that does not exist or repeat a drawing id.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import jinja2
import pytest
from docxtpl import DocxTemplate

from docxtpl_cases import (CASES, UNDECLARED_MISSING, UNDECLARED_PARTIAL, T, document_text,
                           package_problems)
from kehoach_docs.errors import ProblemList
from kehoach_docs.render.engine import CompiledTemplate

# Refused on purpose, with the part and the reason: custom Python filters are code, which a
# template does not bring; embedded OLE objects (Word, Excel, PowerPoint files inside the
# template) are refused by the package check (kehoach_docs.render.package_safety).
ROOT = Path(__file__).resolve().parent.parent
REFUSED = {"custom_jinja_filters": "my_filterB", "embedded_main": "word/embeddings/"}


def _text(data: bytes) -> dict[str, str]:
    # python-docx writes empty core properties that the template lacked: same text.
    return {k: v for k, v in document_text(data).items() if v}


def _docxtpl(case) -> list[bytes] | None:
    tpl = DocxTemplate(T(case.template))
    outs = []
    try:
        for ctx in case.contexts(tpl):
            env = jinja2.Environment(autoescape=case.autoescape)
            env.filters.update(case.filters)
            tpl.render(ctx, env)
            buf = io.BytesIO()
            tpl.save(buf)
            outs.append(buf.getvalue())
    except jinja2.TemplateError:
        return None
    return outs


def _ours(case) -> list[bytes]:
    tpl = CompiledTemplate(T(case.template))
    return [tpl.render(ctx) for ctx in case.contexts(tpl)]


def _outcome(case) -> tuple[str, str]:
    """('same' | 'different' | 'refused' | 'broken', detail)."""
    reference = _docxtpl(case)
    try:
        ours = _ours(case)
    except ProblemList as exc:
        return "refused", "\n".join(str(p) for p in exc.problems)
    broken = [p for data in ours for p in package_problems(data)]
    if broken:
        return "broken", "; ".join(broken)
    if reference is None:
        return "different", "docxtpl refuses this template, kehoach_docs renders it"
    if all(_text(a) == _text(b) for a, b in zip(reference, ours, strict=True)):
        return "same", ""
    return "different", ""


@pytest.fixture(scope="module")
def outcomes():
    return {case.name: _outcome(case) for case in CASES}


def test_there_are_37_cases():
    assert len(CASES) == 37 and len({c.name for c in CASES}) == 37


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_same_text_or_a_refusal_with_its_place(case, outcomes):
    status, detail = outcomes[case.name]
    assert status != "broken", detail
    if case.expect_error:  # docxtpl refuses it too: a Jinja syntax error, with its paragraph
        assert status == "refused" and "phần thân, đoạn" in detail and "Lỗi cú pháp" in detail, detail
    elif case.name in REFUSED:
        assert status == "refused" and REFUSED[case.name] in detail and "phần" in detail, detail
    else:
        assert status == "same", detail


def test_the_readme_states_the_measured_tally(outcomes):
    """The README's "on N of docxtpl's own templates, M give the same text" is what is measured."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"trên (\d+) mẫu kiểm thử của chính docxtpl .*?\) (\d+) cho cùng nội dung chữ", readme)
    assert said, "the README no longer states the tally"
    same = sum(s == "same" for s, _ in outcomes.values())
    assert (int(said[1]), int(said[2])) == (len(CASES), same)


def test_variables_only_in_conditions_are_reported_with_their_place():
    tpl = CompiledTemplate(T("get_undeclared_variables.docx"))
    assert tpl.get_undeclared_template_variables(UNDECLARED_PARTIAL) == UNDECLARED_MISSING
    with pytest.raises(ProblemList) as exc:
        tpl.render(UNDECLARED_PARTIAL)
    named = {p.message.split("'")[1] for p in exc.value.problems}
    assert named == UNDECLARED_MISSING
    has_degree = next(p for p in exc.value.problems if "'has_degree'" in p.message)
    assert "phần thân, đoạn 9 «{% if has_degree %}You have" in has_degree.field
    # `x|default(…)` and `x is defined` ask whether x exists: not missing.
    entities = CompiledTemplate(T("header_footer_entities_tpl.docx"))
    assert "unknowvar" not in entities.get_undeclared_template_variables({})


def _replace(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            out.writestr(info, body.replace(old, new) if info.filename == name else body)
    return buf.getvalue()


def test_the_package_audit_finds_dangling_relationships_and_duplicate_drawing_ids():
    case = next(c for c in CASES if c.name == "inline_image")
    data = _ours(case)[0]
    assert package_problems(data) == []
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    rid = xml.split(b'r:embed="', 1)[1].split(b'"', 1)[0]
    dangling = _replace(data, "word/document.xml", b'r:embed="' + rid, b'r:embed="rIdNowhere')
    assert any("rIdNowhere" in p for p in package_problems(dangling))
    ids = [part.split(b'"', 1)[0] for part in xml.split(b'<wp:docPr id="')[1:]]
    assert len(ids) > 1
    same_ids = _replace(data, "word/document.xml", b'<wp:docPr id="' + ids[1], b'<wp:docPr id="' + ids[0])
    assert any("trùng" in p for p in package_problems(same_ids))


def test_pictures_repeated_by_a_loop_get_their_own_drawing_ids():
    case = next(c for c in CASES if c.name == "header_footer_inline_image")
    data = _ours(case)[0]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count("<wp:docPr ") >= 3 and package_problems(data) == []


def test_a_link_built_for_another_template_is_refused_not_left_dangling():
    from docxtpl import RichText

    other = CompiledTemplate(T("richtext_tpl.docx"))
    rt = RichText("google", url_id=other.build_url_id("http://google.com"))
    tpl = CompiledTemplate(T("richtext_and_if_tpl.docx"))
    with pytest.raises(ProblemList) as exc:
        tpl.render({"foobar": rt})
    assert "quan hệ không có" in str(exc.value.problems[0])


def test_control_characters_without_meaning_are_refused_in_vietnamese():
    tpl = CompiledTemplate(T("richtext_and_if_tpl.docx"))
    with pytest.raises(ProblemList) as exc:
        tpl.render({"foobar": "bell\x01"})
    assert "U+0001" in exc.value.problems[0].message and "ký tự điều khiển" in exc.value.problems[0].message
