"""What a context may hold besides text, as docxtpl has it, and the package fixes it needs.

docxtpl's RichText (with links), RichTextParagraph and Listing render as XML and need nothing
more. InlineImage and Subdoc need the part being rendered: docxtpl adds their pictures to its
python-docx package; here a render keeps a `RenderSession` that collects the new parts
(pictures), relationships, content types and styles, and `finish_package` writes them into the
output. After every render:

- control characters in values become what docxtpl makes of them (docxtpl's own
  resolve_listing): "\\n" a line break, "\\t" a tab, "\\a" a new paragraph, "\\f" a page break;
- every relationship a rendered part points to exists (links from `build_url_id` are added to
  the part that uses them); one that does not is refused, never written dangling;
- drawing ids (wp:docPr) are unique in the package (a picture repeated by a loop keeps its id
  in the template, which Word reports as damage), renumbered as docxtpl does;
- tags in the document properties (title, subject…) are rendered.
"""

from __future__ import annotations

import copy
import hashlib
import posixpath
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from kehoach_docs.errors import UserError
from kehoach_docs.ooxml import CT_NS, PKG_REL_NS, R_NS, RT_HYPERLINK, RT_IMAGE, W

_REF_ATTRS = ("id", "embed", "link", "pict", "dm", "lo", "qs", "cs")
# No \b in front: a pattern starting with its literal is searched for fast (a leading \b
# made the scan of a part cost more than rendering it); references() checks the boundary.
_REF = re.compile(r'r:(?:id|embed|link|pict|dm|lo|qs|cs)="([^"]*)"')
_DOCPR = re.compile(r'(<wp:docPr\b[^>]*?\sid=")(\d+)(")')
_CONTROL_IN_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\f\n]")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # docxtpl's resolve_listing
# Characters XML 1.0 cannot hold (what is left after docxtpl's \t \n \a \f handling).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_session: ContextVar["RenderSession | None"] = ContextVar("_session", default=None)


class ObjectError(UserError, ValueError):
    """A value of the context cannot be put into the document (message in Vietnamese): the
    data's or the template's to fix, never an internal error."""


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def parse_rels(data: bytes | None) -> dict[str, tuple[str, str, bool]]:
    """Id → (type, target, external) of a .rels part."""
    if not data:
        return {}
    out = {}
    for rel in etree.fromstring(data):
        out[rel.get("Id")] = (rel.get("Type"), rel.get("Target"), rel.get("TargetMode") == "External")
    return out


def rels_xml(rels: dict[str, tuple[str, str, bool]]) -> bytes:
    body = "".join(
        f'<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(target)}'
        + (' TargetMode="External"' if ext else "") + "/>"
        for i, (t, target, ext) in rels.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>').encode("utf-8")


@dataclass
class RenderSession:
    """The parts, relationships and styles one render adds to the template's package."""

    names: set[str]
    """Entry names of the template package."""
    rels: dict[str, dict[str, tuple[str, str, bool]]]
    """Relationships of each templated part, as in the template."""
    links: dict[str, str]
    """rId → URL registered with build_url_id (added to a part only if it uses it)."""
    current: str = "word/document.xml"
    added_rels: dict[str, dict[str, tuple[str, str, bool]]] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)
    media_by_hash: dict[str, str] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    styles: dict[str, Any] = field(default_factory=dict)
    """styleId → <w:style> element a sub-document needs and the template lacks."""
    shape_id: int = 0

    def _ids(self, part: str) -> set[str]:
        return set(self.rels.get(part, {})) | set(self.added_rels.get(part, {})) | set(self.links)

    def relate(self, part: str, reltype: str, target: str, external: bool = False) -> str:
        for rid, rel in self.added_rels.get(part, {}).items():
            if rel == (reltype, target, external):
                return rid
        used, n = self._ids(part), 1
        while f"rIdK{n}" in used:
            n += 1
        rid = f"rIdK{n}"
        self.added_rels.setdefault(part, {})[rid] = (reltype, target, external)
        return rid

    def add_media(self, part: str, blob: bytes, ext: str, content_type: str) -> str:
        """rId (in `part`) of a picture, stored once per render however often it is used."""
        digest = hashlib.sha1(blob).hexdigest()
        name = self.media_by_hash.get(digest)
        if name is None:
            n = len(self.media) + 1
            while f"word/media/kh-image{n}.{ext}" in self.names:
                n += 1
            name = f"word/media/kh-image{n}.{ext}"
            self.media[name] = blob
            self.media_by_hash[digest] = name
        self.content_types.setdefault(ext.lower(), content_type)
        target = posixpath.relpath(name, posixpath.dirname(part))
        return self.relate(part, RT_IMAGE, target)


def current_session() -> RenderSession:
    session = _session.get()
    if session is None:
        raise ObjectError("ảnh hoặc tài liệu con chỉ được chèn khi đang điền mẫu")
    return session


class RenderingPart:
    """What InlineImage asks of `tpl.current_rendering_part` (python-docx's StoryPart API)."""

    def new_pic_inline(self, image_descriptor, width=None, height=None, anchor=None):
        from docx.image.exceptions import UnrecognizedImageError
        from docx.image.image import Image
        from docx.oxml.shape import CT_Inline

        session = current_session()
        try:
            image = Image.from_file(image_descriptor)
        except (UnrecognizedImageError, OSError) as exc:
            raise ObjectError(f"không đọc được ảnh {image_descriptor!s}: {exc}") from None
        cx, cy = image.scaled_dimensions(width, height)
        rid = session.add_media(session.current, image.blob, image.ext, image.content_type)
        session.shape_id += 1
        return CT_Inline.new_pic_inline(session.shape_id, rid, image.filename, cx, cy)

    def relate_to(self, target, reltype, is_external=False) -> str:
        session = current_session()
        return session.relate(session.current, reltype, target, is_external)


class Subdoc:
    """A sub-document (python-docx Document) to insert with `{{p mysubdoc }}`: docxtpl's
    Subdoc, without docxcompose. Without `docpath` it starts empty with the template's own
    styles (as docxtpl's does); from a file it brings that file's body. Pictures and links come
    along; styles the template lacks are copied; numbering definitions are not (list items
    keep their text)."""

    def __init__(self, tpl=None, docpath=None) -> None:
        from docx import Document

        self.tpl = tpl
        if docpath is None and tpl is not None:
            self.subdocx = Document(str(tpl.path))
            body = self.subdocx.element.body
            for child in list(body):
                if child.tag != f"{W}sectPr":
                    body.remove(child)
        else:
            self.subdocx = Document(docpath)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.subdocx, name)

    def __html__(self) -> str:
        session = current_session()
        body = copy.deepcopy(self.subdocx.element.body)
        for sect in body.findall(f"{W}sectPr"):
            body.remove(sect)
        rels = self.subdocx.part.rels
        for el in body.iter():
            for attr, value in list(el.attrib.items()):
                if not attr.startswith(f"{{{R_NS}}}") or etree.QName(attr).localname not in _REF_ATTRS:
                    continue
                rel = rels.get(value)
                if rel is None:
                    raise ObjectError(f"tài liệu con trỏ tới quan hệ {value} không có")
                if rel.is_external:
                    el.set(attr, session.relate(session.current, rel.reltype, rel.target_ref, True))
                elif rel.reltype == RT_IMAGE:
                    part = rel.target_part
                    ext = posixpath.splitext(str(part.partname))[1].lstrip(".") or "bin"
                    el.set(attr, session.add_media(session.current, part.blob, ext, part.content_type))
                else:
                    kind = rel.reltype.rsplit("/", 1)[-1]
                    raise ObjectError(f"tài liệu con có phần '{kind}' (biểu đồ, đối tượng nhúng…) "
                                      "chưa chép được sang văn bản")
        self._want_styles(body, session)
        xml = etree.tostring(body, encoding="unicode")
        return re.sub(r"</?w:body[^>]*>", "", xml)

    __str__ = __html__

    def _want_styles(self, body, session: RenderSession) -> None:
        styles = self.subdocx.styles.element
        by_id = {s.get(f"{W}styleId"): s for s in styles.findall(f"{W}style")}
        todo = {el.get(f"{W}val") for el in body.iter(f"{W}pStyle", f"{W}rStyle", f"{W}tblStyle")}
        while todo:
            sid = todo.pop()
            style = by_id.get(sid)
            if sid in session.styles or style is None:
                continue
            session.styles[sid] = style
            for link in style.findall(f"{W}basedOn") + style.findall(f"{W}link") + style.findall(f"{W}next"):
                todo.add(link.get(f"{W}val"))


class DocxObjects:
    """The methods docxtpl's DocxTemplate offers for building a context (mixed into
    CompiledTemplate): `tpl.new_subdoc()`, `tpl.build_url_id(url)`, and
    `tpl.current_rendering_part` for InlineImage(tpl, …)."""

    links: dict[str, str]

    @property
    def current_rendering_part(self) -> RenderingPart:
        return RenderingPart()

    def new_subdoc(self, docpath=None) -> Subdoc:
        return Subdoc(self, docpath)

    def build_url_id(self, url: str) -> str:
        """Relationship id of an external link for RichText(…, url_id=…)."""
        for rid, known in self.links.items():
            if known == url:
                return rid
        rid = f"rIdKLink{len(self.links) + 1}"
        self.links[rid] = url
        return rid


# --------------------------------------------------------------------------- after Jinja

def resolve_controls(xml: str, resolve_listing) -> str:
    """docxtpl's handling of \\n \\t \\a \\f inside text, given only the paragraphs that have
    one: the same bytes (docxtpl cuts the part into paragraphs with the same pattern and
    leaves the others as they are), without its regular expressions over every run."""
    if not _CONTROL_IN_TEXT.search(xml):
        return xml
    return _PARAGRAPH.sub(lambda m: resolve_listing(m.group(0)) if _has_control(m.group(0))
                          else m.group(0), xml)


def _has_control(paragraph: str) -> bool:
    # Most paragraphs have none of the four characters at all: no pattern to run over them.
    return any(c in paragraph for c in "\t\a\f\n") and _CONTROL_IN_TEXT.search(paragraph) is not None


def bad_character(xml: str) -> str | None:
    m = _BAD_CHAR.search(xml)
    return f"U+{ord(m.group()):04X}" if m else None


def references(xml: str) -> list[str]:
    """The relationship ids the part's r:… attributes use (an attribute name starts at a
    word boundary: "r:id", never "xr:id")."""
    return [m[1] for m in _REF.finditer(xml)
            if not (m.start() and ((c := xml[m.start() - 1]).isalnum() or c == "_"))]


def link_references(session: RenderSession, part: str, xml: str) -> list[str]:
    """Add the build_url_id links `part` uses; return the ids it uses that do not exist."""
    dangling = []
    known = set(session.rels.get(part, {})) | set(session.added_rels.get(part, {}))
    for rid in dict.fromkeys(references(xml)):
        if rid in known:
            continue
        if rid in session.links:
            session.added_rels.setdefault(part, {})[rid] = (RT_HYPERLINK, session.links[rid], True)
            known.add(rid)
        else:
            dangling.append(rid)
    return dangling


def renumber_drawings(rendered: dict[str, bytes], static: dict[str, bytes]) -> dict[str, bytes]:
    """Unique wp:docPr ids across the package: when any id repeats, the rendered parts'
    drawings are renumbered (from 1001, as docxtpl does; past any id of the other parts)."""
    if not any(b"docPr" in data for data in rendered.values()):
        return rendered
    ids = []
    for data in list(rendered.values()) + list(static.values()):
        ids += [int(m[2]) for m in _DOCPR.finditer(data.decode("utf-8", "replace"))]
    if len(ids) == len(set(ids)):
        return rendered
    fixed = {int(m[2]) for data in static.values() for m in _DOCPR.finditer(data.decode("utf-8", "replace"))}
    counter = [max([1000, *fixed])]

    def next_id(m) -> str:
        counter[0] += 1
        return f"{m[1]}{counter[0]}{m[3]}"

    out = dict(rendered)
    for name, data in rendered.items():
        text = data.decode("utf-8")
        if "docPr" in text:
            out[name] = _DOCPR.sub(next_id, text).encode("utf-8")
    return out


def finish_package(session: RenderSession, entries: dict[str, bytes], parts: dict[str, bytes]) -> None:
    """Add to `parts` (name → bytes to write) the relationships, pictures, content types and
    styles the render made."""
    for part, added in session.added_rels.items():
        name = rels_name(part)
        rels = dict(parse_rels(entries.get(name)))
        rels.update(added)
        parts[name] = rels_xml(rels)
    parts.update(session.media)
    if session.content_types:
        root = etree.fromstring(entries["[Content_Types].xml"])
        have = {d.get("Extension", "").lower() for d in root.findall(f"{{{CT_NS}}}Default")}
        for ext, ctype in sorted(session.content_types.items()):
            if ext not in have:
                etree.SubElement(root, f"{{{CT_NS}}}Default", Extension=ext, ContentType=ctype)
        parts["[Content_Types].xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                      standalone=True)
    if session.styles and "word/styles.xml" in entries:
        root = etree.fromstring(entries["word/styles.xml"])
        have = {s.get(f"{W}styleId") for s in root.findall(f"{W}style")}
        for sid, style in session.styles.items():
            if sid not in have:
                root.append(copy.deepcopy(style))
        parts["word/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                  standalone=True)


# --------------------------------------------------------------------------- document properties

CORE_FIELDS = ("title", "subject", "creator", "description", "identifier", "language", "keywords",
               "category")


def core_templates(env, data: bytes) -> list[tuple[str, Any]]:
    """(field, source, compiled template) for each core property whose text has a tag."""
    root = etree.fromstring(data)
    out = []
    for el in root:
        local = etree.QName(el).localname
        if local in CORE_FIELDS and el.text and ("{{" in el.text or "{%" in el.text):
            out.append((local, el.text, env.from_string(el.text)))
    return out


def render_core(data: bytes, compiled: list[tuple[str, Any]], context: dict) -> bytes:
    root = etree.fromstring(data)
    values = {f: t.render(context) for f, _, t in compiled}
    for el in root:
        local = etree.QName(el).localname
        if local in values:
            # Autoescaped output; the property holds plain text.
            el.text = _unescape(str(values[local]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def start(session: RenderSession):
    return _session.set(session)


def stop(token) -> None:
    _session.reset(token)


__all__ = ["DocxObjects", "ObjectError", "RenderSession", "Subdoc", "escape"]
