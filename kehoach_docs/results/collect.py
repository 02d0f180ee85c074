"""Collect a workspace's units and results, checked against the plan's targets.

    ket-qua/<năm>/<đơn vị>.yaml    one unit's results for one year (đơn vị = its record's stem)
    ket-qua/<năm>/<tep_van_phong>.yaml   the office's figures for whole-body targets
    ket-qua/khung-ket-qua.yaml     the programme's declared result fields (kehoach_docs.results.programme)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kehoach_docs.results.aggregate import UnitInfo
from kehoach_docs.documents.unit import check_unit, load_workbench
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.workspace.workspace import RESULTS_DIR, UNITS_DIR, Workspace, absolute
from kehoach_docs.load.yaml_source import Loaded, load_yaml
from kehoach_docs.schema.plan import Target
from kehoach_docs.results.programme import Programme, load_programme
from kehoach_docs.schema.results import Results
from kehoach_docs.targets.kinds import kind_of
from kehoach_docs.schema.unit import UnitRecord
from kehoach_docs.schema.validate import validate

@dataclass
class Unit:
    info: UnitInfo
    path: Path
    record: UnitRecord


@dataclass
class Collected:
    units: list[Unit]
    reports: dict[int, dict[str, Results]] = field(default_factory=dict)
    office: dict[int, Results] = field(default_factory=dict)
    files: dict[tuple[int, str], Path] = field(default_factory=dict)
    programme: Programme = field(default_factory=Programme)
    problems: dict[Path, list[Problem]] = field(default_factory=dict)
    """Problems of each invalid file (a unit record, a results file, the khung)."""

    @cached_property
    def infos(self) -> list[UnitInfo]:
        """(Computed once: every unit's report of a build reads it.)"""
        return [u.info for u in self.units]

    @cached_property
    def succession(self):
        """Which unit stands for which over time (organisations.py); computed once: every
        report of a build reads it."""
        from kehoach_docs.organisations import Succession
        return Succession({u.info.ma: u.record for u in self.units})

    def unit(self, ma: str) -> Unit | None:
        return self._by_ma.get(ma)

    @cached_property
    def _by_ma(self) -> dict[str, Unit]:
        return {u.info.ma: u for u in self.units}

    def all_problems(self) -> list[Problem]:
        return [p for found in self.problems.values() for p in found]

    def problems_of(self, paths) -> list[Problem]:
        """Problems of the given files only (what one unit's report is made from)."""
        keys = {absolute(p) for p in paths}
        return [p for path, found in self.problems.items() if path in keys for p in found]


def _space(workspace: Path | Workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def load_units(workspace: Path | Workspace) -> list[Unit]:
    """Every unit record of the workspace, each valid and the changes between them
    consistent; ProblemList when not (the records are not checked against the khung here:
    a report does that, see _units)."""
    units, problems = _read_units(_space(workspace), against_khung=False)
    if problems:
        raise ProblemList([p for found in problems.values() for p in found])
    return units


def _units(ws: Workspace) -> tuple[list[Unit], dict[Path, list[Problem]]]:
    """Units and the problems of each invalid record: the schema, and the record against
    the khung and the parent plan (an unknown target, a later deadline, a lower target).
    Read once per workspace object, for every report."""
    return ws.memo(("units",), lambda: _read_units(ws))


def _read_units(ws: Workspace, against_khung: bool = True) -> tuple[list[Unit], dict[Path, list[Problem]]]:
    units, problems = [], {}
    bench = None
    if against_khung and ws.is_file(ws.khung_file):
        try:
            bench = load_workbench(ws.khung_file, ws)
        except ProblemList as exc:
            problems[absolute(ws.khung_file)] = exc.problems
    # One dependency on the folder's names and contents (not one per file: every report
    # of a period reads them all).
    for path in ws.listing(ws.units_dir, contents=True):
        try:
            loaded = load_yaml(path)
            record = validate(loaded, UnitRecord)
        except ProblemList as exc:
            problems[absolute(path)] = exc.problems
            continue
        found = check_unit(bench, record, loaded) if bench is not None else []
        if found:
            problems[absolute(path)] = found
        units.append(Unit(UnitInfo(path.stem, record.ten), path, record))
    if not problems:
        from kehoach_docs.organisations import check_units

        for p in check_units(units):  # successors exist and are in place on the day
            problems.setdefault(absolute(p.file), []).append(p)
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


def programme_of(ws: Workspace) -> Programme:
    """The workspace's declared results (ket-qua/khung-ket-qua.yaml), once per workspace object."""
    return ws.memo(("programme",), lambda: _programme(ws))


def _programme(ws: Workspace) -> Programme:
    from kehoach_docs.results.programme import programme_path

    ws.is_file(programme_path(ws.root))  # recorded: its appearing changes every report
    return load_programme(ws.root)


def _gather(ws: Workspace, targets: list[Target], years: list[int] | None) -> Collected:
    units, unit_problems = _units(ws)
    known_units = {p.stem for p in ws.listing(ws.units_dir)}
    by_id = {t.ma: t for t in targets}
    try:
        programme = programme_of(ws)
    except ProblemList as exc:
        from kehoach_docs.results.programme import programme_path

        return Collected(list(units), problems={**unit_problems, absolute(programme_path(ws.root)): exc.problems})
    out = Collected(list(units), programme=programme, problems=dict(unit_problems))
    records = {u.info.ma: u.record for u in units}
    model = ws.memo(("results-model",), programme.results_model)
    targets_key = tuple(t.model_dump_json() for t in targets)
    names = ws.result_years() if years is None else [str(y) for y in years]
    for folder in names:
        # The folder is recorded once (names and contents); each file is read and checked
        # once per build however many reports cover its year.
        for path in ws.listing(ws.results_dir / folder, contents=True):
            key = ("results-file", absolute(path), targets_key, path.stem in known_units)
            record = records.get(path.stem)
            results, found = ws.memo(key, lambda p=path, u=record: read_results(p, known_units, by_id, programme,
                                                                                 model, u))
            if found:
                out.problems[absolute(path)] = found
                continue
            if path.stem == programme.tep_van_phong:
                out.office[results.nam] = results
            else:
                out.reports.setdefault(results.nam, {})[path.stem] = results
            out.files[(results.nam, path.stem)] = path
    return out


def read_results(path: Path, known_units: set[str], targets: dict[str, Target], programme: Programme,
                 model: type[Results] | None = None, record: UnitRecord | None = None
                 ) -> tuple[Results | None, list[Problem]]:
    """One results file (ket-qua/<năm>/<đơn vị>.yaml), validated and checked against the
    plan's targets; (None, problems) when it cannot be used."""
    folder = path.parent.name
    if not folder.isdigit():
        return None, [Problem(path, 0, 0, "", f"Thư mục '{folder}' phải là một năm, ví dụ {RESULTS_DIR}/2022/.")]
    stem = path.stem
    office_file = programme.tep_van_phong
    if stem != office_file and stem not in known_units:
        guess = difflib.get_close_matches(stem, sorted(known_units), n=1)
        return None, [Problem(path, 0, 0, "", f"Không có đơn vị '{stem}' trong {UNITS_DIR}/" +
                              (f"; có phải '{guess[0]}'?" if guess else "."))]
    try:
        loaded = load_yaml(path)
    except ProblemList as exc:
        return None, exc.problems
    moved = moved_plan_fact(loaded)
    try:
        results = validate(_without(loaded, PLAN_FACT) if moved else loaded,
                           model or programme.results_model())
    except ProblemList as exc:
        return None, moved + exc.problems
    found = moved + check_results(loaded, results, targets, int(folder), office=stem == office_file,
                                  programme=programme)
    if stem != office_file and record is not None:
        found += check_result_year(loaded, results, record)
    return (None, found) if found else (results, [])


PLAN_FACT = "ke_hoach"
"""A results file once restated the unit's plan (number, date); that fact lives in don-vi/."""


def moved_plan_fact(loaded: Loaded) -> list[Problem]:
    """A results file still holding `ke_hoach`: an error at its line (the unit's plan number
    and date are written once, in its record)."""
    data = loaded.data
    if not isinstance(data, dict) or PLAN_FACT not in data:
        return []
    stem = loaded.path.stem
    return [loaded.problem((PLAN_FACT,), f"Số và ngày kế hoạch của đơn vị chỉ ghi một nơi: hồ sơ "
                           f"{UNITS_DIR}/{stem}.yaml (mục so, ngay). Hãy xóa mục '{PLAN_FACT}' khỏi tệp "
                           "kết quả này (chép số, ngày sang hồ sơ đơn vị nếu hồ sơ chưa có).", key=True)]


def _without(loaded: Loaded, key: str) -> Loaded:
    return Loaded(loaded.path, {k: v for k, v in loaded.data.items() if k != key},
                  loaded.positions, loaded.key_positions)


def check_results(loaded: Loaded, results: Results, targets: dict[str, Target], year: int,
                  office: bool, programme: Programme | None = None) -> list[Problem]:
    """Each value tied to a known target and shaped by the target's method."""
    problems = []
    programme = programme or Programme()

    def fail(loc: tuple, message: str) -> None:
        problems.append(loaded.problem(loc, message))

    if results.nam != year:
        fail(("nam",), f"Năm {results.nam} khác thư mục {RESULTS_DIR}/{year}/.")
    for ma, value in results.chi_tieu.items():
        t = targets.get(ma)
        if t is None:
            guess = difflib.get_close_matches(ma, sorted(targets), n=1)
            fail(("chi_tieu", ma), f"Chỉ tiêu '{ma}' không có trong kế hoạch." +
                 (f" Có phải ý bạn là '{guess[0]}'?" if guess else ""))
            continue
        if not office and not t.reported_by_units:
            fail(("chi_tieu", ma), f"Chỉ tiêu '{ma}' do Văn phòng báo cáo cho {programme.toan_bo} "
                                   f"(tệp {programme.tep_van_phong}.yaml), không do đơn vị báo cáo.")
            continue
        kind = kind_of(t)
        if not kind.accepts(t, value):
            fail(("chi_tieu", ma), f"Kết quả của chỉ tiêu '{ma}' phải là {kind.shape_of(t)}.")
    countable = sorted(k for k, v in targets.items() if v.counts_items)
    for name in results.counted_fields:
        label = programme.ket_qua[name].nhan
        for i, m in enumerate(getattr(results, name)):
            if m.chi_tieu not in countable:
                guess = difflib.get_close_matches(m.chi_tieu, countable, n=1)
                fail((name, i, "chi_tieu"), f"'{m.chi_tieu}' không phải chỉ tiêu đếm {label} của từng cơ sở" +
                     (f"; có phải ý bạn là '{guess[0]}'?" if guess else f"; dùng: {', '.join(countable) or '(không có)'}."))
    return problems


def check_result_year(loaded: Loaded, results: Results, record: UnitRecord) -> list[Problem]:
    """A unit reports only for the years it existed."""
    from kehoach_docs.format import ngay_ngan
    from kehoach_docs.organisations import end_of

    end = end_of(record)
    if end is not None:
        change = end[1]
        what = (f"đã sáp nhập vào '{change.sap_nhap_vao}'" if change.sap_nhap_vao else
                f"đã chia thành {', '.join(change.chia_thanh)}" if change.chia_thanh else "đã giải thể")
        if results.nam > end[0].year:
            return [loaded.problem(("nam",),
                                   f"Kết quả năm {results.nam} của '{record.ten}', nhưng đơn vị {what} từ ngày "
                                   f"{ngay_ngan(change.tu)}: không còn báo cáo sau ngày {ngay_ngan(end[0])}.")]
        if results.ngay_bao_cao is not None and results.ngay_bao_cao > end[0]:
            # A body that no longer exists cannot sign a report: its successor reports for it.
            return [loaded.problem(("ngay_bao_cao",),
                                   f"Báo cáo ngày {ngay_ngan(results.ngay_bao_cao)} của '{record.ten}', nhưng đơn "
                                   f"vị {what} từ ngày {ngay_ngan(change.tu)}: báo cáo phải đề ngày đến "
                                   f"{ngay_ngan(end[0])}, hoặc để đơn vị kế tục báo cáo.")]
    if record.thanh_lap is not None and results.nam < record.thanh_lap.year:
        return [loaded.problem(("nam",), f"Kết quả năm {results.nam} của '{record.ten}', nhưng đơn vị "
                               f"thành lập ngày {ngay_ngan(record.thanh_lap)}.")]
    return []
