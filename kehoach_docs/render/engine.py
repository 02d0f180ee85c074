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

A template may come from anyone (`--template`): it is compiled and rendered in Jinja's
immutable sandbox (no Python internals, no changing lists or dicts, no reading other files)
and within bounds: ranges, repeated strings and big numbers are refused before they are
made, and every compile or render of a template runs under a time limit and (Linux) a limit
on the memory it may add to the process. Whatever is refused is reported in Vietnamese with
the template's place; nothing ends in a traceback. docxtpl's escapes for literal braces
({_{ … }_}, {_% … %_}) are undone in the template, never in the data it is filled with.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import os
import re
import stat
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate
from jinja2 import BaseLoader, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing
from lxml import etree

from kehoach_docs.render import column_widths
from kehoach_docs.render import docx_objects as objects
from kehoach_docs.render.docx_objects import DocxObjects
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.format import FILTERS
from kehoach_docs.ooxml import CORE_PROPERTIES_XMLNS, XML_DECL, W, parse_part as read_part
from kehoach_docs.render.package_safety import load_safe_package
from kehoach_docs.safe_file import UnsafeFile, read_regular, refuse_kind
from kehoach_docs.render.places import line_places, mark_paragraphs, syntax_detail
from kehoach_docs.render.roundtrip import clean_tags, keep_section_breaks
from kehoach_docs.render.variables import undeclared
from kehoach_docs.render.zippack import Packer

# Parts of a package that may hold template tags.
TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml and fix_tables use no instance state
# Column loops, {#tc #} comments, merged cells: the table grid is fixed after rendering.
_TC_LOOP = re.compile(r"\{[%#]-?\s*(?:tc\s|hm\s*%|colspan\s)")
_missing: ContextVar[list | None] = ContextVar("_missing", default=None)

# Upper bounds for one compile or render of an untrusted template.
MAX_OUTPUT_CHARS = 50_000_000
"""Characters of one rendered part; also the longest string or list `*` and `+` may make."""
MAX_RANGE = 100_000
MAX_INT_BITS = 100_000
"""Biggest integer `*` and `**` may make (about 30,000 digits)."""
MAX_SECONDS = 10.0
"""Time for compiling, or for rendering, one template (all its parts)."""
MAX_MEMORY = 512 << 20
"""Address space a compile or render may add to the process (Linux; RLIMIT_AS)."""
MAX_TEMPLATE_BYTES = 100 * 1024 * 1024
"""Uncompressed size of a template package (a zip bomb is refused before it is read)."""


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


class _NoFiles(BaseLoader):
    """{% include %}, {% import %}, {% extends %}: a template reads no other file."""

    def get_source(self, environment, template):
        raise SecurityError(f"mẫu không được đọc tệp khác ('{template}'; include, import, extends)")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _safe_range(*args: Any) -> range:
    rng = range(*args)
    try:
        size = len(rng)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise SecurityError(f"range() quá lớn (tối đa {MAX_RANGE:,} số)")
    return rng


class _Environment(ImmutableSandboxedEnvironment):
    """Sandbox: no access to Python internals; data text is never evaluated as a template.
    The operators that can make huge values are checked before they run (they are also
    never folded at compile time, which would run them while compiling)."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _is_int(left) and _is_int(right) and right > 0 and \
                right * max(abs(left).bit_length() - 1, 0) > MAX_INT_BITS:
            raise SecurityError("lũy thừa ra số quá lớn")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and _is_int(n) and len(seq) * n > MAX_OUTPUT_CHARS:
                    raise SecurityError("chuỗi hoặc danh sách nhân lên quá lớn")
            if _is_int(left) and _is_int(right) and \
                    abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise SecurityError("phép nhân ra số quá lớn")
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) \
                and len(left) + len(right) > MAX_OUTPUT_CHARS:
            raise SecurityError("chuỗi ghép quá lớn")
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # Jinja returns an undefined that fails only when used; a recording undefined never
        # fails, so refuse here, at once.
        raise SecurityError(f"không được dùng thuộc tính '{attribute}' của {type(obj).__name__}")


def make_environment() -> _Environment:
    env = _Environment(autoescape=True, undefined=RecordingUndefined,
                       keep_trailing_newline=True, loader=_NoFiles())
    env.filters.update(FILTERS)
    env.globals["range"] = _safe_range
    return env


# docxtpl's escapes for literal braces become Jinja string constants in the template.
_ESCAPES = {"{_{": "{{ '{{' }}", "}_}": "{{ '}}' }}", "{_%": "{{ '{%' }}", "%_}": "{{ '%}' }}"}
_ESCAPE = re.compile("|".join(map(re.escape, _ESCAPES)))


class _Timeout(BaseException):
    """Raised in the thread that runs a template when MAX_SECONDS have passed. A
    BaseException, so that no `except Exception` in a filter or in Jinja swallows it."""


class _Watchdog:
    """One thread per process that interrupts the renders running past their deadline. (A
    timer thread per render costs a thread start, and a wait for it to be scheduled, for
    every document of a build.)"""

    POLL = 0.25
    """It looks at least this often: a render is stopped at most this late."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.armed: dict[int, list] = {}  # key → [deadline, thread id, fired]
        self.count = 0
        self.thread: threading.Thread | None = None

    def arm(self, seconds: float) -> int:
        with self.cond:
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="kehoach-deadline", daemon=True)
                self.thread.start()
            self.count += 1
            # No notify: waking the watchdog would hand it the interpreter lock on every
            # render; it looks at least every POLL seconds anyway.
            self.armed[self.count] = [time.monotonic() + seconds, threading.get_ident(), False]
            return self.count

    def disarm(self, key: int) -> None:
        with self.cond:
            _, target, fired = self.armed.pop(key)
            if fired:  # not delivered yet: withdraw it
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)

    def _watch(self) -> None:
        with self.cond:
            while True:
                now = time.monotonic()
                waiting = []
                for entry in self.armed.values():
                    if entry[2]:
                        continue
                    if entry[0] <= now:
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(entry[1]),
                                                                   ctypes.py_object(_Timeout))
                        entry[2] = True
                    else:
                        waiting.append(entry[0] - now)
                self.cond.wait(min([*waiting, self.POLL]))


_WATCHDOG = _Watchdog()


def _new_watchdog() -> None:
    global _WATCHDOG
    _WATCHDOG = _Watchdog()  # a forked worker has no watchdog thread, and maybe a held lock


os.register_at_fork(after_in_child=_new_watchdog)


@contextmanager
def _deadline(seconds: float):
    """Interrupt the current thread (between two Python steps) after `seconds`."""
    watchdog = _WATCHDOG
    key = watchdog.arm(seconds)
    try:
        yield
    finally:
        watchdog.disarm(key)


_as_lock = threading.Lock()
_as_users = 0
_as_saved: tuple[int, int] | None = None


@contextmanager
def _memory_limit(extra: int):
    """Lower the process's address-space limit to its current size plus `extra` while the
    block runs (Linux): an allocation beyond raises MemoryError instead of exhausting the
    machine. Threads rendering at once share the first one's limit."""
    global _as_users, _as_saved
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        yield
        return
    with _as_lock:
        if _as_users == 0:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = used + extra
            if (hard == resource.RLIM_INFINITY or limit < hard) and \
                    (soft == resource.RLIM_INFINITY or limit < soft):
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
                _as_saved = (soft, hard)
        _as_users += 1
    try:
        yield
    finally:
        with _as_lock:
            _as_users -= 1
            if _as_users == 0 and _as_saved is not None:
                resource.setrlimit(resource.RLIMIT_AS, _as_saved)
                _as_saved = None


@contextmanager
def _bounded():
    with _deadline(MAX_SECONDS), _memory_limit(MAX_MEMORY):
        yield


_LIMITS = (_Timeout, MemoryError, RecursionError, OverflowError)


def _limit_message(exc: BaseException) -> str:
    if isinstance(exc, _Timeout):
        return f"Mẫu chạy quá {MAX_SECONDS:g} giây (vòng lặp quá lớn?); đã dừng."
    if isinstance(exc, MemoryError):
        return "Mẫu cần quá nhiều bộ nhớ (chuỗi hoặc vòng lặp quá lớn); đã dừng."
    if isinstance(exc, RecursionError):
        return "Mẫu gọi lồng nhau quá sâu (macro tự gọi lại chính nó?); đã dừng."
    return "Mẫu tính ra số quá lớn; đã dừng."


def _security_message(exc: SecurityError) -> str:
    text = str(exc).rstrip(".")
    m = re.fullmatch(r"access to attribute '(.+)' of '(.+)' object is unsafe", text)
    if m:
        text = f"không được dùng thuộc tính '{m[1]}' của {m[2]}"
    elif text.endswith("is not safely callable"):
        text = "gọi một hàm không được phép"
    return f"Mẫu bị chặn vì thao tác không an toàn: {text}."


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
    names: dict[str, int] = field(default_factory=dict)
    """Variables the part reads without setting them → template line of the first use."""


@dataclass(frozen=True)
class CoreProperties:
    title: str
    subject: str
    creator: str
    language: str
    day: date


class CompiledTemplate(DocxObjects):
    """A .docx template read and compiled once, rendered many times. For a context built
    in Python it offers docxtpl's new_subdoc(), build_url_id() and current_rendering_part
    (InlineImage(tpl, …)); see kehoach_docs.render.docx_objects."""

    def __init__(self, path: str | Path, data: bytes | None = None) -> None:
        """`data`: the template's bytes when already read (compile_template), else read here."""
        self.path = Path(path)
        self.env = make_environment()
        self.links: dict[str, str] = {}
        self.core_tags: list = []
        self.entries: list[tuple[zipfile.ZipInfo, bytes]] = []
        self._packer: Packer | None = None
        self.parts: dict[str, _Part] = {}
        problems: list[Problem] = []
        # Every part is inspected, not only the templated ones (package_safety.py).
        self.entries = load_safe_package(self.path if data is None else io.BytesIO(data), MAX_TEMPLATE_BYTES,
                                         label=self.path)
        with _bounded():  # compiling runs constant parts of expressions
            for info, data in self.entries:
                if TEMPLATED.match(info.filename):
                    problems += self._compile(info.filename, data)
            problems += self._compile_core()
        if problems:
            raise ProblemList(problems)
        if "word/document.xml" not in {i.filename for i, _ in self.entries}:
            raise ProblemList.one(self.path, 0, 0, "", "Tệp không phải văn bản Word (.docx).")
        data = dict((i.filename, d) for i, d in self.entries)
        self.rels = {name: objects.parse_rels(data.get(objects.rels_name(name))) for name in self.parts}

    def _compile_core(self) -> list[Problem]:
        """Tags in the document properties (title, subject…), as docxtpl renders them."""
        data = next((d for i, d in self.entries if i.filename == "docProps/core.xml"), None)
        if data is None or (b"{{" not in data and b"{%" not in data):
            return []
        try:
            self.core_tags = objects.core_templates(self.env, data)
        except TemplateSyntaxError as exc:
            return [Problem(self.path, 0, 0, "thuộc tính tài liệu (docProps/core.xml)",
                            f"Lỗi cú pháp trong thẻ mẫu: {(exc.message or '').rstrip('.')}.")]
        except etree.XMLSyntaxError:
            return []
        return []

    def _compile(self, name: str, data: bytes) -> list[Problem]:
        try:
            xml = data.decode("utf-8")
        except UnicodeDecodeError:
            return [Problem(self.path, 0, 0, part_label(name), "Phần này của mẫu không phải XML mã UTF-8.")]
        if "{{" not in xml and "{%" not in xml and "{#" not in xml:
            return []
        if re.search(r"<!DOCTYPE", xml, re.IGNORECASE):
            # Word never writes one; entity declarations could pull other files in.
            return [Problem(self.path, 0, 0, part_label(name), "Mẫu có khai báo <!DOCTYPE>: không được phép.")]
        # Each paragraph starts a template line of its own (kehoach_docs.render.places).
        marked, paragraphs = mark_paragraphs(keep_section_breaks(xml))
        source = clean_tags(PATCHER.patch_xml(marked))
        source = _ESCAPE.sub(lambda m: _ESCAPES[m.group()], source)
        places = line_places(source, paragraphs)
        try:
            template = self.env.from_string(source)
        except TemplateSyntaxError as exc:
            from kehoach_docs.render.template_errors import explain

            line, message = explain(exc, self.env, source, places)
            if re.match(r"unexpected char |No (filter|test) named ", exc.message or ""):
                # The column in the tag (Jinja gives an offset in the whole part); a filter
                # or test that does not exist is named, not taken for a mistyped tag.
                line, message = exc.lineno, syntax_detail(exc, source) + "."
            where = places[line - 1] if 0 < line <= len(places) else ""
            return [Problem(self.path, 0, 0, f"{part_label(name)}, {where}", f"Lỗi cú pháp trong thẻ mẫu: {message}")]
        except SecurityError as exc:
            return [Problem(self.path, 0, 0, part_label(name), _security_message(exc))]
        except _LIMITS as exc:
            return [Problem(self.path, 0, 0, part_label(name), _limit_message(exc))]
        loops = _TC_LOOP.search(re.sub(r"<[^>]+>", "", xml)) is not None
        names = undeclared(self.env.parse(source))
        self.parts[name] = _Part(name, source, template, places, loops, names)
        return []

    def render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        """Rendered XML of each templated part; raise ProblemList for missing variables."""
        with _bounded():
            return self._render_parts(context)

    def _render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        entries = {i.filename: d for i, d in self.entries}
        session = objects.RenderSession(set(entries), self.rels, self.links)
        token = objects.start(session)
        try:
            out = self._render_each(context, session)
        finally:
            objects.stop(token)
        out = objects.renumber_drawings(out, {n: d for n, d in entries.items()
                                              if n not in out and TEMPLATED.match(n)})
        objects.finish_package(session, entries, out)
        if self.core_tags:
            try:
                out["docProps/core.xml"] = objects.render_core(entries["docProps/core.xml"],
                                                               self.core_tags, context)
            except Exception as exc:
                raise ProblemList.one(self.path, 0, 0, "thuộc tính tài liệu (docProps/core.xml)",
                                      f"Lỗi khi điền mẫu: {str(exc).rstrip('.')}.") from None
        return out

    def _render_each(self, context: dict[str, Any], session) -> dict[str, bytes]:
        out = RenderedParts()
        trees = out.trees
        problems: list[Problem] = []
        for part in self.parts.values():
            seen: list = []
            token = _missing.set(seen)
            session.current = part.name
            try:
                xml = _generate(part.template, context)
            except _TooLarge:
                raise ProblemList.one(self.path, 0, 0, part_label(part.name),
                                      "Kết quả quá lớn; mẫu có vòng lặp bất thường.") from None
            except SecurityError as exc:
                raise ProblemList.one(self.path, 0, 0, part_label(part.name),
                                      _security_message(exc)) from None
            except _LIMITS as exc:
                raise ProblemList.one(self.path, 0, 0, part_label(part.name),
                                      _limit_message(exc)) from None
            except Exception as exc:  # a template error is the template author's to fix
                line = _exception_line(exc)
                where = part.places[line - 1] if 0 < line <= len(part.places) else ""
                m = re.fullmatch(r"'(.+)' is undefined", str(exc))
                message = f"Biến '{m[1]}' không có trong dữ liệu (thiếu hoặc viết sai tên)." if m else \
                    f"Không chèn được vào văn bản: {exc}." if isinstance(exc, objects.ObjectError) else \
                    f"Lỗi khi điền mẫu: {str(exc).rstrip('.') or type(exc).__name__}."
                raise ProblemList.one(self.path, 0, 0, f"{part_label(part.name)}, {where}",
                                      message) from None
            finally:
                _missing.reset(token)
            # Variables in branches and loops this data did not reach are missing too.
            unused = [(n, line) for n, line in part.names.items()
                      if n not in context and n not in self.env.globals]
            for name, line in dict.fromkeys(sorted(unused, key=lambda x: x[1]) + seen):
                where = part.places[line - 1] if 0 < line <= len(part.places) else ""
                if name.startswith("…."):
                    # Show the expression as written in the template ("d.van_bam"), if found.
                    m = re.search(r"[\w.]*\." + re.escape(name[2:]) + r"\b", where)
                    name = m.group() if m else name
                problems.append(Problem(self.path, 0, 0, f"{part_label(part.name)}, {where}",
                                        f"Biến '{name}' không có trong dữ liệu (thiếu hoặc viết sai tên)."))
            xml = objects.resolve_controls(xml, PATCHER.resolve_listing)
            data = xml.encode("utf-8")
            bad = objects.bad_character(xml)
            dangling = objects.link_references(session, part.name, xml)
            try:
                if bad:
                    raise etree.XMLSyntaxError(bad, None, 0, 0)
                # Parsed as the checker reads a part, so that it need not parse it again.
                root = read_part(data)
            except etree.XMLSyntaxError as exc:
                problems.append(Problem(self.path, 0, 0, part_label(part.name), _xml_message(exc, bad)))
            else:
                if dangling:
                    problems.append(Problem(
                        self.path, 0, 0, part_label(part.name),
                        f"Văn bản sẽ trỏ tới quan hệ không có ({', '.join(dangling)}: ảnh, liên kết "
                        "hoặc tài liệu con tạo cho mẫu khác?); không ghi tệp hỏng."))
                parsed = data
                if part.name == "word/document.xml":
                    data = _fix_body(data, part.column_loops)
                    data = column_widths.apply_to_xml(data, context.get("do_rong_bang"))
                if data is parsed:  # the tree is these very bytes
                    trees[part.name] = (data, root)
            out[part.name] = data
        if problems:
            raise ProblemList(problems)
        return out

    def get_undeclared_template_variables(self, context: dict[str, Any] | None = None) -> set[str]:
        """docxtpl's method: the variables the template reads and does not set (in every part
        and the document properties), less those `context` has."""
        names = {n for part in self.parts.values() for n in part.names}
        for _, source, _ in self.core_tags:
            names |= set(undeclared(self.env.parse(source)))
        names -= set(self.env.globals)
        return names - set(context or ())

    def render(self, context: dict[str, Any], core: CoreProperties | None = None) -> bytes:
        """The rendered .docx as bytes (deterministic)."""
        return self.render_package(context, core)[0]

    def render_package(self, context: dict[str, Any], core: CoreProperties | None = None
                       ) -> tuple[bytes, dict[str, bytes]]:
        """The rendered .docx as bytes, and every part of it by name (what the checker
        reads, without unzipping the bytes again)."""
        parts = self.render_parts(context)
        if core is not None:
            parts["docProps/core.xml"] = core_xml(core)
        every = RenderedParts({info.filename: parts.get(info.filename, data) for info, data in self.entries})
        for name, data in parts.items():
            every.setdefault(name, data)
        every.trees = getattr(parts, "trees", {})
        if self._packer is None:  # the template's own parts, compressed once for every document
            self._packer = Packer({info.filename: data for info, data in self.entries})
        return self._packer.pack(every), every


class RenderedParts(dict):
    """Part name → bytes, as rendered; `trees` holds, for parts whose bytes were parsed on
    the way, (those bytes, the tree as ooxml.parse_part makes it): the checker reads the
    tree instead of parsing the bytes again (never to be changed: read only)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.trees: dict[str, tuple[bytes, Any]] = {}


class _TooLarge(Exception):
    pass


def _xml_message(exc: Exception, bad: str | None) -> str:
    if bad:
        return (f"Dữ liệu có ký tự điều khiển {bad}, không được phép trong văn bản Word "
                "(chỉ xuống dòng \\n, tab \\t, đoạn mới \\a, sang trang \\f); hãy xóa ký tự đó trong dữ liệu.")
    return f"Mẫu tạo ra XML hỏng ({exc}); kiểm tra các thẻ {{%p %}}, {{%tr %}}, {{%tc %}} trong mẫu."


def _generate(template, context: dict[str, Any]) -> str:
    """The rendered text, stopped as soon as it grows beyond MAX_OUTPUT_CHARS."""
    chunks, size = [], 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise _TooLarge
        chunks.append(chunk)
    return "".join(chunks)


def _fix_body(data: bytes, column_loops: bool) -> bytes:
    """document.xml after the fixes docxtpl's own render would make (see the module doc)."""
    changed = False
    if not column_loops and data.count(b"<w:sectPr") <= 1:
        return data
    root = etree.fromstring(data)  # as docxtpl parses it (blank text kept)
    if column_loops:
        # docxtpl's fix_tables parses the part itself (lxml, recover mode; `data` is already
        # known to be well-formed) and returns the root with every table's tblGrid matched to
        # its cells: grid columns appended (old ones scaled to keep the width) or dropped.
        if add_missing_grids(root):
            data = etree.tostring(root, encoding="utf-8")
        root = PATCHER.fix_tables(data)
        changed = True
    if data.count(b"<w:sectPr") > 1:
        changed |= merge_empty_last_section(root)
    if not changed:
        return data
    m = re.match(rb"<\?xml[^>]*\?>\s*", data)
    decl = m.group().decode("utf-8") if m else ""
    return (decl + etree.tostring(root, encoding="unicode")).encode("utf-8")


_TEXT_WIDTH_TWIPS = 9071
"""16 cm (A4 with the thể thức margins): the text width when the document states no page."""


def text_width(root) -> int:
    """The text width of the document's last section (page width less its side margins), in
    twips: a grid made for a table that had none shares it equally."""
    sect = root.find(f".//{W}body/{W}sectPr")
    size = sect.find(f"{W}pgSz") if sect is not None else None
    margins = sect.find(f"{W}pgMar") if sect is not None else None
    try:
        width = int(size.get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))
    except (AttributeError, TypeError, ValueError):
        return _TEXT_WIDTH_TWIPS
    return width if width > 0 else _TEXT_WIDTH_TWIPS


def add_missing_grids(root) -> bool:
    """Give each table without a <w:tblGrid> (Word always writes one; hand-made XML may not)
    one, from its widest row's cell widths: docxtpl's fix_tables needs it."""
    added = False
    for tbl in root.iter(f"{W}tbl"):
        if tbl.find(f"{W}tblGrid") is not None:
            continue
        if not added:
            page = text_width(root)
        rows = tbl.findall(f"{W}tr")
        widest = max(rows, key=lambda r: len(r.findall(f"{W}tc")), default=None)
        cells = widest.findall(f"{W}tc") if widest is not None else []
        grid = etree.Element(f"{W}tblGrid")
        for tc in cells:
            w = tc.find(f"{W}tcPr/{W}tcW")
            width = w.get(f"{W}w") if w is not None and w.get(f"{W}type", "dxa") == "dxa" else None
            etree.SubElement(grid, f"{W}gridCol", {f"{W}w": width if width and width.isdigit() else
                                                    str(page // max(len(cells), 1))})
        pr = tbl.find(f"{W}tblPr")
        tbl.insert(tbl.index(pr) + 1 if pr is not None else 0, grid)
        added = True
    return added


def merge_empty_last_section(root) -> bool:
    """If the document's last section holds only empty paragraphs (no text), it would print
    an empty page: its section break's properties become the final sectPr and the empty
    paragraphs after the break go. Returns whether anything changed."""
    body = root.find(f"{W}body")
    if body is None or len(body) == 0 or body[-1].tag != f"{W}sectPr":
        return False
    empty = []
    for el in reversed(body[:-1]):
        if el.tag != f"{W}p":
            return False
        sect = el.find(f"{W}pPr/{W}sectPr")
        if sect is not None:
            break
        if _has_content(el):
            return False
        empty.append(el)
    else:
        return False
    el.find(f"{W}pPr").remove(sect)
    body.replace(body[-1], sect)
    for p in empty:
        body.remove(p)
    return True


# What makes a paragraph print something (LibreOffice writes empty runs in empty paragraphs).
_CONTENT = tuple(f"{W}{t}" for t in ("tab", "br", "cr", "drawing", "pict", "object", "sym", "fldChar",
                                       "fldSimple", "footnoteReference", "endnoteReference"))


def _has_content(p) -> bool:
    return any(el.tag != f"{W}t" or el.text for el in p.iter(f"{W}t", *_CONTENT))


def _exception_line(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        tmpl = tb.tb_frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            line = tmpl.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return getattr(exc, "lineno", None) or line


def core_xml(core: CoreProperties) -> bytes:
    stamp = f"{core.day.isoformat()}T00:00:00Z"
    return (
        f"{XML_DECL}<cp:coreProperties {CORE_PROPERTIES_XMLNS}>"
        f"<dc:title>{escape(core.title)}</dc:title>"
        f"<dc:subject>{escape(core.subject)}</dc:subject>"
        f"<dc:creator>{escape(core.creator)}</dc:creator>"
        f"<dc:language>{escape(core.language)}</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


_COMPILED: dict[tuple[str, str], CompiledTemplate] = {}
"""(resolved path, sha256 of its bytes) → the template compiled from those bytes (at most 32)."""


def template_stamp(path: str | Path) -> tuple[str, tuple]:
    """(absolute path, stat) of a template that is a regular file: what a caller keeps its
    identity under (the Workspace, once per build). Raises ProblemList otherwise."""
    key = os.path.abspath(path)
    try:
        st = os.stat(key)
    except OSError:
        raise ProblemList.one(Path(path).resolve(), 0, 0, "", "Không tìm thấy tệp mẫu.") from None
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read below, a device never end
        raise ProblemList.one(Path(path), 0, 0, "", f"Mẫu '{path}': {refuse_kind(path, st.st_mode).reason}")
    return key, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_template(path: str | Path) -> tuple[tuple[str, str], bytes]:
    """((resolved path, sha256), bytes) of a template, read once: a link is followed (a
    template named on purpose), but only to a regular file, bounded (safe_file.read_regular)."""
    template_stamp(path)
    resolved = Path(path).resolve()
    try:
        data = read_regular(resolved, MAX_TEMPLATE_BYTES, what="mẫu", follow=True)
    except UnsafeFile as exc:
        raise ProblemList.one(resolved, 0, 0, "", str(exc)) from None
    except OSError:
        data = None
    if data is None:
        raise ProblemList.one(resolved, 0, 0, "", "Không tìm thấy tệp mẫu.")
    return (str(resolved), hashlib.sha256(data).hexdigest()), data


def compile_template(path: str | Path) -> CompiledTemplate:
    """Compiled template, cached by the file's content (edit the .docx and it is
    recompiled, whatever its modification time says): compiled from the very bytes its
    digest was taken of. A build keeps it in its Workspace (read once per build)."""
    return compiled_from(*read_template(path))


def compiled_from(identity: tuple[str, str], data: bytes) -> CompiledTemplate:
    """The template of these bytes (read_template's), compiled once per content."""
    if (known := _COMPILED.get(identity)) is None:
        known = CompiledTemplate(identity[0], data)
        if len(_COMPILED) >= 32:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[identity] = known
    return known
