"""Where each unit stands on a date: plan issued, yearly results sent, timeline deadlines.

An activity counts as done when a results file lists it under `hoan_thanh`; issuing the
plan (an activity whose id starts with "hd_xay_dung_ke_hoach") is done when the unit's
record has its number, dated on or before the day (one fact, one place: don-vi/).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kehoach_docs.results.collect import collect
from kehoach_docs.documents.unit import applies_to, load_workbench
from kehoach_docs.excel.cells import set_value
from kehoach_docs.excel.form import issued_units
from kehoach_docs.excel.save import workbook_bytes
from kehoach_docs.format import ngay_ngan
from kehoach_docs.errors import ProblemList
from kehoach_docs.workspace.workspace import KHUNG_FILE, UNITS_DIR, Workspace
from kehoach_docs.organisations import end_of, name_on

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
    ended: str = ""
    """"Đã sáp nhập vào Sở Xây dựng từ 01/03/2025": a unit that owes nothing after its end."""
    forms_out: list[int] = field(default_factory=list)
    """Years a form was made for the unit (kehoach bieu-mau) and no results came back."""

    @property
    def ok(self) -> bool:
        return self.plan_issued and not self.missing_years and not self.overdue and not self.forms_out

    def row(self, n: int) -> list[str]:
        missing = [f"{y} (chưa gửi lại biểu mẫu)" if y in self.forms_out else str(y)
                   for y in sorted(set(self.missing_years) | set(self.forms_out))]
        return [str(n), self.ten, self.plan, ", ".join(missing),
                "; ".join(self.overdue),
                ("Đầy đủ" if self.ok else "Cần đôn đốc") + (f" ({self.ended})" if self.ended else "")]


def unit_status(workspace: str | Path | Workspace, as_of: date) -> list[UnitStatus]:
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    workspace = ws.root
    if not ws.khung_file.is_file():
        raise ProblemList.one(workspace, 0, 0, "", f"Thư mục chưa có khung kế hoạch của đơn vị ({KHUNG_FILE}) "
                              "nên chưa theo dõi được đơn vị nào. Tạo thư mục mới có đủ các tệp bằng: "
                              "kehoach init THƯ_MỤC")
    bench = load_workbench(ws.khung_file, ws)
    collected = collect(ws, bench.parent.targets())
    from kehoach_docs.results.period import results_outside  # a 2030 folder would count as reported

    if outside := results_outside(ws, bench.parent, bench.parent_path, collected.programme.tep_van_phong):
        raise ProblemList(outside)
    if not collected.units:
        raise ProblemList.one(workspace / UNITS_DIR, 0, 0, "", "Chưa có đơn vị nào trong thư mục này; thêm "
                              f"bằng: kehoach new unit {workspace} --ten \"Sở Nội vụ\" --loai dang_bo_btv")
    day, month = (int(x) for x in bench.khung.han_bao_cao.split("/"))
    first = min((y.nam for y in bench.khung.lo_trinh), default=bench.parent.ngay.year)
    last = max((y.nam for y in bench.khung.lo_trinh), default=as_of.year)
    due_years = [y for y in range(first, last + 1) if date(y, month, day) < as_of]
    forms = {y: issued_units(workspace, y) for y in range(first, last + 1)}
    out = []
    names = {u.info.ma: u for u in collected.units}
    for unit in collected.units:
        # A unit owes reports and deadlines only while it exists (organisations.py).
        end = end_of(unit.record)
        if unit.record.thanh_lap is not None and unit.record.thanh_lap > as_of:
            continue
        last_day = end[0] if end else None
        owes = lambda d: (last_day is None or d <= last_day) and \
            (unit.record.thanh_lap is None or d >= unit.record.thanh_lap)  # noqa: E731
        reports = {y: r for y, by in collected.reports.items() if (r := by.get(unit.info.ma))}
        issued = (unit.record.so, unit.record.ngay) if unit.record.so and unit.record.ngay <= as_of else None
        done = {a for r in reports.values() if r.nam <= as_of.year for a in r.hoan_thanh}
        applies = applies_to(unit.record)
        overdue, plan_due = [], None
        for year in bench.khung.lo_trinh:
            for act in year.hoat_dong:
                if not applies(act):
                    continue
                due = unit.record.han.get(act.ma, act.han)
                if due is None:
                    continue
                if act.ma.startswith(PLAN_ACTIVITY):
                    plan_due = due.last_day()
                    continue
                if due.last_day() < as_of and act.ma not in done and owes(due.last_day()):
                    overdue.append(f"{_short(act.noi_dung)} (hạn {ngay_ngan(due.last_day())})")
        if issued:
            plan = (f"Số {issued[0]}, " if issued[0] else "") + ngay_ngan(issued[1])
        else:
            late = plan_due is not None and plan_due < as_of
            plan = "Chưa ban hành" + (f" (quá hạn {ngay_ngan(plan_due)})" if late else "")
        missing = [y for y in due_years if y not in reports and owes(date(y, month, day))]
        ended = ""
        if end is not None and end[0] < as_of:
            change = end[1]
            ended = (f"đã sáp nhập vào {name_on(names[change.sap_nhap_vao].record, change.tu)}"
                     if change.sap_nhap_vao in names else
                     "đã chia thành " + ", ".join(name_on(names[m].record, change.tu) if m in names else m
                                                  for m in change.chia_thanh)
                     if change.chia_thanh else "đã giải thể") + f" từ {ngay_ngan(change.tu)}"
        forms_out = [y for y in sorted(forms) if unit.info.ma in forms[y] and y not in reports
                     and owes(date(y, 1, 1))]
        out.append(UnitStatus(unit.info.ma, name_on(unit.record, min(as_of, last_day or as_of)), plan,
                              issued is not None, missing, overdue, ended, forms_out))
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
        row = ws.max_row + 1
        for col, value in enumerate(s.row(n), 1):
            set_value(ws.cell(row, col), value)  # text as written, never a formula (a name may start with "=")
    for col, width in zip("ABCDEF", (5, 45, 28, 16, 50, 14)):
        ws.column_dimensions[col].width = width
    # Dates from the data, not the clock: the same status gives the same file.
    return workbook_bytes(wb, datetime(as_of.year, as_of.month, as_of.day))


def write_tables(rows: list[UnitStatus], as_of: date, workspace: Path, csv_path: Path | None = None,
                 xlsx_path: Path | None = None) -> None:
    """The status table written as CSV and/or Excel, atomically; never over one of the
    workspace's data files, nor to a name without its suffix (a typo)."""
    from kehoach_docs.workspace.publish import refuse_overwriting_inputs
    from kehoach_docs.safe_file import atomic_write

    data_files = sorted(Path(workspace).rglob("*.yaml"))
    for path, suffix in ((csv_path, ".csv"), (xlsx_path, ".xlsx")):
        if path:
            refuse_overwriting_inputs(path, data_files, force=False, suffix=suffix)
    if csv_path:
        atomic_write(csv_path, to_csv(rows).encode("utf-8"))
    if xlsx_path:
        atomic_write(xlsx_path, to_xlsx(rows, as_of))
