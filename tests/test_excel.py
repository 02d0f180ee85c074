"""Excel collection: `kehoach bieu-mau` forms and `kehoach nhap` back into ket-qua/.

The round trip is measured on the sample: forms filled from the results, the YAML removed, the
forms imported, and every report built again is byte-identical."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kehoach_docs.cli import main
from kehoach_docs.workspace.workspace import RESULTS_DIR
from kehoach_docs.results.programme import load_programme
from kehoach_docs.workspace.build import build_workspace

from helpers import few_or_every, sample_subset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04"
YEAR = 2023
UNITS = ("so-noi-vu", "so-tai-chinh", "so-tu-phap")
"""The units the form tests name (a form takes about 50 ms to make)."""
ROUND_TRIP = ("so-noi-vu", "so-tu-phap", "truong-cao-dang-y-te-nghe-an")
"""Two units that reported in 2023 and one that did not (its form comes back empty)."""


@pytest.fixture
def ws(tmp_path) -> Path:
    """The sample with the units the tests name (the round trip runs on every unit too)."""
    return sample_subset(tmp_path, UNITS)


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def forms(ws: Path, out: Path, *extra: str) -> list[Path]:
    done = run("bieu-mau", ws, "--nam", YEAR, "--out", out, *extra)
    assert done.exit_code == 0, done.output
    return sorted(out.glob("*.xlsx"))


def row_of(sheet, key: str) -> int:
    """The row whose hidden key (column A) is `key`, found by scanning (independent of the writer)."""
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == key:
            return row
    raise AssertionError(key)


def edit(path: Path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


@pytest.mark.parametrize("subset", few_or_every(ROUND_TRIP))
def test_round_trip_gives_byte_identical_reports(subset, tmp_path):
    ws = sample_subset(tmp_path, subset)
    before = build_workspace(ws, tmp_path / "before", workers=1)
    assert not before.failed
    made = forms(ws, tmp_path / "forms", "--dien-san")
    units = sorted(p.stem for p in (ws / "don-vi").glob("*.yaml"))
    assert [p.name for p in made] == [f"{u}-{YEAR}.xlsx" for u in units]
    year_dir = ws / RESULTS_DIR / str(YEAR)
    office = load_programme(ws).tep_van_phong
    reported = sorted(p for p in year_dir.glob("*.yaml") if p.stem != office)
    assert len(reported) > (50 if len(units) == 64 else 1) and len(reported) < len(units)  # both kinds of unit
    for p in reported:
        p.unlink()
    done = run("nhap", ws, *made)
    assert done.exit_code == 0, done.output
    assert sorted(p for p in year_dir.glob("*.yaml") if p.stem != office) == reported
    # Units that never reported got an empty form: not imported, still "not reported".
    assert done.output.count("chưa điền số liệu nào") == len(units) - len(reported)
    after = build_workspace(ws, tmp_path / "after", workers=1)
    assert not after.failed
    docs = sorted(p.relative_to(tmp_path / "before") for p in (tmp_path / "before").rglob("*.docx"))
    assert docs and any(d.parts[0] == "bao-cao" for d in docs)
    differ = [str(d) for d in docs if (tmp_path / "before" / d).read_bytes() != (tmp_path / "after" / d).read_bytes()]
    assert differ == []
    # Importing the same forms again changes nothing.
    again = run("nhap", ws, *made)
    assert again.exit_code == 0 and again.output.count("không đổi:") == len(reported)


def test_form_cells_have_validation_by_kind_and_a_hidden_sheet(ws, tmp_path):
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu")[0]
    wb = load_workbook(path)
    meta = wb["_kehoach"]
    assert meta.sheet_state == "hidden"
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)}
    assert values["don_vi"] == "so-noi-vu" and values["nam"] == YEAR and len(values["ke_hoach"]) == 16
    main_ = wb["Kết quả"]
    assert main_.protection.sheet and main_["B1"].protection.locked
    rules = {}
    for dv in main_.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            rules[rng.coord] = dv
    ratio = row_of(main_, "chi_tieu.tthc_nhanh_dung_hieu_qua")
    assert (rules[f"C{ratio}"].type, rules[f"C{ratio}"].formula2) == ("whole", f"$D${ratio}")
    assert (rules[f"D{ratio}"].type, rules[f"D{ratio}"].operator) == ("whole", "greaterThanOrEqual")
    share = row_of(main_, "chi_tieu.hai_long_tthc")
    assert (rules[f"C{share}"].type, rules[f"C{share}"].formula1, rules[f"C{share}"].formula2) == \
        ("decimal", "0", "100")
    yes_no = row_of(main_, "chi_tieu.cap_uy_co_ke_hoach")
    assert rules[f"C{yes_no}"].type == "list" and rules[f"C{yes_no}"].formula1 == '"Có,Không"'
    assert not main_[f"C{yes_no}"].protection.locked
    # Office-only targets (ranks of the whole province) are not asked of a unit.
    assert all(main_.cell(r, 1).value != "chi_tieu.par_index" for r in range(1, main_.max_row + 1))


def test_every_problem_at_once_with_file_and_cell(ws, tmp_path):
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--dien-san")[0]
    wb = load_workbook(path)
    sheet = wb["Kết quả"]
    sessions, ratio = row_of(sheet, "quan_triet.so_buoi"), row_of(sheet, "chi_tieu.tthc_nhanh_dung_hieu_qua")
    share = row_of(sheet, "chi_tieu.hai_long_tthc")
    wb["Kết quả"][f"C{sessions}"] = "hai buổi"      # text pasted into a number cell
    wb["Kết quả"][f"C{ratio}"] = 2000                # more than the total (1.928)
    wb["Kết quả"][f"C{share}"] = 120                 # a percentage above 100
    wb["Mô hình"]["B2"] = "mô hình không có"         # not a countable target
    wb.save(path)
    before = (ws / RESULTS_DIR / str(YEAR) / "so-noi-vu.yaml").read_bytes()
    done = run("nhap", ws, path)
    assert done.exit_code == 1
    name = path.name
    assert f"{name}!C{sessions}: lỗi: ô số nhưng có chữ 'hai buổi'" in done.output
    assert f"{name}!C{ratio}: lỗi:" in done.output and "lớn hơn tổng số" in done.output
    assert f"{name}!C{share}: lỗi: tỷ lệ '120' phải từ 0 đến 100" in done.output
    assert f"{name}!'Mô hình'!B2: lỗi:" in done.output
    assert done.output.count(": lỗi:") == 4
    assert (ws / RESULTS_DIR / str(YEAR) / "so-noi-vu.yaml").read_bytes() == before


def test_refuses_another_plans_and_another_units_form(ws, tmp_path):
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--dien-san")[0]
    other = tmp_path / "khac"
    assert run("init", other).exit_code == 0
    shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", other / "don-vi" / "so-noi-vu.yaml")
    done = run("nhap", other, path)
    assert done.exit_code == 1 and f"{path.name}: lỗi: Biểu mẫu được tạo từ kế hoạch khác" in done.output
    renamed = tmp_path / f"so-tu-phap-{YEAR}.xlsx"
    shutil.copy(path, renamed)
    done = run("nhap", ws, renamed)
    assert done.exit_code == 1 and "mang tên đơn vị 'so-tu-phap' nhưng là biểu mẫu của đơn vị 'so-noi-vu'" in done.output


def test_never_replaces_hand_written_or_changed_results_without_force(ws, tmp_path):
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--dien-san")[0]
    target = ws / RESULTS_DIR / str(YEAR) / "so-noi-vu.yaml"
    hand = target.read_bytes()
    edit(path, "Kết quả", "C3", None)  # locked cells are not read back; nothing changes
    kept = run("nhap", ws, path)
    assert kept.exit_code == 1 and "được viết tay; không thay" in kept.output and target.read_bytes() == hand
    forced = run("nhap", ws, path, "--force")
    assert forced.exit_code == 0 and "thay:" in forced.output and target.read_bytes() != hand
    assert run("nhap", ws, path).output.count("không đổi:") == 1
    target.write_text(target.read_text(encoding="utf-8").replace("95.6", "95.7"), encoding="utf-8")
    changed = run("nhap", ws, path)
    assert changed.exit_code == 1 and "đã bị sửa sau lần nhập trước" in changed.output
    assert "95.7" in target.read_text(encoding="utf-8")


def test_formula_like_text_stays_data(ws, tmp_path):
    trap = '=HYPERLINK("http://example.invalid","bấm vào đây")'
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--dien-san")[0]
    wb = load_workbook(path)
    wb["Nổi bật, hạn chế"]["A2"].value = trap
    wb["Nổi bật, hạn chế"]["A2"].data_type = "s"
    wb.save(path)
    assert run("nhap", ws, path, "--force").exit_code == 0
    again = forms(ws, tmp_path / "g", "--don-vi", "so-noi-vu", "--dien-san")[0]
    assert _is_text(_sheet_xml(again, "Nổi bật, hạn chế"), "A2")
    assert load_workbook(again)["Nổi bật, hạn chế"]["A2"].value == trap

    (ws / "don-vi" / "so-noi-vu.yaml").write_text(
        (ws / "don-vi" / "so-noi-vu.yaml").read_text(encoding="utf-8").replace("ten: Sở Nội vụ", f"ten: '{trap}'"),
        encoding="utf-8")
    done = run("status", ws, "--as-of", "31/12/2023", "--tat-ca", "--xlsx", tmp_path / "s.xlsx",
               "--csv", tmp_path / "s.csv")
    assert done.exit_code == 0, done.output
    row = next(r for r in range(3, 80) if load_workbook(tmp_path / "s.xlsx")["Tình hình"][f"B{r}"].value == trap)
    assert _is_text(_sheet_xml(tmp_path / "s.xlsx", "Tình hình"), f"B{row}")
    assert "'" + trap.replace('"', '""') in (tmp_path / "s.csv").read_text(encoding="utf-8")


def test_status_names_units_that_have_not_returned_their_form(ws, tmp_path):
    forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--don-vi", "so-tu-phap")
    (ws / RESULTS_DIR / str(YEAR) / "so-tu-phap.yaml").unlink()
    done = run("status", ws, "--as-of", "31/12/2023")
    assert "1 đơn vị chưa gửi lại biểu mẫu năm 2023: Sở Tư pháp." in done.output


def _sheet_xml(xlsx: Path, title: str) -> bytes:
    wb = load_workbook(xlsx)
    index = wb.sheetnames.index(title) + 1
    with zipfile.ZipFile(xlsx) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml")


def _is_text(sheet_xml: bytes, ref: str) -> bool:
    """The cell is stored as a string (shared or inline), with no formula."""
    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    cell = etree.fromstring(sheet_xml).find(f".//m:c[@r='{ref}']", ns)
    return cell is not None and cell.get("t") in ("s", "inlineStr", "str") and cell.find("m:f", ns) is None


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","1")', "=1+1"])
def test_a_formula_in_an_input_cell_is_refused_not_dropped(ws, tmp_path, formula):
    path = forms(ws, tmp_path / "f", "--don-vi", "so-noi-vu", "--dien-san")[0]
    wb = load_workbook(path)
    sheet = wb["Kết quả"]
    sessions = row_of(sheet, "quan_triet.so_buoi")
    assert sheet[f"C{sessions}"].value not in (None, "")  # the field had a value
    wb["Kết quả"][f"C{sessions}"] = formula          # openpyxl stores it as a formula, no cached value
    wb["Nổi bật, hạn chế"]["A2"] = "=A3"
    wb.save(path)
    assert load_workbook(path)["Kết quả"][f"C{sessions}"].data_type == "f"
    target = ws / RESULTS_DIR / str(YEAR) / "so-noi-vu.yaml"
    before = target.read_bytes()
    done = run("nhap", ws, path, "--force")
    assert done.exit_code == 1
    assert f"{path.name}!C{sessions}: lỗi: ô có công thức" in done.output
    assert f"{path.name}!'Nổi bật, hạn chế'!A2: lỗi: ô có công thức" in done.output
    assert done.output.count(": lỗi:") == 2
    assert target.read_bytes() == before


# ---- the file layer: never lose a unit's form, never block, never stop at one bad file ----------

TWO = ("so-noi-vu", "so-tai-chinh")


def two_forms(ws: Path, out: Path, *extra: str):
    return run("bieu-mau", ws, "--nam", YEAR, "--out", out, *[a for u in TWO for a in ("--don-vi", u)], *extra)


def test_bieu_mau_never_replaces_a_form_that_differs_without_force(ws, tmp_path):
    out = tmp_path / "forms"
    assert two_forms(ws, out).exit_code == 0
    filled, other = out / f"{TWO[0]}-{YEAR}.xlsx", out / f"{TWO[1]}-{YEAR}.xlsx"
    edit(filled, "Kết quả", "D7", 5)  # the unit filled its form in and sent it back here
    kept = filled.read_bytes()
    again = two_forms(ws, out)
    assert again.exit_code == 1
    assert filled.read_bytes() == kept
    assert str(filled) in again.output and "--force" in again.output
    assert str(other) not in again.output  # the same bytes again: written, not "kept"
    forced = two_forms(ws, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert filled.read_bytes() != kept


def test_nhap_refuses_a_fifo_and_a_doctype_and_goes_on_with_the_others(ws, tmp_path):
    import os

    out = tmp_path / "forms"
    assert two_forms(ws, out, "--dien-san").exit_code == 0
    good, bad = out / f"{TWO[0]}-{YEAR}.xlsx", out / f"{TWO[1]}-{YEAR}.xlsx"
    fifo = out / f"fifo-{YEAR}.xlsx"
    os.mkfifo(fifo)  # would block a plain open() forever
    entity = out / f"entity-{YEAR}.xlsx"
    with zipfile.ZipFile(bad) as src, zipfile.ZipFile(entity, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                head, sep, rest = data.partition(b"?>") if data.startswith(b"<?xml") else (b"", b"", data)
                data = head + sep + b'<!DOCTYPE x [<!ENTITY a "b">]>' + rest
            dst.writestr(info, data)
    (ws / RESULTS_DIR / str(YEAR) / f"{TWO[0]}.yaml").unlink()
    done = run("nhap", ws, good, fifo, entity)
    assert done.exit_code == 1
    assert f"{fifo.name}: lỗi: Không đọc được: đây là một đường ống (FIFO)" in done.output
    assert f"{entity.name}: lỗi:" in done.output and "<!DOCTYPE>" in done.output
    assert (ws / RESULTS_DIR / str(YEAR) / f"{TWO[0]}.yaml").is_file()  # the good form went in


def test_nhap_goes_on_when_one_results_file_cannot_be_written(ws, tmp_path):
    out = tmp_path / "forms"
    assert two_forms(ws, out, "--dien-san").exit_code == 0
    year_dir = ws / RESULTS_DIR / str(YEAR)
    outside = tmp_path / "outside.yaml"
    outside.write_text("nam: 2023\n", encoding="utf-8")
    first = year_dir / f"{TWO[0]}.yaml"
    first.unlink()
    first.symlink_to(outside)  # a link in ket-qua/: never written through
    (year_dir / f"{TWO[1]}.yaml").unlink()
    done = CliRunner().invoke(main, ["nhap", str(ws), "--force", *map(str, sorted(out.glob("*.xlsx")))])
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output and "Lỗi nội bộ" not in done.output
    assert f"{first}: lỗi: Không ghi kết quả của {TWO[0]}-{YEAR}.xlsx" in done.output
    assert outside.read_text(encoding="utf-8") == "nam: 2023\n"
    assert (year_dir / f"{TWO[1]}.yaml").is_file()  # the other form went in


def test_a_form_is_the_same_bytes_whenever_it_is_made(ws, tmp_path):
    """openpyxl stamps the save time (core properties, zip entries: 2-second resolution);
    a form must not depend on it, or an untouched form would look filled in."""
    import time

    first = two_forms(ws, tmp_path / "a")
    time.sleep(2.1)
    second = two_forms(ws, tmp_path / "b")
    assert first.exit_code == second.exit_code == 0
    for unit in TWO:
        name = f"{unit}-{YEAR}.xlsx"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
