"""Template linter: syntax, tags split by Word, variables unknown to the context.

Each finding names the part and the paragraph or table cell, so a clerk can find it in Word.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path

from jinja2 import nodes

from kehoach_docs.context import known_names
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.render import _TEMPLATED, CompiledTemplate, describe_lines, part_label

# A tag whose braces are separated by XML markup: Word split it into several runs.
_SPLIT_OPEN = re.compile(r"\{(?:<[^>]*>)+[{%#]|[}%#](?:<[^>]*>)+\}")
_TAG_WITH_MARKUP = re.compile(r"\{[{%#](?:(?![}%#]\}).)*?<[^>]+>(?:(?![}%#]\}).)*?[}%#]\}", re.DOTALL)


def lint_template(path: str | Path) -> list[Problem]:
    """Every problem of a template; an empty list means it is ready to use."""
    path = Path(path)
    problems: list[Problem] = []
    problems += _split_tags(path)
    try:
        compiled = CompiledTemplate(path)
    except ProblemList as exc:
        return problems + exc.problems
    from kehoach_docs.report import ReportContext  # the widest context: plans' and reports'

    top, attrs = known_names(ReportContext)
    for part in compiled.parts.values():
        ast = compiled.env.parse(part.source)
        declared = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for node in ast.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in declared and node.name not in top \
                    and node.name not in ("loop", "range", "true", "false", "none"):
                problems.append(_unknown(path, part, node.lineno, node.name, top))
        for node in ast.find_all(nodes.Getattr):
            if node.attr not in attrs and not node.attr.startswith("_"):
                problems.append(_unknown(path, part, node.lineno, node.attr, attrs))
    return problems


def _unknown(path: Path, part, lineno: int, name: str, known: set[str]) -> Problem:
    where = part.places[lineno - 1] if 0 < lineno <= len(part.places) else ""
    guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f" Có phải ý bạn là '{guess[0]}'?" if guess else ""
    return Problem(path, 0, 0, f"{part_label(part.name)}, {where}",
                   f"Biến '{name}' không có trong dữ liệu của mẫu.{hint}")


def _split_tags(path: Path) -> list[Problem]:
    problems = []
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not _TEMPLATED.match(name):
                    continue
                xml = zf.read(name).decode("utf-8")
                source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
                places = describe_lines(source)
                for m in list(_SPLIT_OPEN.finditer(source)) + list(_TAG_WITH_MARKUP.finditer(source)):
                    line = source.count("\n", 0, m.start()) + 1
                    text = re.sub(r"<[^>]+>", "", m.group())
                    problems.append(Problem(
                        path, 0, 0, f"{part_label(name)}, {places[line - 1]}",
                        f"Thẻ '{text[:60]}' bị Word tách thành nhiều đoạn định dạng; hãy xóa và gõ lại "
                        "cả thẻ một lần (không sửa từng phần, tắt tự sửa chính tả cho thẻ).",
                        level="cảnh báo"))
    except (zipfile.BadZipFile, OSError):
        pass  # CompiledTemplate reports an unreadable file
    # One finding per place is enough.
    unique = {(p.field, p.message): p for p in problems}
    return list(unique.values())
