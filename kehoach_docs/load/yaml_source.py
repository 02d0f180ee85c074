"""Step 1 — load: read a YAML file safely, keeping where every value came from.

The result is plain Python data (dict, list, str, int, float, bool, date, None) plus a
map from each value's path to its line and column, so that later steps can point a clerk
to the exact place of a mistake. Only the YAML core types are accepted: no Python tags,
no custom constructors. Every string is NFC-normalised.
"""

from __future__ import annotations

import codecs
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kehoach_docs.format.vn import nfc
from kehoach_docs.errors import ERROR, Problem, ProblemList
from kehoach_docs.safe_file import NotRegular, TooLarge, read_regular

Path_ = tuple[str | int, ...]

# libyaml's composer when installed (same nodes and marks, several times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits keep a hostile or mistaken file from hanging the tool (alias bombs, huge files).
MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100
"""Nesting of groups and lists; real documents use fewer than ten levels."""
MAX_NUMBER = 10**15
"""Largest number in a data file: no figure of a document comes near (1e300 is a typo)."""

# What YAML does not accept in a file (as PyYAML's reader): control characters but tab,
# newline and NEL; lone surrogates; U+FFFE and U+FFFF.
_UNACCEPTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class Loaded:
    """Data from one YAML file and the position (line, column; 1-based) of each value."""

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path_, key: bool = False) -> tuple[int, int]:
        """Position of `loc` (of its key when `key`), or of its nearest ancestor that has one."""
        loc = tuple(loc)
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, loc: Path_, message: str, level: str = ERROR, *, key: bool = False,
                field: str | None = None) -> Problem:
        """A Problem at the place of `loc` in this file (see `where`); its field is the dotted
        `loc` unless `field` is given."""
        line, col = self.where(loc, key)
        return Problem(self.path, line, col, _dotted(tuple(loc)) if field is None else field, message, level)

    def place(self, p: Problem) -> Problem:
        """A problem raised without a file (a profile, a template name) put in this file, at
        the place of its dotted field ("the_thuc", "mau"); no line when it has no field. Its
        level and rule are kept."""
        line, col = self.where(tuple(p.field.split("."))) if p.field else (0, 0)
        return replace(p, file=self.path, line=line, column=col)


_RESAVE = "Hãy mở tệp và lưu lại với mã hóa UTF-8 (Notepad: Lưu thành… → Mã hóa: UTF-8)."


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ProblemList.one(path, 1, 1, "", "Tệp đang ở mã UTF-16 (Notepad gọi là \"Unicode\"), "
                                              "không phải UTF-8. " + _RESAVE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProblemList.one(path, line, col, "", _not_utf8(raw)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _not_utf8(raw: bytes) -> str:
    """Why the bytes are not UTF-8 and how to fix it; names a legacy Vietnamese encoding."""
    from kehoach_docs.load.legacy import guess_legacy_encoding

    name = guess_legacy_encoding(raw)
    if name is None:
        return "Tệp không phải mã UTF-8. " + _RESAVE
    if name == "Windows-1258":
        return ("Tệp không phải mã UTF-8: chữ Việt đang ở mã Windows-1258 (Notepad gọi là \"ANSI\"). "
                + _RESAVE)
    # Font encodings: re-saving keeps the wrong letters; the text must be converted first.
    return (f"Tệp không phải mã UTF-8: chữ Việt đang ở mã {name} cũ (phông chữ "
            f"{'.Vn…' if name.startswith('TCVN3') else 'VNI-…'}). Hãy chuyển sang Unicode bằng "
            f"công cụ chuyển mã (Unikey: Ctrl+Shift+F6, nguồn {name}, đích Unicode) rồi lưu "
            "tệp với mã hóa UTF-8.")


def load_yaml(path: str | Path) -> Loaded:
    """Load one YAML file; raise ProblemList with every problem found while reading it."""
    path = Path(path)
    try:
        # A link is followed (a clerk may link a shared file in), but only to a regular file:
        # a FIFO would block the build forever, a device would be read without end.
        raw = read_regular(path, MAX_BYTES, what="tệp", follow=True)
    except TooLarge:
        raise ProblemList.one(path, 1, 1, "",
                              f"Tệp quá lớn (hơn {MAX_BYTES:,} byte); tệp dữ liệu của một văn bản "
                              "chỉ vài chục KB — có thể đã chọn nhầm tệp.") from None
    except NotRegular as exc:
        raise ProblemList.one(path, 0, 0, "", f"Không đọc được: {exc.reason}") from None
    except OSError as exc:
        raise ProblemList.one(path, 0, 0, "", f"Không đọc được tệp: {exc.strerror}.") from None
    if raw is None:
        raise ProblemList.one(path, 0, 0, "", "Không tìm thấy tệp.")
    if (kept := _PARSED.get(raw)) is not None:
        data, positions, key_positions = pickle.loads(kept)  # a copy: a caller may change its data
        return Loaded(path, data, positions, key_positions)
    loaded = load_yaml_text(_decode(raw, path), path)
    _remember(raw, pickle.dumps((loaded.data, loaded.positions, loaded.key_positions),
                                protocol=pickle.HIGHEST_PROTOCOL))
    return loaded


_PARSED: dict[bytes, bytes] = {}
"""A file's bytes → what they parse to (data and positions, pickled). Keyed by the content
itself, never by a file time: it cannot be stale. A watch rebuild, or a copy of a workspace,
reads again hundreds of unchanged files: each is unpickled, ten times faster than parsing."""
MAX_PARSED_BYTES = 64 << 20
_parsed_bytes = 0


def _remember(raw: bytes, pickled: bytes) -> None:
    global _parsed_bytes
    size = len(raw) + len(pickled)
    if _parsed_bytes + size > MAX_PARSED_BYTES:
        _PARSED.clear()
        _parsed_bytes = 0
    _PARSED[raw] = pickled
    _parsed_bytes += size


def load_yaml_text(text: str, path: str | Path = "<văn bản>") -> Loaded:
    path = Path(path)
    if "\t" in text:
        # YAML forbids tabs for indentation; PyYAML's own message is cryptic.
        for no, line in enumerate(text.split("\n"), 1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise ProblemList.one(path, no, len(line) - len(stripped) + 1, "",
                                      "Dùng phím Tab để thụt lề; YAML chỉ cho phép dấu cách.")
    bad = _UNACCEPTABLE.search(text)
    if bad:
        # PyYAML would name only an offset; say where, and what the character is.
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise ProblemList.one(path, line, col, "",
                              f"Có ký tự điều khiển ẩn U+{ord(bad.group()):04X} (thường do sao chép "
                              "từ nơi khác); hãy xóa ký tự này.")
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except RecursionError:  # the pure-Python composer, on absurd nesting
        raise ProblemList.one(path, 1, 1, "", f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and (exc.problem or "").startswith("found unexpected end of stream"):
            mark = exc.context_mark  # an unclosed quote: point at where the string starts
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ProblemList.one(path, line, col, "", _yaml_message(exc)) from None
    except yaml.YAMLError as exc:
        raise ProblemList.one(path, 0, 0, "", f"Lỗi cú pháp YAML: {exc}") from None
    if node is None:
        raise ProblemList.one(path, 1, 1, "", "Tệp trống: chưa có dữ liệu.")
    builder = _Builder(path)
    data = builder.build(node, ())
    if builder.problems:
        raise ProblemList(builder.problems)
    return Loaded(path, data, builder.positions, builder.key_positions)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or exc.context or "").strip()
    colon = ("Dấu hai chấm đặt sai chỗ (nếu nội dung có dấu ':', hãy đặt cả chuỗi trong ngoặc kép), "
             "hoặc dòng này thụt lề không thẳng hàng với các trường cùng cấp.")
    escape = ("Dấu '\\' trong chuỗi ngoặc kép bắt đầu một mã ký tự (\\n, \\x…, \\u…) viết sai; "
              "muốn viết dấu '\\' hãy gõ '\\\\' hoặc dùng ngoặc đơn.")
    known = {
        # PyYAML and libyaml word the same mistakes differently.
        "mapping values are not allowed here": colon,
        "mapping values are not allowed in this context": colon,
        "did not find expected key": "Thụt lề không thẳng hàng: các trường cùng cấp phải bắt đầu ở cùng một cột.",
        "did not find expected '-' indicator": "Thụt lề của danh sách không thẳng hàng.",
        "found unexpected end of stream": "Thiếu dấu ngoặc kép đóng ở cuối chuỗi.",
        "found character that cannot start any token":
            "Có ký tự không được phép ở đầu giá trị (Tab, hoặc @ `); hãy đặt chuỗi trong ngoặc kép.",
        "could not find expected ':'": "Thiếu dấu hai chấm sau tên trường.",
        "found character '\\t' that cannot start any token": "Không được dùng phím Tab; hãy dùng dấu cách.",
        "expected <block end>, but found '-'": "Thụt lề của danh sách không thẳng hàng.",
        "found undefined alias": "Bí danh (*…) chưa được định nghĩa.",
        "did not find expected ',' or ']'": "Danh sách mở bằng '[' chưa được đóng bằng ']' (hoặc thiếu dấu phẩy).",
        "did not find expected ',' or '}'": "Nhóm mở bằng '{' chưa được đóng bằng '}' (hoặc thiếu dấu phẩy).",
        "did not find expected node content": "Thiếu giá trị ở đây (hoặc có dấu ',' ']' '}' thừa).",
        "found unknown escape character": escape,
        "found invalid Unicode character escape code": escape,
        "did not find expected hexdecimal number": escape,
        "found unexpected document indicator": "Dòng '---' hoặc '...' nằm giữa một chuỗi; hãy bỏ dòng đó.",
        "expected a single document in the stream":
            "Tệp chỉ được có một phần dữ liệu; hãy bỏ dòng '---' thứ hai.",
        "but found another document": "Tệp chỉ được có một phần dữ liệu; hãy bỏ dòng '---' thứ hai.",
        "found a tab character": "Không được dùng phím Tab; hãy dùng dấu cách.",
        "found duplicate anchor": "Bí danh (&…) bị đặt hai lần.",
        "did not find expected <document start>": "Thụt lề không thẳng hàng hoặc có chữ thừa ở đầu dòng.",
        # PyYAML 6.0.4's own bound (libyaml's composer), before ours in _Builder.
        "exceeded maximum nesting depth": f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).",
        "did not find expected comment or line break": "Có chữ thừa sau giá trị (chuỗi có dấu ngoặc kép "
                                                       "phải kết thúc ở dấu ngoặc đóng).",
    }
    for key, msg in known.items():
        if problem.startswith(key) or key in problem:
            return msg
    return f"Lỗi cú pháp YAML: {problem}."


class _Builder:
    """Turn a composed YAML node tree into Python data, recording positions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.key_positions: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = SafeConstructor()
        self.open: set[int] = set()
        """Ids of the groups and lists being built: an alias to one of them is a loop."""

    def fail(self, node: Node, loc: Path_, message: str) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1,
                                     node.start_mark.column + 1, _dotted(loc), message))

    def build(self, node: Node, loc: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.fail(node, loc, f"Tệp có quá nhiều giá trị (hơn {MAX_NODES:,}); "
                                     "có thể do bí danh (&/*) lồng nhau.")
            return None
        here = (node.start_mark.line + 1, node.start_mark.column + 1)
        # A scalar points at its value; a block points at its key, where the clerk looks.
        if isinstance(node, ScalarNode):
            self.positions[loc] = here
        else:
            self.positions.setdefault(loc, here)
        if node.tag not in _SAFE_TAGS:
            self.fail(node, loc, f"Thẻ YAML '{node.tag}' không được phép; chỉ dùng dữ liệu thường.")
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc)
        if id(node) in self.open:
            self.fail(node, loc, "Bí danh (*…) trỏ vào chính nhóm chứa nó (vòng lặp vô tận).")
            return None
        if len(self.open) >= MAX_DEPTH:
            self.fail(node, loc, f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).")
            return None
        self.open.add(id(node))
        try:
            return self._collection(node, loc)
        finally:
            self.open.discard(id(node))

    def _collection(self, node: Node, loc: Path_) -> Any:
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, loc, "Không hỗ trợ '<<' (gộp khóa).")
                    continue
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _SAFE_TAGS:
                    self.fail(key_node, loc, "Tên trường phải là một chữ đơn giản.")
                    continue
                key = nfc(str(key_node.value))
                if key in result:
                    self.fail(key_node, loc + (key,), f"Trường '{key}' bị khai báo hai lần.")
                    continue
                self.key_positions[loc + (key,)] = (key_node.start_mark.line + 1,
                                                    key_node.start_mark.column + 1)
                self.positions[loc + (key,)] = self.key_positions[loc + (key,)]
                result[key] = self.build(value_node, loc + (key,))
            return result
        if isinstance(node, SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        return None

    def _scalar(self, node: ScalarNode, loc: Path_) -> Any:
        if node.tag == _STR:  # most values: the text itself, without the constructor's dispatch
            return nfc(node.value)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            self.fail(node, loc, {
                "int": "Số quá lớn hoặc viết sai.",
                "float": "Số quá lớn hoặc viết sai.",
                "timestamp": "Ngày không có thật hoặc viết sai (dạng 2021-12-10).",
            }.get(kind, f"Giá trị không đọc được: {exc}."))
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value != value or value in (float("inf"), float("-inf")):
                self.fail(node, loc, "Giá trị không phải một số (.nan, .inf); hãy ghi một số cụ thể.")
                return None
            if abs(value) > MAX_NUMBER:
                self.fail(node, loc, f"Số quá lớn (tối đa {MAX_NUMBER:,}); có viết nhầm không?".replace(",", "."))
                return None
        return nfc(value) if isinstance(value, str) else value


def _dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
