"""Step 1 — load: read a YAML file safely, keeping where every value came from.

The result is plain Python data (dict, list, str, int, float, bool, date, None) plus a
map from each value's path to its line and column, so that later steps can point a clerk
to the exact place of a mistake. Only the YAML core types are accepted: no Python tags,
no custom constructors. Every string is NFC-normalised.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kehoach_docs.errors import Problem, ProblemList

Path_ = tuple[str | int, ...]

# libyaml's composer when installed (same nodes and marks, several times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits keep a hostile or mistaken file from hanging the tool (alias bombs, huge files).
MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

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


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProblemList([Problem(
            path, line, col, "",
            "Tệp không phải mã UTF-8" + _legacy_hint(raw)
            + ". Hãy mở tệp và lưu lại với mã hóa UTF-8 (Notepad: Lưu thành… → Mã hóa: UTF-8).",
        )]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _legacy_hint(raw: bytes) -> str:
    """Name the legacy Vietnamese encoding when the bytes look like it."""
    from kehoach_docs.legacy import guess_legacy_encoding

    name = guess_legacy_encoding(raw)
    return f" (có vẻ là chữ Việt mã {name} cũ)" if name else ""


def load_yaml(path: str | Path) -> Loaded:
    """Load one YAML file; raise ProblemList with every problem found while reading it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProblemList([Problem(path, 0, 0, "", "Không tìm thấy tệp.")]) from None
    except OSError as exc:
        raise ProblemList([Problem(path, 0, 0, "", f"Không đọc được tệp: {exc.strerror}.")]) from None
    if len(raw) > MAX_BYTES:
        raise ProblemList([Problem(path, 0, 0, "",
                                   f"Tệp quá lớn ({len(raw):,} byte; tối đa {MAX_BYTES:,}).")])
    return load_yaml_text(_decode(raw, path), path)


def load_yaml_text(text: str, path: str | Path = "<văn bản>") -> Loaded:
    path = Path(path)
    if "\t" in text:
        # YAML forbids tabs for indentation; PyYAML's own message is cryptic.
        for no, line in enumerate(text.split("\n"), 1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise ProblemList([Problem(path, no, len(line) - len(stripped) + 1, "",
                                           "Dùng phím Tab để thụt lề; YAML chỉ cho phép dấu cách.")])
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ProblemList([Problem(path, line, col, "", _yaml_message(exc))]) from None
    except yaml.YAMLError as exc:
        raise ProblemList([Problem(path, 0, 0, "", f"Lỗi cú pháp YAML: {exc}")]) from None
    if node is None:
        raise ProblemList([Problem(path, 1, 1, "", "Tệp trống: chưa có dữ liệu.")])
    builder = _Builder(path)
    data = builder.build(node, ())
    if builder.problems:
        raise ProblemList(builder.problems)
    return Loaded(path, data, builder.positions, builder.key_positions)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or exc.context or "").strip()
    colon = "Dấu hai chấm đặt sai chỗ (nếu nội dung có dấu ':', hãy đặt cả chuỗi trong ngoặc kép)."
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
    }
    for key, msg in known.items():
        if problem.startswith(key):
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
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, loc, "Không hỗ trợ '<<' (gộp khóa).")
                    continue
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _SAFE_TAGS:
                    self.fail(key_node, loc, "Tên trường phải là một chữ đơn giản.")
                    continue
                key = _nfc(str(key_node.value))
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
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.fail(node, loc, f"Giá trị không đọc được: {exc}.")
            return None
        return _nfc(value) if isinstance(value, str) else value


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
