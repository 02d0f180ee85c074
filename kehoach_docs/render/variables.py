"""The variables a template uses that it does not set itself, wherever it uses them.

Jinja's `meta.find_undeclared_variables` knows the scoping (loop variables, `set`, macro
arguments); this adds the template line of the first use, so that a missing one is reported
with its paragraph even when it sits in a branch or loop the data never reaches
(`{% if co_quan_cap_tren %}`, a filter's argument…). A use that asks whether the variable
exists (`x is defined`, `x|default(…)`) does not count.
"""

from __future__ import annotations

from jinja2 import meta, nodes

_GUARD_FILTERS = {"default", "d"}
_GUARD_TESTS = {"defined", "undefined"}


def undeclared(ast: nodes.Template) -> dict[str, int]:
    """Name → line of its first unguarded use, for every variable the template reads
    without setting it."""
    names = meta.find_undeclared_variables(ast)
    guarded = set()
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        guard = _GUARD_FILTERS if isinstance(node, nodes.Filter) else _GUARD_TESTS
        if node.name in guard and isinstance(node.node, nodes.Name):
            guarded.add(id(node.node))
    out: dict[str, int] = {}
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load" and node.name in names and id(node) not in guarded:
            out.setdefault(node.name, node.lineno)
    return out
