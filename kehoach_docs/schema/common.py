"""Building blocks shared by every document schema: text types, dates, references."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator,
)

from kehoach_docs.format.vn import nfc

# Jinja resolves these names to dict methods before keys: never use them as field names.
SHADOWING_NAMES = frozenset(dir(dict)) | {"items", "keys", "values", "get", "update", "pop"}

# Characters refused in any text field (a hidden character usually means a bad paste):
# control characters but tab and newline (C0 with CR, DEL, C1), zero-width space and BOM,
# Unicode line/paragraph separators (a line break that is not a newline), and what XML
# cannot carry at all (lone surrogates, U+FFFE, U+FFFF).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff"
                      "\ud800-\udfff\ufffe\uffff]")
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    """Strict base: unknown keys are errors (reported with a 'did you mean')."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # YAML reads "yes"/"no"/"true" as booleans, and pydantic would take True as 1.
        if isinstance(value, bool) and info.field_name:
            annotation = cls.model_fields[info.field_name].annotation
            if _takes_numbers(annotation) and not _takes(annotation, bool):
                raise ValueError("phải là số, không phải đúng/sai (YAML đọc yes/no/true/false là "
                                 "đúng/sai)")
        return value

    # Attribute docstrings become field descriptions: docs/du-lieu.md is generated from them.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=False,
                              use_attribute_docstrings=True)


def _takes(annotation: Any, kind: type) -> bool:
    from typing import get_args
    return annotation is kind or any(_takes(a, kind) for a in get_args(annotation))


def _takes_numbers(annotation: Any) -> bool:
    return _takes(annotation, int) or _takes(annotation, float)


def _clean_text(value: str) -> str:
    value = nfc(value)
    bad = _CONTROL.search(value)
    if bad:
        # Rejected, not silently dropped: a hidden character usually means a bad paste.
        raise ValueError(f"{_hidden_kind(bad.group())} U+{ord(bad.group()):04X} ở vị trí {bad.start() + 1}"
                         " (thường do sao chép từ nơi khác); hãy xóa ký tự này")
    if not value.strip():
        raise ValueError("không được để trống")
    return value


def _hidden_kind(ch: str) -> str:
    if ch in "\u2028\u2029":
        return "ký tự ngắt dòng đặc biệt"
    if ch in "\u200b\ufeff":
        return "ký tự ẩn không độ rộng"
    if "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff":
        return "ký tự không hợp lệ"
    return "ký tự điều khiển ẩn"


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("phải viết trên một dòng")
    return value


def _fold_lines(value: str) -> str:
    # A wrapped title is one paragraph: line breaks inside it are spaces.
    return " ".join(part.strip() for part in value.split("\n") if part.strip())


Text = Annotated[str, AfterValidator(_clean_text)]
"""A paragraph of text; newlines are allowed where the field says so."""

Line = Annotated[str, AfterValidator(_clean_text), AfterValidator(_one_line)]
"""A single line: names, titles, symbols."""

FoldedText = Annotated[str, AfterValidator(_clean_text), AfterValidator(_fold_lines)]
"""Text that may be wrapped in the YAML file but is one paragraph in the document."""

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]


def parse_date(value: Any) -> Any:
    """Accept ISO dates (2021-12-10) and the way clerks write them (10/12/2021)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value)
        if m:
            day, month, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"ngày không có thật: {value.strip()}") from exc
    return value


def parse_day(text: str) -> date:
    """A day as a clerk writes it (31/12/2023) or ISO (2023-12-31), e.g. an option's value;
    UserError when it is neither."""
    from kehoach_docs.errors import UserError

    try:
        day = parse_date(text)
        return day if isinstance(day, date) else date.fromisoformat(str(day))
    except ValueError:
        raise UserError(f"Ngày '{text}' không đúng dạng 31/12/2023 hoặc 2023-12-31.") from None


FIRST_YEAR, LAST_YEAR = 1945, 2100
"""Years a document's dates may fall in (Due uses the same): 2200 is a typo."""


def _plausible_date(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"năm {value.year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; có viết nhầm không")
    return value


Date = Annotated[date, BeforeValidator(parse_date), AfterValidator(_plausible_date)]


def _parse_due(value: Any) -> Any:
    """A deadline: "Q4/2021" (quarter), "12/2021" (month) or "2022" (year)."""
    if isinstance(value, (dict, BaseModel)):
        return value
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("thời hạn phải có dạng Q4/2021, 12/2021 hoặc 2022")
    s = value.strip().upper()
    if m := re.fullmatch(r"Q([1-4])/(\d{4})", s):
        return {"quy": int(m[1]), "nam": int(m[2])}
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", s):
        if 1 <= int(m[1]) <= 12:
            return {"thang": int(m[1]), "nam": int(m[2])}
    if m := re.fullmatch(r"(\d{4})", s):
        return {"nam": int(m[1])}
    raise ValueError(f"thời hạn '{value}' không đúng dạng Q4/2021, 12/2021 hoặc 2022")


class Due(Strict):
    """A deadline; the last day it covers orders deadlines against each other."""

    nam: int = Field(ge=1945, le=2100)
    quy: int | None = Field(default=None, ge=1, le=4)
    thang: int | None = Field(default=None, ge=1, le=12)

    def last_day(self) -> date:
        month = self.thang or (self.quy * 3 if self.quy else 12)
        nxt = date(self.nam + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def __str__(self) -> str:
        if self.quy:
            return f"Q{self.quy}/{self.nam}"
        if self.thang:
            return f"{self.thang:02d}/{self.nam}"
        return str(self.nam)


DueField = Annotated[Due, BeforeValidator(_parse_due)]
