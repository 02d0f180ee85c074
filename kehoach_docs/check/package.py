"""The parts of a .docx as the checker reads them: XML parsed from the package's bytes.

A build hands the checker the parts it has just rendered (no zip, no python-docx); a file
on disk is unzipped once. Parts are parsed as python-docx parses them (blank text between
elements dropped, no entities, no network), so both read a document alike.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from lxml import etree

from kehoach_docs.ooxml import MM_PER_UNIT, PR, RT_OFFICE_DOCUMENT, TWIPS_PER_MM, W, parse_part
from kehoach_docs.errors import ProblemList, UserError


def docx_files(paths: Iterable[str | Path], must_exist: bool = True) -> list[Path]:
    """The .docx files named: a folder gives every .docx below it (not Word's "~$" lock
    files). A path that does not exist is a UserError when `must_exist`, else kept."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*.docx") if not f.name.startswith("~$"))
        elif p.exists() or not must_exist:
            out.append(p)
        else:
            raise UserError(f"Không tìm thấy tệp '{p}'.")
    return out
from kehoach_docs.render.package_safety import check_bounds



_SHARED: dict[bytes, Any] = {}
_SECTION_BREAKS = etree.XPath("w:p/w:pPr/w:sectPr", namespaces={"w": W[1:-1]})


def parse_shared(data: bytes):
    """A part that documents of one template share (relationships, headers, footers):
    parsed once. Read only, never changed (other documents hold the same tree)."""
    root = _SHARED.get(data)
    if root is None:
        if len(_SHARED) > 256:
            _SHARED.clear()
        root = _SHARED[data] = parse_part(data)
    return root


def twips_mm(value: str | None) -> float | None:
    """A twips measure ("1134", or with a unit: "2cm") in mm; None when absent or unreadable."""
    if value is None:
        return None
    try:
        return float(value) / TWIPS_PER_MM
    except ValueError:
        m = re.fullmatch(r"\s*(-?[\d.]+)(mm|cm|in|pt|pc|pi)\s*", value)
        return float(m.group(1)) * MM_PER_UNIT[m.group(2)] if m else None


@dataclass
class Section:
    """One section's page set-up (mm, None when not set) and its sectPr element."""

    el: Any
    page_width: float | None
    page_height: float | None
    top_margin: float | None
    bottom_margin: float | None
    left_margin: float | None
    right_margin: float | None
    header_distance: float | None

    @classmethod
    def of(cls, sect) -> Section:
        size = sect.find(W + "pgSz")
        mar = sect.find(W + "pgMar")

        def get(el, name: str) -> float | None:
            return twips_mm(el.get(W + name)) if el is not None else None

        return cls(sect, get(size, "w"), get(size, "h"), get(mar, "top"), get(mar, "bottom"),
                   get(mar, "left"), get(mar, "right"), get(mar, "header"))


class Package:
    """A .docx's parts by name; the main document, its styles, theme and related parts."""

    def __init__(self, parts: Mapping[str, bytes], name: str = "") -> None:
        self.parts = parts
        self.name = name
        main = self._targets("", "_rels/.rels").get_type(RT_OFFICE_DOCUMENT) or "word/document.xml"
        if main not in parts:
            raise self._unreadable(f"thiếu phần '{main}'")
        self.main_name = main
        # A build hands the tree it parsed these very bytes into (render.engine.RenderedParts).
        given = getattr(parts, "trees", {}).get(main)
        try:
            self.document = given[1] if given is not None and given[0] is parts[main] else parse_part(parts[main])
        except etree.XMLSyntaxError as exc:
            raise self._unreadable(str(exc)) from None
        if self.document.tag != W + "document":
            raise self._unreadable("không phải văn bản Word")
        base = posixpath.dirname(main)
        self.rels = self._targets(base, posixpath.join(base, "_rels", posixpath.basename(main) + ".rels"))
        self._parsed: dict[str, Any] = {}

    def _unreadable(self, why: str) -> UserError:
        hint = " Tệp .doc cũ cần được lưu lại dưới dạng .docx." if self.name.lower().endswith(".doc") else ""
        return UserError(f"Không đọc được '{self.name}' như một tệp .docx ({why}).{hint}")

    def _targets(self, base: str, rels_name: str) -> _Rels:
        data = self.parts.get(rels_name)
        rels = _Rels()
        if data is None:
            return rels
        try:
            root = parse_shared(data)
        except etree.XMLSyntaxError as exc:
            raise self._unreadable(str(exc)) from None
        for rel in root.iter(PR + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            rels.add(rel.get("Id"), rel.get("Type"), name)
        return rels

    @property
    def body(self):
        return self.document.find(W + "body")

    def sections(self) -> list[Section]:
        """Sections in order, as python-docx finds them: breaks in body paragraphs, then the last."""
        body = self.body
        if body is None:
            return []
        breaks = _SECTION_BREAKS(body)
        last = body.find(W + "sectPr")
        return [Section.of(s) for s in [*breaks, last] if s is not None]

    def part_bytes(self, rel_type: str) -> bytes | None:
        name = self.rels.get_type(rel_type)
        return self.parts.get(name) if name else None

    def related(self, rid: str | None):
        """The parsed part a relationship id of the main document points to, or None."""
        name = self.rels.by_id.get(rid or "")
        if name is None or name not in self.parts:
            return None
        if name not in self._parsed:
            try:
                self._parsed[name] = parse_shared(self.parts[name])
            except etree.XMLSyntaxError:
                self._parsed[name] = None
        return self._parsed[name]

    def related_bytes(self, rid: str | None) -> bytes | None:
        name = self.rels.by_id.get(rid or "")
        return self.parts.get(name) if name else None


class _Rels:
    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}
        self.by_type: dict[str, str] = {}

    def add(self, rid: str | None, rel_type: str | None, name: str) -> None:
        if rid:
            self.by_id[rid] = name
        if rel_type:
            self.by_type.setdefault(rel_type, name)

    def get_type(self, rel_type: str) -> str | None:
        return self.by_type.get(rel_type)


def open_docx(source: str | Path | IO[bytes]) -> Package:
    """Every part of a .docx file (or file-like object); UserError when it is not one."""
    name = str(source) if isinstance(source, (str, Path)) else getattr(source, "name", "") or ""
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        raise UserError(f"Không tìm thấy tệp '{source}'.")
    where = name or "văn bản"
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            # A small .docx may inflate to gigabytes: refused before anything is read.
            check_bounds(infos, where)
            # Only the XML parts: pictures and embedded files play no part in the thể thức.
            parts = {info.filename: zf.read(info) for info in infos
                     if info.filename.endswith((".xml", ".rels"))}
    except ProblemList as exc:
        raise UserError(f"'{where}': {exc.problems[0].message}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError, EOFError, OSError,
            RuntimeError, NotImplementedError) as exc:
        hint = " Tệp .doc cũ cần được lưu lại dưới dạng .docx." if name.lower().endswith(".doc") else ""
        raise UserError(f"Không đọc được '{name}' như một tệp .docx ({exc}).{hint}") from None
    if b"macroEnabled" in parts.get("[Content_Types].xml", b""):
        raise UserError(f"'{where}' là văn bản có macro (.docm) đặt tên thành .docx; hãy mở bằng Word và lưu lại "
                        "dưới dạng \"Word Document (*.docx)\".")
    return Package(parts, name)
