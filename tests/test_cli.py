"""The CLI end to end: build with PDF export, kehoach pdf, check, and exit codes.

Run in process with click's CliRunner (no new Python per command); one smoke test runs the
real `python -m kehoach_docs` in a fresh process, as a clerk's shell does.
"""

from __future__ import annotations

import subprocess
import sys

import docx

from helpers import ROOT, STATE_WS, kehoach, sample_subset


def test_build_with_pdf_then_nothing_to_do(tmp_path):
    out = tmp_path / "out"
    first = kehoach("build", STATE_WS, "--out", out, "--pdf")
    assert first.returncode == 0, first.stderr
    pdf = out / "ke-hoach-696.pdf"
    # Each PDF's line only with -v; the count always.
    assert pdf.read_bytes().startswith(b"%PDF") and "Đã xuất 1 PDF." in first.stdout and "PDF: " not in first.stdout
    again = kehoach("build", STATE_WS, "--out", out, "--pdf")
    assert again.returncode == 0 and "PDF" not in again.stdout  # up to date: no conversion
    assert "1 không đổi" in again.stdout


def test_check_passes_our_output_and_names_a_broken_rule(tmp_path):
    out = tmp_path / "out"
    assert kehoach("build", STATE_WS, "--out", out).returncode == 0
    ok = kehoach("check", out / "ke-hoach-696.docx")
    assert ok.returncode == 0 and "đúng thể thức" in ok.stdout
    party = kehoach("check", "--profile", "dang-hd36-2018", "--json", out / "ke-hoach-696.docx")
    assert party.returncode == 1 and '"so_ky_hieu.dau_hai_cham"' in party.stdout


def test_pdf_without_libreoffice_says_how_to_install(tmp_path):
    out = tmp_path / "out"
    assert kehoach("build", STATE_WS, "--out", out).returncode == 0
    res = kehoach("pdf", out / "ke-hoach-696.docx", env={"PATH": str(tmp_path / "khong-co")})
    assert res.returncode == 2 and "apt-get install" in res.stderr and "Traceback" not in res.stderr


def test_usage_errors_exit_2_and_data_errors_exit_1(tmp_path):
    missing = kehoach("render", tmp_path / "khong-co.yaml")
    assert missing.returncode == 2 and "Không tìm thấy" in missing.stderr
    bad = tmp_path / "kh.yaml"
    bad.write_text("so: [\n", encoding="utf-8")
    res = kehoach("validate", bad)
    assert res.returncode == 1 and f"{bad}:" in res.stderr and "Traceback" not in res.stderr


def test_render_a_units_own_report(tmp_path):
    ws = sample_subset(tmp_path, ["so-noi-vu"])
    out = tmp_path / "snv.docx"
    res = kehoach("render", ws / "bao-cao" / "so-ket-2023.yaml", "--don-vi", "so-noi-vu", "-o", out)
    assert res.returncode == 0, res.stderr
    cells = [c.text for t in docx.Document(out).tables[:1] for row in t.rows for c in row.cells]
    assert "ĐẢNG ỦY SỞ NỘI VỤ" in "\n".join(cells)
    plan = kehoach("render", ws / "ke-hoach-44.yaml", "--don-vi", "so-noi-vu", "-o", tmp_path / "x.docx")
    assert plan.returncode == 1 and "Chỉ tệp báo cáo" in plan.stderr


def test_smoke_the_real_command_in_a_fresh_process(tmp_path):
    """`python -m kehoach_docs` as a shell runs it (its own Python, its own exit code)."""
    built = subprocess.run([sys.executable, "-m", "kehoach_docs", "build", str(STATE_WS), "--out", str(tmp_path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0 and (tmp_path / "ke-hoach-696.docx").is_file(), built.stderr
    assert "1 tạo mới" in built.stdout
