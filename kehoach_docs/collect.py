"""Collect a workspace's units and results, checked against the plan's targets.

    ket-qua/<năm>/<đơn vị>.yaml    one unit's results for one year (đơn vị = its profile's stem)
    ket-qua/<năm>/<tep_van_phong>.yaml   the office's figures for whole-body targets
    ket-qua/khung-ket-qua.yaml     the programme's declared result fields (kehoach_docs.programme)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kehoach_docs.aggregate import UnitInfo
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.layout import RESULTS_DIR, UNITS_DIR
from kehoach_docs.load import Loaded, dotted, load_yaml
from kehoach_docs.schema.plan import Target
from kehoach_docs.programme import Programme, load_programme
from kehoach_docs.schema.results import Results
from kehoach_docs.targets.kinds import kind_of
from kehoach_docs.schema.unit import UnitProfile
from kehoach_docs.validate import validate

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
    programme: Programme = field(default_factory=Programme)

    @property
    def infos(self) -> list[UnitInfo]:
        return [u.info for u in self.units]

    @property
    def succession(self):
        """Which unit stands for which over time (organisations.py)."""
        from kehoach_docs.organisations import Succession
        return Succession({u.info.ma: u.profile for u in self.units})


def load_units(workspace: Path) -> list[Unit]:
    units, problems = [], []
    for path in sorted((workspace / UNITS_DIR).glob("*.yaml")):
        try:
            profile = validate(load_yaml(path), UnitProfile)
        except ProblemList as exc:
            problems += exc.problems
            continue
        units.append(Unit(UnitInfo(path.stem, profile.ten), path, profile))
    if not problems:
        from kehoach_docs.organisations import check_units
        problems += check_units(units)
    if problems:
        raise ProblemList(problems)
    return units


def result_files(workspace: Path, years: list[int] | None = None) -> list[Path]:
    root = workspace / RESULTS_DIR
    files = []
    for folder in sorted(root.glob("*")):
        if folder.is_dir() and (years is None or (folder.name.isdigit() and int(folder.name) in years)):
            files += sorted(folder.glob("*.yaml"))
    return files


def collect(workspace: Path, targets: list[Target], years: list[int] | None = None) -> Collected:
    """Units and their results for `years` (all years when None); every problem at once."""
    units = load_units(workspace)
    known_units = {u.info.ma for u in units}
    profiles = {u.info.ma: u.profile for u in units}
    by_id = {t.ma: t for t in targets}
    programme = load_programme(workspace)
    model = programme.results_model()
    office_file = programme.tep_van_phong
    out = Collected(units, programme=programme)
    problems: list[Problem] = []
    for path in result_files(workspace, years):
        folder = path.parent.name
        if not folder.isdigit():
            problems.append(Problem(path, 0, 0, "", f"Thư mục '{folder}' phải là một năm, ví dụ ket-qua/2022/."))
            continue
        stem = path.stem
        if stem != office_file and stem not in known_units:
            guess = difflib.get_close_matches(stem, sorted(known_units), n=1)
            problems.append(Problem(path, 0, 0, "", f"Không có đơn vị '{stem}' trong {UNITS_DIR}/" +
                                    (f"; có phải '{guess[0]}'?" if guess else ".")))
            continue
        try:
            loaded = load_yaml(path)
            results = validate(loaded, model)
        except ProblemList as exc:
            problems += exc.problems
            continue
        found = check_results(loaded, results, by_id, int(folder), office=stem == office_file,
                              programme=programme)
        if stem != office_file:
            found += check_result_year(loaded, results, profiles[stem])
        if found:
            problems += found
            continue
        if stem == office_file:
            out.office[results.nam] = results
        else:
            out.reports.setdefault(results.nam, {})[stem] = results
        out.files[(results.nam, stem)] = path
    if problems:
        raise ProblemList(problems)
    return out


def check_results(loaded: Loaded, results: Results, targets: dict[str, Target], year: int,
                  office: bool, programme: Programme | None = None) -> list[Problem]:
    """Each value tied to a known target and shaped by the target's method."""
    problems = []
    programme = programme or Programme()

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
            fail(("chi_tieu", ma), f"Chỉ tiêu '{ma}' do Văn phòng báo cáo cho {programme.toan_bo} "
                                   f"(tệp {programme.tep_van_phong}.yaml), không do đơn vị báo cáo.")
            continue
        kind = kind_of(t)
        if not kind.accepts(t, value):
            fail(("chi_tieu", ma), f"Kết quả của chỉ tiêu '{ma}' phải là {kind.shape_of(t)}.")
    countable = sorted(k for k, v in targets.items() if v.counts_models)
    for name in results.counted_fields:
        label = programme.ket_qua[name].nhan
        for i, m in enumerate(getattr(results, name)):
            if m.chi_tieu not in countable:
                guess = difflib.get_close_matches(m.chi_tieu, countable, n=1)
                fail((name, i, "chi_tieu"), f"'{m.chi_tieu}' không phải chỉ tiêu đếm {label} của từng cơ sở" +
                     (f"; có phải ý bạn là '{guess[0]}'?" if guess else f"; dùng: {', '.join(countable) or '(không có)'}."))
    return problems


def check_result_year(loaded: Loaded, results: Results, profile: UnitProfile) -> list[Problem]:
    """A unit reports only for the years it existed."""
    from kehoach_docs.format import ngay_ngan
    from kehoach_docs.organisations import end_of

    end = end_of(profile)
    line, col = loaded.where(("nam",))
    if end is not None and results.nam > end[0].year:
        change = end[1]
        what = (f"đã sáp nhập vào '{change.sap_nhap_vao}'" if change.sap_nhap_vao else
                f"đã chia thành {', '.join(change.chia_thanh)}" if change.chia_thanh else "đã giải thể")
        return [Problem(loaded.path, line, col, "nam",
                        f"Kết quả năm {results.nam} của '{profile.ten}', nhưng đơn vị {what} từ ngày "
                        f"{ngay_ngan(change.tu)}: không còn báo cáo sau ngày {ngay_ngan(end[0])}.")]
    if profile.thanh_lap is not None and results.nam < profile.thanh_lap.year:
        return [Problem(loaded.path, line, col, "nam",
                        f"Kết quả năm {results.nam} của '{profile.ten}', nhưng đơn vị thành lập ngày "
                        f"{ngay_ngan(profile.thanh_lap)}.")]
    return []
