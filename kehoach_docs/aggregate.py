"""Add up the units' results against the plan's targets, per year and over a period.

Rules (stated in the reports and in docs/bao-cao.md, and tested):
- A percentage is rounded to one decimal, half up (96,65% → 96,7%); the assessment
  (Vượt / Đạt / Chưa đạt) compares the rounded value, so the text and the verdict agree.
- A unit with no results file for a year "chưa báo cáo": it is listed, and left out of
  every count, ratio and average of that year (the denominator says how many reported).
- Methods: ty_le_don_vi = units that met it / units that reported; ty_le = Σ đạt / Σ tổng;
  trung_binh = mean of the reported percentages; so_luong = a count (per unit: units with
  at least the target count; whole body: the sum); thu_hang = the rank of the last year;
  tang_bac = ranks gained on the year before.
- Over a period: yearly targets add up reports (lượt); period targets count a unit as met
  when it met the target in any year of the period; counts add up over the years. The
  yearly column of a period target shows where things stood by the end of that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kehoach_docs.format import phan_tram, so, so_dem
from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Counts, Results

VUOT, DAT, CHUA_DAT = "Vượt", "Đạt", "Chưa đạt"
ONE_DECIMAL = Decimal("0.1")


def rounded(x: Decimal | float | int) -> Decimal:
    return Decimal(str(x)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(num: int | Decimal, den: int | Decimal) -> Decimal:
    return rounded(Decimal(num) * 100 / Decimal(den))


def verdict(t: Target, achieved: Decimal) -> str:
    """Vượt / Đạt / Chưa đạt of an achieved value (already rounded) against a target."""
    goal = rounded(t.gia_tri)
    if t.so_sanh == "tang_bac":
        upper = rounded(t.gia_tri_den if t.gia_tri_den is not None else t.gia_tri)
        return VUOT if achieved > upper else DAT if achieved >= goal else CHUA_DAT
    if t.so_sanh in ("top", "<="):
        return VUOT if achieved < goal else DAT if achieved == goal else CHUA_DAT
    if t.so_sanh == ">":
        return DAT if achieved > goal else CHUA_DAT
    return VUOT if achieved > goal else DAT if achieved == goal else CHUA_DAT


def percent_of_target(t: Target, achieved: Decimal) -> Decimal | None:
    goal = Decimal(str(t.gia_tri))
    if goal == 0 or achieved == 0 and t.so_sanh in ("top", "<="):
        return None
    if t.so_sanh in ("top", "<="):
        return percent(goal, achieved)
    return percent(achieved, goal)


@dataclass
class Figure:
    """One computed result: its value, how it reads, and its assessment."""

    value: Decimal | None
    text: str
    short: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    of_target: Decimal | None = None
    assessment: str | None = None

    @property
    def of_target_text(self) -> str:
        return phan_tram(self.of_target) if self.of_target is not None else "—"


NO_DATA = Figure(None, "chưa có số liệu", "—")


@dataclass
class TargetResult:
    target: Target
    years: dict[int, Figure]
    total: Figure


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


def number(v: object) -> Decimal | None:
    """A numeric result value (true/false and counts are not numbers here)."""
    return Decimal(str(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def unit_count(results: Results, t: Target) -> Decimal:
    """A unit's count for a so_luong target in a year it reported: the items it lists for
    the target (in the programme's declared lists) plus any number it states (0 when neither)."""
    listed = len(results.counted(t.ma))
    return Decimal(listed) + (number(results.chi_tieu.get(t.ma)) or 0)


def _ratio_figure(t: Target, num: Decimal, den: Decimal, unit_word: str = "") -> Figure:
    if den == 0:
        return NO_DATA
    value = percent(num, den)
    short = phan_tram(value)
    text = f"{so(num)}/{so(den)} {unit_word or t.doi_tuong}, đạt {short}"
    return Figure(value, text, short, num, den, percent_of_target(t, value), verdict(t, value))


def _share_met(t: Target, values: list[bool]) -> Figure:
    return _ratio_figure(t, Decimal(sum(values)), Decimal(len(values)))


def _figure_for_year(t: Target, agg: Aggregate, year: int, units: list[str]) -> Figure:
    reports = agg.reports.get(year, {})
    method = t.cach_tinh
    if t.ky != "hang_nam" and (method == "ty_le_don_vi" or method == "so_luong" and t.pham_vi == "moi_co_so"):
        # A target for the whole period: where things stand by the end of this year.
        return _total(t, agg, units, {}, [y for y in agg.years if y <= year])
    if method == "ty_le_don_vi":
        values = [bool(reports[u].chi_tieu[t.ma]) for u in units
                  if u in reports and t.ma in reports[u].chi_tieu]
        return _share_met(t, values)
    if method == "ty_le":
        counts = [reports[u].chi_tieu[t.ma] for u in units if u in reports and t.ma in reports[u].chi_tieu]
        counts = [c for c in counts if isinstance(c, Counts)]
        return _ratio_figure(t, Decimal(sum(c.dat for c in counts)), Decimal(sum(c.tong for c in counts)))
    if method == "trung_binh":
        values = [v for u in units if u in reports
                  and (v := number(reports[u].chi_tieu.get(t.ma))) is not None]
        return _mean_figure(t, values)
    if method == "so_luong" and t.pham_vi == "moi_co_so":
        counts = [unit_count(reports[u], t) for u in units if u in reports]
        return _count_figure(t, counts)
    if method == "so_luong":
        sources = [reports[u] for u in units if u in reports] + \
            ([agg.office[year]] if year in agg.office else [])
        values = [v for r in sources if (v := number(r.chi_tieu.get(t.ma))) is not None]
        if not values:
            return NO_DATA
        total = sum(values)
        short = f"{so(total)} {t.don_vi}"
        return Figure(total, short, short, of_target=percent_of_target(t, total),
                      assessment=verdict(t, total))
    rank = _office_value(agg, year, t)
    if rank is None:
        return NO_DATA
    if method == "thu_hang":
        short = f"hạng {so(rank)}"
        return Figure(rank, short, short, of_target=percent_of_target(t, rank), assessment=verdict(t, rank))
    before = _office_value(agg, year - 1, t)
    if before is None:
        return Figure(None, f"hạng {so(rank)} (chưa có hạng năm {year - 1})", f"hạng {so(rank)}")
    gain = before - rank
    short = f"{'tăng' if gain >= 0 else 'giảm'} {so(abs(gain))} bậc"
    return Figure(gain, f"{short} (hạng {so(before)} → {so(rank)})", short,
                  of_target=percent_of_target(t, gain), assessment=verdict(t, gain))


def _office_value(agg: Aggregate, year: int, t: Target) -> Decimal | None:
    r = agg.office.get(year)
    return number(r.chi_tieu.get(t.ma)) if r else None


def _mean_figure(t: Target, values: list[Decimal]) -> Figure:
    if not values:
        return NO_DATA
    value = rounded(sum(values) / len(values))
    short = phan_tram(value)
    text = f"bình quân {short} ({so(len(values))} {t.doi_tuong} báo cáo)"
    return Figure(value, text, short, None, Decimal(len(values)), percent_of_target(t, value), verdict(t, value))


def _count_figure(t: Target, counts: list[Decimal]) -> Figure:
    """Per-unit counts: how many units reach the target count, and the total built."""
    if not counts:
        return NO_DATA
    met = sum(1 for c in counts if c >= Decimal(str(t.gia_tri)))
    total = sum(counts)
    value = percent(met, len(counts))
    short = phan_tram(value)
    text = (f"{so(met)}/{so(len(counts))} {t.doi_tuong} có từ {so_dem(int(t.gia_tri))} {t.don_vi} "
            f"trở lên (tổng số {so(total)} {t.don_vi}), đạt {short}")
    assessment = DAT if met == len(counts) else CHUA_DAT
    return Figure(value, text, short, Decimal(met), Decimal(len(counts)), value, assessment)


def _total(t: Target, agg: Aggregate, units: list[str], yearly: dict[int, Figure],
           years: list[int] | None = None) -> Figure:
    method = t.cach_tinh
    years = agg.years if years is None else years
    if method == "ty_le_don_vi" and t.ky != "hang_nam":
        met: dict[str, bool] = {}
        for y in years:
            for u in units:
                r = agg.reports.get(y, {}).get(u)
                if r is not None and t.ma in r.chi_tieu:
                    met[u] = met.get(u, False) or bool(r.chi_tieu[t.ma])
        return _share_met(t, list(met.values()))
    if method in ("ty_le_don_vi", "ty_le"):
        figs = [f for f in yearly.values() if f.denominator]
        num, den = sum(f.numerator for f in figs), sum(f.denominator for f in figs)
        unit_word = f"lượt {t.doi_tuong}" if method == "ty_le_don_vi" else ""
        return _ratio_figure(t, Decimal(num), Decimal(den), unit_word) if figs else NO_DATA
    if method == "trung_binh":
        values = [v for y in years for u in units if u in agg.reports.get(y, {})
                  and (v := number(agg.reports[y][u].chi_tieu.get(t.ma))) is not None]
        return _mean_figure(t, values)
    if method == "so_luong" and t.pham_vi == "moi_co_so":
        per_unit: dict[str, Decimal] = {}
        for y in years:
            for u in units:
                r = agg.reports.get(y, {}).get(u)
                if r is not None:
                    per_unit[u] = per_unit.get(u, Decimal(0)) + unit_count(r, t)
        return _count_figure(t, list(per_unit.values()))
    figs = [yearly[y] for y in years if yearly[y].value is not None]
    if not figs:
        return NO_DATA
    if method == "thu_hang":
        return figs[-1]
    total = sum(f.value for f in figs)
    worst = CHUA_DAT if any(f.assessment == CHUA_DAT for f in figs) else \
        (VUOT if all(f.assessment == VUOT for f in figs) else DAT)
    if method == "tang_bac":
        short = f"{'tăng' if total >= 0 else 'giảm'} {so(abs(total))} bậc"
        return Figure(total, f"{short} sau {so(len(figs))} năm", short, assessment=worst)
    short = f"{so(total)} {t.don_vi}"
    return Figure(total, short, short, assessment=worst)


def aggregate(targets: list[Target], units: list[UnitInfo], years: list[int],
              reports: dict[int, dict[str, Results]], office: dict[int, Results],
              only: list[str] | None = None) -> Aggregate:
    """Results of every target for `years`; `only` restricts to some units (a unit's report)."""
    agg = Aggregate(years, units, reports, office)
    scope = only or [u.ma for u in units]
    single = only is not None and len(only) == 1
    for t in targets:
        if only and not t.reported_by_units:
            continue
        yearly = {y: _figure_for_year(t, agg, y, scope) for y in years}
        total = _total(t, agg, scope, yearly)
        if single:
            yearly = {y: _for_one_unit(t, f, agg, scope, [z for z in years if z <= y]) for y, f in yearly.items()}
            total = _for_one_unit(t, total, agg, scope, years)
        agg.targets.append(TargetResult(t, yearly, total))
    return agg


def _for_one_unit(t: Target, fig: Figure, agg: Aggregate, scope: list[str], years: list[int]) -> Figure:
    """A unit's own report says what the unit did, not "1/1 đơn vị": "đã thực hiện",
    "thực hiện 2/2 năm", "02 <đơn vị tính>"."""
    if fig.value is None:
        return fig
    if t.cach_tinh == "ty_le_don_vi":
        if t.ky == "hang_nam" and fig.denominator and fig.denominator > 1:
            text = f"thực hiện {so(fig.numerator)}/{so(fig.denominator)} năm"
        else:
            text = "đã thực hiện" if fig.numerator else "chưa thực hiện"
        return Figure(fig.value, text, text, fig.numerator, fig.denominator, fig.of_target, fig.assessment)
    if t.cach_tinh == "so_luong" and t.pham_vi == "moi_co_so":
        count = sum(unit_count(r, t) for y in years
                    if (r := agg.reports.get(y, {}).get(scope[0])) is not None)
        text = f"{so_dem(int(count))} {t.don_vi}" if count else f"chưa có {t.don_vi}"
        return Figure(count, text, text, of_target=percent_of_target(t, count), assessment=verdict(t, count))
    if t.cach_tinh == "trung_binh" and fig.denominator and fig.denominator > 1:
        text = f"bình quân {fig.short} ({so(fig.denominator)} năm)"
        return Figure(fig.value, text, fig.short, fig.numerator, fig.denominator, fig.of_target, fig.assessment)
    return fig
