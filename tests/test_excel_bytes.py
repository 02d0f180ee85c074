"""Workbooks we write are the same bytes for the same content: no clock inside. openpyxl's
save stamped the time into docProps/core.xml and every zip entry, so a form made again a
second later differed and `bieu-mau` took an unchanged form for one a unit had filled in."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from kehoach_docs.excel import write_forms
from kehoach_docs.excel.save import workbook_bytes
from kehoach_docs.results.status import to_xlsx, unit_status

from helpers import sample_subset


def _clock_free(data: bytes, day: date) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(day.year, day.month, day.day, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core)
    assert stamps == [f"{day:%Y-%m-%d}T00:00:00Z"] * 2, core


def test_a_status_table_has_the_day_of_its_data_not_the_clock(sample_ws):
    day = date(2023, 12, 31)
    _clock_free(to_xlsx(unit_status(sample_ws, day), day), day)


def test_a_form_has_the_end_of_its_year_not_the_clock(tmp_path):
    ws = sample_subset(tmp_path, ["so-noi-vu"])
    write_forms(ws, 2023, tmp_path / "forms", ["so-noi-vu"])
    (form,) = (tmp_path / "forms").glob("*.xlsx")
    _clock_free(form.read_bytes(), date(2023, 12, 31))


def test_workbook_bytes_keep_the_workbook_readable():
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    wb.active["A1"] = "Sở Nội vụ"
    data = workbook_bytes(wb, datetime(2024, 1, 1))
    assert data == workbook_bytes(wb, datetime(2024, 1, 1))
    back = load_workbook(io.BytesIO(data))
    assert back.active["A1"].value == "Sở Nội vụ" and back.properties.modified == datetime(2024, 1, 1)
