"""The CLI end to end: build with PDF export, kehoach pdf, check, and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "data" / "ubnd-nghe-an"


def kehoach(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kehoach_docs", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


def test_build_with_pdf_then_nothing_to_do(tmp_path):
    out = tmp_path / "out"
    first = kehoach("build", str(STATE), "--out", str(out), "--pdf")
    assert first.returncode == 0, first.stderr
    pdf = out / "ke-hoach-696.pdf"
    # Each PDF's line only with -v; the count always.
    assert pdf.read_bytes().startswith(b"%PDF") and "Đã xuất 1 PDF." in first.stdout and "PDF: " not in first.stdout
    again = kehoach("build", str(STATE), "--out", str(out), "--pdf")
    assert again.returncode == 0 and "PDF" not in again.stdout  # up to date: no conversion
    assert "1 không đổi" in again.stdout


def test_check_passes_our_output_and_names_a_broken_rule(tmp_path):
    out = tmp_path / "out"
    assert kehoach("build", str(STATE), "--out", str(out)).returncode == 0
    ok = kehoach("check", str(out / "ke-hoach-696.docx"))
    assert ok.returncode == 0 and "đúng thể thức" in ok.stdout
    party = kehoach("check", "--profile", "dang-hd36-2018", "--json", str(out / "ke-hoach-696.docx"))
    assert party.returncode == 1 and '"so_ky_hieu.dau_hai_cham"' in party.stdout


def test_pdf_without_libreoffice_says_how_to_install(tmp_path):
    out = tmp_path / "out"
    assert kehoach("build", str(STATE), "--out", str(out)).returncode == 0
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    res = kehoach("pdf", str(out / "ke-hoach-696.docx"), env=env)
    assert res.returncode == 2 and "apt-get install" in res.stderr and "Traceback" not in res.stderr


def test_usage_errors_exit_2_and_data_errors_exit_1(tmp_path):
    missing = kehoach("render", str(tmp_path / "khong-co.yaml"))
    assert missing.returncode == 2 and "Không tìm thấy" in missing.stderr
    bad = tmp_path / "kh.yaml"
    bad.write_text("so: [\n", encoding="utf-8")
    res = kehoach("validate", str(bad))
    assert res.returncode == 1 and f"{bad}:" in res.stderr and "Traceback" not in res.stderr


def test_render_a_units_own_report(tmp_path):
    report = ROOT / "data" / "de-an-04" / "bao-cao" / "so-ket-2023.yaml"
    out = tmp_path / "snv.docx"
    res = kehoach("render", str(report), "--don-vi", "so-noi-vu", "-o", str(out))
    assert res.returncode == 0, res.stderr
    import docx
    cells = [c.text for t in docx.Document(out).tables[:1] for row in t.rows for c in row.cells]
    assert "ĐẢNG ỦY SỞ NỘI VỤ" in "\n".join(cells)
    plan = kehoach("render", str(ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml"), "--don-vi", "so-noi-vu",
                   "-o", str(tmp_path / "x.docx"))
    assert plan.returncode == 1 and "Chỉ tệp báo cáo" in plan.stderr
