"""Collecting units' results in Excel: `write_forms` (kehoach bieu-mau) makes one form per unit
and year from the plan's declared targets; `import_forms` (kehoach nhap) reads them back into
ket-qua/<năm>/<đơn vị>.yaml, checking everything again."""

from kehoach_docs.excel.form import form_name, issued_units, write_forms
from kehoach_docs.excel.read import ImportSummary, import_forms

__all__ = ["ImportSummary", "form_name", "import_forms", "issued_units", "write_forms"]
