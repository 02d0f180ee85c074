"""Never stale, never wrong: an incremental build equals a clean build of the same data,
file for file and byte for byte, after any edits (files added, removed, changed, renamed);
outputs whose source is gone are removed (a hand-edited one moved aside); a document that
depends on an invalid file is not written, and says why."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kehoach_docs.workspace.summary import build_lines
from kehoach_docs.errors import ProblemList
from kehoach_docs.workspace.workspace import Workspace
from kehoach_docs.workspace.build import (
    FAILED, MOVED, NEW, REBUILT, REMOVED, STALE, UNCHANGED, build_workspace,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04"
# Four units: three reported both years of the sơ kết, one (hoi-chu-thap-do-tinh) has a draft plan.
KEEP = ["ban-dan-toc", "so-noi-vu", "so-tu-phap", "hoi-chu-thap-do-tinh"]
SPARE = ["so-y-te", "tinh-doan"]
"""Units of the sample kept aside, to be added by the tests."""
ONE = ["so-tu-phap"]
TWO = ["so-noi-vu", "so-tu-phap"]
"""Fewer units for the tests about one unit's documents (about 20 ms a document per build),
or about that unit beside another one."""
REPORTS = ("so-ket-2023", "tong-ket-2025")
SO_KET = ("so-ket-2023",)
"""The sơ kết alone, for the tests that need one report (an office report is the costliest
document, and each report adds one per unit)."""


def small_workspace(into: Path, units=KEEP, reports=REPORTS) -> Path:
    """A copy of the sample with a few units, their results and some of its reports (fast to build)."""
    ws = into / "ws"
    for name in ("ke-hoach-44.yaml", "khung-don-vi.yaml"):
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / name, ws / name)
    (ws / "bao-cao").mkdir()
    for name in reports:
        shutil.copy(SAMPLE / "bao-cao" / f"{name}.yaml", ws / "bao-cao")
    (ws / "don-vi").mkdir()
    for u in units:
        shutil.copy(SAMPLE / "don-vi" / f"{u}.yaml", ws / "don-vi")
    (ws / "ket-qua").mkdir()
    shutil.copy(SAMPLE / "ket-qua" / "khung-ket-qua.yaml", ws / "ket-qua")
    for year in sorted(p for p in (SAMPLE / "ket-qua").iterdir() if p.is_dir()):
        for f in year.glob("*.yaml"):
            if f.stem in (*units, "toan-khoi"):
                (ws / "ket-qua" / year.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(f, ws / "ket-qua" / year.name / f.name)
    return ws


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of an output folder (the manifest too, without the lock)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".kehoach-lock")}


def clean(ws: Path, tmp: Path) -> dict[str, bytes]:
    out = tmp / "clean"
    shutil.rmtree(out, ignore_errors=True)
    report = build_workspace(ws, out, workers=1)
    assert not report.failed, report.problems()
    return snapshot(out)


def statuses(report) -> dict[str, str]:
    return {o.job.name: o.status for o in report.outcomes}


@pytest.fixture()
def ws(tmp_path):
    return small_workspace(tmp_path)


def test_a_late_results_file_is_seen(tmp_path):
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    out = tmp_path / "out"
    first = build_workspace(ws, out, workers=1)
    assert not first.failed
    late = ws / "ket-qua" / "2023" / "so-y-te.yaml"
    shutil.copy(SAMPLE / "don-vi" / "so-y-te.yaml", ws / "don-vi")
    st = statuses(build_workspace(ws, out, workers=1))
    assert st["don-vi/so-y-te.docx"] == NEW
    assert st["bao-cao/so-ket-2023.docx"] == REBUILT  # a new unit: one more "chưa báo cáo"
    shutil.copy(SAMPLE / "ket-qua" / "2023" / "so-y-te.yaml", late)
    st = statuses(build_workspace(ws, out, workers=1))
    assert st["bao-cao/so-ket-2023.docx"] == REBUILT
    assert st["bao-cao/so-ket-2023/don-vi/so-y-te.docx"] == NEW
    assert st["don-vi/so-y-te.docx"] == UNCHANGED  # a unit plan does not read results
    assert snapshot(out) == clean(ws, tmp_path)


def test_a_removed_unit_leaves_no_output_and_is_listed(tmp_path):
    ws = small_workspace(tmp_path, TWO, reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    assert (out / "bao-cao/so-ket-2023/don-vi/so-tu-phap.docx").exists()
    (ws / "don-vi" / "so-tu-phap.yaml").unlink()
    for f in (ws / "ket-qua").glob("*/so-tu-phap.yaml"):
        f.unlink()
    report = build_workspace(ws, out, workers=1)
    removed = {o.job.name for o in report.outcomes if o.status == REMOVED}
    assert removed == {"don-vi/so-tu-phap.docx", "bao-cao/so-ket-2023/don-vi/so-tu-phap.docx"}
    assert any(line.startswith(f"{REMOVED}: ") and "so-tu-phap" in line for line in build_lines(report))
    assert f"2 {REMOVED}" in report.totals()
    assert snapshot(out) == clean(ws, tmp_path)


def test_a_hand_edited_orphan_is_moved_aside_not_deleted(tmp_path):
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    edited = out / "don-vi" / "so-tu-phap.docx"
    edited.write_bytes(edited.read_bytes() + b"clerk")
    (ws / "don-vi" / "so-tu-phap.yaml").rename(ws / "don-vi" / "so-tu-phap-moi.yaml")
    for f in (ws / "ket-qua").glob("*/so-tu-phap.yaml"):
        f.rename(f.with_name("so-tu-phap-moi.yaml"))
    report = build_workspace(ws, out, workers=1)
    (moved,) = [o for o in report.outcomes if o.status == MOVED]
    assert moved.job.name == "don-vi/so-tu-phap.docx" and not edited.exists()
    assert moved.backup.read_bytes().endswith(b"clerk") and str(moved.backup) in moved.reason
    assert statuses(report)["don-vi/so-tu-phap-moi.docx"] == NEW
    # Without the clerk's copy, the output is the clean build's.
    moved.backup.unlink()
    assert snapshot(out) == clean(ws, tmp_path)


def test_a_profile_or_template_added_to_the_workspace_is_seen(tmp_path):
    ws = small_workspace(tmp_path, ["so-noi-vu"], reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    (ws / "templates").mkdir()
    shutil.copy(ROOT / "kehoach_docs" / "templates" / "ke-hoach-dang.docx", ws / "templates")
    st = statuses(build_workspace(ws, out, workers=1))
    assert st["ke-hoach-44.docx"] == REBUILT and st["don-vi/so-noi-vu.docx"] == REBUILT
    assert st["bao-cao/so-ket-2023.docx"] == UNCHANGED  # reports use the report template
    (ws / "the-thuc").mkdir()
    text = (ROOT / "kehoach_docs" / "profiles" / "dang-hd36-2018.yaml").read_text(encoding="utf-8")
    (ws / "the-thuc" / "dang-moi.yaml").write_text(text.replace("ma: dang-hd36-2018", "ma: dang-moi"),
                                                   encoding="utf-8")
    st = statuses(build_workspace(ws, out, workers=1))
    assert set(st.values()) == {REBUILT}
    assert snapshot(out) == clean(ws, tmp_path)


def test_a_no_op_build_changes_nothing(tmp_path):
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    before = snapshot(out)
    assert set(statuses(build_workspace(ws, out, workers=1)).values()) == {UNCHANGED}
    assert snapshot(out) == before


# --- invalid data never reaches a report ---------------------------------------------------
def test_an_invalid_unit_record_stops_the_reports_that_read_it(tmp_path):
    ws = small_workspace(tmp_path, ["ban-dan-toc", "so-tu-phap"], reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    old = snapshot(out)
    unit = ws / "don-vi" / "ban-dan-toc.yaml"
    text = unit.read_text(encoding="utf-8")
    unit.write_text(text + "chi_tieu:\n  chi_tieu_khong_co: 5\n", encoding="utf-8")
    line = text.count("\n") + 2
    report = build_workspace(ws, out, workers=1)
    st = statuses(report)
    failed = {n for n, s in st.items() if s == FAILED}
    # The unit's plan, the office report, and the unit's own report; not the other unit's report.
    assert failed == {"don-vi/ban-dan-toc.docx", "bao-cao/so-ket-2023.docx", "bao-cao/so-ket-2023/don-vi/ban-dan-toc.docx"}
    for o in report.failed:
        assert o.reason == STALE  # the old version is there, and said to be stale
        assert any(p.file == unit and p.line == line and p.column > 0 for p in o.problems), o.problems
    (p,) = report.problems()  # the same mistake, once
    assert "chi_tieu_khong_co" in p.message
    now = snapshot(out)
    for name in failed:
        assert now[name] == old[name]
    # Fixed: everything is as a clean build of the fixed data.
    unit.write_text(text, encoding="utf-8")
    assert not build_workspace(ws, out, workers=1).failed
    assert snapshot(out) == clean(ws, tmp_path)


def test_a_bad_results_file_stops_the_reports_and_names_its_line(tmp_path):
    ws = small_workspace(tmp_path, TWO, reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    bad = ws / "ket-qua" / "2023" / "so-tu-phap.yaml"
    text = bad.read_text(encoding="utf-8")
    bad.write_text(re.sub(r"hai_long_tthc: [\d.]+", "hai_long_tthc: 120", text), encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "hai_long_tthc" in ln)
    report = build_workspace(ws, out, workers=1)
    failed = {o.job.name for o in report.failed}
    assert failed == {"bao-cao/so-ket-2023.docx", "bao-cao/so-ket-2023/don-vi/so-tu-phap.docx"}
    (p,) = report.problems()
    assert p.file == bad and p.line == line and p.column > 0


def test_the_cli_exits_1_and_says_stale(tmp_path):
    from click.testing import CliRunner

    from kehoach_docs.cli import main

    ws = small_workspace(tmp_path, ["ban-dan-toc"], reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    unit = ws / "don-vi" / "ban-dan-toc.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("ngay: 2021-12-28", "ngay: 2021-01-05"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(ws), "--out", str(out), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "đã cũ" in result.output and "ban-dan-toc.yaml:" in result.output
    assert "trước ngày của kế hoạch cấp trên" in result.output


def test_a_results_file_restating_the_plan_is_an_error_at_its_line(ws):
    f = ws / "ket-qua" / "2022" / "so-tu-phap.yaml"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "ke_hoach: {so: 7, ngay: 2021-12-27}")
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from kehoach_docs.documents.pipeline import check_file

    with pytest.raises(ProblemList) as exc:
        check_file(f)
    (p,) = exc.value.problems
    assert (p.file, p.line, p.column, p.field) == (f, 3, 1, "ke_hoach")
    assert "don-vi/so-tu-phap.yaml" in p.message


def test_a_corrected_plan_date_reaches_the_reports_and_status(tmp_path):
    from datetime import date

    from kehoach_docs.documents.pipeline import prepare
    from kehoach_docs.results.status import unit_status

    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    unit = ws / "don-vi" / "so-tu-phap.yaml"
    text = unit.read_text(encoding="utf-8")
    so = re.search(r"^so: (\d+)", text, re.M).group(1)
    unit.write_text(re.sub(r"^ngay: .*$", "ngay: 2022-01-03", text, flags=re.M), encoding="utf-8")
    space = Workspace(ws)  # loaded after the edit, read by both
    prepared = prepare(ws / "bao-cao" / "so-ket-2023.yaml", ws=space)
    col = [c.lay for c in prepared.data.phu_luc_don_vi.cot].index("ke_hoach")
    rows = [r.o[col] for r in prepared.context.phu_luc_don_vi.hang]
    assert any(r.startswith(f"Số {so}-") and r.endswith(", ngày 03/01/2022") for r in rows), rows
    (st,) = [s for s in unit_status(space, date(2024, 1, 1)) if s.ma == "so-tu-phap"]
    assert st.plan == f"Số {so}, 03/01/2022"


# --- the workspace memo ------------------------------------------------------------------
def test_a_workspace_loads_each_file_once_and_records_what_was_read(ws):
    from kehoach_docs.documents.pipeline import prepare

    space = Workspace(ws)
    with space.recording() as first:
        prepare(ws / "don-vi" / "so-noi-vu.yaml", ws=space)
    with space.recording() as second:
        prepare(ws / "don-vi" / "so-tu-phap.yaml", ws=space)
    # The second unit reuses the khung and the parent plan, and still records them.
    assert ("file", (ws / "khung-don-vi.yaml").resolve()) in second
    assert ("file", (ws / "ke-hoach-44.yaml").resolve()) in second
    assert ("file", (ws / "don-vi" / "so-noi-vu.yaml").resolve()) not in second
    assert ("file", (ws / "templates" / "ke-hoach-dang.docx").resolve()) in first  # absent, looked at
    calls = []
    space.memo("x", lambda: calls.append(1) or 1)
    space.memo("x", lambda: calls.append(1) or 1)
    assert calls == [1]


def test_the_registry_decides_kinds_by_place_then_content(ws):
    from kehoach_docs.documents.kinds import KHUNG, PLAN, REPORT, RESULTS, UNIT, jobs, file_kind_of

    assert file_kind_of(ws / "ke-hoach-44.yaml") is PLAN
    assert file_kind_of(ws / "khung-don-vi.yaml") is KHUNG
    assert file_kind_of(ws / "don-vi" / "so-noi-vu.yaml") is UNIT
    assert file_kind_of(ws / "bao-cao" / "so-ket-2023.yaml") is REPORT
    assert file_kind_of(ws / "ket-qua" / "2022" / "so-noi-vu.yaml") is RESULTS
    loose = ws.parent / "loose.yaml"
    shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", loose)
    assert file_kind_of(loose) is UNIT
    names = [j.name for j in jobs(Workspace(ws))]
    assert names[0] == "ke-hoach-44.docx" and "don-vi/so-noi-vu.docx" in names
    assert "bao-cao/so-ket-2023/don-vi/so-noi-vu.docx" in names
    # hoi-chu-thap-do-tinh reported: it gets its own report too
    assert len([n for n in names if n.startswith("bao-cao/so-ket-2023/")]) == len(
        {f.stem for f in (ws / "ket-qua").glob("202[23]/*.yaml")} - {"toan-khoi"})


# --- property: random edit sequences -------------------------------------------------------
def _edits():
    from hypothesis import strategies as st

    return st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 7)), min_size=1, max_size=3)


def _bump(path: Path, pattern: str, fn) -> bool:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, fn, text, count=1, flags=re.M)
    if n:
        path.write_text(new, encoding="utf-8")
    return bool(n)


def _units(ws: Path) -> list[Path]:
    return sorted((ws / "don-vi").glob("*.yaml"))


def _pick(items, n):
    return items[n % len(items)] if items else None


def edit_add_unit(ws: Path, n: int) -> None:
    src = SAMPLE / "don-vi" / f"{_pick(SPARE, n)}.yaml"
    if not (ws / "don-vi" / src.name).exists():
        shutil.copy(src, ws / "don-vi")


def edit_remove_unit(ws: Path, n: int) -> None:
    unit = _pick(_units(ws), n)
    if unit is not None and len(_units(ws)) > 1:
        unit.unlink()
        for f in (ws / "ket-qua").glob(f"*/{unit.name}"):
            f.unlink()


def edit_rename_unit(ws: Path, n: int) -> None:
    unit = _pick(_units(ws), n)
    if unit is not None:
        new = f"{unit.stem}-{n}.yaml"
        unit.rename(unit.with_name(new))
        for f in (ws / "ket-qua").glob(f"*/{unit.name}"):
            f.rename(f.with_name(new))


def edit_change_unit(ws: Path, n: int) -> None:
    unit = _pick(_units(ws), n)
    if unit is not None:
        _bump(unit, r"^ten: (.*)$", lambda m: f"ten: {m.group(1)} {n}")


def edit_add_results(ws: Path, n: int) -> None:
    """A late results file: for a unit without one that year (a spare unit when all have)."""
    missing = [(u.stem, y) for u in _units(ws) for y in ("2022", "2023")
               if not (ws / "ket-qua" / y / u.name).exists()]
    if not missing:
        edit_add_unit(ws, n)
        missing = [(u.stem, "2023") for u in _units(ws) if not (ws / "ket-qua" / "2023" / u.name).exists()]
    stem, year = _pick(missing, n)
    sample = SAMPLE / "ket-qua" / year / f"{stem}.yaml"
    if not sample.exists():
        sample = next((SAMPLE / "ket-qua" / year).glob("s*.yaml"))
    (ws / "ket-qua" / year / f"{stem}.yaml").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")


def edit_remove_results(ws: Path, n: int) -> None:
    f = _pick(sorted(p for p in (ws / "ket-qua").glob("*/*.yaml") if p.stem != "toan-khoi"), n)
    if f is not None:
        f.unlink()


def edit_change_results(ws: Path, n: int) -> None:
    """One figure of one results file up by one (a file with no session count gets another figure)."""
    f = _pick(sorted((ws / "ket-qua").glob("*/*.yaml")), n)
    if f is not None and not _bump(f, r"so_buoi: (\d+)", lambda m: f"so_buoi: {int(m.group(1)) + 1}"):
        assert _bump(f, r"^(\s+(?!nam\b)\w+): (\d+)$", lambda m: f"{m.group(1)}: {int(m.group(2)) + 1}"), f


def edit_change_report(ws: Path, n: int) -> None:
    report = _pick(sorted((ws / "bao-cao").glob("*.yaml")), n)
    if report is not None:
        _bump(report, r"^so: (\d+)", lambda m: f"so: {int(m.group(1)) + 1}")


def edit_rename_report(ws: Path, n: int) -> None:
    report = _pick(sorted((ws / "bao-cao").glob("*.yaml")), n)
    if report is not None:
        report.rename(report.with_name(f"{report.stem}-{n}.yaml"))


def edit_change_khung(ws: Path, n: int) -> None:
    _bump(ws / "khung-don-vi.yaml", r"^dia_danh: (.*)$", lambda m: f"dia_danh: {m.group(1)} {n}")


def edit_change_plan(ws: Path, n: int) -> None:
    _bump(ws / "ke-hoach-44.yaml", r"^so: (\d+)", lambda m: f"so: {int(m.group(1)) + 1}")


def edit_toggle_profile(ws: Path, n: int) -> None:
    folder = ws / "the-thuc"
    target = folder / "dang-moi.yaml"
    if target.exists():
        target.unlink()
        return
    folder.mkdir(exist_ok=True)
    text = (ROOT / "kehoach_docs" / "profiles" / "dang-hd36-2018.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace("ma: dang-hd36-2018", "ma: dang-moi"), encoding="utf-8")


def edit_toggle_template(ws: Path, n: int) -> None:
    target = ws / "templates" / "bao-cao-dang.docx"
    if target.exists():
        target.unlink()
        return
    target.parent.mkdir(exist_ok=True)
    shutil.copy(ROOT / "kehoach_docs" / "templates" / "bao-cao-dang.docx", target)


EDITS = {name.removeprefix("edit_"): fn for name, fn in dict(globals()).items() if name.startswith("edit_")}


@pytest.mark.slow
def test_any_edit_sequence_then_an_incremental_build_equals_a_clean_build(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=6, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(_edits())
    def run(edits):
        tmp = tmp_path_factory.mktemp("edits")
        ws = small_workspace(tmp, KEEP[:3])
        out = tmp / "out"
        assert not build_workspace(ws, out, workers=1).failed
        for name, n in edits:
            EDITS[name](ws, n)
            report = build_workspace(ws, out, workers=1)
            assert not report.failed, (edits, report.problems())
            assert snapshot(out) == clean(ws, tmp), edits
        shutil.rmtree(tmp)

    run()


def test_every_edit_of_the_property_test_runs(tmp_path):
    # Each edit, with every argument the property test may draw, changes the workspace it
    # starts from (so the property test is not vacuous).
    base = small_workspace(tmp_path / "base", KEEP[:3])
    for name, fn in EDITS.items():
        for n in range(8):
            ws = tmp_path / f"{name}-{n}"
            shutil.copytree(base, ws)
            before = {p.relative_to(ws): p.read_bytes() for p in ws.rglob("*") if p.is_file()}
            fn(ws, n)
            after = {p.relative_to(ws): p.read_bytes() for p in ws.rglob("*") if p.is_file()}
            assert before != after, (name, n)
            shutil.rmtree(ws)


def test_manifest_inputs_name_folders_not_only_files(tmp_path):
    ws = small_workspace(tmp_path, ["so-noi-vu"], reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    entries = json.loads((out / ".kehoach-manifest.json").read_text(encoding="utf-8"))["dau_ra"]
    office = entries["bao-cao/so-ket-2023.docx"]["dau_vao"]
    assert {"dir:@/don-vi/*.yaml", "dir:@/ket-qua/2022/*.yaml", "dir:@/ket-qua/2023/*.yaml",
            "dir:@/the-thuc/*.yaml", "env:KEHOACH_TEMPLATES"} <= set(office)
    # A unit's report does not list each results file of every unit (linear manifest).
    unit = entries["bao-cao/so-ket-2023/don-vi/so-noi-vu.docx"]["dau_vao"]
    assert not any(k.startswith("@/ket-qua/2") for k in unit)


def test_results_are_read_and_aggregated_once_per_build(tmp_path, monkeypatch):
    import kehoach_docs.results.collect as collect
    import kehoach_docs.documents.report as report

    ws = small_workspace(tmp_path, TWO)
    reads: list[Path] = []
    real_load, real_aggregate = collect.load_yaml, report.aggregate
    monkeypatch.setattr(collect, "load_yaml", lambda p: reads.append(Path(p)) or real_load(p))
    office_aggregates = []
    monkeypatch.setattr(report, "aggregate", lambda *a, **k: (office_aggregates.append(1)
                                                              if k.get("only") is None else None)
                        or real_aggregate(*a, **k))
    built = build_workspace(ws, tmp_path / "out", workers=1)
    assert not built.failed
    results = [p for p in reads if "ket-qua" in p.parts]
    assert results and len(results) == len(set(results))  # each file once, for both reports
    assert len([p for p in reads if p.parent.name == "don-vi"]) == len(list((ws / "don-vi").glob("*.yaml")))
    assert len(office_aggregates) == len(list((ws / "bao-cao").glob("*.yaml")))  # once per report


def test_a_broken_report_file_keeps_its_unit_reports(tmp_path):
    ws = small_workspace(tmp_path, TWO, reports=SO_KET)
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    report_file = ws / "bao-cao" / "so-ket-2023.yaml"
    text = report_file.read_text(encoding="utf-8")
    report_file.write_text(text + "\n  : : [không đóng\n", encoding="utf-8")
    built = build_workspace(ws, out, workers=1)
    unit_reports = [p for p in (out / "bao-cao" / "so-ket-2023" / "don-vi").glob("*.docx")]
    assert len(unit_reports) == len(TWO)  # not taken for outputs whose source is gone
    st = statuses(built)
    assert {st[f"bao-cao/so-ket-2023/don-vi/{p.name}"] for p in unit_reports} == {FAILED}
    assert REMOVED not in st.values()
    assert all(p.file == report_file for p in built.problems())
    report_file.write_text(text, encoding="utf-8")
    assert not build_workspace(ws, out, workers=1).failed
    assert snapshot(out) == clean(ws, tmp_path)


def test_the_programme_file_is_checked_as_itself(ws):
    from kehoach_docs.documents.pipeline import check_file

    f = ws / "ket-qua" / "khung-ket-qua.yaml"
    check_file(f)
    f.write_text(f.read_text(encoding="utf-8") + "truong_la: 1\n", encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        check_file(f)
    assert exc.value.problems[0].file == f and "truong_la" in str(exc.value.problems[0])
    stray = ws / "ket-qua" / "so-noi-vu.yaml"
    stray.write_text("nam: 2022\n", encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        check_file(stray)
    assert "ket-qua/<năm>/so-noi-vu.yaml" in exc.value.problems[0].message


def test_manifest_names_warning_files_relative_to_the_workspace(tmp_path, monkeypatch):
    """A warning's file (to-chuc.yaml's sample signer) is recorded as "@/to-chuc.yaml" whether
    the workspace was given relative or absolute: the manifest of a no-op build given the other
    way, and of a clean build, are the same."""
    ws = small_workspace(tmp_path, ONE, reports=("tong-ket-2025",))  # the 2025 report's signer warns
    shutil.copy(SAMPLE / "to-chuc.yaml", ws / "to-chuc.yaml")
    monkeypatch.chdir(tmp_path)

    def manifest(out: Path) -> dict:
        return json.loads((out / ".kehoach-manifest.json").read_text(encoding="utf-8"))

    first = build_workspace(Path("ws"), Path("out"), workers=1)
    assert not first.failed, first.problems()
    files = {w["tep"] for e in manifest(tmp_path / "out")["dau_ra"].values() for w in e.get("canh_bao", [])}
    assert files == {"@/to-chuc.yaml"}, files
    before = manifest(tmp_path / "out")
    again = build_workspace(ws.resolve(), tmp_path / "out", workers=1)  # no-op, given absolute
    assert again.count(UNCHANGED) == len(again.outcomes)
    assert manifest(tmp_path / "out") == before
    # The kept warning is still said, at its file under the workspace as given.
    assert any(str(p.file) == str(ws.resolve() / "to-chuc.yaml") for p, _ in again.warnings())
    fresh = build_workspace(ws.resolve(), tmp_path / "out2", workers=1)
    assert not fresh.failed
    assert manifest(tmp_path / "out2") == before


def test_a_symlinked_output_folder_is_one_problem_for_its_documents(tmp_path):
    """out/bao-cao/so-ket-2023/don-vi a link: one refusal naming the folder, with the number of
    documents it stops (not the same words once per document)."""
    from click.testing import CliRunner

    from kehoach_docs.cli import main

    ws = small_workspace(tmp_path, reports=SO_KET)
    out = tmp_path / "out"
    first = build_workspace(ws, out, workers=1)
    assert not first.failed, first.problems()
    folder = out / "bao-cao" / "so-ket-2023" / "don-vi"
    below = sorted(p.name for p in folder.glob("*.docx"))
    assert len(below) >= 2
    shutil.rmtree(folder)
    (tmp_path / "elsewhere").mkdir()
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = CliRunner().invoke(main, ["build", str(ws), "--out", str(out), "-j", "1"])
    assert result.exit_code == 1, result.output
    refused = [t for t in result.output.splitlines() if "liên kết (symlink)" in t]
    assert len(refused) == 1, result.output
    assert refused[0].startswith(f"{folder}: lỗi: ") and refused[0].endswith(f"(ảnh hưởng {len(below)} văn bản)")
    assert f"1 lỗi, ảnh hưởng {len(below)} văn bản." in result.output
    assert not list((tmp_path / "elsewhere").iterdir())


def test_a_change_naming_an_absent_unit_is_an_error_at_its_line_not_a_crash(tmp_path):
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    unit = ws / "don-vi" / "so-tu-phap.yaml"
    unit.write_text(unit.read_text(encoding="utf-8") +
                    "thay_doi:\n  - tu: 2023-03-01\n    sap_nhap_vao: don-vi-khong-co\n", encoding="utf-8")
    built = build_workspace(ws, tmp_path / "out", workers=1)
    assert built.failed
    assert not any("Lỗi nội bộ" in p.message for p in built.problems())
    assert any(p.file == unit and p.line > 0 and "don-vi-khong-co" in p.message for p in built.problems())


def test_an_input_linked_into_the_workspace_is_read_and_followed(tmp_path):
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    """A clerk may link a shared unit file into don-vi/: it is read as the loader reads it (the
    link followed, to a regular file only), and a change of its target is seen."""
    shared = tmp_path / "chung" / "so-tu-phap.yaml"
    shared.parent.mkdir()
    (ws / "don-vi" / "so-tu-phap.yaml").rename(shared)
    (ws / "don-vi" / "so-tu-phap.yaml").symlink_to(shared)
    out = tmp_path / "out"
    first = build_workspace(ws, out, workers=1)
    assert not first.failed, first.problems()
    assert (out / "don-vi" / "so-tu-phap.docx").is_file()
    shared.write_text(shared.read_text(encoding="utf-8").replace("Sở Tư pháp", "Sở Tư pháp tỉnh", 1),
                      encoding="utf-8")
    second = build_workspace(ws, out, workers=1)
    assert statuses(second)["don-vi/so-tu-phap.docx"] == REBUILT


@pytest.mark.parametrize("where", ["ket-qua/2023/moi.yaml", "don-vi/moi.yaml"])
def test_a_broken_link_added_to_a_folder_fails_the_same_documents_as_a_clean_build(tmp_path, where):
    """What a folder holds is decided once (workspace.listed) for the documents and for the
    build's record of the folder: a data-file name that is a broken link (or a FIFO) is named
    as a problem by the incremental build as by a clean one, never skipped as "không đổi"."""
    ws = small_workspace(tmp_path, ONE, reports=SO_KET)
    out = tmp_path / "out"
    assert not build_workspace(ws, out, workers=1).failed
    (ws / where).symlink_to(tmp_path / "nowhere.yaml")
    incremental = build_workspace(ws, out, workers=1)
    fresh = build_workspace(ws, tmp_path / "clean", workers=1)

    def failures(report):
        return {o.job.name: sorted(str(p) for p in o.problems) for o in report.failed}

    assert failures(incremental) and failures(incremental) == failures(fresh)
    assert any(where in text for texts in failures(fresh).values() for text in texts)


def test_every_docx_a_build_writes_gets_its_pdf_again_whatever_the_clock_says(tmp_path):
    """`build --pdf` converts what the build wrote, even when the old PDF looks newer (two writes
    within a coarse file time look the same age), and nothing after a no-op build."""
    import os

    from kehoach_docs.workspace.build import pdf_targets

    ws = small_workspace(tmp_path, ONE, reports=())
    out = tmp_path / "out"
    first = build_workspace(ws, out, workers=1)
    assert {p.relative_to(out).as_posix() for p in pdf_targets(first)} == {"ke-hoach-44.docx", "don-vi/so-tu-phap.docx"}
    for docx in out.rglob("*.docx"):
        pdf = docx.with_suffix(".pdf")
        pdf.write_bytes(b"%PDF-1.7 old")
        os.utime(pdf, (docx.stat().st_mtime + 60, docx.stat().st_mtime + 60))  # looks newer
    assert pdf_targets(build_workspace(ws, out, workers=1)) == []
    unit = ws / "don-vi" / "so-tu-phap.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("so: 21", "so: 22", 1), encoding="utf-8")
    again = build_workspace(ws, out, workers=1)
    assert statuses(again) == {"ke-hoach-44.docx": UNCHANGED, "don-vi/so-tu-phap.docx": REBUILT}
    assert [p.relative_to(out).as_posix() for p in pdf_targets(again)] == ["don-vi/so-tu-phap.docx"]
