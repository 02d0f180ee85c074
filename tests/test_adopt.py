"""A clerk adopting the toolkit: `kehoach init`, messages read once, click in Vietnamese,
`build --watch`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kehoach_docs.check import check_files
from kehoach_docs.cli import main
from kehoach_docs.init import SKELETON, samples
from kehoach_docs.load.yaml_source import load_yaml
from kehoach_docs.results.programme import Programme
from kehoach_docs.schema import Plan
from kehoach_docs.schema.common import Due
from kehoach_docs.schema.report import Report
from kehoach_docs.schema.unit import Khung
from kehoach_docs.schema.validate import iter_fields
from kehoach_docs.workspace.build import jobs_of

from helpers import few_or_every, sample_subset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04"
TWO_UNITS = ("so-noi-vu", "so-tu-phap")
"""Enough of the sample for a build's messages: one unit's files changed, another's not."""


def run(*args, **kw):
    return CliRunner(**kw).invoke(main, [str(a) for a in args], catch_exceptions=False)


# ---- kehoach init ----------------------------------------------------------------------------------

def test_init_builds_at_once_into_documents_that_pass_check(tmp_path):
    ws = tmp_path / "chuong-trinh"
    done = run("init", ws)
    assert done.exit_code == 0, done.output
    for folder in ("don-vi", "ket-qua", "bao-cao"):
        assert (ws / folder).is_dir()
    assert (ws / "README.md").read_text(encoding="utf-8").count("kehoach build chuong-trinh") >= 1
    built = run("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert built.exit_code == 0, built.output
    docs = sorted((tmp_path / "out").rglob("*.docx"))
    assert len(docs) == 2 and all(not v for v in check_files(docs).values())
    # A unit added from the khung builds too.
    added = run("new", "unit", ws, "--ten", "Sở Nội vụ", "--loai", "dang_bo_btv")
    assert added.exit_code == 0, added.output
    unit = ws / "don-vi" / "so-noi-vu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace('ho_ten: ""', "ho_ten: Lê Văn An"), encoding="utf-8")
    again = run("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert again.exit_code == 0, again.output
    assert not check_files([tmp_path / "out" / "don-vi" / "so-noi-vu.docx"])[tmp_path / "out" / "don-vi" / "so-noi-vu.docx"]


@pytest.mark.parametrize("name, model", [("ke-hoach.yaml", Plan), ("khung-don-vi.yaml", Khung),
                                          ("bao-cao/so-ket.yaml", Report),
                                          ("ket-qua/khung-ket-qua.yaml", Programme)])
def test_every_field_of_the_skeleton_is_present(tmp_path, name, model):
    """Every field a clerk may write appears in the skeleton (a key in YAML or in its comment
    lines), so that nothing needs looking up."""
    text = (SKELETON / name).read_text(encoding="utf-8")
    keys = set(re.findall(r"(?m)^[\s#-]*([a-z_]+):", text)) | set(re.findall(r"\{([a-z_]+):", text)) | \
        set(re.findall(r"[{,]\s*([a-z_]+):", text))
    # A deadline is written "Q4/2025"; its parts (quy, thang, nam) are not keys.
    wanted = {n for owner, n, _ in iter_fields(model) if owner is not Due}
    assert wanted - keys == set()
    assert "#" in text and re.search(r"#.*[ăâđêôơư]", text)  # explained in Vietnamese


def test_init_refuses_a_non_empty_folder_unless_told(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "ghi-chu.txt").write_text("của văn thư", encoding="utf-8")
    refused = run("init", tmp_path / "ws")
    assert refused.exit_code == 2 and "không trống" in refused.output and "--ghi-de" in refused.output
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["ghi-chu.txt"]
    assert run("init", tmp_path / "ws", "--ghi-de").exit_code == 0
    assert (tmp_path / "ws" / "ghi-chu.txt").read_text(encoding="utf-8") == "của văn thư"


def test_init_from_a_sample_copies_the_whole_sample(tmp_path):
    assert "de-an-04" in samples()
    done = run("init", tmp_path / "mau", "--mau", "de-an-04")
    assert done.exit_code == 0, done.output
    assert {j.name for j in jobs_of(tmp_path / "mau")} == {j.name for j in jobs_of(SAMPLE)}
    for f in SAMPLE.rglob("*.yaml"):
        assert (tmp_path / "mau" / f.relative_to(SAMPLE)).read_bytes() == f.read_bytes()
    unknown = run("init", tmp_path / "x", "--mau", "khong-co")
    assert unknown.exit_code == 2 and "Các mẫu có: " in unknown.output and "de-an-04" in unknown.output


# ---- messages read once ----------------------------------------------------------------------------

@pytest.fixture
def typo(tmp_path) -> Path:
    ws = sample_subset(tmp_path, TWO_UNITS)
    plan = ws / "ke-hoach-44.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count("  ky_hieu: ĐUK") == 1
    plan.write_text(text.replace("  ky_hieu: ĐUK", "  ky_heiu: ĐUK"), encoding="utf-8")
    return ws


def test_a_misspelt_key_is_printed_once_with_the_documents_it_affects(typo, tmp_path):
    done = run("build", typo, "--out", tmp_path / "out", "-j", "1")
    assert done.exit_code == 1
    lines = [ln for ln in done.output.splitlines() if "ky_heiu" in ln]
    total = len(jobs_of(typo))
    assert len(lines) == 1 and "ke-hoach-44.yaml:" in lines[0] and "Có phải ý bạn là 'ky_hieu'?" in lines[0]
    assert lines[0].endswith(f"(ảnh hưởng {total} văn bản)")
    assert f"1 lỗi, ảnh hưởng {total} văn bản." in done.output
    assert "ky_hieu'." not in done.output  # not a second problem "missing ky_hieu" for the same typo
    assert "output" not in lines[0] and str(tmp_path / "out") not in lines[0]  # the file to fix, not the output
    assert done.output.count("\n") < 20


@pytest.mark.parametrize("subset", few_or_every(TWO_UNITS))
def test_build_prints_folders_not_documents_unless_verbose(subset, tmp_path):
    ws = sample_subset(tmp_path, subset)
    first = run("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert first.exit_code == 0, first.output
    total = len(jobs_of(ws))
    assert first.output.count("tạo mới:") == 0 and f"{total} tạo mới" in first.output
    units = len(list((ws / "don-vi").glob("*.yaml")))  # 64 in the whole sample
    assert re.search(rf"don-vi/\s+{units} văn bản: {units} tạo mới", first.output)
    verbose = run("build", ws, "--out", tmp_path / "out", "-v", "-j", "1")
    assert verbose.output.count("không đổi: ") == total
    # A hand edit is always listed; once its data changes, it says the change is not applied.
    out = tmp_path / "out" / "don-vi" / "so-noi-vu.docx"
    out.write_bytes(out.read_bytes() + b"\0")
    kept = run("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert kept.output.count("giữ bản sửa tay: ") == 1 and "dữ liệu đã đổi" not in kept.output
    unit = ws / "don-vi" / "so-noi-vu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("Lê Đình Lương", "Lê Đình Lượng"), encoding="utf-8")
    changed = run("build", ws, "--out", tmp_path / "out", "-j", "1")
    line = next(ln for ln in changed.output.splitlines() if ln.startswith("giữ bản sửa tay: "))
    assert "so-noi-vu.docx" in line and "dữ liệu đã đổi nhưng chưa áp dụng vì có bản sửa tay" in line


@pytest.mark.parametrize("command", ["status", "build", "validate"])
def test_a_folder_without_plan_units_or_khung_says_so(tmp_path, command):
    (tmp_path / "trong").mkdir()
    done = run(command, tmp_path / "trong")
    assert done.exit_code == 1 and "Lỗi nội bộ" not in done.output
    assert "lỗi: " in done.output and len(done.output.splitlines()) <= 3


def test_status_of_a_workspace_without_units(tmp_path):
    assert run("init", tmp_path / "ws").exit_code == 0
    done = run("status", tmp_path / "ws")
    assert done.exit_code == 1 and "Chưa có đơn vị nào" in done.output and "kehoach new unit" in done.output


def test_an_unclosed_for_is_named_not_the_next_tag(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import template_with as _template_with

    from kehoach_docs.errors import ProblemList
    from kehoach_docs.render.engine import CompiledTemplate

    # The loop over mo_dau loses its {%p endfor %}: Jinja gives up at a later tag.
    bad = _template_with(tmp_path, "{%p endfor %}", "")
    with pytest.raises(ProblemList) as exc:
        CompiledTemplate(bad)
    (p,) = exc.value.problems
    # The paragraph of the open tag, with its text as Word shows it.
    assert p.field.endswith("«{%p for d in mo_dau %}»")
    assert "thẻ {% for d in mo_dau %} (vòng lặp) chưa được đóng" in p.message and "{%p endfor %}" in p.message
    assert re.search(r"[A-Za-z]+ [a-z]+ the ", p.message) is None  # no English left from Jinja


# ---- click in Vietnamese ---------------------------------------------------------------------------

ENGLISH = re.compile(r"Usage:|Options:|Commands:|Show this message|Show the version|Error:|Missing argument|"
                     r"No such (command|option)|Invalid value|is not a valid|is not one of|does not exist|"
                     r"Try '|\brequired\b|\bdefault:|env var:|x[<>]=?|\b(WORKSPACE|FILE|PATHS?|OPTIONS|COMMAND|ARGS|TEXT|INTEGER|DIRECTORY)\b")


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


def test_help_of_every_command_is_in_vietnamese():
    pages = [run("--help").output, run("--version").output]
    pages += [run(*cmd, "--help").output for cmd in _commands(main)]
    assert len(pages) > 12
    found = [m.group(0) for page in pages for m in [ENGLISH.search(page)] if m]
    assert found == []
    assert "Cách dùng:" in pages[0] and "phiên bản" in pages[1]


@pytest.mark.parametrize("args", [["build"], ["buidl"], ["build", "x", "-j", "abc"], ["status", "--bogus"],
                                  ["new", "unit", "x", "--loai", "khac"], ["bieu-mau", "x"], ["nhap", "x"],
                                  ["build", "x", "y"], ["check", "--profile"]])
def test_usage_errors_are_in_vietnamese(args):
    done = run(*args)
    assert done.exit_code == 2
    assert ENGLISH.search(done.output) is None, done.output
    assert "lỗi: " in done.output


# ---- build --watch ---------------------------------------------------------------------------------

def test_watch_rebuilds_what_changed_and_stops_on_ctrl_c(tmp_path):
    ws = tmp_path / "ws"
    assert run("init", ws).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "kehoach_docs", "build", str(ws), "--out", str(tmp_path / "out"),
                             "--watch", "-j", "1"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        lines = []

        def wait_for(text: str, timeout: float = 60) -> None:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                line = proc.stdout.readline()
                lines.append(line)
                if text in line:
                    return
            raise AssertionError(f"{text!r} not seen in {lines}")

        wait_for("Đang theo dõi")
        assert any("2 tạo mới" in ln for ln in lines)
        time.sleep(0.5)
        plan = ws / "ke-hoach.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace("luu: VP ", "luu: VP, BTG "), encoding="utf-8")
        wait_for("Đang theo dõi")
        assert any("ke-hoach.yaml" in ln and "Có thay đổi" in ln for ln in lines)
        assert any("tạo lại" in ln for ln in lines)
        plan.write_text(plan.read_text(encoding="utf-8").replace("  ky_hieu:", "  ky_heiu:"), encoding="utf-8")
        wait_for("Đang theo dõi")
        assert sum("ky_heiu" in ln for ln in lines) == 1  # a failure is reported once, and watching goes on
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Đã dừng theo dõi." in rest and "Traceback" not in rest
