"""`kehoach bieu-mau`: one .xlsx form per unit and year, to collect its results.

Sheets: "Hướng dẫn" (how to fill it in), "Kết quả" (the unit's targets, other figures and the
timeline's activities; labels and the year locked, one yellow input cell per figure, with Excel
data validation by kind), "Mô hình", "Khen thưởng", "Nổi bật, hạn chế" (rows to add), and a hidden
sheet with the unit's code, the year and the plan's fingerprint (read back by `kehoach nhap`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kehoach_docs.results.collect import Unit, collect, load_units
from kehoach_docs.documents.unit import Workbench, load_workbench
from kehoach_docs.errors import UserError
from kehoach_docs.excel.cells import set_value
from kehoach_docs.excel.spec import NO, YES, FormSpec, ListSheet, Row, form_spec
from kehoach_docs.excel.save import workbook_bytes
from kehoach_docs.workspace.workspace import KHUNG_FILE, RESULTS_DIR
from kehoach_docs.results.programme import load_programme
from kehoach_docs.schema.results import Results
from kehoach_docs.workspace.write import atomic_write, read_regular

GUIDE, MAIN, META = "Hướng dẫn", "Kết quả", "_kehoach"
FIRST_ROW = 7
"""First row of the results table on the main sheet."""
LIST_ROWS = 30
"""Empty rows offered on each list sheet (beyond the filled ones)."""
LABELS_ROW = 21
"""Hidden sheet: the countable targets (id, label) from this row; the list sheets from SHEETS_ROW."""
SHEETS_ROW = 101
ISSUED = ".bieu-mau.json"
"""ket-qua/<năm>/.bieu-mau.json: units a form was made for (kehoach status: not returned yet)."""
MAX_FORM_BYTES = 20 * 1024 * 1024
"""A form is some tens of KB; a file beyond this is not one (read as a bound, never whole)."""
MAX_RECORD_BYTES = 1024 * 1024
KIND_LABELS = {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}

INPUT = PatternFill("solid", start_color="FFF2CC")
HEAD = Font(bold=True)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def form_name(unit: str, year: int) -> str:
    return f"{unit}-{year}.xlsx"


def load_for_forms(workspace: Path) -> tuple[Workbench, list[Unit]]:
    khung = workspace / KHUNG_FILE
    if not khung.is_file():
        raise UserError(f"Thư mục '{workspace}' chưa có tệp khung {KHUNG_FILE}: biểu mẫu lấy chỉ tiêu "
                        "của đơn vị từ khung và kế hoạch cấp trên.")
    bench = load_workbench(khung)
    units = load_units(workspace)
    if not units:
        raise UserError(f"Thư mục '{workspace}/don-vi/' chưa có đơn vị nào; thêm bằng: "
                        f"kehoach new unit {workspace} --ten \"…\" --loai dang_bo")
    return bench, units


@dataclass
class FormsWritten:
    """What `write_forms` did: forms written (new, or the same bytes again) and forms kept."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    """Forms already in the folder with other content (a unit may have filled one in): never
    replaced unless told to (`force`)."""


def write_forms(workspace: str | Path, year: int, out_dir: str | Path, units: list[str] | None = None,
                filled: bool = False, force: bool = False) -> FormsWritten:
    """Write one form per unit (all units, or `units`) into `out_dir`. A form already there
    with other bytes is kept (it may be one a unit sent back filled in) unless `force`."""
    workspace = Path(workspace)
    bench, all_units = load_for_forms(workspace)
    by_code = {u.info.ma: u for u in all_units}
    chosen = all_units if not units else []
    for code in units or []:
        if code not in by_code:
            import difflib

            guess = difflib.get_close_matches(code, sorted(by_code), n=1)
            raise UserError(f"Không có đơn vị '{code}' trong don-vi/" + (f"; có phải '{guess[0]}'?" if guess else "."))
        chosen.append(by_code[code])
    programme = load_programme(workspace)
    existing: dict[str, Results] = {}
    if filled:
        existing = collect(workspace, bench.parent.targets(), [year]).reports.get(year, {})
    out = Path(out_dir)
    done = FormsWritten()
    for unit in chosen:
        spec = form_spec(bench, programme, unit, year, existing.get(unit.info.ma))
        target = out / form_name(unit.info.ma, year)
        data = form_bytes(spec, existing.get(unit.info.ma))
        if not force and read_regular(target, MAX_FORM_BYTES, what="biểu mẫu") not in (None, data):
            done.kept.append(target)
            continue
        atomic_write(target, data)
        done.written.append(target)
    _record_issued(workspace, year, [u.info.ma for u in chosen])
    return done


def _record_issued(workspace: Path, year: int, codes: list[str]) -> None:
    data = {"nam": year, "don_vi": sorted(issued_units(workspace, year) | set(codes))}
    atomic_write(workspace / RESULTS_DIR / str(year) / ISSUED,
                 (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def issued_units(workspace: Path, year: int) -> set[str]:
    """Units a form was made for in `year` (empty when none was, or the record is unreadable)."""
    try:
        raw = read_regular(workspace / RESULTS_DIR / str(year) / ISSUED, MAX_RECORD_BYTES,
                           what="tệp ghi nhận biểu mẫu")
        return set(json.loads(raw.decode("utf-8")).get("don_vi", [])) if raw is not None else set()
    except (UserError, OSError, ValueError, AttributeError, TypeError):
        return set()


def form_bytes(spec: FormSpec, results: Results | None = None) -> bytes:
    """The .xlsx of one form (deterministic: the same spec and results give the same bytes)."""
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE
    main = wb.create_sheet(MAIN)
    sheets = [wb.create_sheet(sheet.title) for sheet in spec.lists]
    meta = wb.create_sheet(META)
    _meta(meta, spec)
    _guide(guide, spec)
    _main(main, spec, results)
    labels = _countable_labels(spec)
    choices = f"'{META}'!$B${LABELS_ROW}:$B${LABELS_ROW - 1 + max(1, len(labels))}"
    for ws, sheet in zip(sheets, spec.lists):
        rows, rules = _list_rows(sheet, results, labels), {}
        if sheet.kind == "danh_sach":
            rules = {2: _list_rule(choices)}
        elif sheet.kind == "tap_the_ca_nhan":
            rules = {2: _list_rule(f'"{KIND_LABELS["tap_the"]},{KIND_LABELS["ca_nhan"]}"'), 5: _list_rule(f'"{YES},{NO}"')}
        widths = {"danh_sach": (50, 50, 30), "tap_the_ca_nhan": (40, 12, 50, 40, 14)}.get(sheet.kind, (70, 70))
        _list_sheet(ws, list(sheet.headers), widths, rows, rules)
    wb.active = 1
    wb.properties.creator = "kehoach-docs"
    return workbook_bytes(wb, datetime(spec.year, 12, 31))


def _list_rows(sheet: ListSheet, results: Results | None, labels: dict[str, str]) -> list[list]:
    """The rows already known for a list sheet (--dien-san)."""
    if results is None:
        return []
    if sheet.kind == "texts":
        columns = [list(getattr(results, f, []) or []) for f in sheet.fields]
        return [[c[i] if i < len(c) else None for c in columns] for i in range(max(map(len, columns), default=0))]
    items = getattr(results, sheet.fields[0], []) or []
    if sheet.kind == "danh_sach":
        return [[m.ten, labels.get(m.chi_tieu, m.chi_tieu), m.linh_vuc] for m in items]
    if sheet.kind == "tap_the_ca_nhan":
        return [[k.ten, KIND_LABELS[k.loai], k.thanh_tich, k.hinh_thuc, YES if k.de_nghi else NO] for k in items]
    return [[text] for text in items]


def _countable_labels(spec: FormSpec) -> dict[str, str]:
    """Target id → the label shown in the "Thuộc chỉ tiêu" list (unique)."""
    labels: dict[str, str] = {}
    for ma, ten in spec.countable.items():
        label = ten[:1].upper() + ten[1:]
        labels[ma] = label if label not in labels.values() else f"{label} ({ma})"
    return labels


def _meta(ws, spec: FormSpec) -> None:
    for row, (key, value) in enumerate([("phien_ban", 1), ("don_vi", spec.unit), ("ten_don_vi", spec.unit_name),
                                        ("nam", spec.year), ("ke_hoach", spec.fingerprint)], 1):
        set_value(ws.cell(row, 1), key)
        set_value(ws.cell(row, 2), value)
    for n, (ma, label) in enumerate(_countable_labels(spec).items()):
        set_value(ws.cell(LABELS_ROW + n, 1), ma)
        set_value(ws.cell(LABELS_ROW + n, 2), label)
    for n, sheet in enumerate(spec.lists):
        set_value(ws.cell(SHEETS_ROW + n, 1), ",".join(sheet.fields))
        set_value(ws.cell(SHEETS_ROW + n, 2), sheet.title)
        set_value(ws.cell(SHEETS_ROW + n, 3), sheet.kind)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _guide(ws, spec: FormSpec) -> None:
    lines = [
        f"BIỂU MẪU BÁO CÁO KẾT QUẢ NĂM {spec.year}",
        f"Đơn vị: {spec.unit_name}",
        f"Thực hiện: {spec.plan_name}",
        "",
        "Cách điền:",
        f"1. Trang “{MAIN}”: gõ kết quả vào các ô màu vàng. Ô để trống là chưa có số liệu (khác với số 0).",
        "2. Ô Có/Không: chọn trong danh sách. Ô số: chỉ gõ số (ví dụ 12 hoặc 95,6), không gõ chữ hay dấu %.",
        "3. Chỉ tiêu tính theo tỷ lệ: cột C là số đạt, cột D là tổng số.",
        f"4. Trang {', '.join(f'“{sheet.title}”' for sheet in spec.lists)}: mỗi dòng một mục; "
        "thêm dòng ở các ô màu vàng.",
        "5. Không đổi tên trang, không xóa dòng, không sửa trang ẩn: Văn phòng nhập biểu mẫu bằng chương trình.",
        "6. Lưu tệp (giữ định dạng .xlsx, giữ tên tệp) và gửi lại Văn phòng.",
    ]
    for n, line in enumerate(lines, 1):
        set_value(ws.cell(n, 1), line)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


def _rule(kind: str, row: int) -> DataValidation:
    """Excel's own check for one input cell (a pasted value skips it: nhap checks again)."""
    if kind == "yes_no":
        return _list_rule(f'"{YES},{NO}"')
    if kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)")
        message = "Gõ một ngày, dạng ngày/tháng/năm."
    elif kind == "percent":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        message = "Gõ một tỷ lệ phần trăm từ 0 đến 100, không gõ dấu %."
    elif kind == "rank":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
        message = "Gõ một số nguyên từ 1."
    elif kind == "count_of":
        dv = DataValidation(type="whole", operator="between", formula1="0", formula2=f"$D${row}")
        message = "Số đạt là số nguyên từ 0, không lớn hơn tổng số ở cột D (gõ tổng số trước)."
    elif kind == "number":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        message = "Gõ một số không âm."
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        message = "Gõ một số nguyên từ 0."
    dv.error, dv.errorTitle, dv.showErrorMessage = message, "Giá trị không hợp lệ", True
    dv.prompt, dv.showInputMessage = message, True
    return dv


def _list_rule(formula: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error, dv.errorTitle, dv.showErrorMessage = "Chọn một giá trị trong danh sách.", "Giá trị không hợp lệ", True
    return dv


def _input(ws, row: int, col: int, value, kind: str) -> None:
    cell = ws.cell(row, col)
    set_value(cell, value)
    cell.fill, cell.border, cell.protection = INPUT, BOX, Protection(locked=False)
    if kind == "date":
        cell.number_format = "dd/mm/yyyy"
    dv = _rule(kind, row)
    ws.add_data_validation(dv)
    dv.add(cell)


def _main(ws, spec: FormSpec, results: Results | None) -> None:
    set_value(ws["B1"], f"KẾT QUẢ THỰC HIỆN NĂM {spec.year}")
    ws["B1"].font = Font(bold=True, size=13)
    for row, (label, value) in enumerate([("Đơn vị:", spec.unit_name), ("Thực hiện:", spec.plan_name),
                                          ("Năm:", spec.year)], 2):
        set_value(ws.cell(row, 2), label)
        set_value(ws.cell(row, 3), value)
        ws.cell(row, 3).font = HEAD
    set_value(ws["B5"], "Chỉ gõ vào các ô màu vàng; ô để trống là chưa có số liệu.")
    headers = ["mã", "Nội dung", "Kết quả (số đạt)", "Tổng số", "Đơn vị tính", "Phải đạt", "Hướng dẫn"]
    for col, h in enumerate(headers, 1):
        cell = ws.cell(FIRST_ROW - 1, col)
        set_value(cell, h)
        cell.font, cell.border, cell.alignment = HEAD, BOX, Alignment(horizontal="center", wrap_text=True)
    values = _values(spec, results)
    row = FIRST_ROW
    for title, rows in (("I. CHỈ TIÊU", spec.targets), ("II. THÔNG TIN KHÁC", spec.other),
                        ("III. HOẠT ĐỘNG CỦA LỘ TRÌNH ĐÃ HOÀN THÀNH TRONG NĂM", spec.activities)):
        if not rows:
            continue
        set_value(ws.cell(row, 2), title)
        ws.cell(row, 2).font = HEAD
        row += 1
        for r in rows:
            _main_row(ws, row, r, values)
            row += 1
    for col, width in zip("ABCDEFG", (4, 60, 14, 12, 12, 14, 50)):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.protection.sheet = True


def _main_row(ws, row: int, r: Row, values: dict) -> None:
    set_value(ws.cell(row, 1), r.key)
    for col, text in ((2, r.label), (5, r.unit), (6, r.goal), (7, r.hint)):
        cell = ws.cell(row, col)
        set_value(cell, text or None)
        cell.alignment, cell.border = WRAP, BOX
    value = values.get(r.key)
    if r.cells == ("count", "count"):
        dat, tong = (value.dat, value.tong) if value is not None else (None, None)
        _input(ws, row, 3, dat, "count_of")
        _input(ws, row, 4, tong, "count")
        return
    kind = r.cells[0]
    if kind == "yes_no" and value is not None:
        value = YES if value else NO
    _input(ws, row, 3, value, kind)


def _values(spec: FormSpec, results: Results | None) -> dict:
    """The known value of each row of the main sheet, by its key (a dotted path in the results)."""
    if results is None:
        return {}
    out: dict = {f"chi_tieu.{k}": v for k, v in results.chi_tieu.items()}
    for row in spec.other:
        value = results
        for part in row.key.split("."):
            value = getattr(value, part, None)
        out[row.key] = value
    out |= {f"hoan_thanh.{a}": True for a in results.hoan_thanh}
    return out


def _list_sheet(ws, headers: list[str], widths: tuple, rows: list[list], rules: dict[int, DataValidation]) -> None:
    for col, h in enumerate(headers, 1):
        cell = ws.cell(1, col)
        set_value(cell, h)
        cell.font, cell.border, cell.alignment = HEAD, BOX, Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    last = 1 + len(rows) + LIST_ROWS
    for r in range(2, last + 1):
        values = rows[r - 2] if r - 2 < len(rows) else [None] * len(headers)
        for col, value in enumerate(values, 1):
            cell = ws.cell(r, col)
            set_value(cell, value)
            cell.fill, cell.border, cell.alignment = INPUT, BOX, WRAP
            cell.protection = Protection(locked=False)
    for col, dv in rules.items():
        ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{last}")
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
