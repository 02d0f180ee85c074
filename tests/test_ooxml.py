"""One OOXML module: the alignment and on/off values the template linter and the checker
read are the spec's, and the two read every value alike (they once kept two drifted copies)."""

from __future__ import annotations

import pytest

from kehoach_docs.check.package import open_docx
from kehoach_docs.check.reader import read_view
from kehoach_docs.ooxml import JC, OFF, is_on_value
from kehoach_docs.profile import get_profile
from kehoach_docs.templates.lint import lint_template
from helpers import PARTY_TEMPLATE, template_with

# ECMA-376 Part 1 (5th ed.) §17.18.44 ST_Jc, typed from the standard's table.
ST_JC = {"start", "center", "end", "both", "mediumKashida", "distribute", "numTab", "highKashida",
         "lowKashida", "thaiDistribute", "left", "right"}
# §22.9.2.7 ST_OnOff.
ST_ON_OFF = {"true": True, "false": False, "on": True, "off": False, "1": True, "0": False}

BODY = '<w:pStyle w:val="doan"/></w:pPr><w:r><w:t xml:space="preserve">{{ d }}'
DOAN = get_profile("dang-hd36-2018").phan_tu["doan"]


def test_alignment_values_are_the_specs():
    assert set(JC) == ST_JC - {"numTab"}  # a tab-aligned paragraph has no side of its own
    assert "justify" not in JC  # CSS's word, not OOXML's
    assert JC["both"] == JC["distribute"] == "deu" and JC["start"] == "trai" and JC["end"] == "phai"


def test_on_off_values_are_the_specs():
    assert {v: is_on_value(v) for v in ST_ON_OFF} == ST_ON_OFF
    assert is_on_value(None)  # <w:b/> is bold
    assert OFF == {v for v, on in ST_ON_OFF.items() if not on}


def _body_para(path):
    view = read_view(open_docx(path))
    (para,) = [p for p in view.all_paras if p.text == "{{ d }}"][:1]
    return para


def _lint_says(path, words: str) -> bool:
    return any(words in p.message for p in lint_template(path))


@pytest.mark.parametrize("val", sorted(ST_JC | {"justify"}))
def test_linter_and_checker_read_an_alignment_alike(tmp_path, val):
    path = template_with(tmp_path, BODY, BODY.replace("</w:pPr>", f'<w:jc w:val="{val}"/></w:pPr>'),
                         PARTY_TEMPLATE)
    read = _body_para(path).align
    assert read == JC.get(val, "trai")
    assert _lint_says(path, f"căn lề '{val}'") == (JC.get(val) != DOAN.can_le)


@pytest.mark.parametrize("val", [*ST_ON_OFF, None])
def test_linter_and_checker_read_bold_alike(tmp_path, val):
    b = "<w:b/>" if val is None else f'<w:b w:val="{val}"/>'
    path = template_with(tmp_path, BODY, BODY.replace("<w:r><w:t", f"<w:r><w:rPr>{b}</w:rPr><w:t"),
                         PARTY_TEMPLATE)
    (run,) = [r for r in _body_para(path).runs if r.text == "{{ d }}"]
    bold = ST_ON_OFF.get(val, True)
    assert run.bold == bold
    wrong = "chữ đậm (thể thức: chữ không đậm)" if bold else "chữ không đậm (thể thức: chữ đậm)"
    assert _lint_says(path, wrong) == (bold != DOAN.dam)
