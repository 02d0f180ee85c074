"""Issue 11's "Done when": the code names no concept of one programme.

Every identifier (names, attributes, arguments, keywords, imported names, function and class names)
and every string constant in kehoach_docs/*.py that is not a docstring is folded (accents removed,
đ → d, lower case, underscores and hyphens → spaces) and searched for a programme's words. Comments
and docstrings may name Đề án 04 (they explain); the code may not depend on it.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

CODE = Path(__file__).resolve().parent.parent / "kehoach_docs"

# One programme's concepts (Đề án 04 of Đảng ủy Khối các cơ quan tỉnh Nghệ An), folded.
WORDS = ["dan van", "tthc", "thu tuc hanh chinh", "hai long", "mo hinh", "khen thuong",
         "quan triet", "tap huan", "dang uy khoi", "duk", "de an 04", "de an04"]


def fold(text: str) -> str:
    """Accent-free, lower-case, words separated by single spaces (snake_case and CamelCase split)."""
    text = "".join(" " + c if c.isupper() and i and text[i - 1].islower() else c
                   for i, c in enumerate(text))
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(re.split(r"[^0-9a-z]+", text.lower())).strip()


def _pattern() -> re.Pattern:
    return re.compile(r"(?<![0-9a-z])(" + "|".join(re.escape(w) for w in WORDS) + r")(?![0-9a-z])")


def _docstrings(tree: ast.AST) -> set[int]:
    """Bare string statements: module, class and function docstrings, and the attribute
    docstrings that follow a field (pydantic's use_attribute_docstrings)."""
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def _names(tree: ast.AST):
    """(line, text) of every identifier and non-docstring string constant."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield line, node.value
        elif isinstance(node, ast.Name):
            yield line, node.id
        elif isinstance(node, ast.Attribute):
            yield line, node.attr
        elif isinstance(node, ast.keyword) and node.arg:
            yield line, node.arg
        elif isinstance(node, ast.arg):
            yield line, node.arg
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield line, node.name
        elif isinstance(node, ast.alias):
            yield line, node.name
            if node.asname:
                yield line, node.asname


def programme_words(source: str) -> list[tuple[int, str, str]]:
    pat = _pattern()
    found = []
    for line, text in sorted(_names(ast.parse(source)), key=lambda x: x[0]):
        m = pat.search(fold(text))
        if m:
            found.append((line, m.group(1), text))
    return found


def test_the_fold_catches_every_spelling():
    src = ('x = "Hình thức khen thưởng"\nmo_hinh = 1\nf(tthc=2)\ny.hai_long\n'
           'z = "44-KH/ĐUK"\nclass DanVan: pass\nw = "Đề án 04"\nv = "de_an_04"\n'
           'u = "THỦ TỤC HÀNH CHÍNH"\nt = "Đảng ủy Khối"\ns = "quanTriet"\n')
    assert [w for _, w, _ in programme_words(src)] == [
        "khen thuong", "mo hinh", "tthc", "hai long", "duk", "dan van", "de an 04", "de an 04",
        "thu tuc hanh chinh", "dang uy khoi", "quan triet"]


def test_docstrings_and_comments_may_explain():
    src = ('"""Đề án 04 mô hình."""\ndef f():\n    """khen thưởng"""\n    # quán triệt\n    return 1\n'
           'class A:\n    x: int = 0\n    """Số lớp tập huấn."""\n')
    assert programme_words(src) == []
    # ... but words that merely look alike are not a programme's.
    assert programme_words('a = "Đukhoa"\nb = "mô hình hóa"[:0]\nc = "duke"\n') == [
        (2, "mo hinh", "mô hình hóa")]


@pytest.mark.parametrize("path", sorted(CODE.rglob("*.py")), ids=lambda p: str(p.relative_to(CODE)))
def test_the_code_names_no_concept_of_one_programme(path):
    found = programme_words(path.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{path.relative_to(CODE.parent)}:{line}: '{w}' in {text!r}"
                                for line, w, text in found)


SKELETON = CODE / "skeleton"


@pytest.mark.parametrize("path", sorted(p for p in SKELETON.rglob("*") if p.is_file()),
                         ids=lambda p: str(p.relative_to(SKELETON)))
def test_the_skeleton_of_kehoach_init_names_no_programme(path):
    """What `kehoach init` writes is every new programme's start: neutral placeholders only,
    comments included (a clerk reads them)."""
    pat = _pattern()
    found = [(n, m.group(1)) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if (m := pat.search(fold(line)))]
    assert not found, "\n".join(f"{path.relative_to(CODE.parent)}:{n}: '{w}'" for n, w in found)
