"""Where each unit stands on a date: plan issued, yearly results sent, timeline deadlines.

An activity counts as done when a results file lists it under `hoan_thanh`; issuing the
plan (an activity whose id starts with "hd_xay_dung_ke_hoach") is done when the unit's
profile has its number, dated on or before the day (one fact, one place: don-vi/).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehoach_docs.collect import collect
from kehoach_docs.derive import applies_to, load_workbench
from kehoach_docs.format import ngay_ngan
from kehoach_docs.layout import Workspace

PLAN_ACTIVITY = "hd_xay_dung_ke_hoach"
COLUMNS = ["TT", "Đơn vị", "Kế hoạch", "Chưa báo cáo", "Quá hạn lộ trình", "Tình trạng"]


@dataclass
class UnitStatus:
    ma: str
    ten: str
    plan: str
    """"Số 25, 24/12/2021", or "Chưa ban hành (quá hạn 31/01/2022)"."""
    plan_issued: bool
    missing_years: list[int] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan_issued and not self.missing_years and not self.overdue

    def row(self, n: int) -> list[str]:
        return [str(n), self.ten, self.plan, ", ".join(map(str, self.missing_years)),
                "; ".join(self.overdue), "Đầy đủ" if self.ok else "Cần đôn đốc"]


def unit_status(workspace: str | Path | Workspace, as_of: date) -> list[UnitStatus]:
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    bench = load_workbench(ws.model_file, ws)
    collected = collect(ws, bench.parent.targets())
    day, month = (int(x) for x in bench.model.han_bao_cao.split("/"))
    first = min((y.nam for y in bench.model.lo_trinh), default=bench.parent.ngay.year)
    last = max((y.nam for y in bench.model.lo_trinh), default=as_of.year)
    due_years = [y for y in range(first, last + 1) if date(y, month, day) < as_of]
    out = []
    for unit in collected.units:
        reports = {y: r for y, by in collected.reports.items() if (r := by.get(unit.info.ma))}
        issued = (unit.profile.so, unit.profile.ngay) if unit.profile.so and unit.profile.ngay <= as_of else None
        done = {a for r in reports.values() if r.nam <= as_of.year for a in r.hoan_thanh}
        applies = applies_to(unit.profile)
        overdue, plan_due = [], None
        for year in bench.model.lo_trinh:
            for act in year.hoat_dong:
                if not applies(act):
                    continue
                due = unit.profile.han.get(act.ma, act.han)
                if due is None:
                    continue
                if act.ma.startswith(PLAN_ACTIVITY):
                    plan_due = due.last_day()
                    continue
                if due.last_day() < as_of and act.ma not in done:
                    overdue.append(f"{_short(act.noi_dung)} (hạn {ngay_ngan(due.last_day())})")
        if issued:
            plan = (f"Số {issued[0]}, " if issued[0] else "") + ngay_ngan(issued[1])
        else:
            late = plan_due is not None and plan_due < as_of
            plan = "Chưa ban hành" + (f" (quá hạn {ngay_ngan(plan_due)})" if late else "")
        missing = [y for y in due_years if y not in reports]
        out.append(UnitStatus(unit.info.ma, unit.info.ten, plan, issued is not None, missing, overdue))
    return out


def _short(text: str, words: int = 8) -> str:
    """The first words of an activity, without placeholders: how a clerk recognises it."""
    import re
    plain = re.sub(r"\s*\(?\[\[[^\]]*\]\]\)?", "", text).split()
    return " ".join(plain[:words]).rstrip(".,;") + ("…" if len(plain) > words else "")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_data(text: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula (= + - @, tab, CR)
    gets a leading apostrophe, which Excel and LibreOffice read as "this is text"."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[UnitStatus]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for n, s in enumerate(rows, 1):
        writer.writerow([as_data(cell) for cell in s.row(n)])
    # A BOM makes Excel read the Vietnamese text as UTF-8.
    return "\ufeff" + buf.getvalue()


def to_xlsx(rows: list[UnitStatus], as_of: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Tình hình"
    ws.append([f"Tình hình thực hiện đến ngày {ngay_ngan(as_of)}"])
    ws["A1"].font = Font(bold=True)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for n, s in enumerate(rows, 1):
        ws.append(s.row(n))
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # text as written, never a formula (a name may start with "=")
    for col, width in zip("ABCDEF", (5, 45, 28, 16, 50, 14)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    # Dates from the data, not the clock: the same status gives the same file.
    from datetime import datetime
    wb.properties.created = wb.properties.modified = datetime(as_of.year, as_of.month, as_of.day)
    wb.save(buf)
    return buf.getvalue()
