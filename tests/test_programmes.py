"""Two programmes, one code: each workspace declares its own results, appendix columns and
words; both build, and their documents pass the checker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from kehoach_docs.documents.pipeline import prepare
from kehoach_docs.errors import ProblemList
from kehoach_docs.results.programme import load_programme
from kehoach_docs.workspace.workspace import Workspace

from helpers import read_yaml

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def nq57():
    """data/nq57-mau loaded once for the tests that only read it."""
    return Workspace(DATA / "nq57-mau")


def test_the_second_programme_declares_its_own_results_and_columns(nq57):
    ws = DATA / "nq57-mau"
    programme = load_programme(ws)
    assert programme.tep_van_phong == "toan-dang-bo" and set(programme.ket_qua) == {"sang_kien", "quan_triet"}
    ctx = prepare(ws / "bao-cao" / "so-ket-2026.yaml", ws=nq57).context
    assert ctx.phu_luc_don_vi.cot == ["Kế hoạch thực hiện (số, ngày)", "Văn bản ký số/tổng số",
                                      "Hồ sơ xử lý trên mạng", "Sáng kiến", "Báo cáo"]
    assert len(ctx.phu_luc_don_vi.hang) == len(list((ws / "don-vi").glob("*.yaml"))) >= 20
    # The "Sáng kiến" column adds up the items each unit listed (recounted from the files).
    listed = {}
    for f in (ws / "ket-qua").glob("20*/*.yaml"):
        listed[f.stem] = listed.get(f.stem, 0) + len(read_yaml(f).get("sang_kien") or [])
    col = ctx.phu_luc_don_vi.cot.index("Sáng kiến")
    names = {read_yaml(p)["ten"]: p.stem for p in (ws / "don-vi").glob("*.yaml")}
    for row in ctx.phu_luc_don_vi.hang:
        assert row.o[col] in (f"{listed.get(names[row.don_vi], 0):02d}", "—")


def test_a_unit_report_has_the_programmes_recipients(nq57):
    ws = DATA / "nq57-mau"
    ctx = prepare(ws / "bao-cao" / "so-ket-2026.yaml", unit="so-tai-chinh", ws=nq57).context.model_dump()
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
    # The nq57 plan has no number: a draft, with the profile's mark above its header.
    plan = next(out.glob("ke-hoach-*.docx"))
    marks = [p.text for p in Document(plan).paragraphs if p.text.startswith("Dự thảo")]
    assert marks == (["Dự thảo"] if name == "nq57-mau" else [])
    if name == "nq57-mau":
        heads = [c.text for c in Document(out / "bao-cao" / "so-ket-2026.docx").tables[-1].rows[0].cells]
        assert "Sáng kiến" in heads and not any("TTHC" in h for h in heads)


# ---- the units appendix: columns sized by what they hold -----------------------------------------

def test_column_widths_keep_every_word_whole_and_fill_the_table():
    from kehoach_docs.render.column_widths import fit, text_mm

    header = ["TT", "Tổ chức cơ sở đảng", "Hồ sơ TTHC đúng hạn", "Sáng kiến"]
    rows = [["10", "Bệnh viện Hữu nghị Đa khoa Nghệ An", "97,6% (2.264/2.319)", "01"]]
    widths = fit(header, rows, 150, 12, 3)
    assert abs(sum(widths) - 150) < 1e-6
    # Each column holds its longest word (header bold) with its padding.
    for i, col in enumerate(zip(header, *rows)):
        words = [(w, r == 0) for r, cell in enumerate(col) for w in cell.split()]
        assert widths[i] >= max(text_mm(w, 12, b) for w, b in words) + 3
    # Width left over goes where text is long: the fraction column outgrows the count column.
    assert widths[2] > widths[3] and widths[1] == max(widths)
    # Room for everything on one line: columns in proportion to their text.
    roomy = fit(["TT", "Tên"], [["1", "Ban Dân tộc"]], 300, 12, 3)
    assert roomy[1] > roomy[0] and abs(sum(roomy) - 300) < 1e-6
    # A Times 12 pt "m" is 1593/2048 em: 12 × 0.778 pt = 3.29 mm (recomputed by hand).
    assert abs(text_mm("m", 12) - 12 * 1593 / 2048 * 25.4 / 72) < 1e-9


def test_the_units_table_of_a_report_is_sized_by_its_cells(tmp_path, nq57):
    from kehoach_docs.render.column_widths import text_mm
    from kehoach_docs.documents.pipeline import render_bytes

    prepared = prepare(DATA / "nq57-mau" / "bao-cao" / "so-ket-2026.yaml", ws=nq57)
    out = tmp_path / "so-ket.docx"
    out.write_bytes(render_bytes(prepared))
    doc = Document(out)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT"
                 and "Sáng kiến" in [c.text for c in t.rows[0].cells])
    grid = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
            for g in table._tbl.tblGrid.findall(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")]
    header = [c.text for c in table.rows[0].cells]
    assert len(grid) == len(header) == 2 + len(prepared.context.phu_luc_don_vi.cot)
    # Not one width for every declared column any more: the plan column (number and date) and
    # the fraction column are wider than the one-number "Sáng kiến" column.
    mm = [g * 25.4 / 1440 for g in grid]
    col = header.index
    assert mm[col("Kế hoạch thực hiện (số, ngày)")] > mm[col("Sáng kiến")]
    assert mm[col("Văn bản ký số/tổng số")] > mm[col("Sáng kiến")]
    # The table still spans the text width (landscape A4 less the margins of the profile).
    page = prepared.profile.trang
    assert abs(sum(mm) - (page.cao - page.le_tren - page.le_duoi)) < 0.1
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            for word in cell.text.split():
                assert text_mm(word, 12, row is table.rows[0]) + 3 <= mm[i], (word, header[i])


@pytest.mark.libreoffice
def test_no_word_of_the_units_appendix_breaks_in_the_pdf(tmp_path):
    """LibreOffice lays the table out: every word of every cell comes out whole on its page,
    and the header row is repeated on each page of the table."""
    import pdfplumber

    from kehoach_docs.documents.pipeline import render_bytes
    from kehoach_docs.pdf import convert_to_pdf

    for name, report in (("nq57-mau", "so-ket-2026.yaml"), ("de-an-04", "so-ket-2023.yaml")):
        prepared = prepare(DATA / name / "bao-cao" / report)
        out = tmp_path / f"{name}.docx"
        out.write_bytes(render_bytes(prepared))
        [res] = convert_to_pdf([out], workers=1)
        assert res.ok, res.error
        appendix = prepared.context.phu_luc_don_vi
        cells = {w for r in appendix.hang for text in (r.don_vi, *r.o) for w in text.split()}
        header_words = {w for h in appendix.cot for w in h.split()}
        with pdfplumber.open(res.pdf) as pdf:
            pages = [p for p in pdf.pages if p.width > p.height and any(
                r.don_vi in (p.extract_text() or "").replace("\n", " ") for r in appendix.hang)]
            words = [{w["text"] for w in p.extract_words(keep_blank_chars=False, use_text_flow=True)}
                     for p in pages]
        assert len(pages) >= 2, name
        seen = set().union(*words)
        assert cells - seen == set(), (name, sorted(cells - seen)[:10])
        for on_page in words:
            assert header_words <= on_page, (name, sorted(header_words - on_page))


def test_a_draft_reports_appendix_cites_it_with_the_number_left_blank(nq57):
    ctx = prepare(DATA / "nq57-mau" / "bao-cao" / "so-ket-2026.yaml", ws=nq57).context
    assert ctx.so_ky_hieu.startswith("Số ") and "-BC/" in ctx.so_ky_hieu  # a draft: no number yet
    assert "Báo cáo số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-BC/ĐU, ngày 10/12/2026" in ctx.phu_luc_don_vi.chu_thich
