"""Kinds of quantity: one class per kind holds everything that follows from it — the shape
of a result value and the message when it is wrong, the figure of a year, the figure of the
period, the words, and which way a unit may move the target.

    ty_le_don_vi  share of units meeting it   "62/64 cấp ủy cơ sở (96,9%) đã xây dựng…"
    trang_thai    a state true each year      the last year's figure, never a sum of years
    cong_don      counted each year, added    "138.504/141.573 hồ sơ (97,8%)", "08 lớp"
    binh_quan     average over units          "bình quân 93,3% (93 lượt đơn vị báo cáo trong 02 năm)"
    thu_hang      a rank against top N        "xếp hạng 16, chưa vào nhóm 15 …"
    tang_bac      a change of rank            "tăng 2 bậc", "giữ nguyên thứ hạng", "giảm 1 bậc"

Everything a programme needs is declared on its targets (loai, doi_tuong, viec, nhom, co_so,
nguon): no programme's names here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kehoach_docs.format import so
from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Counts, Results
from kehoach_docs.targets.so_lieu import (
    NBSP, dem, gia_tri, percent, phan_so, rounded, so_bac, ty_le,
)
from kehoach_docs.targets.verdict import CHUA_DAT, DAT, VUOT, WORDS, verdict, worst


@dataclass
class Figure:
    """One computed figure: the value a verdict compares, its table cell, its words."""

    value: Decimal | None
    cell: str
    phrase: str
    verdict: str | None = None
    num: Decimal | None = None
    den: Decimal | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.value is not None


NO_DATA = Figure(None, "—", "chưa có số liệu")


@dataclass
class Scope:
    """The results a figure is computed from: the units counted, the years of the period."""

    units: list[str]
    years: list[int]
    reports: dict[int, dict[str, Results]]
    office: dict[int, Results]
    single: bool = False

    def reporting_year(self, year: int) -> bool:
        """A year some unit reported for (2021, the plan's own December, was not one)."""
        return bool(self.reports.get(year))

    def reported(self, year: int) -> list[str]:
        by = self.reports.get(year, {})
        return [u for u in self.units if u in by]

    def value(self, t: Target, unit: str, year: int):
        r = self.reports.get(year, {}).get(unit)
        return None if r is None else r.chi_tieu.get(t.ma)

    def office_value(self, t: Target, year: int) -> Decimal | None:
        r = self.office.get(year)
        v = None if r is None else r.chi_tieu.get(t.ma)
        return number(v)


def number(v: object) -> Decimal | None:
    return Decimal(str(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _counted(t: Target, n) -> str:
    """"01 mô hình “Dân vận khéo” …": the count before the target's name (which names the unit)."""
    return f"{dem(n)} {t.ten}" if t.ten.startswith(t.don_vi) else f"{dem(n, t.don_vi)} {t.ten}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


class Kind:
    """What every kind of quantity answers (see the module docstring)."""

    code: str
    shape: str
    """The shape of a result value, as the message of a wrong one says it."""

    def accepts(self, t: Target, value: object) -> bool:
        raise NotImplementedError

    def shape_of(self, t: Target) -> str:
        return self.shape

    def entries(self, t: Target) -> tuple[str, ...]:
        """What a unit enters for a year (its Excel form: one input each): "yes_no", "count"
        (whole ≥ 0), "percent" (0-100), "rank" (whole ≥ 1)."""
        return ("count",)

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        raise NotImplementedError

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        raise NotImplementedError

    def sentence(self, t: Target, r: "TargetResult") -> str:
        """The result in an office's words, with its judgement (no full stop)."""
        raise NotImplementedError

    # -- shared wording -------------------------------------------------------
    def unit_text(self, t: Target, single: bool = False) -> str:
        """The table's unit (ĐVT)."""
        return "%"

    def goal_value(self, t: Target) -> str:
        unit = "%" if t.don_vi == "%" else f" {t.don_vi}"
        if t.don_vi == "%":
            return f"{gia_tri(t.gia_tri)}%"
        return dem(t.gia_tri, t.don_vi) if float(t.gia_tri).is_integer() else f"{gia_tri(t.gia_tri)}{unit}"

    def goal_cell(self, t: Target, single: bool = False) -> str:
        """The target as the table writes it: "≥ 98%", "100%", "≥ 01 lớp/năm"."""
        sign = {">=": "≥", ">": ">", "=": "", "<=": "≤"}.get(t.so_sanh, "")
        text = (sign + NBSP if sign else "") + self.goal_value(t)
        return text + ("/năm" if t.yearly else "")

    def goal_words(self, t: Target) -> str:
        """The target in a sentence: "ít nhất 98%", "trên 90%", "100%"."""
        lead = {">=": "ít nhất ", ">": "trên ", "=": "", "<=": "không quá "}.get(t.so_sanh, "")
        return lead + self.goal_value(t) + (" hằng năm" if t.yearly else "")

    def judgement(self, t: Target, v: str | None) -> str:
        if v is None:
            return "chưa có số liệu để đánh giá"
        return f"{WORDS[v]} chỉ tiêu {self.goal_words(t)}"

    def short(self, t: Target, f: Figure) -> str:
        """The figure alone, for [[kq.<ma>.gia_tri]]: "96,9%", "hạng 16", "tăng 2 bậc", "08 lớp"."""
        return ty_le(f.value) if f.has_data else "—"

    def weaker(self, t: Target, unit_value: float) -> bool:
        """A unit may set a stricter target than the parent's, never a weaker one."""
        if t.so_sanh in ("<=", "top"):
            return unit_value > t.gia_tri
        return unit_value < t.gia_tri

    def judge(self, t: Target, value: Decimal) -> str:
        return verdict(t.so_sanh, t.gia_tri, value, t.gia_tri_den)


def _counts(values: list) -> list[Counts]:
    return [v for v in values if isinstance(v, Counts)]


class Share(Kind):
    """A share of units meeting a condition: each unit reports true/false, or (for a target
    every unit must reach, pham_vi: moi_co_so) the items it lists are counted. The base is
    declared (co_so): every unit, or the units that reported; the same in every column."""

    code = "ty_le_don_vi"
    shape = "true hoặc false"

    def entries(self, t: Target) -> tuple[str, ...]:
        return ("count",) if t.pham_vi == "moi_co_so" else ("yes_no",)

    def accepts(self, t: Target, value: object) -> bool:
        if t.counts_items:
            return number(value) is not None and value >= 0 and float(value).is_integer()
        return isinstance(value, bool)

    def shape_of(self, t: Target) -> str:
        return "một số lượng (số nguyên không âm)" if t.counts_items else self.shape

    def unit_count(self, t: Target, r: Results) -> int:
        """The items a unit lists for the target (the programme's declared lists), plus any
        number it states."""
        return len(r.counted(t.ma)) + int(number(r.chi_tieu.get(t.ma)) or 0)

    def _met_by(self, t: Target, s: Scope, unit: str, years: list[int]) -> bool | None:
        """Whether a unit met it in `years` (None: it said nothing about it)."""
        if t.counts_items:
            rs = [r for y in years if (r := s.reports.get(y, {}).get(unit)) is not None]
            return None if not rs else sum(self.unit_count(t, r) for r in rs) >= t.gia_tri
        said = [v for y in years if isinstance(v := s.value(t, unit, y), bool)]
        return None if not said else any(said)

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        if not s.reporting_year(year):
            return NO_DATA
        span = [year] if t.yearly else [y for y in s.years if y <= year and s.reporting_year(y)]
        met = {u: self._met_by(t, s, u, span) for u in s.units}
        if s.single:
            (m,) = met.values()
            if m is None:
                return NO_DATA
            return self._own(t, s, span, m)
        known = {u: m for u, m in met.items() if m is not None}
        den = len(s.units) if t.co_so == "tat_ca" else len(known)
        num = sum(1 for m in known.values() if m)
        return self._fraction(t, num, den, self._total_items(t, s, span) if t.counts_items else None)

    def _total_items(self, t: Target, s: Scope, years: list[int]) -> int:
        return sum(self.unit_count(t, r) for y in years for u in s.units
                   if (r := s.reports.get(y, {}).get(u)) is not None)

    def _fraction(self, t: Target, num: int, den: int, items: int | None, lượt: bool = False) -> Figure:
        if den == 0:
            return NO_DATA
        value = percent(num, den)
        noun = ("lượt " if lượt else "") + t.doi_tuong + (" có báo cáo" if t.co_so == "bao_cao" else "")
        extra = {"so_muc": items} if items is not None else {}
        return Figure(value, f"{ty_le(value)} ({phan_so(num, den)})", f"{phan_so(num, den)} {noun} ({ty_le(value)})",
                      self._share_verdict(t, value), Decimal(num), Decimal(den), extra)

    def _share_verdict(self, t: Target, value: Decimal) -> str:
        # A count every unit must reach is met when every unit reaches it (100%).
        return verdict("=", 100, value) if t.counts_items else self.judge(t, value)

    def _own(self, t: Target, s: Scope, span: list[int], met: bool) -> Figure:
        if t.counts_items:
            count = sum(self.unit_count(t, r) for y in span if (r := s.reports.get(y, {}).get(s.units[0])))
            return Figure(Decimal(count), dem(count), dem(count, t.don_vi), verdict(">=", t.gia_tri, Decimal(count)))
        text = "Đã thực hiện" if met else "Chưa thực hiện"
        return Figure(Decimal(100 if met else 0), text, text.lower(), DAT if met else CHUA_DAT)

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        figs = [f for y, f in years.items() if f.has_data]
        if not figs:
            return NO_DATA
        if not t.yearly:
            return figs[-1]
        v = worst([f.verdict for f in figs])
        if s.single:
            done = sum(1 for f in figs if f.verdict != CHUA_DAT)
            text = f"{done}/{len(figs)} năm"
            return Figure(percent(done, len(figs)), text, text, v, Decimal(done), Decimal(len(figs)))
        fig = self._fraction(t, int(sum(f.num for f in figs)), int(sum(f.den for f in figs)), None, lượt=True)
        fig.verdict = v
        return fig

    def short(self, t: Target, f: Figure) -> str:
        if not f.has_data:
            return "—"
        return ty_le(f.value) if f.num is not None and f.den is not None else f.phrase

    def goal_value(self, t: Target) -> str:
        if t.counts_items:
            return f"100% {t.doi_tuong} có ít nhất {dem(t.gia_tri, t.don_vi)}"
        return super().goal_value(t)

    def goal_cell(self, t: Target, single: bool = False) -> str:
        if single:
            # A unit's own table: its own count, or "Thực hiện" (a share of one unit is a yes/no).
            if t.counts_items:
                return f"≥{NBSP}{dem(t.gia_tri, t.don_vi)}"
            return "Thực hiện" + (" hằng năm" if t.yearly else "")
        if t.counts_items:
            return f"100% (≥{NBSP}{dem(t.gia_tri, t.don_vi)}/cơ sở)"
        return super().goal_cell(t)

    def unit_text(self, t: Target, single: bool = False) -> str:
        if single:
            return t.don_vi if t.counts_items else "—"
        return "%"

    def goal_words(self, t: Target) -> str:
        if t.counts_items:
            return self.goal_value(t)
        return super().goal_words(t)

    def what(self, t: Target) -> str:
        return f"có ít nhất {_counted(t, t.gia_tri)}" if t.counts_items else f"đã {t.viec_text}"

    def sentence(self, t: Target, r: "TargetResult") -> str:
        total = r.total
        if not total.has_data:
            return f"{cap(t.ten)}: chưa có số liệu"
        if r.single:
            return self._own_sentence(t, r)
        if t.yearly:
            per = [(y, f) for y, f in r.years.items() if f.has_data]
            parts = [f"năm {y} có {f.phrase if i == 0 else f'{phan_so(f.num, f.den)} ({ty_le(f.value)})'}"
                     for i, (y, f) in enumerate(per)]
            return cap(", ".join(parts)) + f" {self.what(t)}; {self.judgement(t, total.verdict)}"
        text = f"{total.phrase} {self.what(t)}"
        if t.counts_items:
            text += f", tổng số {dem(total.extra.get('so_muc', 0), t.don_vi)}"
        return cap(text) + f", {self.judgement(t, total.verdict)}"

    def _own_sentence(self, t: Target, r: "TargetResult") -> str:
        total = r.total
        if t.counts_items:
            count = int(total.value)
            head = f"Có {_counted(t, count)}" if count else f"Chưa có {t.ten}"
            return head + f", {self.judgement_own(t, total.verdict)}"
        viec = t.viec_text
        if t.yearly:
            missed = [y for y, f in r.years.items() if f.has_data and f.verdict == CHUA_DAT]
            if not missed:
                return f"Hằng năm đều {viec}"
            done = [y for y, f in r.years.items() if f.has_data and f.verdict != CHUA_DAT]
            return (cap(viec) + f" trong {total.phrase}" + (f" ({_years_text(done)})" if done else "") +
                    f"; năm {_years_text(missed)} chưa thực hiện")
        return ("Đã " if total.verdict != CHUA_DAT else "Chưa ") + viec

    def judgement_own(self, t: Target, v: str | None) -> str:
        return f"{WORDS[v]} chỉ tiêu ít nhất {dem(t.gia_tri, t.don_vi)}" if v else "chưa có số liệu để đánh giá"


class _Items(Kind):
    """Shared by states and flows of items ({dat, tong} a unit-year, or a count)."""

    shape = "dạng {dat: <số đạt>, tong: <tổng số>}"

    def is_rate(self, t: Target) -> bool:
        return t.don_vi == "%"

    def shape_of(self, t: Target) -> str:
        return self.shape if self.is_rate(t) else "một số lượng (số nguyên không âm)"

    def entries(self, t: Target) -> tuple[str, ...]:
        return ("count", "count") if self.is_rate(t) else ("count",)

    def accepts(self, t: Target, value: object) -> bool:
        if self.is_rate(t):
            return isinstance(value, Counts)
        n = number(value)
        return n is not None and n >= 0 and n == n.to_integral_value()

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        if self.is_rate(t):
            counts = _counts([s.value(t, u, year) for u in s.reported(year)])
            if not counts:
                return NO_DATA
            return self._rate(t, sum(c.dat for c in counts), sum(c.tong for c in counts))
        values = [n for u in s.reported(year) if (n := number(s.value(t, u, year))) is not None]
        if not s.single and (office := s.office_value(t, year)) is not None:
            values.append(office)
        if not values:
            return NO_DATA
        total = sum(values)
        return Figure(total, dem(total), dem(total, t.don_vi), self.judge(t, total))

    def _rate(self, t: Target, dat: int, tong: int) -> Figure:
        if tong == 0:
            return NO_DATA
        value = percent(dat, tong)
        return Figure(value, f"{ty_le(value)} ({phan_so(dat, tong)})",
                      f"{phan_so(dat, tong)} {t.doi_tuong} ({ty_le(value)})", self.judge(t, value),
                      Decimal(dat), Decimal(tong))

    def unit_text(self, t: Target, single: bool = False) -> str:
        return "%" if self.is_rate(t) else t.don_vi


    def short(self, t: Target, f: Figure) -> str:
        if not f.has_data:
            return "—"
        return ty_le(f.value) if self.is_rate(t) else dem(f.value, t.don_vi)


class State(_Items):
    """A state true each year (procedures published): the period's figure is where things
    stood in its last year with figures; years are never added up."""

    code = "trang_thai"

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        known = [(y, f) for y, f in years.items() if f.has_data]
        if not known:
            return NO_DATA
        y, last = known[-1]
        v = worst([f.verdict for _, f in known]) if t.yearly else last.verdict
        return Figure(last.value, f"{last.cell}, năm {y}", last.phrase, v, last.num, last.den, {"nam": y})

    def sentence(self, t: Target, r: "TargetResult") -> str:
        total = r.total
        if not total.has_data:
            return f"{cap(t.ten)}: chưa có số liệu"
        text = f"Năm {total.extra['nam']}, {total.phrase} {t.viec_text}"
        if t.yearly and total.verdict == CHUA_DAT:
            # Judged by its worst year: name the years that fell short, with their figures.
            failed = [f"năm {y}: {f.phrase}" for y, f in r.years.items() if f.has_data and f.verdict == CHUA_DAT]
            if failed and failed != [f"năm {total.extra['nam']}: {total.phrase}"]:
                text += "; " + "; ".join(failed)
        return f"{text}, {self.judgement(t, total.verdict)}"


class Flow(_Items):
    """Counted each year and added up over the period: dossiers handled on time ({dat,
    tong}, a rate of the sums), classes held (a count)."""

    code = "cong_don"

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        known = [f for f in years.values() if f.has_data]
        if not known:
            return NO_DATA
        if self.is_rate(t):
            fig = self._rate(t, int(sum(f.num for f in known)), int(sum(f.den for f in known)))
        else:
            total = sum(f.value for f in known)
            fig = Figure(total, dem(total), dem(total, t.don_vi), self.judge(t, total))
        if t.yearly:
            fig.verdict = worst([f.verdict for f in known])
        return fig

    def goal_words(self, t: Target) -> str:
        if self.is_rate(t):
            return super().goal_words(t)
        lead = {">=": "ít nhất ", ">": "trên ", "=": "", "<=": "không quá "}.get(t.so_sanh, "")
        return lead + self.goal_value(t) + (" mỗi năm" if t.yearly else "")

    def sentence(self, t: Target, r: "TargetResult") -> str:
        total = r.total
        if not total.has_data:
            return f"{cap(t.ten)}: chưa có số liệu"
        if self.is_rate(t):
            return cap(f"{total.phrase} {t.viec_text}") + f", {self.judgement(t, total.verdict)}"
        per = [f"năm {y}: {f.phrase}" for y, f in r.years.items() if f.has_data]
        head = f"{t.viec or 'có'} {_counted(t, total.value)}"
        if len(per) > 1:
            head += f" ({'; '.join(per)})"
        return cap(head) + f", {self.judgement(t, total.verdict)}"


class Average(Kind):
    """An average over units (satisfaction): each unit-year reports a percentage; the
    period's figure is the mean over the unit-years (lượt), and says over how many."""

    code = "binh_quan"
    shape = "một tỷ lệ phần trăm (0-100)"

    def entries(self, t: Target) -> tuple[str, ...]:
        return ("percent",)

    def accepts(self, t: Target, value: object) -> bool:
        n = number(value)
        return n is not None and 0 <= n <= 100

    def _mean(self, t: Target, s: Scope, years: list[int]) -> Figure:
        pairs = [(u, y, n) for y in years for u in s.reported(y) if (n := number(s.value(t, u, y))) is not None]
        if not pairs:
            return NO_DATA
        value = rounded(sum(n for *_, n in pairs) / len(pairs))
        units, spanned = len({u for u, *_ in pairs}), sorted({y for _, y, _ in pairs})
        if s.single:
            phrase = ty_le(value) if len(spanned) == 1 else f"bình quân {ty_le(value)} ({dem(len(spanned))} năm)"
        elif len(spanned) == 1:
            phrase = f"bình quân {ty_le(value)} ({len(pairs)} {t.doi_tuong} báo cáo)"
        else:
            phrase = (f"bình quân {ty_le(value)} (tính trên {len(pairs)} lượt báo cáo của {units} "
                      f"{t.doi_tuong} trong {dem(len(spanned))} năm)")
        return Figure(value, ty_le(value), phrase, self.judge(t, value), None, Decimal(len(pairs)),
                      {"don_vi": units, "nam": len(spanned)})

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        return self._mean(t, s, [year])

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        fig = self._mean(t, s, list(years))
        if t.yearly and fig.has_data:
            fig.verdict = worst([f.verdict for f in years.values()])
        return fig

    def sentence(self, t: Target, r: "TargetResult") -> str:
        if not r.total.has_data:
            return f"{cap(t.ten)}: chưa có số liệu"
        return f"{cap(t.ten)} đạt {r.total.phrase}, {self.judgement(t, r.total.verdict)}"


class Rank(Kind):
    """A rank against top N (PAR INDEX, PAPI, PCI): shown as a rank, never as a percentage."""

    code = "thu_hang"
    shape = "thứ hạng (số nguyên từ 1)"

    def entries(self, t: Target) -> tuple[str, ...]:
        return ("rank",)

    def accepts(self, t: Target, value: object) -> bool:
        n = number(value)
        return n is not None and n >= 1 and n == n.to_integral_value()

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        rank = s.office_value(t, year)
        if rank is None:
            return NO_DATA
        return Figure(rank, so(rank), f"hạng {so(rank)}", self.judge(t, rank), extra={"nam": year})

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        known = [f for f in years.values() if f.has_data]
        return known[-1] if known else NO_DATA

    def unit_text(self, t: Target, single: bool = False) -> str:
        return "Hạng"

    def short(self, t: Target, f: Figure) -> str:
        return f.phrase if f.has_data else "—"

    def goal_cell(self, t: Target, single: bool = False) -> str:
        return f"Top{NBSP}{gia_tri(t.gia_tri)}" + (f" (năm {t.ky})" if isinstance(t.ky, int) else "")

    def group(self, t: Target) -> str:
        return f"nhóm {gia_tri(t.gia_tri)} {t.nhom or t.doi_tuong + ' đứng đầu'}"

    def goal_words(self, t: Target) -> str:
        return self.group(t)

    def judgement(self, t: Target, v: str | None) -> str:
        if v is None:
            return "chưa có số liệu để đánh giá"
        if v == CHUA_DAT:
            return f"chưa vào {self.group(t)}"
        return f"nằm trong {self.group(t)}, {WORDS[v]} chỉ tiêu"

    def sentence(self, t: Target, r: "TargetResult") -> str:
        total = r.total
        if not total.has_data:
            return f"{cap(t.ten)}: chưa có số liệu"
        known = [(y, f) for y, f in r.years.items() if f.has_data]
        y = total.extra["nam"]
        text = f"{cap(t.ten)} năm {y} xếp {total.phrase}"
        if len(known) > 1:
            text += f" (năm {known[0][0]}: {known[0][1].phrase})"
        text += f", {self.judgement(t, total.verdict)}"
        if isinstance(t.ky, int) and t.ky > y and total.verdict == CHUA_DAT:
            text += f" (chỉ tiêu đến năm {t.ky})"
        return text


class RankChange(Kind):
    """A change of rank each year (SIPAS "tăng 1-2 bậc/năm"): the office reports the rank of
    each year; a year's figure is the ranks gained on the year before."""

    code = "tang_bac"
    shape = "thứ hạng của năm (số nguyên từ 1)"

    def entries(self, t: Target) -> tuple[str, ...]:
        return ("rank",)

    def accepts(self, t: Target, value: object) -> bool:
        return Rank().accepts(t, value)

    def year(self, t: Target, s: Scope, year: int) -> Figure:
        rank, before = s.office_value(t, year), s.office_value(t, year - 1)
        if rank is None:
            return NO_DATA
        if before is None:
            # A rank with nothing to compare it with is no change: no figure, no verdict (a
            # year without data counts for nothing), but the words say what is known.
            return Figure(None, f"Hạng {so(rank)}", self._unmatched(rank, year), extra={"hang": rank})
        gain = before - rank
        return Figure(gain, cap(so_bac(gain)), f"{so_bac(gain)} ({self._move(before, rank)})",
                      self.judge(t, gain), before, rank)

    @staticmethod
    def _unmatched(rank: Decimal, year: int, named: bool = False) -> str:
        """A rank with no earlier one: what the data supports, no change claimed."""
        return f"xếp hạng {so(rank)}" + (f" năm {year}" if named else "") + \
            f" (chưa có thứ hạng năm {year - 1} để so sánh)"

    @staticmethod
    def _move(before: Decimal, rank: Decimal, since: int | None = None, until: int | None = None) -> str:
        b, r = int(before), int(rank)
        at = (lambda y: f" năm {y}") if since is not None else (lambda y: "")
        if b == r:
            return f"hạng {r}" + (f" năm {since} và năm {until}" if since is not None else "")
        return f"từ hạng {b}{at(since)} {'lên' if r < b else 'xuống'} hạng {r}{at(until)}"

    def period(self, t: Target, s: Scope, years: dict[int, Figure]) -> Figure:
        known = [f for f in years.values() if f.has_data]
        if not known:
            ranked = [(y, f) for y, f in years.items() if "hang" in f.extra]
            if not ranked:
                return NO_DATA
            y, f = ranked[-1]
            return Figure(None, f.cell, self._unmatched(f.extra["hang"], y, named=True),
                          extra={"hang": f.extra["hang"], "nam": y})
        before, rank = known[0].num, known[-1].den
        gain = before - rank
        v = worst([f.verdict for f in known]) if t.yearly else self.judge(t, gain)
        move = self._move(before, rank)
        changed = [y for y, f in years.items() if f.has_data]
        if changed[0] - 1 in years:
            # No rank before the period: the change is counted from a year inside it, and says so.
            move = self._move(before, rank, changed[0] - 1, changed[-1])
        return Figure(gain, cap(so_bac(gain)), f"{so_bac(gain)} ({move})", v, before, rank)

    def unit_text(self, t: Target, single: bool = False) -> str:
        return "Bậc"

    def short(self, t: Target, f: Figure) -> str:
        return so_bac(f.value) if f.has_data else f.cell

    def goal_value(self, t: Target) -> str:
        span = gia_tri(t.gia_tri) + (f"-{gia_tri(t.gia_tri_den)}" if t.gia_tri_den is not None else "")
        return f"tăng {span} bậc"

    def goal_cell(self, t: Target, single: bool = False) -> str:
        return cap(self.goal_value(t)) + ("/năm" if t.yearly else "")

    def goal_words(self, t: Target) -> str:
        return self.goal_value(t) + (" mỗi năm" if t.yearly else "")

    def weaker(self, t: Target, unit_value: float) -> bool:
        return unit_value < t.gia_tri

    def sentence(self, t: Target, r: "TargetResult") -> str:
        known = [(y, f) for y, f in r.years.items() if f.has_data or "hang" in f.extra]
        if not known:
            return f"{cap(t.ten)}: chưa có số liệu"
        parts = ", ".join(f"năm {y} {f.phrase}" for y, f in known)
        return f"{cap(t.ten)} {parts}; {self.judgement(t, r.total.verdict)}"


KINDS: dict[str, Kind] = {k.code: k for k in (Share(), State(), Flow(), Average(), Rank(), RankChange())}


def kind_of(t: Target) -> Kind:
    return KINDS[t.loai]


@dataclass
class TargetResult:
    target: Target
    years: dict[int, Figure]
    total: Figure
    single: bool = False

    @property
    def kind(self) -> Kind:
        return kind_of(self.target)

    def sentence(self) -> str:
        return self.kind.sentence(self.target, self)

    def judgement(self) -> str:
        return self.kind.judgement(self.target, self.total.verdict)


def compute(t: Target, s: Scope) -> TargetResult:
    kind = kind_of(t)
    years = {y: kind.year(t, s, y) for y in s.years}
    return TargetResult(t, years, kind.period(t, s, years), s.single)


__all__ = ["CHUA_DAT", "DAT", "VUOT", "Figure", "KINDS", "Kind", "NO_DATA", "Scope", "TargetResult",
           "compute", "kind_of"]
