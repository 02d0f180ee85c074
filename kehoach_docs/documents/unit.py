"""Derive a unit's full plan from the parent plan, the office's khung and the
unit's own record. The result is an ordinary Plan, rendered like any other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.documents.plan import build_plan_context, due_text
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.workspace.workspace import KHUNG_FILE, Workspace, absolute
from kehoach_docs.load.yaml_source import Loaded, dotted
from kehoach_docs.organisations import bench_bodies, load_bodies, unit_state
from kehoach_docs.documents.prepared import load_plan
from kehoach_docs.profile import Profile
from kehoach_docs.schema.common import Due
from kehoach_docs.schema.plan import (
    Activity, Body, CitedDocument, Duty, Goal, Plan, Recipient, Signer, Task, TimelineYear,
)
from kehoach_docs.schema.unit import Khung, UnitRecord
from kehoach_docs.targets import target_names
from kehoach_docs.targets.kinds import kind_of
from kehoach_docs.schema.validate import validate

PARENT_REF = "ke_hoach_cap_tren"


@dataclass
class Workbench:
    """The khung and its parent plan, loaded and checked once for many units."""

    khung_loaded: Loaded
    khung: Khung
    parent_path: Path
    parent: Plan
    parent_citation: CitedDocument
    profile: Profile
    bodies: object = None
    """organisations.Bodies of the workspace (to-chuc.yaml), read with the khung."""


def find_khung(unit_file: Path, ws: Workspace | None = None) -> Path:
    ws = ws or Workspace.of(unit_file)
    for candidate in ws.khung_candidates(unit_file):
        if ws.is_file(candidate):
            return candidate
    raise ProblemList.one(unit_file, 0, 0, "",
                          f"Không tìm thấy tệp khung '{KHUNG_FILE}' ở thư mục của đơn vị "
                          "hoặc thư mục cha.")


def load_workbench(khung_path: Path, ws: Workspace | None = None) -> Workbench:
    """The khung and its parent plan, loaded and checked once per workspace object."""
    khung_path = absolute(khung_path)
    ws = ws or Workspace.of(khung_path)
    return ws.memo(("khung", khung_path), lambda: _workbench(ws, khung_path))


def _workbench(ws: Workspace, khung_path: Path) -> Workbench:
    loaded = ws.load(khung_path)
    khung = validate(loaded, Khung)
    parent_path = khung_path.parent / khung.ke_hoach_cap_tren
    if not ws.is_file(parent_path):
        raise ProblemList([loaded.problem(("ke_hoach_cap_tren",),
                                          f"Không tìm thấy kế hoạch cấp trên '{khung.ke_hoach_cap_tren}'.")])
    parent = load_plan(parent_path, ws)
    plan = parent.plan
    citation = CitedDocument(
        loai="Kế hoạch",
        so_ky_hieu=parent.profile.so_ky_hieu.symbol(plan.so, plan.loai_van_ban, plan.co_quan.ky_hieu)
        if plan.so else None,
        ngay=plan.ngay, co_quan=plan.co_quan.chu_the or plan.co_quan.ten,
        trich_yeu=parent.context.trich_yeu)
    bench = Workbench(loaded, khung, parent_path, plan, citation, parent.profile,
                      load_bodies(khung_path, ws))
    _check_khung(bench)
    return bench


def _check_khung(bench: Workbench) -> None:
    """Check the khung's own text once, with a probe unit of each kind, at the khung's lines."""
    khung, loaded = bench.khung, bench.khung_loaded
    problems: list[Problem] = []
    known = {t.ma for t in bench.parent.targets()}
    for i, goal in enumerate(khung.muc_tieu):
        for j, ma in enumerate(goal.chi_tieu):
            if ma not in known:
                problems.append(loaded.problem(("muc_tieu", i, "chi_tieu", j),
                                               f"Chỉ tiêu '{ma}' không có trong kế hoạch cấp trên."))
    ids: dict[str, tuple] = {}
    for section, items in (("muc_tieu", khung.muc_tieu), ("nhiem_vu", khung.nhiem_vu),
                           ("to_chuc_thuc_hien", khung.to_chuc_thuc_hien)):
        for i, item in enumerate(items):
            _unique(ids, item.ma, (section, i, "ma"), loaded, problems)
    for i, year in enumerate(khung.lo_trinh):
        for j, act in enumerate(year.hoat_dong):
            _unique(ids, act.ma, ("lo_trinh", i, "hoat_dong", j, "ma"), loaded, problems)
    if problems:
        raise ProblemList(problems)
    for kind in khung.loai_to_chuc:
        probe = UnitRecord(ten="Đơn vị mẫu", loai=kind, ngay=bench.parent.ngay,
                            nguoi_ky={"ho_ten": "Người ký"})
        plan, names = derive_plan(bench, probe)
        _, found = build_plan_context(plan, bench.profile, names)
        if found:
            raise ProblemList([loaded.problem(loc, msg) for loc, msg in found])


def _unique(ids: dict, ma: str, loc: tuple, loaded: Loaded, problems: list[Problem]) -> None:
    if ma in ids:
        problems.append(loaded.problem(loc, f"Mã '{ma}' đã dùng ở {dotted(ids[ma])}; mỗi mục cần một mã riêng."))
    ids[ma] = loc


def check_unit(bench: Workbench, unit: UnitRecord, loaded: Loaded) -> list[Problem]:
    """Problems of a unit record against the khung and the parent plan."""
    problems = []
    ids = bench.khung.item_ids()
    for i, ma in enumerate(unit.khong_ap_dung):
        if ma not in ids:
            problems.append(loaded.problem(("khong_ap_dung", i),
                                f"Mục '{ma}' không có trong khung; các mã có: {', '.join(sorted(ids))}."))
    targets = {t.ma: t for t in bench.parent.targets()}
    for ma, value in unit.chi_tieu.items():
        t = targets.get(ma)
        if t is None:
            problems.append(loaded.problem(("chi_tieu", ma),
                                f"Chỉ tiêu '{ma}' không có trong kế hoạch cấp trên."))
        elif kind_of(t).weaker(t, value):
            problems.append(loaded.problem(("chi_tieu", ma),
                                f"Chỉ tiêu '{ma}' của đơn vị ({value:g}) thấp hơn chỉ tiêu của kế hoạch "
                                f"cấp trên ({t.gia_tri:g}); đơn vị chỉ được đặt bằng hoặc cao hơn."))
    activities = {a.ma: a for y in bench.khung.lo_trinh for a in y.hoat_dong}
    for ma, due in unit.han.items():
        act = activities.get(ma)
        if act is None:
            problems.append(loaded.problem(("han", ma), f"Hoạt động '{ma}' không có trong lộ trình của khung."))
        elif act.han is not None and due.last_day() > act.han.last_day():
            problems.append(loaded.problem(("han", ma),
                                f"Thời hạn {_due(due)} của đơn vị muộn hơn thời hạn {_due(act.han)} "
                                f"của kế hoạch cấp trên cho hoạt động '{ma}'."))
    if unit.ngay < bench.parent.ngay:
        problems.append(loaded.problem(("ngay",),
                            f"Ngày {unit.ngay:%d/%m/%Y} trước ngày của kế hoạch cấp trên "
                            f"({bench.parent.ngay:%d/%m/%Y})."))
    from kehoach_docs.organisations import check_unit_plan_bodies
    problems += check_unit_plan_bodies(bench, unit, loaded)  # recipients on the plan's date
    return problems


def _due(d: Due) -> str:
    return due_text(d)


def derive_plan(bench: Workbench, unit: UnitRecord) -> tuple[Plan, dict[str, str]]:
    """The unit's full plan and its [[name]] placeholders."""
    khung, parent = bench.khung, bench.parent
    body, signer = unit_identity(bench, unit)
    kind = khung.loai_to_chuc[unit.loai]
    applies = applies_to(unit)
    co_quan, chu_the = body.ten, body.chu_the

    targets = {t.ma: t for t in parent.targets()}
    goals = []
    for goal in khung.muc_tieu:
        if not applies(goal):
            continue
        own = [targets[ma].model_copy(update={"gia_tri": unit.chi_tieu.get(ma, targets[ma].gia_tri)})
               for ma in goal.chi_tieu if ma in targets]
        goals.append(Goal(noi_dung=goal.noi_dung, chi_tieu=own))
    tasks = [Task(ten=t.ten, doan=t.doan, y=t.y) for t in khung.nhiem_vu if applies(t)]
    tasks += [Task(ten=t.ten, doan=t.doan, y=t.y) for t in unit.nhiem_vu_rieng]
    timeline = []
    for year in khung.lo_trinh:
        acts = [Activity(noi_dung=a.noi_dung, han=unit.han.get(a.ma, a.han), gach_dau_dong=a.gach_dau_dong)
                for a in year.hoat_dong if applies(a)]
        if acts:
            timeline.append(TimelineYear(nam=year.nam, hoat_dong=acts))
    duties = [Duty(doan=d.doan) for d in khung.to_chuc_thuc_hien if applies(d)]
    recipients = [Recipient(ten=r.ten, muc_dich=r.muc_dich) for r in khung.noi_nhan
                  if r.chi_cho is None or unit.loai in r.chi_cho]

    plan = Plan(
        loai_van_ban=unit.loai_van_ban, he_thong=parent.he_thong, the_thuc=parent.the_thuc,
        co_quan=body,
        so=unit.so, ngay=unit.ngay, dia_danh=unit.dia_danh or khung.dia_danh,
        trich_yeu=khung.trich_yeu,
        can_cu={**parent.can_cu, PARENT_REF: bench.parent_citation},
        mo_dau=khung.mo_dau, muc_dich_yeu_cau=khung.muc_dich_yeu_cau, muc_tieu=goals,
        nhiem_vu=tasks, lo_trinh=timeline, to_chuc_thuc_hien=duties, ket_thuc=khung.ket_thuc,
        tieu_de_phan=khung.tieu_de_phan,
        noi_nhan=[*recipients, *unit.noi_nhan_them], luu=kind.luu,
        nguoi_ky=signer,
    )
    from kehoach_docs.organisations import unit_plan_names
    names = {"don_vi": unit.ten, "cap_uy": co_quan, "chu_the": chu_the, **unit_plan_names(bench, unit),
             **target_names([t for g in goals for t in g.chi_tieu])}
    return plan, names


def unit_identity(bench: Workbench, unit: UnitRecord, day=None) -> tuple[Body, Signer]:
    """The unit's issuing body (header, symbol, who acts) and its signer, by its kind, as they
    were on `day` (default: its plan's date): name, superior and signer follow its changes."""
    bodies = bench_bodies(bench)
    state = unit_state(unit, day or unit.ngay, bodies, bench.khung.cap_tren)
    kind = bench.khung.loai_to_chuc[state.loai]
    co_quan = state.ten_co_quan or kind.co_quan.format(ten=state.ten)
    body = Body(cap_tren=state.cap_tren, ten=co_quan, ky_hieu=kind.ky_hieu,
                chu_the=kind.chu_the.format(co_quan=co_quan, ten=state.ten))
    signer = Signer(quyen_han=state.nguoi_ky.quyen_han or kind.quyen_han,
                    chuc_vu=state.nguoi_ky.chuc_vu or bench.khung.chuc_vu_ky, ho_ten=state.nguoi_ky.ho_ten)
    return body, signer


def applies_to(unit: UnitRecord):
    """Whether a khung item applies to `unit` (its kind, and not excluded by the unit)."""
    skip = set(unit.khong_ap_dung)
    return lambda item: item.ma not in skip and (item.chi_cho is None or unit.loai in item.chi_cho)


def own_task_loc(bench: Workbench, unit: UnitRecord, loc: tuple) -> tuple:
    """Map a derived plan's location of an own task back to the unit file."""
    kept = sum(1 for t in bench.khung.nhiem_vu if applies_to(unit)(t))
    if loc and loc[0] == "nhiem_vu" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] >= kept:
        return ("nhiem_vu_rieng", loc[1] - kept, *loc[2:])
    return loc
