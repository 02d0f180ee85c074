"""Collect a workspace's units and results, checked against the plan's targets.

    ket-qua/<năm>/<đơn vị>.yaml    one unit's results for one year (đơn vị = its profile's stem)
    ket-qua/<năm>/toan-khoi.yaml   the office's figures for whole-body targets
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kehoach_docs.aggregate import UnitInfo
from kehoach_docs.derive import check_unit, load_workbench
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.layout import RESULTS_DIR, UNITS_DIR, Workspace
from kehoach_docs.load import Loaded, dotted, load_yaml
from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import OFFICE_FILE, Counts, Results
from kehoach_docs.schema.unit import UnitProfile
from kehoach_docs.validate import validate

SHAPES = {
    "ty_le_don_vi": "true hoặc false",
    "ty_le": "dạng {dat: <số đạt>, tong: <tổng số>}",
    "trung_binh": "một tỷ lệ phần trăm (0-100)",
    "so_luong": "một số lượng (số nguyên không âm)",
    "thu_hang": "thứ hạng (số nguyên từ 1)",
    "tang_bac": "thứ hạng của năm (số nguyên từ 1)",
}


@dataclass
class Unit:
    info: UnitInfo
    path: Path
    profile: UnitProfile


@dataclass
class Collected:
    units: list[Unit]
    reports: dict[int, dict[str, Results]] = field(default_factory=dict)
    office: dict[int, Results] = field(default_factory=dict)
    files: dict[tuple[int, str], Path] = field(default_factory=dict)
    problems: dict[Path, list[Problem]] = field(default_factory=dict)
    """Problems of each invalid file (a unit profile, a results file, the khung)."""

    @property
    def infos(self) -> list[UnitInfo]:
        return [u.info for u in self.units]

    def all_problems(self) -> list[Problem]:
        return [p for found in self.problems.values() for p in found]

    def problems_of(self, paths) -> list[Problem]:
        """Problems of the given files only (what one unit's report is made from)."""
        keys = {Path(p).resolve() for p in paths}
        return [p for path, found in self.problems.items() if path in keys for p in found]


def _space(workspace: Path | Workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def load_units(workspace: Path | Workspace) -> list[Unit]:
    """Every unit profile of the workspace (schema-valid); ProblemList when one is not."""
    units, problems = _units(_space(workspace))
    if problems:
        raise ProblemList([p for found in problems.values() for p in found])
    return units


def _units(ws: Workspace) -> tuple[list[Unit], dict[Path, list[Problem]]]:
    """Units and the problems of each invalid profile: the schema, and the profile against
    the khung and the parent plan (an unknown target, a later deadline, a lower target)."""
    units, problems = [], {}
    bench = None
    if ws.is_file(ws.model_file):
        try:
            bench = load_workbench(ws.model_file, ws)
        except ProblemList as exc:
            problems[ws.model_file.resolve()] = exc.problems
    # One dependency on the folder's names and contents (not one per file: every report
    # of a period reads them all).
    for path in ws.listing(ws.units_dir, contents=True):
        try:
            loaded = load_yaml(path)
            profile = validate(loaded, UnitProfile)
        except ProblemList as exc:
            problems[path.resolve()] = exc.problems
            continue
        found = check_unit(bench, profile, loaded) if bench is not None else []
        if found:
            problems[path.resolve()] = found
        units.append(Unit(UnitInfo(path.stem, profile.ten), path, profile))
    return units, problems


def result_files(workspace: Path | Workspace, years: list[int] | None = None) -> list[Path]:
    return _space(workspace).results_files(years)


def collect(workspace: Path | Workspace, targets: list[Target], years: list[int] | None = None) -> Collected:
    """Units and their results for `years` (all years when None); every problem at once."""
    out = gather_results(_space(workspace), targets, years)
    if out.problems:
        raise ProblemList(out.all_problems())
    return out


def gather_results(ws: Workspace, targets: list[Target], years: list[int] | None = None) -> Collected:
    """Units and results for `years`, read and checked once per workspace object; the
    problems of each invalid file are kept with it (a report decides what it depends on)."""
    key = ("collected", tuple(t.model_dump_json() for t in targets), tuple(years) if years else None)
    return ws.memo(key, lambda: _gather(ws, targets, years))


def _gather(ws: Workspace, targets: list[Target], years: list[int] | None) -> Collected:
    units, problems = _units(ws)
    known_units = {p.stem for p in ws.listing(ws.units_dir)}
    by_id = {t.ma: t for t in targets}
    out = Collected(units, problems=problems)
    names = ws.result_years() if years is None else [str(y) for y in years]
    for folder in names:
        for path in ws.listing(ws.results_dir / folder, contents=True):
            results, found = read_results(path, known_units, by_id)
            if found:
                out.problems[path.resolve()] = found
                continue
            if path.stem == OFFICE_FILE:
                out.office[results.nam] = results
            else:
                out.reports.setdefault(results.nam, {})[path.stem] = results
            out.files[(results.nam, path.stem)] = path
    return out


def read_results(path: Path, known_units: set[str], targets: dict[str, Target]
                 ) -> tuple[Results | None, list[Problem]]:
    """One results file (ket-qua/<năm>/<đơn vị>.yaml), validated and checked against the
    plan's targets; (None, problems) when it cannot be used."""
    folder = path.parent.name
    if not folder.isdigit():
        return None, [Problem(path, 0, 0, "", f"Thư mục '{folder}' phải là một năm, ví dụ {RESULTS_DIR}/2022/.")]
    stem = path.stem
    if stem != OFFICE_FILE and stem not in known_units:
        guess = difflib.get_close_matches(stem, sorted(known_units), n=1)
        return None, [Problem(path, 0, 0, "", f"Không có đơn vị '{stem}' trong {UNITS_DIR}/" +
                              (f"; có phải '{guess[0]}'?" if guess else "."))]
    try:
        loaded = load_yaml(path)
    except ProblemList as exc:
        return None, exc.problems
    moved = moved_plan_fact(loaded)
    try:
        results = validate(_without(loaded, PLAN_FACT) if moved else loaded, Results)
    except ProblemList as exc:
        return None, moved + exc.problems
    found = moved + check_results(loaded, results, targets, int(folder), office=stem == OFFICE_FILE)
    return (None, found) if found else (results, [])


PLAN_FACT = "ke_hoach"
"""A results file once restated the unit's plan (number, date); that fact lives in don-vi/."""


def moved_plan_fact(loaded: Loaded) -> list[Problem]:
    """A results file still holding `ke_hoach`: an error at its line (the unit's plan number
    and date are written once, in its profile)."""
    data = loaded.data
    if not isinstance(data, dict) or PLAN_FACT not in data:
        return []
    line, col = loaded.where((PLAN_FACT,), key=True)
    stem = loaded.path.stem
    return [Problem(loaded.path, line, col, PLAN_FACT,
                    f"Số và ngày kế hoạch của đơn vị chỉ ghi một nơi: hồ sơ {UNITS_DIR}/{stem}.yaml "
                    f"(mục so, ngay). Hãy xóa mục '{PLAN_FACT}' khỏi tệp kết quả này (chép số, ngày "
                    f"sang hồ sơ đơn vị nếu hồ sơ chưa có).")]


def _without(loaded: Loaded, key: str) -> Loaded:
    return Loaded(loaded.path, {k: v for k, v in loaded.data.items() if k != key},
                  loaded.positions, loaded.key_positions)


def check_results(loaded: Loaded, results: Results, targets: dict[str, Target], year: int,
                  office: bool) -> list[Problem]:
    """Each value tied to a known target and shaped by the target's method."""
    problems = []

    def fail(loc: tuple, message: str) -> None:
        line, col = loaded.where(loc)
        problems.append(Problem(loaded.path, line, col, dotted(loc), message))

    if results.nam != year:
        fail(("nam",), f"Năm {results.nam} khác thư mục ket-qua/{year}/.")
    for ma, value in results.chi_tieu.items():
        t = targets.get(ma)
        if t is None:
            guess = difflib.get_close_matches(ma, sorted(targets), n=1)
            fail(("chi_tieu", ma), f"Chỉ tiêu '{ma}' không có trong kế hoạch." +
                 (f" Có phải ý bạn là '{guess[0]}'?" if guess else ""))
            continue
        if not office and not t.reported_by_units:
            fail(("chi_tieu", ma), f"Chỉ tiêu '{ma}' do Văn phòng báo cáo cho toàn Khối "
                                   f"(tệp {OFFICE_FILE}.yaml), không do đơn vị báo cáo.")
            continue
        if not _shape_ok(t.cach_tinh, value):
            fail(("chi_tieu", ma), f"Kết quả của chỉ tiêu '{ma}' phải là {SHAPES[t.cach_tinh]}.")
    for i, m in enumerate(results.mo_hinh):
        t = targets.get(m.chi_tieu)
        if t is None or t.cach_tinh != "so_luong" or t.pham_vi != "moi_co_so":
            countable = sorted(k for k, v in targets.items() if v.cach_tinh == "so_luong" and v.pham_vi == "moi_co_so")
            fail(("mo_hinh", i, "chi_tieu"), f"'{m.chi_tieu}' không phải chỉ tiêu đếm mô hình; dùng: "
                                             f"{', '.join(countable)}.")
    return problems


def _shape_ok(method: str, value: object) -> bool:
    if method == "ty_le_don_vi":
        return isinstance(value, bool)
    if method == "ty_le":
        return isinstance(value, Counts)
    if isinstance(value, (bool, Counts)):
        return False
    if method == "trung_binh":
        return 0 <= value <= 100
    if method == "so_luong":
        return value >= 0 and float(value).is_integer()
    return value >= 1 and float(value).is_integer()
