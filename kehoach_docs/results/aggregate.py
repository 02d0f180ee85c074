"""Add up the units' results against the plan's targets, per year and over a period.

How each figure is computed follows from its target's kind of quantity (kehoach_docs/
targets/kinds.py, documented in docs/bao-cao.md); the verdict rule is targets/verdict.py and
the number format targets/so_lieu.py. A unit with no results file for a year "chưa báo cáo":
it is listed, and left out of that year's figures unless the target's base is every unit.
When units changed during the period (organisations.py), each year's figures use the units
as they stood at its end, a merged unit's results counted toward its successor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Results
from kehoach_docs.targets.kinds import (
    NO_DATA, Figure, Scope, TargetResult, compute, kind_of, number,
)
from kehoach_docs.targets.so_lieu import percent, rounded
from kehoach_docs.targets.verdict import CHUA_DAT, DAT, VUOT, verdict

__all__ = ["CHUA_DAT", "DAT", "VUOT", "NO_DATA", "Aggregate", "Figure", "TargetResult", "UnitInfo",
           "aggregate", "cumulative", "number", "percent", "rounded", "verdict"]


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
    owing: dict[int, list[UnitInfo]] = field(default_factory=dict)
    """Units that owed a report for a year, when units changed during the period (see
    organisations.py); otherwise every unit."""
    reported_in: dict[int, set[str]] = field(default_factory=dict)
    """With `owing`: the units that reported for each year, as the year stood."""

    def missing(self, year: int) -> list[UnitInfo]:
        """Units that did not report for `year`. A year no unit reported for (2021: the plan
        was issued in December) was not a reporting year: nobody is missing."""
        reported = self.reports.get(year, {})
        if year in self.owing:
            # Units changed: the year is seen as it was (a merged unit under its own name).
            reported = self.reported_in.get(year, set())
        return [u for u in self.owing.get(year, self.units) if u.ma not in reported] if reported else []

    def target(self, ma: str) -> TargetResult:
        return next(r for r in self.targets if r.target.ma == ma)


def cumulative(t: Target) -> bool:
    """A target met once over the period (a unit counts when it met it in any year)."""
    return t.loai == "ty_le_don_vi" and not t.yearly


def aggregate(targets: list[Target], units: list[UnitInfo], years: list[int],
              reports: dict[int, dict[str, Results]], office: dict[int, Results],
              only: list[str] | None = None, views=None) -> Aggregate:
    """Results of every target for `years`; `only` restricts to some units (a unit's report:
    the office's whole-body targets are left out). `views` (organisations.PeriodViews), when
    units changed: each year is seen with the units of its end."""
    if views is not None:
        last = views.at(years[-1])
        agg = Aggregate(years, last.units, last.reports, office, owing=views.owing,
                        reported_in={y: views.reported_in[y] for y in years})
    else:
        agg = Aggregate(years, units, reports, office)
    single = only is not None and len(only) == 1

    def scope(view: Aggregate) -> Scope:
        return Scope(only or [u.ma for u in view.units], years, view.reports, office, single)

    # A unit's own report when units changed: its row as the units stand at the end of the
    # period, each year with its predecessors' results folded in (the office appendix's row).
    carried = views is not None and single
    yearwise = None  # each year under its own units: the same view for every target
    for t in targets:
        if only and not t.reported_by_units:
            continue
        if views is None or carried:
            agg.targets.append(compute(t, scope(agg)))
            continue
        kind = kind_of(t)
        yearly = {y: kind.year(t, scope(views.at(y, office)), y) for y in years}
        # Period targets follow the units to the end; yearly figures add up the years as they were.
        if cumulative(t):
            whole = views.at(years[-1], office)
        else:
            yearwise = yearwise or views.yearwise(office)
            whole = yearwise
        agg.targets.append(TargetResult(t, yearly, kind.period(t, scope(whole), yearly), single))
    return agg
