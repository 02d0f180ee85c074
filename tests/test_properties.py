"""Property-based tests (hypothesis): any valid data renders to a document that real readers
open (python-docx, strict XML; openxml-audit on a few examples) and that holds every text
field as written (NFC; a newline in a paragraph field starts a new paragraph). Any bytes at
all given as a data file are either read or refused with a ProblemList — nothing else.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

import docx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.errors import ProblemList
from kehoach_docs.load.yaml_source import load_yaml_text
from kehoach_docs.schema import Plan
from kehoach_docs.schema.validate import validate
from helpers import FUZZ_EXAMPLES, MINIMAL, PROPERTY_AUDITED, PROPERTY_EXAMPLES, read_yaml, text_lines

EXAMPLES = PROPERTY_EXAMPLES
AUDITED = PROPERTY_AUDITED

NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731

# Pieces a hostile or unlucky clerk may type: XML specials, template syntax, bidi marks, emoji.
SPECIAL = ["&", "<", ">", '"', "'", "]]>", "<w:t>", "&amp;", "&#x41;", "{{", "}}", "{%", "%}", "{#", "#}",
           "{{ 7*7 }}", "{% for x in y %}", "{%p if x %}", "{{ ''.__class__ }}", "{_{", "}_}", "{_%", "%_}",
           "%", "\\", "[", "]",
           "\u202e", "\u202c", "\u200f", "\u200e", "\u2066", "\u2069", "\u200d", "🎉", "👨‍👩‍👧", "🇻🇳", "𝔸"]
WORDS = ["Đảng", "ủy", "Khối", "cơ", "quan", "Nghệ", "An", "thực", "hiện", "Đề", "án", "Người", "ký",
         "NGUYỄN", "Thị", "Ánh", "Tuyết", "ĐUK", "44-KH/ĐUK", "(để", "b/c)", "./."]
MARKS = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"]

_letters = st.characters(categories=["L", "N", "P", "S"], exclude_characters="\u200b\ufeff[]")
_decomposed = st.tuples(st.sampled_from("aeiouyAEIOUYđ"), st.lists(st.sampled_from(MARKS), min_size=1,
                                                                  max_size=2)).map(lambda t: t[0] + "".join(t[1]))
_word = st.one_of(st.text(_letters, min_size=1, max_size=8), st.sampled_from(SPECIAL), st.sampled_from(WORDS),
                  st.lists(_decomposed, min_size=1, max_size=3).map("".join))


def _clean(s: str) -> bool:
    # "[[…]]" is the citation syntax (its own tests); a line must have visible text.
    return "[[" not in NFC(s) and all(NFC(line).strip() for line in s.split("\n"))


line = st.lists(_word, min_size=1, max_size=8).map(" ".join).filter(_clean)
paragraphs = st.lists(line, min_size=1, max_size=3).map("\n".join)


@st.composite
def plans(draw):
    data = read_yaml(MINIMAL)
    data.update(
        mo_dau=draw(st.lists(paragraphs, min_size=1, max_size=3)),
        muc_dich_yeu_cau=draw(st.lists(paragraphs, min_size=1, max_size=2)),
        nhiem_vu=[{"ten": draw(line), "doan": draw(st.lists(paragraphs, max_size=2)),
                   "y": draw(st.lists(paragraphs, max_size=2))}],
        ket_thuc=["Kết thúc."],
        dia_danh=draw(line), luu=draw(line),
        noi_nhan=draw(st.lists(line, min_size=1, max_size=3)),
    )
    data["nguoi_ky"] = {"quyen_han": draw(line), "chuc_vu": draw(line), "ho_ten": draw(line)}
    return data


def expected_paragraphs(data: dict) -> tuple[list[str], list[str]]:
    """(paragraphs the document must hold as they are, prefixes of paragraphs it must hold)."""
    def split(text):
        return [NFC(x).strip() for x in text.split("\n")]

    whole = [p for text in data["mo_dau"] for p in split(text)]
    for i, text in enumerate(data["muc_dich_yeu_cau"], 1):
        first, *rest = split(text)
        whole += [f"{i}. {first}", *rest]
    task = data["nhiem_vu"][0]
    whole.append(f"1. {NFC(task['ten'])}")
    whole += [p for text in task["doan"] for p in split(text)]
    for text in task["y"]:
        first, *rest = split(text)
        whole += [f"- {first}", *rest]
    whole += [NFC(data["nguoi_ky"][k]) for k in ("quyen_han", "chuc_vu", "ho_ten")]
    whole += [f"- {NFC(r)}," for r in data["noi_nhan"]] + [f"- Lưu {NFC(data['luu'])}."]
    return whole, [NFC(data["dia_danh"]) + ", ngày "]


def _render(tmp_path, data: dict) -> bytes:
    f = tmp_path / "kh.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**9), encoding="utf-8")
    return render_bytes(prepare(f))


def _check_document(data: dict, out: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))  # strict
        assert b"<w:br" not in zf.read("word/document.xml")
    docx.Document(io.BytesIO(out))
    lines = text_lines(out)
    whole, starts = expected_paragraphs(data)
    for p in whole:
        assert p in lines, f"{p!r} is not a paragraph of the document"
    for s in starts:
        assert any(x.startswith(s) for x in lines), s
    assert all(unicodedata.is_normalized("NFC", x) for x in lines)


_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_settings
@given(data=plans())
def test_any_valid_plan_renders_every_text_as_written(tmp_path, data):
    _check_document(data, _render(tmp_path, data))


@settings(max_examples=AUDITED, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=plans())
def test_generated_documents_pass_openxml_audit(tmp_path, data):
    from openxml_audit import OpenXmlValidator, ValidationSeverity

    out = _render(tmp_path, data)
    _check_document(data, out)
    path = tmp_path / "kh.docx"
    path.write_bytes(out)
    result = OpenXmlValidator().validate(str(path))
    assert [str(e) for e in result.errors if e.severity == ValidationSeverity.ERROR] == []


def _read_or_refuse(text: str) -> None:
    try:
        validate(load_yaml_text(text, "f.yaml"), Plan)
    except ProblemList as exc:
        for p in exc.problems:
            assert p.message and str(p).startswith("f.yaml")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_read_or_refused(text):
    _read_or_refuse(text)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, len(MINIMAL) - 1), st.sampled_from(["", " ", "\t", ":", "-", "[", "{",
                                                                             '"', "'", "&a", "*a", "!!", "\n", "#",
                                                                             "\x07", "\u2028", "…"])),
                min_size=1, max_size=4))
def test_damaged_plans_are_read_or_refused(edits):
    text = MINIMAL
    for at, piece in sorted(edits, reverse=True):
        text = text[:at] + piece + text[at + 1:]
    _read_or_refuse(text)
