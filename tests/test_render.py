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

from kehoach_docs.documents.plan import TextExpander
from kehoach_docs.documents.pipeline import prepare, render_bytes, render_file
from kehoach_docs.errors import ProblemList
from kehoach_docs.render.engine import CompiledTemplate

from helpers import PARTY_TEMPLATE as TEMPLATE
from helpers import ROOT, SAMPLE_WS, line_of, template_with, text_lines

SAMPLE = SAMPLE_WS / "ke-hoach-44.yaml"
GOLDEN = Path(__file__).parent / "fixtures" / "ke-hoach-44.expected.txt"


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


def test_hostile_text_comes_out_literally(tmp_path, make_plan):
    f = make_plan(mo_dau=[HOSTILE])
    out = render_file(f, tmp_path / "kh.docx")
    assert HOSTILE in text_lines(out)


def test_failed_render_leaves_no_file(tmp_path, make_plan):
    f = make_plan(mo_dau=["Xem [[khong_co]]."])
    target = tmp_path / "kh.docx"
    with pytest.raises(ProblemList) as exc:
        render_file(f, target)
    assert not target.exists() and not list(tmp_path.glob("*.tmp"))
    p = exc.value.problems[0]
    assert (p.line, p.field) == (line_of(f.read_text(encoding="utf-8"), "- Xem"), "mo_dau[0]")
    assert "khong_co" in p.message


def test_failed_render_keeps_the_previous_version(tmp_path, make_plan):
    f = make_plan()
    target = render_file(f, tmp_path / "kh.docx")
    before = target.read_bytes()
    f.write_text(f.read_text(encoding="utf-8") + 'mo_dau: ["[[khong_co]]"]\n', encoding="utf-8")
    with pytest.raises(ProblemList):
        render_file(f, target)
    assert target.read_bytes() == before


def test_misspelt_variables_are_all_reported_with_their_place(tmp_path, make_plan):
    bad = template_with(tmp_path, "{{ so_ky_hieu }}", "{{ so_ki_hieu }}")
    bad2 = template_with(tmp_path, "{{ d.van_ban }}", "{{ d.van_bam }}")
    prepared = prepare(make_plan(mo_dau=["Mở đầu."]), template=bad)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    (problem,) = exc.value.problems
    assert "'so_ki_hieu'" in problem.message
    assert "bảng 1, hàng 2, ô 1" in problem.field and "so_ki_hieu" in problem.field
    tasks = [{"ten": "Một", "y": ["a"]}, {"ten": "Hai", "y": ["b"]}]
    prepared = prepare(make_plan(nhiem_vu=tasks), template=bad2)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    (problem,) = exc.value.problems  # one place, reported once however often it runs
    assert "'d.van_bam'" in problem.message and "đoạn" in problem.field


def test_template_syntax_error_has_place(tmp_path):
    bad = template_with(tmp_path, "{{ trich_yeu }}", "{{ trich_yeu }")
    with pytest.raises(ProblemList) as exc:
        CompiledTemplate(bad)
    assert "đoạn" in exc.value.problems[0].field and "cú pháp" in exc.value.problems[0].message


def test_lint_finds_unknown_variables_and_split_tags(tmp_path):
    from kehoach_docs.templates.lint import lint_template

    assert lint_template(TEMPLATE) == []
    bad = template_with(tmp_path, "{{ trich_yeu }}", '{{ trich_</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>yeu }}')
    problems = lint_template(bad)
    assert any("tách" in p.message for p in problems)
    bad = template_with(tmp_path, "{{ trich_yeu }}", "{{ trich_yue }}")
    (p,) = lint_template(bad)
    assert "Có phải ý bạn là 'trich_yeu'?" in p.message and "đoạn" in p.field


def test_sandbox_blocks_python_internals(tmp_path, make_plan):
    attack = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    bad = template_with(tmp_path, "{{ trich_yeu }}", attack)
    prepared = prepare(make_plan(), template=bad)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepared)
    assert "không an toàn" in exc.value.problems[0].message or "không có" in exc.value.problems[0].message


def _zipfile_package(parts: dict[str, bytes]) -> bytes:
    """The same parts written by Python's zipfile, as the renderer used to write them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def test_packages_are_the_bytes_zipfile_writes(sample):
    from kehoach_docs.documents.pipeline import render_package
    from kehoach_docs.render.zippack import Packer

    prepared, data = sample
    again, parts = render_package(prepared)
    assert again == data == _zipfile_package(parts)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None and {n: zf.read(n) for n in zf.namelist()} == parts
    odd = {"word/tệp-có-dấu.xml": "<a>Đ</a>".encode(), "empty.xml": b"", **parts}
    assert Packer(parts).pack(odd) == _zipfile_package(odd)


def test_controls_in_text_resolved_as_docxtpl_does(sample):
    """Only the paragraphs with \\n \\t \\a \\f go through docxtpl's resolve_listing: the same
    bytes as running it over the whole part."""
    from kehoach_docs.render.docx_objects import resolve_controls
    from kehoach_docs.render.engine import PATCHER

    prepared, data = sample
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = zf.read("word/document.xml").decode("utf-8")
    runs = re.findall(r"<w:t(?: [^>]*)?>[^<]+</w:t>", body)
    assert len(runs) > 20
    xml = body
    for n, (run, char) in enumerate(zip(runs[::7], "\n\t\a\f\n\t")):
        xml = xml.replace(run, run.replace("</w:t>", f"{char}sau {n}</w:t>"), 1)
    for case in (body, xml):
        assert resolve_controls(case, PATCHER.resolve_listing) == PATCHER.resolve_listing(case)
    assert resolve_controls(xml, PATCHER.resolve_listing) != xml  # the controls were resolved
