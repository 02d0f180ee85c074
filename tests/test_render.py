"""Rendering the sample plan: golden text, every data string present, determinism,
escaping, atomic writes, and located template errors."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from kehoach_docs.context import TextExpander
from kehoach_docs.document import prepare, render_bytes, render_file
from kehoach_docs.errors import ProblemList
from kehoach_docs.render import CompiledTemplate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml"
GOLDEN = Path(__file__).parent / "fixtures" / "ke-hoach-44.expected.txt"
TEMPLATE = ROOT / "kehoach_docs" / "templates" / "ke-hoach-dang.docx"


def text_lines(source: bytes | Path) -> list[str]:
    """Non-empty paragraphs in reading order: body paragraphs and table cells row by row."""
    d = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else source)
    out = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs = [Paragraph(el, d)]
        elif tag == "tbl":
            paragraphs = [p for row in Table(el, d).rows for c in row.cells for p in c.paragraphs]
        else:
            continue
        out += [p.text for p in paragraphs if p.text.strip()]
    return out


@pytest.fixture(scope="module")
def sample():
    prepared = prepare(SAMPLE)
    return prepared, render_bytes(prepared)


def test_sample_matches_golden_text(sample):
    _, data = sample
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert text_lines(data) == expected


def test_output_is_nfc_and_has_no_template_leftovers(sample):
    _, data = sample
    for line in text_lines(data):
        assert unicodedata.is_normalized("NFC", line)
        assert "{{" not in line and "{%" not in line and "[[" not in line


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,))


# Data that is not printed as written: codes, cited documents' metadata, targets' data.
NOT_PRINTED = {"can_cu", "chi_tieu", "tieu_de_phan", "the_thuc", "mau", "he_thong", "ky_hieu",
               "chu_the", "han", "don_vi"}


def test_every_string_of_the_data_is_in_the_document(sample):
    prepared, data = sample
    plan = prepared.data
    expander = TextExpander(plan.can_cu, prepared.profile)
    full_text = " ".join(text_lines(data))
    checked = 0
    for path, value in _strings(prepared.loaded.data):
        if NOT_PRINTED & set(path):
            continue
        if path[0] == "co_quan":
            value = value.upper()
        text = expander.expand(re.sub(r"\[\[han(\.dai)?\]\]", "", value), path)
        for part in re.split(r"\s*\(\s*\)\s*", text):
            part = " ".join(part.split())
            if part:
                assert part.rstrip(".") in full_text, f"{path}: {part[:80]}"
                checked += 1
    assert checked > 60 and not expander.problems


def test_header_and_signer_fields(sample):
    prepared, data = sample
    lines = text_lines(data)
    assert lines[:6] == ["ĐẢNG BỘ TỈNH NGHỆ AN", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "*",
                         "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 44-KH/ĐUK", "Nghệ An, ngày 10 tháng 12 năm 2021"]
    assert lines[-3:] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Thị Kim Chi"]
    assert "- Lưu BTG, VP." in lines


def test_same_input_gives_same_bytes_across_processes(tmp_path, sample):
    _, data = sample
    out = tmp_path / "a.docx"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "kehoach_docs", "render", str(SAMPLE), "-o", str(out)],
                   check=True, env=env, cwd=ROOT, capture_output=True)
    assert out.read_bytes() == data
    with zipfile.ZipFile(out) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2021-12-10T00:00:00Z" in core and "Kế hoạch 44-KH/ĐUK" in core


def test_core_properties_from_the_document(sample):
    _, data = sample
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == "Kế hoạch 44-KH/ĐUK"
    assert props.author == "Đảng ủy Khối các cơ quan tỉnh"
    assert props.subject.startswith("triển khai thực hiện Đề án số 04-ĐA/TU")


HOSTILE = 'Tỉnh & <Ủy> "ban" ]]> {{ 7*7 }} {% for x in y %} \u202eRTL 🎉'


def _minimal(tmp_path: Path, **extra: str) -> Path:
    from test_validate import MINIMAL

    text = MINIMAL + "".join(f"{k}: {v}\n" for k, v in extra.items())
    f = tmp_path / "kh.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_hostile_text_comes_out_literally(tmp_path):
    import json
    f = _minimal(tmp_path, mo_dau=json.dumps([HOSTILE], ensure_ascii=False))
    out = render_file(f, tmp_path / "kh.docx")
    assert HOSTILE in text_lines(out)


def test_failed_render_leaves_no_file(tmp_path):
    f = _minimal(tmp_path, mo_dau='["Xem [[khong_co]]."]')
    target = tmp_path / "kh.docx"
    with pytest.raises(ProblemList) as exc:
        render_file(f, target)
    assert not target.exists() and not list(tmp_path.glob("*.tmp"))
    p = exc.value.problems[0]
    assert (p.line, p.field) == (16, "mo_dau[0]") and "khong_co" in p.message


def test_failed_render_keeps_the_previous_version(tmp_path):
    f = _minimal(tmp_path)
    target = render_file(f, tmp_path / "kh.docx")
    before = target.read_bytes()
    f.write_text(f.read_text(encoding="utf-8") + 'mo_dau: ["[[khong_co]]"]\n', encoding="utf-8")
    with pytest.raises(ProblemList):
        render_file(f, target)
    assert target.read_bytes() == before


def _template_with(tmp_path: Path, old: str, new: str, template: Path = TEMPLATE) -> Path:
    out = tmp_path / f"mau-{len(list(tmp_path.glob('mau-*.docx')))}.docx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                assert old in text
                data = text.replace(old, new, 1).encode()
            dst.writestr(info, data)
    return out


def test_misspelt_variables_are_all_reported_with_their_place(tmp_path):
    bad = _template_with(tmp_path, "{{ so_ky_hieu }}", "{{ so_ki_hieu }}")
    bad2 = _template_with(tmp_path, "{{ d.van_ban }}", "{{ d.van_bam }}")
    prepared = prepare(_minimal(tmp_path, mo_dau='["Mở đầu."]'), template=bad)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    (problem,) = exc.value.problems
    assert "'so_ki_hieu'" in problem.message
    assert "bảng 1, hàng 2, ô 1" in problem.field and "so_ki_hieu" in problem.field
    tasks = '[{"ten": "Một", "y": ["a"]}, {"ten": "Hai", "y": ["b"]}]'
    prepared = prepare(_minimal(tmp_path, nhiem_vu=tasks), template=bad2)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    (problem,) = exc.value.problems  # one place, reported once however often it runs
    assert "'d.van_bam'" in problem.message and "đoạn" in problem.field


def test_template_syntax_error_has_place(tmp_path):
    bad = _template_with(tmp_path, "{{ trich_yeu }}", "{{ trich_yeu }")
    with pytest.raises(ProblemList) as exc:
        CompiledTemplate(bad)
    assert "đoạn" in exc.value.problems[0].field and "cú pháp" in exc.value.problems[0].message


def test_lint_finds_unknown_variables_and_split_tags(tmp_path):
    from kehoach_docs.lint import lint_template

    assert lint_template(TEMPLATE) == []
    bad = _template_with(tmp_path, "{{ trich_yeu }}", '{{ trich_</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>yeu }}')
    problems = lint_template(bad)
    assert any("tách" in p.message for p in problems)
    bad = _template_with(tmp_path, "{{ trich_yeu }}", "{{ trich_yue }}")
    (p,) = lint_template(bad)
    assert "Có phải ý bạn là 'trich_yeu'?" in p.message and "đoạn" in p.field


def test_sandbox_blocks_python_internals(tmp_path):
    attack = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    bad = _template_with(tmp_path, "{{ trich_yeu }}", attack)
    prepared = prepare(_minimal(tmp_path), template=bad)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    assert "không an toàn" in exc.value.problems[0].message or "không có" in exc.value.problems[0].message
