"""The kinds of data file, in one registry: how a file is recognised, its schema, how it
is prepared as a document (or checked, when it is not one), and which build jobs it gives.

    plan      ke-hoach-44.yaml            → ke-hoach-44.docx
    unit      don-vi/<đơn vị>.yaml        → don-vi/<đơn vị>.docx (derived from the khung)
    report    bao-cao/<báo cáo>.yaml      → bao-cao/<báo cáo>.docx, and each reporting
                                            unit's own: bao-cao/<báo cáo>/don-vi/<đơn vị>.docx
    khung     khung-don-vi.yaml           (checked; read by the unit plans)
    results   ket-qua/<năm>/<đơn vị>.yaml (checked; read by the reports)
    programme ket-qua/khung-ket-qua.yaml  (checked; the programme's declared results)
    bodies    to-chuc.yaml                (checked; names, superiors, signers by date)

Used by prepare and check_file below (pipeline.py's entry points), the build's job list and the CLI. A
file's kind is decided by its place in a workspace; a file outside those folders by its
content (a report has `loai_bao_cao`, a unit record `loai` and no `co_quan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kehoach_docs.results.collect import programme_of, read_results
from kehoach_docs.documents.unit import check_unit, derive_plan, find_khung, load_workbench, own_task_loc
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.workspace.workspace import PROGRAMME_FILE, REPORTS_DIR, RESULTS_DIR, UNITS_DIR, Workspace
from kehoach_docs.load.yaml_source import Loaded
from kehoach_docs.organisations import BodiesFile, read_bodies, successors_own_reports
from kehoach_docs.documents.prepared import (
    Prepared, check_bodies, load_plan, profile_warnings, sample_value_warnings, template_for,
)
from kehoach_docs.documents.report import prepare_report
from kehoach_docs.schema import Plan
from kehoach_docs.schema.report import Report
from kehoach_docs.results.programme import Programme
from kehoach_docs.schema.results import Results
from kehoach_docs.schema.unit import Khung, UnitRecord
from kehoach_docs.schema.validate import validate


@dataclass(frozen=True)
class Job:
    """One output of a build."""

    source: Path
    name: str
    """Output path relative to the output folder: "don-vi/so-noi-vu.docx"."""
    unit: str | None = None
    """For a unit's own report: the unit (its record's stem)."""


@dataclass(frozen=True)
class FileKind:
    name: str
    ten: str
    """What a clerk calls it (in messages)."""
    schema: type
    prepare: Callable[..., Prepared] | None
    """(ws, path, loaded, template, unit) → Prepared; None: not a document."""
    check: Callable[[Workspace, Path], list[Problem] | None]
    """Raise ProblemList with every problem of the file; return its warnings."""
    jobs: Callable[[Workspace], list[Job]] | None = None

    @property
    def document(self) -> bool:
        return self.prepare is not None


# --- plans ---------------------------------------------------------------------------------
def _prepare_plan(ws: Workspace, path: Path, loaded: Loaded, template, unit) -> Prepared:
    pf = load_plan(path, ws)
    plan = pf.plan
    check_bodies(ws, path, pf.loaded, plan, plan.ngay)
    template_path = template_for(ws, pf.loaded, plan.loai_van_ban, plan.he_thong, plan.mau, template)
    return Prepared(path, pf.loaded, plan, pf.profile, pf.context, template_path, (),
                    profile_warnings(path, pf.profile, plan.ngay) +
                    sample_value_warnings(ws, path, plan.co_quan, plan.nguoi_ky))


def _plan_jobs(ws: Workspace) -> list[Job]:
    return [Job(p, p.name.removesuffix(".yaml") + ".docx") for p in ws.plan_files()]


# --- unit plans ----------------------------------------------------------------------------
def _prepare_unit(ws: Workspace, path: Path, loaded: Loaded, template, unit) -> Prepared:
    record = validate(loaded, UnitRecord)
    khung_path = find_khung(path, ws)
    bench = load_workbench(khung_path, ws)
    problems = check_unit(bench, record, loaded)
    if problems:
        raise ProblemList(problems)
    plan, names = derive_plan(bench, record)
    pf = load_plan(path, ws, names, plan=plan, loaded=loaded,
                   relocate=lambda loc: own_task_loc(bench, record, loc))
    template_path = template_for(ws, loaded, plan.loai_van_ban, plan.he_thong, plan.mau, template)
    return Prepared(path, loaded, plan, pf.profile, pf.context, template_path, (khung_path, bench.parent_path),
                    profile_warnings(path, pf.profile, plan.ngay))


def _unit_jobs(ws: Workspace) -> list[Job]:
    return [Job(p, f"{UNITS_DIR}/{p.stem}.docx") for p in ws.unit_files()]


# --- reports -------------------------------------------------------------------------------
def _report_jobs(ws: Workspace) -> list[Job]:
    jobs = []
    for report in ws.report_files():
        folder = ws.reports_dir.name
        jobs.append(Job(report, f"{folder}/{report.stem}.docx"))
        for unit in reporting_units(ws, report):
            jobs.append(Job(report, f"{folder}/{report.stem}/{UNITS_DIR}/{unit}.docx", unit))
    return jobs


def reporting_units(ws: Workspace, report: Path) -> list[str]:
    """Units that get their own report: those with results in the report's period.
    Read cheaply here; a malformed report is left to its own job to report."""
    try:
        data = ws.load(report).data
        if not isinstance(data, dict) or not data.get("bao_cao_don_vi") or \
                data["bao_cao_don_vi"].get("tao") is False:
            return []
        years = range(int(data["tu_nam"]), int(data["den_nam"]) + 1)
    except (ProblemList, KeyError, TypeError, ValueError, AttributeError):
        return []
    units = {p.stem for p in ws.unit_files()}
    found = {f.stem for f in ws.results_files(list(years))}
    # A unit merged into another reports through its successor (organisations.py).
    try:
        return successors_own_reports(ws.root, sorted(units), found, data.get("ngay"))
    except (KeyError, ValueError, TypeError, AttributeError):
        # A change naming a unit that is not there: the unit's own jobs say so, at its line.
        return sorted(units & found)


# --- files that are not documents ----------------------------------------------------------
def _check_khung(ws: Workspace, path: Path) -> None:
    load_workbench(path, ws)


def _check_results(ws: Workspace, path: Path) -> None:
    from kehoach_docs.results.period import result_outside

    programme = programme_of(ws)
    plan_path = workspace_plan(ws)
    plan = load_plan(plan_path, ws).plan
    targets = {t.ma: t for t in plan.targets()}
    _, problems = read_results(path, {p.stem for p in ws.unit_files()}, targets, programme)
    problems += result_outside(ws, plan, plan_path, path, programme.tep_van_phong)  # as the reports refuse it
    if problems:
        raise ProblemList(problems)


def _check_bodies_file(ws: Workspace, path: Path) -> list[Problem]:
    return read_bodies(path).unconfirmed_values()


def _check_programme(ws: Workspace, path: Path) -> None:
    if path.name != PROGRAMME_FILE:
        raise ProblemList.one(path, 0, 0, "", f"Tệp kết quả đặt trong thư mục năm: {RESULTS_DIR}/<năm>/"
                                              f"{path.name}; ở {RESULTS_DIR}/ chỉ có {PROGRAMME_FILE}.")
    programme_of(ws)


def _check_document(ws: Workspace, path: Path) -> list[Problem]:
    return list(prepare(path, ws=ws).warnings)


PLAN = FileKind("plan", "kế hoạch", Plan, _prepare_plan, _check_document, _plan_jobs)
UNIT = FileKind("unit", "hồ sơ đơn vị (kế hoạch của đơn vị)", UnitRecord, _prepare_unit, _check_document, _unit_jobs)
REPORT = FileKind("report", "báo cáo", Report, prepare_report, _check_document, _report_jobs)
KHUNG = FileKind("khung", "khung kế hoạch đơn vị", Khung, None, _check_khung)
RESULTS = FileKind("results", "kết quả", Results, None, _check_results)
PROGRAMME = FileKind("programme", "khung kết quả", Programme, None, _check_programme)
BODIES = FileKind("bodies", "danh mục tổ chức", BodiesFile, None, _check_bodies_file)
FILE_KINDS = (PLAN, UNIT, REPORT, KHUNG, RESULTS, PROGRAMME, BODIES)
"""Every kind; a build's jobs come in this order (plans, unit plans, reports)."""

_BY_PLACE = {"khung": KHUNG, "units": UNIT, "results": RESULTS, "reports": REPORT, "programme": PROGRAMME,
             "bodies": BODIES}


def file_kind_of(path: Path, ws: Workspace | None = None, loaded: Loaded | None = None) -> FileKind:
    """The kind of a data file: by its place in a workspace, else by its content."""
    ws = ws or Workspace.of(path)
    place = ws.where(Path(path))
    if place:
        return _BY_PLACE[place]
    data: Any = (loaded or ws.load(Path(path))).data
    if isinstance(data, dict) and "loai_bao_cao" in data:
        return REPORT
    if isinstance(data, dict) and "loai" in data and "co_quan" not in data:
        return UNIT
    return PLAN


def prepare(path: str | Path, template: str | Path | None = None, unit: str | None = None,
            ws: Workspace | None = None) -> Prepared:
    """Load, validate and build the context of one document file, by its kind."""
    path = Path(path)
    ws = ws or Workspace.of(path)
    loaded = ws.load(path)
    kind = file_kind_of(path, ws, loaded)
    if not kind.document:
        raise ProblemList.one(path, 0, 0, "", f"Tệp {kind.ten} không phải một văn bản; nó được "
                                              "đọc khi tạo các văn bản của thư mục.")
    if unit is not None and kind is not REPORT:
        raise ProblemList.one(path, 0, 0, "", f"Chỉ tệp báo cáo ({REPORTS_DIR}/…) mới có báo cáo "
                                              "riêng của từng đơn vị.")
    return kind.prepare(ws, path, loaded, template, unit)


def check_file(path: str | Path, ws: Workspace | None = None) -> list[Problem]:
    """Validate any data file of a workspace; raise ProblemList with every problem. Returns
    the warnings (a profile past its confirmed date, sample values of to-chuc.yaml)."""
    path = Path(path)
    ws = ws or Workspace.of(path)
    return list(file_kind_of(path, ws).check(ws, path) or [])


def jobs(ws: Workspace) -> list[Job]:
    """Every output of a workspace's build, in order."""
    return [job for kind in FILE_KINDS if kind.jobs for job in kind.jobs(ws)]


def workspace_plan(ws: Workspace) -> Path:
    """The plan a workspace's units and results belong to."""
    if ws.is_file(ws.khung_file):
        return load_workbench(ws.khung_file, ws).parent_path
    for candidate in ws.plan_files():
        if file_kind_of(candidate, ws) is PLAN:
            return candidate
    raise ProblemList.one(ws.root, 0, 0, "", "Thư mục chưa có kế hoạch (tệp .yaml ở thư mục gốc).")


__all__ = ["Job", "FileKind", "FILE_KINDS", "PLAN", "UNIT", "REPORT", "KHUNG", "RESULTS", "PROGRAMME", "BODIES", "check_file", "jobs", "file_kind_of", "prepare", "reporting_units", "workspace_plan"]
