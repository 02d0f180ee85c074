"""Two programmes, one code: each workspace declares its own results, appendix columns and
words; both build, and their documents pass the checker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from kehoach_docs.document import prepare
from kehoach_docs.errors import ProblemList
from kehoach_docs.programme import load_programme

DATA = Path(__file__).resolve().parent.parent / "data"


def test_the_second_programme_declares_its_own_results_and_columns():
    ws = DATA / "nq57-mau"
    programme = load_programme(ws)
    assert programme.tep_van_phong == "toan-dang-bo" and set(programme.ket_qua) == {"sang_kien", "quan_triet"}
    ctx = prepare(ws / "bao-cao" / "so-ket-2026.yaml").context
    assert ctx.phu_luc_don_vi.cot == ["Kế hoạch thực hiện (số, ngày)", "Văn bản ký số/tổng số",
                                      "Hồ sơ xử lý trên mạng", "Sáng kiến", "Báo cáo"]
    assert len(ctx.phu_luc_don_vi.hang) == len(list((ws / "don-vi").glob("*.yaml"))) >= 20
    # The "Sáng kiến" column adds up the items each unit listed (recounted from the files).
    import yaml
    listed = {}
    for f in (ws / "ket-qua").glob("20*/*.yaml"):
        listed[f.stem] = listed.get(f.stem, 0) + len(yaml.safe_load(f.read_text(encoding="utf-8")).get("sang_kien") or [])
    col = ctx.phu_luc_don_vi.cot.index("Sáng kiến")
    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["ten"]: p.stem for p in (ws / "don-vi").glob("*.yaml")}
    for row in ctx.phu_luc_don_vi.hang:
        assert row.o[col] in (f"{listed.get(names[row.don_vi], 0):02d}", "—")


def test_a_unit_report_has_the_programmes_recipients():
    ws = DATA / "nq57-mau"
    ctx = prepare(ws / "bao-cao" / "so-ket-2026.yaml", unit="so-tai-chinh").context.model_dump()
    text = str(ctx)
    assert "Ban Thường vụ Đảng ủy Ủy ban nhân dân tỉnh" in text and "Đảng ủy Khối" not in text


def test_an_undeclared_result_field_is_an_error_with_a_suggestion(tmp_path):
    ws = tmp_path / "nq57"
    shutil.copytree(DATA / "nq57-mau", ws)
    f = ws / "ket-qua" / "2025" / "so-tai-chinh.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("sang_kien:", "sang_kein:"), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "so-ket-2026.yaml")
    p = next(p for p in exc.value.problems if p.field == "sang_kein")
    assert p.file == f and p.line > 0 and "Có phải ý bạn là 'sang_kien'" in p.message


def test_an_unknown_appendix_column_is_an_error_at_its_place(tmp_path):
    ws = tmp_path / "nq57"
    shutil.copytree(DATA / "nq57-mau", ws)
    f = ws / "bao-cao" / "so-ket-2026.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("lay: ket_qua.sang_kien", "lay: ket_qua.sang_kien_so"),
                 encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(f)
    p = exc.value.problems[0]
    assert p.file == f and p.field == "phu_luc_don_vi.cot[3].lay" and "'ket_qua.sang_kien'" in p.message


@pytest.mark.slow
@pytest.mark.parametrize("name", ["de-an-04", "nq57-mau"])
def test_both_programmes_build_and_pass_the_checker(name, tmp_path):
    from click.testing import CliRunner

    from kehoach_docs.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(DATA / name), "--out", str(out)])
    assert result.exit_code == 0, result.output
    docs = sorted(out.rglob("*.docx"))
    units = len(list((DATA / name / "don-vi").glob("*.yaml")))
    assert len(docs) >= 1 + units + 1 and units >= 20
    result = CliRunner().invoke(main, ["check", *map(str, docs)])
    assert result.exit_code == 0, result.output
    if name == "nq57-mau":
        heads = [c.text for c in Document(out / "bao-cao" / "so-ket-2026.docx").tables[-1].rows[0].cells]
        assert "Sáng kiến" in heads and not any("TTHC" in h for h in heads)
