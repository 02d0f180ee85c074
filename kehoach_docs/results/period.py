"""The period a plan covers, and results or reports that fall outside it.

A plan of 2021-2025 has no results for 2030 (a typo of the year, or a folder copied from
another programme), nor for a year before it was issued: such a file would be ignored by
every report in silence, or counted in one. It is refused at its own place, by its own
rule, and every report of the plan stops (its old version stays, said to be stale); the
other documents are still made.

    first year   the plan's date, or its earliest timeline year (lo_trinh) if earlier
    last year    its latest timeline year or target year (chi_tieu.ky); none when the plan
                 names neither (then only the first year is a limit)
    baseline     the year before the first: only the office's whole-body figures
                 (ket-qua/<năm gốc>/<tep_van_phong>.yaml), the starting point of a rank change
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.errors import Problem
from kehoach_docs.workspace.workspace import RESULTS_DIR, Workspace


@dataclass(frozen=True)
class Period:
    first: int
    last: int | None

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.last is not None else f"từ năm {self.first}"

    def holds(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)


def plan_period(plan) -> Period:
    """The years a plan covers (see above)."""
    timeline = [y.nam for y in plan.lo_trinh]
    later = timeline + [t.ky for t in plan.targets() if isinstance(t.ky, int) and not isinstance(t.ky, bool)]
    first = min([plan.ngay.year, *timeline])
    return Period(first, max(later) if later and max(later) >= first else None)


def results_outside(ws: Workspace | Path, plan, plan_path: Path, office_file: str) -> list[Problem]:
    """Every results file whose year is outside the plan's period, at its `nam` line. Read
    through the Workspace, so that a report depends on the list of ket-qua/ folders (one
    added after a good build is seen by the next)."""
    ws = ws if isinstance(ws, Workspace) else Workspace(ws)
    period = plan_period(plan)
    problems = []
    for name in ws.result_years():
        if not name.isdigit() or period.holds(int(name)):
            continue  # a folder that is not a year is refused by the results reader
        for path in ws.listing(ws.results_dir / name):
            problems += result_outside(ws, plan, plan_path, path, office_file)
    return problems


def result_outside(ws: Workspace, plan, plan_path: Path, path: Path, office_file: str) -> list[Problem]:
    """The problem of one results file (ket-qua/<năm>/<tệp>.yaml) whose year is outside the
    plan's period; none when it is inside, or the office's baseline."""
    from kehoach_docs.errors import ProblemList
    from kehoach_docs.format import ngay_ngan

    period, name = plan_period(plan), path.parent.name
    if not name.isdigit() or period.holds(year := int(name)):
        return []
    if year == period.first - 1 and path.stem == office_file:
        return []  # the office's baseline (năm gốc)
    try:
        loaded = ws.load(path)
    except ProblemList:
        loaded = None  # a broken file: the year of its folder is reason enough
    if year >= period.first:  # after its last year
        why = (f"Kết quả năm {year} nằm ngoài giai đoạn {period} của kế hoạch '{plan_path.name}' "
               f"(theo lộ trình và chỉ tiêu của kế hoạch). Có phải gõ nhầm năm của thư mục "
               f"{RESULTS_DIR}/{year}/? Nếu kế hoạch kéo dài thêm, hãy thêm năm đó vào lộ trình "
               "(lo_trinh) của kế hoạch.")
    else:
        why = (f"Kết quả năm {year} có trước kế hoạch '{plan_path.name}' (ban hành ngày "
               f"{ngay_ngan(plan.ngay)}, giai đoạn {period}): đơn vị chưa thể thực hiện kế hoạch "
               f"năm đó. Có phải gõ nhầm năm của thư mục {RESULTS_DIR}/{year}/? (Trước giai đoạn "
               f"chỉ có số liệu năm gốc {period.first - 1} của cơ quan ban hành, tệp "
               f"{RESULTS_DIR}/{period.first - 1}/{office_file}.yaml.)")
    return [loaded.problem(("nam",), why) if loaded is not None else Problem(path, 0, 0, "", why)]


def report_outside(loaded, report, plan, plan_path: Path) -> list[Problem]:
    """A report's own years (tu_nam, den_nam) outside its plan's period, at their lines."""
    period = plan_period(plan)
    problems = []
    for name in ("tu_nam", "den_nam"):
        year = getattr(report, name)
        if not period.holds(year):
            problems.append(loaded.problem((name,),
                                    f"Năm {year} nằm ngoài giai đoạn {period} của kế hoạch "
                                    f"'{plan_path.name}': báo cáo chỉ tính kết quả trong giai đoạn đó."))
    return problems


def check_report_period(loaded, report, plan, plan_path: Path, ws: Workspace | Path, office_file: str) -> None:
    """Raise every problem of the period of a report and of its workspace's results."""
    from kehoach_docs.errors import ProblemList

    problems = report_outside(loaded, report, plan, plan_path) + \
        results_outside(ws, plan, plan_path, office_file)
    if problems:
        raise ProblemList(problems)
