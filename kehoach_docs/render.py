"""Step 4 — render: fill a .docx template (docxtpl syntax) with a context.

docxtpl re-reads the package and recompiles the Jinja body on every render. Here a
template is compiled once (docxtpl's own tag patching, then Jinja) and each render only
runs the compiled code and zips the parts, with fixed timestamps so that the same input
gives the same bytes. Rendering is sandboxed, autoescaped, and every missing variable is
reported with the paragraph or table cell that uses it.

After Jinja the body (document.xml) gets two fixes. When the template has `{%tc %}` column
loops, docxtpl's own fix_tables (which DocxTemplate.render runs) gives each table as many
grid columns as its widest row has cells. And a last section left with nothing but empty
paragraphs (a template whose optional parts each end with a section break, e.g. a report's
appendices, followed by the template's final sectPr) is merged into the section before it,
so that it prints no empty page.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing
from lxml import etree

from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.format import FILTERS

# Parts of a package that may hold template tags.
_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml and fix_tables use no instance state
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TC_LOOP = re.compile(r"\{%-?\s*tc\s")
_missing: ContextVar[list | None] = ContextVar("_missing", default=None)

# Upper bounds for one render of an untrusted template (loops, output size).
MAX_OUTPUT_CHARS = 50_000_000
MAX_RANGE = 100_000


class RecordingUndefined(Undefined):
    """Renders as empty but records the name and template line of every use."""

    __slots__ = ()

    def _record(self) -> None:
        seen = _missing.get()
        if seen is None:
            return
        name = self._undefined_name or "?"
        if self._undefined_obj is not missing and not isinstance(self._undefined_obj, Undefined) \
                and self._undefined_name is not None:
            name = f"….{name}"
        seen.append((name, _template_line()))

    def __str__(self) -> str:
        self._record()
        return ""

    def __iter__(self):
        self._record()
        return iter(())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self._record()
        return self


def _template_line() -> int:
    frame = sys._getframe(2)
    while frame is not None:
        tmpl = frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            return tmpl.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return 0


class _Environment(ImmutableSandboxedEnvironment):
    """Sandbox: no access to Python internals; data text is never evaluated as a template."""

    def call(self, __context, __obj, *args, **kwargs):  # noqa: N807 - jinja's signature
        if __obj is range and args and max(a for a in args if isinstance(a, int)) > MAX_RANGE:
            raise SecurityError(f"range() quá lớn (tối đa {MAX_RANGE:,})")
        return super().call(__context, __obj, *args, **kwargs)


def make_environment() -> _Environment:
    env = _Environment(autoescape=True, undefined=RecordingUndefined,
                       keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


def describe_lines(xml: str) -> list[str]:
    """Human place of each line of a patched part (one paragraph per line): 'đoạn 12',
    'bảng 1, hàng 2, ô 1'. Index 0 is line 1."""
    places = []
    table = row = cell = para = 0
    depth = 0
    for line in xml.split("\n"):
        if depth == 0:
            para += 1
        place = f"bảng {table}, hàng {row}, ô {cell}" if depth else f"đoạn {para}"
        text = re.sub(r"<[^>]+>", "", line)
        places.append(f"{place} «{text[:80]}»" if text.strip() else place)
        for m in re.finditer(r"<w:tbl>|</w:tbl>|<w:tr[ >]|<w:tc[ >]", line):
            tag = m.group()
            if tag == "<w:tbl>":
                depth += 1
                if depth == 1:
                    table += 1
                    row = 0
            elif tag == "</w:tbl>":
                depth -= 1
            elif tag.startswith("<w:tr") and depth == 1:
                row += 1
                cell = 0
            elif tag.startswith("<w:tc") and depth == 1:
                cell += 1
    return places


PART_NAMES = {"word/document.xml": "phần thân", "word/footnotes.xml": "chú thích"}


def part_label(name: str) -> str:
    if name in PART_NAMES:
        return PART_NAMES[name]
    if "header" in name:
        return f"đầu trang ({name.rsplit('/', 1)[-1]})"
    if "footer" in name:
        return f"chân trang ({name.rsplit('/', 1)[-1]})"
    return name


@dataclass
class _Part:
    name: str
    source: str
    template: Any
    places: list[str]
    column_loops: bool = False
    """The part has {%tc %} tags: its tables need their grid fixed after rendering."""


@dataclass(frozen=True)
class CoreProperties:
    title: str
    subject: str
    creator: str
    language: str
    day: date


class CompiledTemplate:
    """A .docx template read and compiled once, rendered many times."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.env = make_environment()
        self.entries: list[tuple[zipfile.ZipInfo, bytes]] = []
        self.parts: dict[str, _Part] = {}
        problems: list[Problem] = []
        try:
            with zipfile.ZipFile(self.path) as zf:
                for info in zf.infolist():
                    self.entries.append((info, zf.read(info)))
        except (zipfile.BadZipFile, OSError) as exc:
            raise ProblemList([Problem(self.path, 0, 0, "",
                                       f"Không mở được mẫu .docx: {exc}.")]) from None
        for info, data in self.entries:
            if not _TEMPLATED.match(info.filename):
                continue
            xml = data.decode("utf-8")
            if "{{" not in xml and "{%" not in xml and "{#" not in xml:
                continue
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", _PATCHER.patch_xml(xml))
            places = describe_lines(source)
            try:
                template = self.env.from_string(source)
            except TemplateSyntaxError as exc:
                where = places[exc.lineno - 1] if 0 < exc.lineno <= len(places) else ""
                problems.append(Problem(self.path, 0, 0, f"{part_label(info.filename)}, {where}",
                                        f"Lỗi cú pháp trong thẻ mẫu: {exc.message}."))
                continue
            loops = _TC_LOOP.search(re.sub(r"<[^>]+>", "", xml)) is not None
            self.parts[info.filename] = _Part(info.filename, source, template, places, loops)
        if problems:
            raise ProblemList(problems)
        if "word/document.xml" not in {i.filename for i, _ in self.entries}:
            raise ProblemList([Problem(self.path, 0, 0, "", "Tệp không phải văn bản Word (.docx).")])

    def render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        """Rendered XML of each templated part; raise ProblemList for missing variables."""
        out: dict[str, bytes] = {}
        problems: list[Problem] = []
        for part in self.parts.values():
            seen: list = []
            token = _missing.set(seen)
            try:
                xml = part.template.render(context)
            except SecurityError as exc:
                raise ProblemList([Problem(self.path, 0, 0, part_label(part.name),
                                           f"Mẫu bị chặn vì thao tác không an toàn: {exc}.")]) from None
            except Exception as exc:  # a template error is the template author's to fix
                line = _exception_line(exc)
                where = part.places[line - 1] if 0 < line <= len(part.places) else ""
                raise ProblemList([Problem(self.path, 0, 0, f"{part_label(part.name)}, {where}",
                                           f"Lỗi khi điền mẫu: {exc}.")]) from None
            finally:
                _missing.reset(token)
            for name, line in dict.fromkeys(seen):
                where = part.places[line - 1] if 0 < line <= len(part.places) else ""
                if name.startswith("…."):
                    # Show the expression as written in the template ("d.van_bam"), if found.
                    m = re.search(r"[\w.]*\." + re.escape(name[2:]) + r"\b", where)
                    name = m.group() if m else name
                problems.append(Problem(self.path, 0, 0, f"{part_label(part.name)}, {where}",
                                        f"Biến '{name}' không có trong dữ liệu (thiếu hoặc viết sai tên)."))
            if len(xml) > MAX_OUTPUT_CHARS:
                raise ProblemList([Problem(self.path, 0, 0, part_label(part.name),
                                           "Kết quả quá lớn; mẫu có vòng lặp bất thường.")])
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            data = xml.encode("utf-8")
            try:
                root = etree.fromstring(data)
            except etree.XMLSyntaxError as exc:
                problems.append(Problem(self.path, 0, 0, part_label(part.name),
                                        f"Mẫu tạo ra XML hỏng ({exc}); kiểm tra các thẻ {{%p %}} trong mẫu."))
            else:
                if part.name == "word/document.xml":
                    data = _fix_body(data, root, part.column_loops)
            out[part.name] = data
        if problems:
            raise ProblemList(problems)
        return out

    def render(self, context: dict[str, Any], core: CoreProperties | None = None) -> bytes:
        """The rendered .docx as bytes (deterministic)."""
        parts = self.render_parts(context)
        if core is not None:
            parts["docProps/core.xml"] = core_xml(core)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            names = {info.filename for info, _ in self.entries}
            for info, data in self.entries:
                _write_entry(zf, info.filename, parts.get(info.filename, data))
            for name, data in parts.items():
                if name not in names:
                    _write_entry(zf, name, data)
        return buf.getvalue()


def _fix_body(data: bytes, root, column_loops: bool) -> bytes:
    """document.xml after the fixes docxtpl's own render would make (see the module doc)."""
    changed = False
    if column_loops:
        # docxtpl's fix_tables parses the part itself (lxml, recover mode; `data` is already
        # known to be well-formed) and returns the root with every table's tblGrid matched to
        # its cells: grid columns appended (old ones scaled to keep the width) or dropped.
        root = _PATCHER.fix_tables(data)
        changed = True
    if data.count(b"<w:sectPr") > 1:
        changed |= merge_empty_last_section(root)
    if not changed:
        return data
    m = re.match(rb"<\?xml[^>]*\?>\s*", data)
    decl = m.group().decode("utf-8") if m else ""
    return (decl + etree.tostring(root, encoding="unicode")).encode("utf-8")


def merge_empty_last_section(root) -> bool:
    """If the document's last section holds only empty paragraphs (no runs), it would print
    an empty page: its section break's properties become the final sectPr and the empty
    paragraphs after the break go. Returns whether anything changed."""
    body = root.find(f"{_W}body")
    if body is None or len(body) == 0 or body[-1].tag != f"{_W}sectPr":
        return False
    empty = []
    for el in reversed(body[:-1]):
        if el.tag != f"{_W}p":
            return False
        sect = el.find(f"{_W}pPr/{_W}sectPr")
        if sect is not None:
            break
        if el.find(f".//{_W}r") is not None:
            return False
        empty.append(el)
    else:
        return False
    el.find(f"{_W}pPr").remove(sect)
    body.replace(body[-1], sect)
    for p in empty:
        body.remove(p)
    return True


def _exception_line(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        tmpl = tb.tb_frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            line = tmpl.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return getattr(exc, "lineno", None) or line


def _write_entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def core_xml(core: CoreProperties) -> bytes:
    stamp = f"{core.day.isoformat()}T00:00:00Z"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(core.title)}</dc:title>"
        f"<dc:subject>{escape(core.subject)}</dc:subject>"
        f"<dc:creator>{escape(core.creator)}</dc:creator>"
        f"<dc:language>{escape(core.language)}</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


@lru_cache(maxsize=32)
def _compiled(path: str, mtime_ns: int, size: int) -> CompiledTemplate:
    return CompiledTemplate(path)


def compile_template(path: str | Path) -> CompiledTemplate:
    """Compiled template, cached per file version (edit the .docx and it is recompiled)."""
    p = Path(path).resolve()
    try:
        st = p.stat()
    except OSError:
        raise ProblemList([Problem(p, 0, 0, "", "Không tìm thấy tệp mẫu.")]) from None
    return _compiled(str(p), st.st_mtime_ns, st.st_size)
