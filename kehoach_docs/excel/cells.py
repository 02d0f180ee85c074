"""Cells a clerk's text goes into: text is always data, never a formula.

openpyxl stores a string beginning with "=" as a formula; a unit typing "=HYPERLINK(…)" in a form,
or a unit named so, would then become a live formula in every sheet we write. `text_cell` keeps
the exact text as a string cell. A CSV has no cell types, so `csv_text` prefixes such text with an
apostrophe, which Excel and LibreOffice show as text (the usual defence against CSV injection).
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def set_value(cell, value: Any) -> None:
    """Put `value` in an openpyxl cell; a string stays a string whatever it begins with."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def append_row(ws, values: list[Any]) -> None:
    """ws.append, with every string kept as text."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, 1):
        set_value(ws.cell(row, col), value)


def csv_text(value: Any) -> Any:
    """A CSV field that a spreadsheet opens as text, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
