"""A workbook as bytes, the same for the same content.

openpyxl's `Workbook.save` writes the clock twice: into docProps/core.xml (`modified`,
whatever the workbook says) and into every zip entry's time. A form or a status table made
again a second later then differed from the first: `bieu-mau` took its own unchanged forms
for ones a unit had filled in. Here the date is the caller's, from the data.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl.writer.excel import ExcelWriter


def workbook_bytes(wb, stamp: datetime) -> bytes:
    """The .xlsx of `wb`, created and modified at `stamp`, every zip entry dated `stamp`'s day."""
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()  # closes it
    day = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=day)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info))
    return out.getvalue()
