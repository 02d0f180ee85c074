"""The package's structure: no import cycle (imports inside functions count), one home for
the workspace's folder names, one registry of document kinds, no module-level caches
keyed by file times."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kehoach_docs"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the tests below."""
    return ast.parse(path.read_text(encoding="utf-8"))


@cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of a module's tree, walked once for all the tests below."""
    return tuple(ast.walk(tree(path)))


@cache
def string_constants(path: Path) -> tuple[tuple[int, str], ...]:
    """(line, text) of every string constant of a module."""
    return tuple((n.lineno, n.value) for n in nodes(path) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, at any depth of the file (in functions too)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        edges: set[str] = set()
        for node in nodes(path):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_pkg else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from pkg import mod` imports the submodule when there is one.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                while t and t not in modules:  # `import a.b.c` of an attribute: its module
                    t = t.rpartition(".")[0]
                if t and t != name:
                    edges.add(t)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    # The checker itself, on a made-up graph: a → b at the top, b → a inside a function.
    src_b = "def f():\n    from kehoach_docs.a import x\n"
    edges = {n.module for n in ast.walk(ast.parse(src_b)) if isinstance(n, ast.ImportFrom)}
    assert edges == {"kehoach_docs.a"}
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_counting_imports_inside_functions():
    graph = import_graph()
    assert "kehoach_docs.documents.kinds" in graph and "kehoach_docs.documents.unit" in graph["kehoach_docs.documents.kinds"]
    assert cycles(graph) == []


def test_loading_sits_below_the_dispatcher():
    graph = import_graph()
    # pipeline → kinds → {unit, report} → prepared: nothing below calls back up.
    for low in ("kehoach_docs.documents.prepared", "kehoach_docs.documents.unit", "kehoach_docs.documents.report",
                "kehoach_docs.results.collect", "kehoach_docs.workspace.workspace"):
        assert not graph[low] & {"kehoach_docs.documents.pipeline", "kehoach_docs.documents.kinds", "kehoach_docs.workspace.build"}, low


@pytest.mark.parametrize("name", ["bao-cao", "the-thuc", "don-vi", "ket-qua", "khung-don-vi.yaml", "khung-ket-qua.yaml",
                                  "to-chuc.yaml"])
def test_folder_names_live_in_the_workspace_module_only(name):
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "workspace" / "workspace.py" or "templates" in path.parts:
            continue
        offenders += [f"{path.name}:{line}" for line, text in string_constants(path) if text == name]
    assert offenders == []


def _decorator(d: ast.expr) -> str:
    f = d.func if isinstance(d, ast.Call) else d
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def test_no_module_cache_keyed_by_file_times():
    """What lives longer than a build is keyed by content, never by a file's name or times: a
    module-level memo of a function taking a path takes its content's digest too, and file
    times are read only where a build compares two files it has just seen (a template's stat
    as its Workspace's key, a PDF's age, a conversion's result)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for n in nodes(path):
            if not isinstance(n, ast.FunctionDef):
                continue
            memoised = any(_decorator(d) in ("cache", "lru_cache") for d in n.decorator_list)
            names = [a.arg for a in n.args.args]
            if memoised and any(re.search("path|file|folder|dir|mtime|stat", a) for a in names) \
                    and not any(re.search("sha|digest", a) for a in names):
                offenders.append(f"{path.name}:{n.lineno}: {n.name}({', '.join(names)})")
        times = [line for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"st_mtime|st_ctime|getmtime|getctime", text)]
        if times and path.relative_to(PACKAGE).as_posix() not in ("render/engine.py", "workspace/build.py", "pdf.py"):
            offenders += [f"{path.name}:{line}: a file time" for line in times]
    assert offenders == []


def test_no_underscore_name_is_used_across_modules():
    """A name starting with "_" is its module's own: no other module imports it or reads
    it through the module (`from m import _x`, `m._x`)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        modules = set()  # local names bound to a kehoach_docs module
        for n in nodes(path):
            if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("kehoach_docs")):
                for a in n.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        offenders.append(f"{path.name}:{n.lineno}: {a.name}")
                    full = f"{n.module}.{a.name}"
                    if (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists():
                        modules.add(a.asname or a.name)
            elif isinstance(n, ast.Import):
                modules |= {a.asname for a in n.names if a.asname and a.name.startswith("kehoach_docs")}
        for n in nodes(path):
            if (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in modules
                    and n.attr.startswith("_") and not n.attr.startswith("__")):
                offenders.append(f"{path.name}:{n.lineno}: {n.value.id}.{n.attr}")
    assert offenders == []


def test_one_namespace_module():
    """The OOXML namespaces the code reads or writes are spelt in ooxml.py only."""
    from kehoach_docs import ooxml

    spelt = (ooxml.W_NS, ooxml.R_NS, ooxml.WP_NS, ooxml.A_NS, ooxml.VML_NS, ooxml.PKG_REL_NS, ooxml.CT_NS,
             ooxml.CP_NS, ooxml.EP_NS, ooxml.VT_NS)
    offenders = [f"{path.relative_to(PACKAGE)}:{line}" for path in PACKAGE.rglob("*.py") if path.name != "ooxml.py"
                 for line, text in string_constants(path) if any(ns in text for ns in spelt)]
    assert offenders == []


def test_one_nfc():
    """Text is NFC-normalised through format.vn.nfc only."""
    offenders = [f"{path.relative_to(PACKAGE)}:{line}" for path in PACKAGE.rglob("*.py")
                 if path != PACKAGE / "format" / "vn.py"
                 for line, text in string_constants(path) if text == "NFC"]
    assert offenders == []


def test_test_modules_never_import_each_other():
    """Shared pieces live in tests/helpers.py and conftest.py."""
    offenders = []
    for path in Path(__file__).parent.glob("*.py"):
        for n in nodes(path):
            names = ([a.name for a in n.names] if isinstance(n, ast.Import)
                     else [n.module or ""] if isinstance(n, ast.ImportFrom) else [])
            offenders += [f"{path.name}:{n.lineno}: {m}" for m in names if m.split(".")[-1].startswith("test_")]
    assert offenders == []
