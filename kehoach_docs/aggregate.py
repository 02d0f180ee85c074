"""Add up the units' results against the plan's targets, per year and over a period.

How each figure is computed follows from its target's kind of quantity (kehoach_docs/
targets/kinds.py, documented in docs/bao-cao.md); the verdict rule is targets/verdict.py and
the number format targets/so_lieu.py. A unit with no results file for a year "chưa báo cáo":
it is listed, and left out of that year's figures unless the target's base is every unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Results
from kehoach_docs.targets.kinds import NO_DATA, Figure, Scope, TargetResult, compute
from kehoach_docs.targets.so_lieu import percent, rounded
from kehoach_docs.targets.verdict import CHUA_DAT, DAT, VUOT, verdict

__all__ = ["CHUA_DAT", "DAT", "VUOT", "NO_DATA", "Aggregate", "Figure", "TargetResult", "UnitInfo",
           "aggregate", "percent", "rounded", "verdict"]


@dataclass
class UnitInfo:
    ma: str
    ten: str


@dataclass
class Aggregate:
    years: list[int]
    units: list[UnitInfo]
    reports: dict[int, dict[str, Results]]
    office: dict[int, Results]
    targets: list[TargetResult] = field(default_factory=list)

    def missing(self, year: int) -> list[UnitInfo]:
        """Units that did not report for `year`. A year no unit reported for (2021: the plan
        was issued in December) was not a reporting year: nobody is missing."""
        reported = self.reports.get(year, {})
        return [u for u in self.units if u.ma not in reported] if reported else []

    def target(self, ma: str) -> TargetResult:
        return next(r for r in self.targets if r.target.ma == ma)


def aggregate(targets: list[Target], units: list[UnitInfo], years: list[int],
              reports: dict[int, dict[str, Results]], office: dict[int, Results],
              only: list[str] | None = None) -> Aggregate:
    """Results of every target for `years`; `only` restricts to some units (a unit's report:
    the office's whole-body targets are left out)."""
    agg = Aggregate(years, units, reports, office)
    scope = Scope(only or [u.ma for u in units], years, reports, office,
                  single=only is not None and len(only) == 1)
    for t in targets:
        if only and not t.reported_by_units:
            continue
        agg.targets.append(compute(t, scope))
    return agg
