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
from kehoach_docs.documents.unit import check_unit, derive_plan, find_khung, load_workbench, own_task_loc, unit_identity
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.workspace.workspace import PROGRAMME_FILE, REPORTS_DIR, RESULTS_DIR, UNITS_DIR, Workspace
from kehoach_docs.load.yaml_source import Loaded
from kehoach_docs.organisations import (
    BODIES_FILE, BodiesFile, exists_on, load_bodies, read_bodies, successors_own_reports, unit_state,
)
from kehoach_docs.documents.prepared import (
    Prepared, load_plan, located, profile_for_document, profile_warnings, template_for,
)
from kehoach_docs.documents.report import build_report_context, gather
from kehoach_docs.schema import Plan
from kehoach_docs.schema.plan import Body, Recipient
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
def sample_value_warnings(ws: Workspace, path: Path, body, signer) -> tuple[Problem, ...]:
    """Sample values of to-chuc.yaml (marked chua_xac_nhan) the document prints."""
    return tuple(load_bodies(path, ws).unconfirmed_used(body, signer.ho_ten if signer else None))


def check_bodies(ws: Workspace, path: Path, loaded: Loaded, doc, day, issuer: bool = True) -> None:
    """The issuing body and the recipients must exist on the document's date (to-chuc.yaml)."""
    bodies = load_bodies(path, ws)
    if not bodies.records:
        return
    problems = []
    if issuer and isinstance(doc.co_quan, Body) and (why := bodies.stale(doc.co_quan.ten, day)):
        problems.append(loaded.problem(("co_quan", "ten"), why))
    for i, r in enumerate(doc.noi_nhan):
        if why := bodies.stale(r.ten, day):
            problems.append(loaded.problem(("noi_nhan", i), "Nơi nhận: " + why, field=f"noi_nhan.{i}"))
    signer = getattr(doc, "nguoi_ky", None)
    if signer is not None and (why := bodies.signer_stale(signer.ho_ten, day)):
        problems.append(loaded.problem(("nguoi_ky", "ho_ten"), why))
    if problems:
        raise ProblemList(problems)



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
def _prepare_report(ws: Workspace, path: Path, loaded: Loaded, template, unit: str | None) -> Prepared:
    report = validate(loaded, Report)
    src = gather(report, path, ws)
    plan = src.plan
    from kehoach_docs.results.period import check_report_period  # results of years the plan does not cover

    check_report_period(loaded, report, plan, src.plan_path, ws, src.collected.programme.tep_van_phong)
    profile = profile_for_document(ws, loaded, plan.he_thong, report.ngay)
    collected = src.collected
    names: dict[str, str] = {}
    if unit is None:
        if collected.problems:
            # Invalid data never reaches a report: every invalid unit or results file stops it.
            raise ProblemList(collected.all_problems())
        body = report_issuer(ws, path, loaded, report, plan)
        plan_issuer = None
        signer, recipients, luu = report.nguoi_ky, report.noi_nhan, report.luu
        sources = (src.plan_path, *[u.path for u in collected.units], *collected.files.values())
        only = None
    else:
        only = collected.unit(unit)
        if only is None:
            raise ProblemList(collected.problems_of([ws.unit_file(unit)]) or
                              [Problem(path, 0, 0, "", f"Không có đơn vị '{unit}'.")])
        khung_path = ws.khung_file
        office_file = collected.programme.tep_van_phong
        own_files = [only.path, *(ws.results_file(y, s) for y in (report.tu_nam - 1, *report.years)
                                  for s in (unit, office_file))]
        found = collected.problems_of([*own_files, khung_path, ws.results_dir / PROGRAMME_FILE])
        if found:
            raise ProblemList(found)
        if not exists_on(only.record, report.ngay):
            raise ProblemList.one(path, 0, 0, "", f"Đơn vị '{unit}' không hoạt động vào ngày "
                                  f"{report.ngay:%d/%m/%Y} của báo cáo: không có báo cáo riêng "
                                  "(kết quả của đơn vị được tính cho đơn vị kế tục).")
        bench = load_workbench(khung_path, ws)
        body, signer = unit_identity(bench, only.record, report.ngay)
        plan_issuer = unit_identity(bench, only.record, only.record.ngay)[0] if only.record.ngay else body
        state = unit_state(only.record, report.ngay, bench.bodies, bench.khung.cap_tren)
        names = {"cap_uy_cap_tren": state.cap_uy_cap_tren or state.cap_tren, "don_vi": state.ten}
        opts = report.bao_cao_don_vi
        # The report file's recipients, else the programme's, else the issuing body itself.
        recipients = (opts.noi_nhan if opts and opts.noi_nhan else
                      collected.programme.noi_nhan_bao_cao_don_vi or
                      [Recipient(ten=plan.co_quan.chu_the or plan.co_quan.ten, muc_dich="để b/c")])
        luu = bench.khung.loai_to_chuc[only.record.loai].luu
        sources = (src.plan_path, khung_path, only.path,
                   *[f for y in (report.tu_nam - 1, *report.years) for ma in (unit, office_file)
                     if (f := collected.files.get((y, ma)))])
    context, problems = build_report_context(
        src, profile, co_quan=body, signer=signer, recipients=recipients, luu=luu, only=only,
        trich_yeu=report.bao_cao_don_vi.trich_yeu if only and report.bao_cao_don_vi else None,
        names=names, plan_issuer=plan_issuer)
    if problems:
        raise ProblemList(located(loaded, problems))
    if unit is None:
        check_bodies(ws, path, loaded, report, report.ngay, issuer=isinstance(report.co_quan, Body))
    template_path = template_for(ws, loaded, "BC", plan.he_thong, None, template)
    return Prepared(path, loaded, report, profile, context, template_path, tuple(sources),
                    profile_warnings(path, profile, report.ngay) +
                    (sample_value_warnings(ws, path, body, signer) if unit is None else ()))


def report_issuer(ws: Workspace, path: Path, loaded: Loaded, report, plan) -> Body:
    """Who issues the office's report on its date: the body it names (an id of to-chuc.yaml
    or a full entry), else the plan's body, or the body that took over from it."""
    bodies = load_bodies(path, ws)
    if isinstance(report.co_quan, Body):
        return report.co_quan
    ref = report.co_quan or plan.co_quan.ten
    now = bodies.on(ref, report.ngay)
    if now is None:
        if report.co_quan is not None or bodies.find(ref) is not None:
            why = bodies.stale(bodies.records[bodies.find(ref)].ten, report.ngay) if bodies.find(ref) else \
                f"Không có cơ quan '{ref}' trong {BODIES_FILE}."
            raise ProblemList([loaded.problem(("co_quan",) if report.co_quan else ("ngay",),
                                              f"{why} Ghi co_quan: <mã cơ quan ban hành> trong báo cáo.")])
        return plan.co_quan
    if report.co_quan is None and bodies.find(ref) == now[0]:
        return plan.co_quan  # the plan's own body, still in office: as the plan writes it
    if not now[1].ky_hieu:
        raise ProblemList([loaded.problem(("co_quan",) if report.co_quan else ("ngay",),
                                          f"'{now[1].ten}' chưa có ký hiệu (ky_hieu) trong {BODIES_FILE}.",
                                          field="co_quan")])
    return bodies.as_body(now[0])


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
REPORT = FileKind("report", "báo cáo", Report, _prepare_report, _check_document, _report_jobs)
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
