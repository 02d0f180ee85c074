"""What a clerk reads after a build: read once, each problem once.

A build's outcomes are summarised by folder and by outcome; a document's own line is printed
only with -v, except failures, kept hand edits and replaced ones, which are always listed. A
problem shared by many documents (a misspelt key in the plan every unit plan derives from) is
printed once, naming the file to fix, with the number of documents it affects.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from kehoach_docs.errors import Problem, tally
from kehoach_docs.workspace.publish import FAILED, KEPT, MOVED, REMOVED, REPLACED

ALWAYS = (KEPT, REPLACED, REMOVED, MOVED)
"""Statuses listed document by document, without -v (failures are listed with their problems)."""
ROOT_FOLDER = "(thư mục gốc)"
SHOWN_NAMES = 3
"""Affected documents named in a problem's line (beyond that, counted)."""


@dataclass
class Shared:
    """One problem and the documents it stops."""

    problem: Problem
    documents: list[str] = field(default_factory=list)

    def line(self, verbose: bool = False) -> str:
        n = len(self.documents)
        if n <= 1:
            named = f" (văn bản {self.documents[0]})" if self.documents else ""
        elif verbose or n <= SHOWN_NAMES:
            named = f" (ảnh hưởng {n} văn bản: {', '.join(self.documents)})"
        else:
            named = f" (ảnh hưởng {n} văn bản)"
        return str(self.problem) + named


def shared_problems(outcomes) -> list[Shared]:
    """The problems of failed outcomes, each once, in file order, with the documents it stops."""
    found: dict[str, Shared] = {}
    for o in outcomes:
        if o.status != FAILED:
            continue
        for p in o.problems:
            p = shown(p)
            entry = found.setdefault(_key(p), Shared(p))
            if o.job.name not in entry.documents:
                entry.documents.append(o.job.name)
    return sorted(found.values(), key=lambda s: (str(s.problem.file), s.problem.line, s.problem.column))


def shown(p: Problem) -> Problem:
    """The problem with its file named from the current folder when it lies below it (the same
    file is reached as data/x.yaml by one document and /abs/.../data/x.yaml by another)."""
    text = str(p.file)
    if "!" in text or not text:
        return p
    path = Path(text)
    try:
        # The last part not followed: a symlinked folder is named as the link, not its target.
        rel = (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return p
    return replace(p, file=rel) if str(rel) != text else p


def _key(p: Problem) -> str:
    return "\0".join((str(p.file), str(p.line), str(p.column), p.field, p.message, p.level))


def problem_summary(shared: list[Shared], failed_documents: int) -> str:
    text = tally([s.problem for s in shared])
    if failed_documents:
        text += f", ảnh hưởng {failed_documents} văn bản"
    return text + "."


def folder_of(name: str) -> str:
    parent = PurePosixPath(name).parent
    return ROOT_FOLDER if str(parent) == "." else f"{parent}/"


def by_folder(outcomes) -> list[str]:
    """One line per output folder: "don-vi/: 64 văn bản — 63 không đổi, 1 tạo lại"."""
    folders: dict[str, Counter] = {}
    for o in outcomes:
        folders.setdefault(folder_of(o.job.name), Counter())[o.status] += 1
    width = max((len(f) for f in folders), default=0)
    lines = []
    for folder, counts in sorted(folders.items(), key=lambda kv: (kv[0] != ROOT_FOLDER, kv[0])):
        parts = ", ".join(f"{n} {status}" for status, n in counts.most_common())
        lines.append(f"  {folder:<{width}}  {sum(counts.values())} văn bản: {parts}")
    return lines


def build_lines(summary, verbose: bool = False) -> list[str]:
    """Standard output of `kehoach build`: listed documents, the folders, the totals."""
    out = []
    for o in summary.outcomes:
        if verbose or o.status in ALWAYS:
            line = f"{o.status}: {summary.out_dir / o.job.name}"
            if o.reason:
                line += f" ({o.reason})"
            out.append(line)
    if len(summary.outcomes) > 1:
        out.append("Theo thư mục:")
        out += by_folder(summary.outcomes)
    out += summary.warning_lines(verbose)  # each once, with its documents, on every build
    out.append(summary.totals())
    return out


def problem_lines(summary, verbose: bool = False) -> list[str]:
    """Standard error of a build with failures: each problem once, then the count."""
    failed = [o for o in summary.outcomes if o.status == FAILED]
    if not failed:
        return []
    shared = shared_problems(failed)
    stale = sum(1 for o in failed if o.reason)  # an older version is there (build.STALE)
    lines = [f"{len(failed)} văn bản không tạo được" +
             (f" ({stale} văn bản: bản cũ giữ nguyên nhưng đã cũ, chưa cập nhật)" if stale else "") + ":"]
    lines += [s.line(verbose) for s in shared]
    lines.append(problem_summary(shared, len(failed)))
    return lines


def unique(problems: list[Problem]) -> list[tuple[Problem, int]]:
    """Identical problems once, with how many times each was found (for any list of problems)."""
    counts: dict[str, list] = {}
    for p in map(shown, problems):
        counts.setdefault(_key(p), [p, 0])[1] += 1
    return [(p, n) for p, n in counts.values()]
