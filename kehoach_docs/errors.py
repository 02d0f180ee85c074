"""Problems a user can fix, each with its place, reported all at once.

One hierarchy: every error a clerk or the machine can cause derives from KehoachError and
is said in Vietnamese, without a traceback. ProblemList (data, a template, a document's thể
thức: each problem at its place) ends a command with exit code 1; UserError (a missing file,
a bad option, a missing program) with exit code 2. Anything else is a fault of the tool.
"""

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
    rule: str = ""
    """The thể thức rule a finding of the checker breaks ("co_chu.doan"); "" for other problems."""

    def __str__(self) -> str:
        place = str(self.file)
        if self.line:
            place += f":{self.line}:{self.column}"
        where = f" [{self.field}]" if self.field else ""
        return f"{place}:{where} {self.level}: {self.message}"

    def as_dict(self) -> dict:
        d = {"tep": str(self.file), "dong": self.line, "cot": self.column,
             "truong": self.field, "muc_do": self.level, "thong_bao": self.message}
        return {**d, "quy_tac": self.rule} if self.rule else d


def has_errors(problems) -> bool:
    """Whether any of `problems` is an ERROR (not only warnings)."""
    return any(p.level == ERROR for p in problems)


def tally(problems) -> str:
    """"3 lỗi, 1 cảnh báo" (the warnings only when there are some)."""
    errors = sum(1 for p in problems if p.level == ERROR)
    warnings = len(problems) - errors
    return f"{errors} {ERROR}" + (f", {warnings} {WARNING}" if warnings else "")


class KehoachError(Exception):
    """Base of every error a user or the machine can cause: said in Vietnamese, no traceback."""

    exit_code = 2


class ProblemList(KehoachError):
    """Raised when input cannot be used; carries every problem found, in file order."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file: Path | str, line: int, column: int, field: str, message: str,
            level: str = ERROR) -> ProblemList:
        """The ProblemList of a single problem (to raise)."""
        return cls([Problem(file, line, column, field, message, level)])


class UserError(KehoachError):
    """A mistake of use (missing file, bad option) with a Vietnamese message; no traceback."""


class Reported(KehoachError):
    """The command has said what went wrong (documents failed, forms were kept) and ends
    with `exit_code`; nothing more is printed."""

    def __init__(self, exit_code: int = 1) -> None:
        self.exit_code = exit_code
        super().__init__(f"exit {exit_code}")
