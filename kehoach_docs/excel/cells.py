"""Cells a clerk's text goes into: text is always data, never a formula.

openpyxl stores a string beginning with "=" as a formula; a unit typing "=HYPERLINK(…)" in a form
would then become a live formula in the next form we write. `set_value` keeps the exact text as
a string cell (CSV files get an apostrophe instead: status.as_data).
"""

from __future__ import annotations

from typing import Any


def set_value(cell, value: Any) -> None:
    """Put `value` in an openpyxl cell; a string stays a string whatever it begins with."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
