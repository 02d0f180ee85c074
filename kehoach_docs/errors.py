"""Problems a user can fix, each with its place, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


ERROR = "lỗi"
"""A problem that stops the document (or the file) from being made."""
WARNING = "cảnh báo"
"""A problem worth knowing that does not stop anything."""


@dataclass(frozen=True)
class Problem:
    """One mistake: file, 1-based line and column (0 when unknown), field path, message."""

    file: Path | str
    line: int
    column: int
    field: str
    message: str
    level: str = ERROR  # ERROR or WARNING

    def __str__(self) -> str:
        place = str(self.file)
        if self.line:
            place += f":{self.line}:{self.column}"
        where = f" [{self.field}]" if self.field else ""
        return f"{place}:{where} {self.level}: {self.message}"

    def as_dict(self) -> dict:
        return {"tep": str(self.file), "dong": self.line, "cot": self.column,
                "truong": self.field, "muc_do": self.level, "thong_bao": self.message}


class ProblemList(Exception):
    """Raised when input cannot be used; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


class UserError(Exception):
    """A mistake of use (missing file, bad option) with a Vietnamese message; no traceback."""
