"""Is a .docx package safe to use as a template (or to hand to LibreOffice)?

A template may come from anyone, and every part of it is copied into every output, so every
part is inspected, not only the ones with template tags. Refused, each with its part and in
Vietnamese (nothing is stripped silently):

- a package that inflates beyond a bound (a zip bomb), or with two entries of the same name
  (readers disagree on which one counts: the checker would read one, Word the other);
- macros: a `.docm` (or `.dotm`) renamed `.docx`, a `vbaProject.bin` part;
- OLE objects and ActiveX controls (`word/embeddings/`, `<w:object>`, `word/activeX/`);
- altChunk (a whole other document, HTML or RTF, pulled in when the file is opened);
- external relationships (`TargetMode="External"`): a linked image (`file:///…`, `http://…`),
  an attached template, a linked frame or subdocument — they read a local file or make a
  network request when the document is opened or converted to PDF. A hyperlink to a web
  page or an e-mail address is kept: nothing fetches it;
- fields that fetch when updated: INCLUDEPICTURE, INCLUDETEXT, LINK, DDE, DDEAUTO, IMPORT;
- a `<!DOCTYPE>` in any part (entity declarations could pull other files in), and any XML
  part that is not well-formed (a broken `styles.xml` would otherwise fail every document).
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO

from lxml import etree

from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.ooxml import PR, W

MAX_PACKAGE_BYTES = 100 * 1024 * 1024
"""Uncompressed size of a package (a zip bomb is refused before anything is inflated)."""
MAX_ENTRIES = 10_000

_MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData")
_TEMPLATE_MAIN = "wordprocessingml.template.main+xml"
_ALLOWED_EXTERNAL = {"hyperlink"}
_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_FETCHING_FIELDS = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDEAUTO|DDE|IMPORT)\b", re.IGNORECASE)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _part(name: str) -> str:
    return f"phần {name}"


def read_package(path: Path | str | IO[bytes], label: Path | str | None = None,
                 limit: int | None = None) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every entry of a .docx package, in order, after the bounds are checked (ProblemList)."""
    where = label if label is not None else path
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_bounds(infos, where, limit)
            return [(info, zf.read(info)) for info in infos]
    except ProblemList:
        raise
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
        raise ProblemList.one(where, 0, 0, "", f"Không mở được tệp .docx (không phải gói zip hợp lệ: "
                                               f"{exc}).") from None


def check_bounds(infos: list[zipfile.ZipInfo], where, limit: int | None = None, kind: str = ".docx") -> None:
    """Refuse a package (a `kind` file) too big once inflated, or with too many entries, before
    reading it. (Python's zipfile never inflates an entry beyond the size its directory declares.)"""
    if len(infos) > MAX_ENTRIES:
        raise ProblemList.one(where, 0, 0, "", f"Tệp {kind} có quá nhiều mục (hơn {MAX_ENTRIES:,}).")
    limit = MAX_PACKAGE_BYTES if limit is None else limit
    if sum(i.file_size for i in infos) > limit:
        raise ProblemList.one(where, 0, 0, "", f"Tệp {kind} quá lớn khi giải nén "
                                               f"(hơn {limit / 2**20:g} MB).")


def package_problems(entries: list[tuple[zipfile.ZipInfo, bytes]], where) -> list[Problem]:
    """Every reason the package may not be used (empty when it is safe)."""
    problems: list[Problem] = []

    def refuse(part: str, message: str) -> None:
        problems.append(Problem(where, 0, 0, part, message))

    names = [info.filename for info, _ in entries]
    for name, n in Counter(names).items():
        if n > 1:
            refuse(_part(name), f"Gói .docx có {n} mục cùng tên '{name}' (tệp bị sửa bất thường: mỗi chương "
                                "trình đọc một bản khác nhau). Hãy mở bằng Word và lưu lại.")
    parts = {info.filename: data for info, data in entries}
    types = parts.get("[Content_Types].xml")
    if types is None or "word/document.xml" not in parts:
        refuse("", "Tệp không phải văn bản Word (.docx): thiếu [Content_Types].xml hoặc word/document.xml.")
        return problems
    if any(t in types.decode("utf-8", "replace") for t in _MACRO_TYPES) or \
            any(n.lower().endswith(("vbaproject.bin", "vbadata.xml")) for n in names):
        refuse(_part("[Content_Types].xml"),
               "Tệp là văn bản có macro (.docm) đặt tên thành .docx; macro không được phép trong mẫu. "
               "Hãy mở bằng Word và lưu lại dưới dạng \"Word Document (*.docx)\".")
    elif _TEMPLATE_MAIN in types.decode("utf-8", "replace"):
        refuse(_part("[Content_Types].xml"),
               "Tệp là mẫu Word (.dotx) đặt tên thành .docx. Hãy mở bằng Word và lưu lại dưới dạng "
               "\"Word Document (*.docx)\".")
    for name in names:
        low = name.lower()
        if low.startswith(("word/embeddings/", "word/activex/")):
            refuse(_part(name), "Mẫu có đối tượng nhúng (OLE) hoặc điều khiển ActiveX: không được phép. "
                                "Hãy xóa đối tượng đó trong Word hoặc thay bằng ảnh.")
    for name, data in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        head = data[:4096].decode("utf-8", "replace")
        if re.search(r"<!DOCTYPE", head, re.IGNORECASE) or b"<!DOCTYPE" in data or b"<!doctype" in data:
            refuse(_part(name), "Mẫu có khai báo <!DOCTYPE>: không được phép.")
            continue
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            refuse(_part(name), f"Phần {name} của tệp không phải XML hợp lệ ({exc}). Hãy mở tệp bằng Word "
                                "và lưu lại, hoặc dùng lại bản trước đó.")
            continue
        if name.endswith(".rels"):
            problems += _relationship_problems(root, name, where)
        else:
            problems += _content_problems(root, name, where)
    return problems


def _relationship_problems(root, name: str, where) -> list[Problem]:
    out = []
    for rel in root.iter(PR + "Relationship"):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        target = rel.get("Target", "")
        if kind in ("aFChunk",):
            out.append(Problem(where, 0, 0, _part(name), "Mẫu có altChunk (một văn bản khác được chèn nguyên "
                                                         "khối khi mở): không được phép."))
        elif kind in ("oleObject", "package", "control", "activeXControlBinary"):
            out.append(Problem(where, 0, 0, _part(name), "Mẫu có đối tượng nhúng (OLE) hoặc điều khiển "
                                                         "ActiveX: không được phép."))
        elif rel.get("TargetMode") == "External" and not (
                kind in _ALLOWED_EXTERNAL and target.lower().startswith(_ALLOWED_SCHEMES)):
            out.append(Problem(where, 0, 0, _part(name),
                               f"Mẫu có liên kết ra ngoài ({kind}: {target[:120]}): không được phép, vì khi mở "
                               "hay xuất PDF nó sẽ đọc tệp trên máy hoặc gọi mạng. Hãy chèn ảnh, tệp vào "
                               "trong văn bản thay vì liên kết."))
    return out


def _content_problems(root, name: str, where) -> list[Problem]:
    out = []
    seen = set()
    for el in root.iter(f"{W}altChunk", f"{W}object", f"{W}instrText", f"{W}fldSimple"):
        local = etree.QName(el).localname
        if local == "altChunk" and "altChunk" not in seen:
            seen.add("altChunk")
            out.append(Problem(where, 0, 0, _part(name), "Mẫu có altChunk (một văn bản khác được chèn nguyên "
                                                         "khối khi mở): không được phép."))
        elif local == "object" and "object" not in seen:
            seen.add("object")
            out.append(Problem(where, 0, 0, _part(name), "Mẫu có đối tượng nhúng (OLE): không được phép. "
                                                         "Hãy xóa đối tượng đó trong Word hoặc thay bằng ảnh."))
        elif local in ("instrText", "fldSimple"):
            code = el.text if local == "instrText" else el.get(f"{W}instr")
            m = _FETCHING_FIELDS.match(code or "")
            if m and m[1].upper() not in seen:
                seen.add(m[1].upper())
                out.append(Problem(where, 0, 0, _part(name), f"Mẫu có trường {m[1].upper()} (đọc tệp khác hoặc "
                                                             "gọi mạng khi cập nhật trường): không được phép."))
    return out


def check_package(entries: list[tuple[zipfile.ZipInfo, bytes]], where) -> None:
    problems = package_problems(entries, where)
    if problems:
        raise ProblemList(problems)


def load_safe_package(path: Path | str | IO[bytes], limit: int | None = None,
                      label: Path | str | None = None) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """read_package, then check_package: the entries of a template safe to copy into outputs
    (`label` names it in problems when `path` is its bytes)."""
    where = label if label is not None else path
    entries = read_package(path, where, limit=limit)
    check_package(entries, where)
    return entries
