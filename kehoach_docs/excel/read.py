"""`kehoach nhap`: read units' forms back into ket-qua/<năm>/<đơn vị>.yaml.

Everything is checked again (a pasted value skips Excel's validation), with the same schema and
target rules as a hand-written results file; every problem of every form is reported at once
as `so-noi-vu-2024.xlsx!C7: lỗi: …`. A form made from another plan or for another unit is
refused. A results file is replaced only when `kehoach nhap` wrote it and nobody changed it
since (its first lines carry the fingerprint of its body), unless `force`.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils import get_column_letter

from kehoach_docs.results.collect import check_result_year, check_results
from kehoach_docs.errors import WARNING, Problem, ProblemList, UserError, has_errors
from kehoach_docs.excel.form import (
    FIRST_ROW, KIND_LABELS, LABELS_ROW, MAIN, MAX_FORM_BYTES, META, load_for_forms,
)
from kehoach_docs.excel.spec import NO, YES, declared_rows, entries, fingerprint, list_sheets
from kehoach_docs.workspace.workspace import RESULTS_DIR
from kehoach_docs.load.yaml_source import MAX_BYTES, Loaded
from kehoach_docs.render.package_safety import check_bounds
from kehoach_docs.results.programme import Programme, load_programme
from kehoach_docs.schema.validate import problems_from
from kehoach_docs.safe_file import NotRegular
from kehoach_docs.workspace.write import atomic_write, read_regular

MARK = "# kehoach-nhap: "
MAX_FORM_INFLATED = 50 * 1024 * 1024
"""A form's parts once inflated (a real one is well under 1 MB): a zip bomb is refused unread."""
SHEET_ROWS = 1_000_000
"""Cells are located as line = sheet number × SHEET_ROWS + row, column = column (see place)."""

# Outcomes, as printed.
NEW, REPLACED, UNCHANGED, KEPT = "tạo mới", "thay", "không đổi", "giữ nguyên"


@dataclass
class Imported:
    form: Path
    target: Path
    status: str
    reason: str = ""


@dataclass
class ImportSummary:
    done: list[Imported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def kept(self) -> list[Imported]:
        return [d for d in self.done if d.status == KEPT]


class _Form:
    """One workbook being read: where each value came from, and the problems found."""

    def __init__(self, path: Path, sheets: list[str]) -> None:
        self.path = path
        self.name = path.name
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.positions: dict[tuple, tuple[int, int]] = {}

    def ref(self, sheet: str, row: int, col: int) -> str:
        cell = f"{get_column_letter(col)}{row}"
        return f"{self.name}!{cell}" if sheet == MAIN else f"{self.name}!'{sheet}'!{cell}"

    def fail(self, sheet: str, row: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.ref(sheet, row, col), 0, 0, "", message))

    def whole(self, message: str) -> None:
        self.problems.append(Problem(self.name, 0, 0, "", message))

    def place(self, loc: tuple, sheet: str, row: int, col: int) -> None:
        self.positions[loc] = (self.sheets.index(sheet) * SHEET_ROWS + row, col)

    def unplace(self, p: Problem) -> Problem:
        """A problem located by the schema (line/column) → its cell."""
        if not p.line:
            return Problem(self.name, 0, 0, "", p.message, p.level)
        sheet, row = divmod(p.line, SHEET_ROWS)
        return Problem(self.ref(self.sheets[sheet], row, p.column), 0, 0, "", p.message, p.level)


def import_forms(workspace: str | Path, files: list[Path], force: bool = False) -> ImportSummary:
    """Read every form, check it, and write the results files of the good ones."""
    workspace = Path(workspace)
    bench, units = load_for_forms(workspace)
    programme = load_programme(workspace)
    by_code = {u.info.ma: u for u in units}
    plan_print = fingerprint(bench, programme)
    targets = {t.ma: t for t in bench.parent.targets()}
    sheets = [MAIN] + [sheet.title for sheet in list_sheets(programme)]
    summary = ImportSummary()
    read: list[tuple[_Form, str, int, dict]] = []
    for path in files:
        form = _Form(Path(path), sheets)
        found = _read(form, programme, by_code, plan_print, targets)
        summary.problems += form.problems
        if found is not None and not has_errors(form.problems):
            read.append((form, *found))
    claimed: dict[tuple[str, int], list[_Form]] = {}
    for form, unit, year, _ in read:
        claimed.setdefault((unit, year), []).append(form)
    for (unit, year), forms in claimed.items():
        if len(forms) > 1:
            names = ", ".join(f.name for f in forms)
            summary.problems.append(Problem(names, 0, 0, "", f"Nhiều biểu mẫu của cùng đơn vị '{unit}' năm {year}; "
                                                          "chỉ nhập một tệp."))
    for form, unit, year, data in read:
        if len(claimed[(unit, year)]) > 1:
            continue
        target = workspace / RESULTS_DIR / str(year) / f"{unit}.yaml"
        try:
            summary.done.append(_write(form, target, data, by_code[unit].info.ten, force))
        except NotRegular as exc:  # one unwritable results file never stops the other forms
            summary.problems.append(Problem(target, 0, 0, "", f"Không ghi kết quả của {form.name}: {exc.reason}"))
        except UserError as exc:
            summary.problems.append(Problem(target, 0, 0, "", str(exc)))
        except OSError as exc:
            summary.problems.append(Problem(target, 0, 0, "", f"Không ghi được kết quả của {form.name}: "
                                                             f"{exc.strerror}."))
    return summary


def _read(form: _Form, programme: Programme, by_code: dict, plan_print: str,
          targets: dict) -> tuple[str, int, dict] | None:
    wb = _open_workbook(form)
    if wb is None:
        return None
    missing = [s for s in (*form.sheets, META) if s not in wb.sheetnames]
    meta = {str(r[0].value): r[1].value for r in wb[META].iter_rows(min_row=1, max_row=10, max_col=2)
            if r[0].value is not None} if META in wb.sheetnames else {}
    unit, year = meta.get("don_vi"), meta.get("nam")
    # Another plan's form has other sheets too: say what it is before what it lacks.
    if META in wb.sheetnames and meta.get("ke_hoach") != plan_print:
        form.whole("Biểu mẫu được tạo từ kế hoạch khác, hoặc trước khi chỉ tiêu, lộ trình của kế hoạch thay đổi; "
                   "không nhập. Hãy gửi đơn vị biểu mẫu mới (kehoach bieu-mau).")
        return None
    if missing:
        form.whole("Không phải biểu mẫu do kehoach bieu-mau tạo (thiếu trang: " +
                   ", ".join(f"“{s}”" for s in missing) + "); không đổi tên hay xóa trang của biểu mẫu.")
        return None
    if unit not in by_code or not isinstance(year, int):
        form.whole(f"Biểu mẫu của đơn vị '{unit}', không có trong don-vi/ của thư mục này; không nhập.")
        return None
    stem = form.path.stem
    named = re.sub(r"-\d{4}$", "", stem)
    if named != unit and named in by_code:
        form.whole(f"Tệp mang tên đơn vị '{named}' nhưng là biểu mẫu của đơn vị '{unit}' "
                   f"({by_code[unit].info.ten}); không nhập. Hãy kiểm tra đơn vị đã gửi nhầm biểu mẫu.")
        return None
    main = wb[MAIN]
    shown = main.cell(2, 3).value
    if shown != by_code[unit].info.ten:
        form.fail(MAIN, 2, 3, f"Biểu mẫu ghi đơn vị '{shown}', phần ẩn ghi '{by_code[unit].info.ten}'; "
                              "không nhập biểu mẫu đã bị sửa phần khóa.")
        return None
    _refuse_formulas(form, wb)
    data: dict[str, Any] = {"nam": year}
    _read_main(form, main, data, targets, {r.key: r.cells[0] for r in declared_rows(programme)})
    labels = {str(r[1].value): str(r[0].value)
              for r in wb[META].iter_rows(min_row=LABELS_ROW, max_row=LABELS_ROW + 78, max_col=2)
              if r[0].value is not None}
    for sheet in list_sheets(programme):
        READERS[sheet.kind](form, wb[sheet.title], sheet, data, labels)
    if form.problems:
        return None
    if set(data) == {"nam"}:
        form.problems.append(Problem(form.name, 0, 0, "", "Biểu mẫu chưa điền số liệu nào; không nhập "
                                     "(đơn vị vẫn tính là chưa báo cáo).", WARNING))
        return None
    from pydantic import ValidationError

    model = programme.results_model()
    ordered = {k: data[k] for k in model.model_fields if k in data}
    loaded = Loaded(form.path, ordered, dict(form.positions))
    try:
        results = model.model_validate(ordered)
    except ValidationError as exc:
        form.problems += [form.unplace(p) for p in problems_from(exc, loaded, model)]
        return None
    found = check_results(loaded, results, targets, year, office=False, programme=programme)
    found += check_result_year(loaded, results, by_code[unit].record)
    form.problems += [form.unplace(p) for p in found]
    return unit, year, ordered


def _open_workbook(form: _Form):
    """The workbook of a form, read as a bounded regular file (a link the clerk made is
    followed, a FIFO or device refused), its zip bounded before anything is inflated and no
    XML part with a <!DOCTYPE> (entities); None, with the reason in `form`, otherwise."""
    from openpyxl import load_workbook

    try:
        raw = read_regular(form.path, MAX_FORM_BYTES, what="biểu mẫu", follow=True)
    except NotRegular as exc:
        form.whole(f"Không đọc được: {exc.reason}")
        return None
    except UserError as exc:
        form.whole(str(exc))
        return None
    except OSError as exc:
        form.whole(f"Không đọc được tệp: {exc.strerror}.")
        return None
    if raw is None:
        form.whole("Không tìm thấy tệp.")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            check_bounds(zf.infolist(), form.name, MAX_FORM_INFLATED, kind=".xlsx")
            if any(b"<!DOCTYPE" in zf.read(i).upper() for i in zf.infolist()
                   if i.filename.endswith((".xml", ".rels"))):
                form.whole("Tệp Excel có khai báo <!DOCTYPE> trong một phần XML: không phải tệp Excel "
                           "lưu bình thường; không nhập.")
                return None
        # Not data_only: a formula's cached value may be absent (a file never opened in Excel) or
        # stale, and reading it as None would drop the field silently. Formulas are refused instead.
        return load_workbook(io.BytesIO(raw))
    except ProblemList as exc:
        form.problems += exc.problems
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError, RuntimeError,
            NotImplementedError) as exc:
        form.whole(f"Không đọc được tệp Excel ({exc.__class__.__name__}); hãy lưu lại dạng .xlsx.")
    return None


# ---- cell values ---------------------------------------------------------------------------------

def _refuse_formulas(form: _Form, wb) -> None:
    """Report every formula or error value in an input sheet, then blank it (reported once, never read)."""
    for title in form.sheets:
        for row in wb[title].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    form.fail(title, cell.row, cell.column,
                              "ô có công thức; chỉ gõ hoặc dán giá trị (Dán đặc biệt → Giá trị), không dùng công thức.")
                elif cell.data_type == "e":
                    form.fail(title, cell.row, cell.column,
                              f"ô có giá trị lỗi '{cell.value}'; gõ lại giá trị.")
                else:
                    continue
                cell.value = None


class _Bad(Exception):
    pass


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Bad(f"'{value}' không phải số")
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip().replace("\u00a0", "")
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+,\d+", text):
        return float(text.replace(",", "."))
    hint = " (không gõ dấu %)" if text.endswith("%") else ""
    raise _Bad(f"ô số nhưng có chữ '{text}'; chỉ gõ số{hint}")


def _whole(value: Any, low: int) -> int:
    n = _number(value)
    if not float(n).is_integer():
        raise _Bad(f"'{n}' phải là số nguyên")
    if n < low:
        raise _Bad(f"'{int(n)}' phải từ {low} trở lên")
    return int(n)


def _cell(kind: str, value: Any) -> Any:
    if kind == "yes_no":
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in (YES.casefold(), NO.casefold()):
            return text == YES.casefold()
        raise _Bad(f"'{value}' không phải Có hoặc Không; chọn trong danh sách")
    if kind in ("count", "count_of"):
        return _whole(value, 0)
    if kind == "rank":
        return _whole(value, 1)
    if kind == "percent":
        n = _number(value)
        if not 0 <= n <= 100:
            raise _Bad(f"tỷ lệ '{n}' phải từ 0 đến 100")
        return n
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        from kehoach_docs.schema.common import parse_date

        try:
            parsed = parse_date(str(value).strip())
            return parsed if isinstance(parsed, date) else date.fromisoformat(str(parsed))
        except ValueError:
            raise _Bad(f"'{value}' không phải ngày (dạng 06/11/2024)") from None
    n = _number(value)
    if n < 0:
        raise _Bad(f"'{n}' phải không âm")
    return n


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_main(form: _Form, ws, data: dict, targets: dict, kinds: dict[str, str]) -> None:
    for row in range(FIRST_ROW, ws.max_row + 1):
        key = ws.cell(row, 1).value
        if key is None:
            continue
        key = str(key)
        c, d = ws.cell(row, 3).value, ws.cell(row, 4).value
        section, _, name = key.partition(".")
        try:
            if section == "chi_tieu":
                t = targets.get(name)
                if t is None:
                    form.fail(MAIN, row, 2, f"Chỉ tiêu '{name}' không còn trong kế hoạch.")
                    continue
                cells = entries(t)
                if cells == ("count", "count"):
                    if _blank(c) and _blank(d):
                        continue
                    if _blank(c) or _blank(d):
                        col = 3 if _blank(c) else 4
                        form.fail(MAIN, row, col, "thiếu " + ("số đạt" if col == 3 else "tổng số") +
                                  " (chỉ tiêu tỷ lệ cần cả số đạt ở cột C và tổng số ở cột D)")
                        continue
                    dat, tong = _at(form, row, 3, "count", c), _at(form, row, 4, "count", d)
                    if dat is not None and tong is not None and dat > tong:
                        form.fail(MAIN, row, 3, f"số đạt ({dat}) lớn hơn tổng số ({tong}, ô D{row}).")
                    elif dat is not None and tong is not None:
                        data.setdefault("chi_tieu", {})[name] = {"dat": dat, "tong": tong}
                        form.place(("chi_tieu", name), MAIN, row, 3)
                        form.place(("chi_tieu", name, "dat"), MAIN, row, 3)
                        form.place(("chi_tieu", name, "tong"), MAIN, row, 4)
                    continue
                if not _blank(c) and (v := _at(form, row, 3, cells[0], c)) is not None:
                    data.setdefault("chi_tieu", {})[name] = v
                    form.place(("chi_tieu", name), MAIN, row, 3)
            elif section == "hoan_thanh":
                if not _blank(c) and _at(form, row, 3, "yes_no", c):
                    form.place(("hoan_thanh", len(data.setdefault("hoan_thanh", []))), MAIN, row, 3)
                    data["hoan_thanh"].append(name)
            elif key in kinds:
                if not _blank(c) and (v := _at(form, row, 3, kinds[key], c)) is not None:
                    if name:
                        data.setdefault(section, {})[name] = v
                        form.place((section, name), MAIN, row, 3)
                        form.positions.setdefault((section,), (row, 3))
                    else:
                        data[key] = v
                        form.place((key,), MAIN, row, 3)
            else:
                form.fail(MAIN, row, 1, f"Dòng '{key}' không có trong biểu mẫu; không thêm, xóa dòng ở trang này.")
        except _Bad as exc:  # pragma: no cover - _at reports
            form.fail(MAIN, row, 3, str(exc))


def _at(form: _Form, row: int, col: int, kind: str, value: Any, sheet: str = MAIN) -> Any:
    try:
        return _cell(kind, value)
    except _Bad as exc:
        form.fail(sheet, row, col, str(exc) + ".")
        return None


def _text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _rows(ws, width: int):
    for row in range(2, ws.max_row + 1):
        values = [ws.cell(row, c).value for c in range(1, width + 1)]
        if not all(_blank(v) for v in values):
            yield row, values


def _read_items(form: _Form, ws, sheet, data: dict, labels: dict[str, str]) -> None:
    """A declared list whose items count toward a target: ten, chi_tieu (its label), linh_vuc."""
    name, title, ids = sheet.fields[0], sheet.title, set(labels.values())
    for row, (ten, target, field_) in _rows(ws, 3):
        n = len(data.setdefault(name, []))
        label = _text(target)
        ma = labels.get(label or "", label if label in ids else None)
        if _blank(ten):
            form.fail(title, row, 1, "thiếu tên.")
        if ma is None:
            choices = "; ".join(f"“{k}”" for k in labels) or "(kế hoạch không có chỉ tiêu đếm của từng cơ sở)"
            form.fail(title, row, 2, ("thiếu chỉ tiêu" if label is None else
                                      f"'{label}' không phải chỉ tiêu đếm của từng cơ sở") + f"; chọn: {choices}.")
        item = {"ten": _text(ten), "chi_tieu": ma}
        if not _blank(field_):
            item["linh_vuc"] = _text(field_)
        data[name].append(item)
        for i, key in enumerate(("ten", "chi_tieu", "linh_vuc"), 1):
            form.place((name, n, key), title, row, i)
        form.place((name, n), title, row, 1)


def _read_people(form: _Form, ws, sheet, data: dict, labels: dict[str, str]) -> None:
    """A declared list of groups and persons: ten, loai, thanh_tich, hinh_thuc, de_nghi."""
    name, title = sheet.fields[0], sheet.title
    kinds = {v.casefold(): k for k, v in KIND_LABELS.items()}
    for row, (ten, kind, feat, how, propose) in _rows(ws, 5):
        n = len(data.setdefault(name, []))
        loai = kinds.get(str(kind).strip().casefold()) if not _blank(kind) else None
        if _blank(ten):
            form.fail(title, row, 1, "thiếu tên tập thể, cá nhân.")
        if loai is None:
            form.fail(title, row, 2, f"'{kind or ''}' không phải Tập thể hoặc Cá nhân; chọn trong danh sách.")
        item: dict[str, Any] = {"ten": _text(ten), "loai": loai}
        if not _blank(feat):
            item["thanh_tich"] = _text(feat)
        if not _blank(how):
            item["hinh_thuc"] = _text(how)
        if not _blank(propose) and _at(form, row, 5, "yes_no", propose, title):
            item["de_nghi"] = True
        data[name].append(item)
        for i, key in enumerate(("ten", "loai", "thanh_tich", "hinh_thuc", "de_nghi"), 1):
            form.place((name, n, key), title, row, i)
        form.place((name, n), title, row, 1)


def _read_texts(form: _Form, ws, sheet, data: dict, labels: dict[str, str]) -> None:
    """One text field per column (one text per cell, in row order)."""
    for col, name in enumerate(sheet.fields, 1):
        for row in range(2, ws.max_row + 1):
            text = _text(ws.cell(row, col).value)
            if text is not None:
                form.place((name, len(data.setdefault(name, []))), sheet.title, row, col)
                data[name].append(text)


READERS = {"danh_sach": _read_items, "tap_the_ca_nhan": _read_people, "doan": _read_texts, "texts": _read_texts}


# ---- results files -------------------------------------------------------------------------------

def results_yaml(data: dict, unit_name: str, form: str) -> bytes:
    """The results file: a header naming its form and the fingerprint of its body, then the body."""
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=None)
    head = (f"# {unit_name}: kết quả năm {data['nam']}, nhập từ biểu mẫu {form} (kehoach nhap).\n"
            f"# Sửa tay tệp này thì lần nhập sau cần --force mới thay.\n"
            f"{MARK}{_digest(body)}\n")
    return (head + body).encode("utf-8")


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]


def written_by_import(text: str) -> bool | None:
    """True: written by kehoach nhap and unchanged since; False: changed since; None: hand-written."""
    lines = text.split("\n")
    for n, line in enumerate(lines[:5]):
        if line.startswith(MARK):
            return line[len(MARK):].strip() == _digest("\n".join(lines[n + 1:]))
    return None


def _write(form: _Form, target: Path, data: dict, unit_name: str, force: bool) -> Imported:
    new = results_yaml(data, unit_name, form.name)
    old = read_regular(target, MAX_BYTES, what="tệp kết quả", follow=True)
    if old is not None:
        if old == new:
            return Imported(form.path, target, UNCHANGED)
        state = written_by_import(old.decode("utf-8", "replace"))
        if state is not True and not force:
            why = "được viết tay" if state is None else "đã bị sửa sau lần nhập trước"
            return Imported(form.path, target, KEPT, f"{target} {why}; không thay. Thêm --force để thay bằng "
                                                     "số liệu của biểu mẫu")
        atomic_write(target, new)
        return Imported(form.path, target, REPLACED, "" if state is True else "thay tệp sửa tay (--force)")
    atomic_write(target, new)
    return Imported(form.path, target, NEW)
