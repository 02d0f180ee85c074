"""Locating the parts of a document: header, title block, body, recipients, signer."""

from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field

from kehoach_docs.check.common import (
    AUTHORITY_RE,
    DOC_TYPES,
    text_key,
)
from kehoach_docs.ooxml import W
from kehoach_docs.check.reader import (
    DocView,
    Para,
    Table,
)
from kehoach_docs.profile import Profile

# --- Locating the parts of a document ----------------------------------------------------


_DATE_RE = re.compile(
    r"^(?P<place>.*?)(?P<comma>,?)\s*(?P<ngay>ngày)\s*(?P<d>\d+)?[\s._…]*(?P<thang>tháng)\s*"
    r"(?P<m>\d+)?[\s._…]*(?P<nam>năm)\s*(?P<y>\d{4})(?P<rest>.*)$", re.I)


def date_line(text: str) -> re.Match | None:
    return _DATE_RE.match(" ".join(text.replace("\u00a0", " ").split()))


def day_of(m: re.Match) -> date | None:
    """The day a date line (see date_line) says; a draft's blank day and month ("ngày  tháng
    năm 2026") is the end of its year, when the rules then in force apply. None: no such day."""
    y = int(m.group("y"))
    try:
        if m.group("d") and m.group("m"):
            return date(y, int(m.group("m")), int(m.group("d")))
        return date(y, 12, 31)
    except ValueError:
        return None


def is_number_line(text: str) -> bool:
    return re.match(r"^\s*Số\b\s*[:.\d\s_…-]", text, re.I) is not None


def is_authority(text: str) -> bool:
    return AUTHORITY_RE.match(text) is not None


def is_draft_mark(text: str) -> bool:
    return text_key(text).startswith("du thao")


def _is_noi_nhan(para: Para) -> bool:
    return para.key.startswith("noi nhan")


@dataclass
class Layout:
    header_lines: list[Para]
    header_is_table: bool
    header_end: int                 # index in blocks after the header
    du_thao: Para | None = None     # the draft mark ("Dự thảo lần 2"), above or in the header
    ten_loai: Para | None = None
    ten_loai_idx: int | None = None
    trich_yeu: list[Para] = field(default_factory=list)
    phan_cach: Para | None = None
    phan_cach_other: Para | None = None   # what stands where the separator should be
    body: list[Para] = field(default_factory=list)
    recipients: list[Para] | None = None
    signer: list[Para] | None = None


def _find_type(blocks: list) -> int | None:
    types = {text_key(t) for t in DOC_TYPES}
    for i, b in enumerate(blocks):
        if isinstance(b, Para) and not b.empty and b.key in types:
            return i
    return None


def _header(blocks: list, ten_loai_idx: int | None) -> tuple[list[Para], bool, int]:
    limit = ten_loai_idx if ten_loai_idx is not None else len(blocks)
    nonempty_seen = 0
    for i, b in enumerate(blocks[:limit]):
        if isinstance(b, Table):
            if ten_loai_idx is not None or nonempty_seen < 3:
                lines = []
                for row in b.rows:
                    for cell in row:
                        for para in cell:
                            lines += para.pieces()
                return lines, True, i + 1
            break
        if not b.empty:
            nonempty_seen += 1
    # No header table: the paragraphs before the title (or the first ones), cut at tabs.
    lines, end = [], 0
    for i, b in enumerate(blocks[:limit]):
        if not isinstance(b, Para):
            continue
        if ten_loai_idx is None and len([x for x in lines if not x.empty]) >= 12:
            break
        lines += b.pieces(tabs=True)
        end = i + 1
        if ten_loai_idx is None and date_line(b.text):
            break
    return lines, False, end


def find_layout(view: DocView, profile: Profile) -> Layout:
    blocks = view.blocks
    tl_idx = _find_type(blocks)
    lines, is_table, end = _header(blocks, tl_idx)
    lay = Layout(header_lines=lines, header_is_table=is_table, header_end=end)
    above = [b for b in blocks[:end] if isinstance(b, Para)]
    lay.du_thao = next((p for p in [*above, *lines] if is_draft_mark(p.text)), None)
    start = end
    if tl_idx is not None:
        lay.ten_loai, lay.ten_loai_idx = blocks[tl_idx], tl_idx
        start = _title_block(lay, blocks, tl_idx, profile)
    # Closing block: the last table with "Nơi nhận" or a signing authority, else paragraphs.
    close_idx, close_table = None, None
    for i in range(len(blocks) - 1, start - 1, -1):
        b = blocks[i]
        if isinstance(b, Table) and any(_is_noi_nhan(p) or is_authority(p.text)
                                         for cell in b.cells() for p in cell):
            close_idx, close_table = i, b
            break
    if close_table is not None:
        _closing_from_table(lay, close_table)
    else:
        for i in range(start, len(blocks)):
            b = blocks[i]
            if isinstance(b, Para) and (_is_noi_nhan(b) or is_authority(b.text)):
                close_idx = i
                break
        if close_idx is not None:
            _closing_from_paragraphs(lay, blocks[close_idx:])
    stop = close_idx if close_idx is not None else len(blocks)
    lay.body = [b for b in blocks[start:stop] if isinstance(b, Para) and not b.empty]
    return lay


def is_separator_like(text: str) -> bool:
    return re.fullmatch(r"[-–—_=*.\s]{3,}", text.strip() or "x") is not None


def _has_drawing(p) -> bool:
    return p.find(f".//{W}drawing") is not None or p.find(f".//{W}pict") is not None


def _title_block(lay: Layout, blocks: list, tl_idx: int, profile: Profile) -> int:
    """Finds trích yếu and separator after the type name; returns where the body starts."""
    sep_el = profile.phan_tu.get("phan_cach")
    i = tl_idx + 1
    while i < len(blocks) and isinstance(blocks[i], Para) and len(lay.trich_yeu) < 4:
        p = blocks[i]
        if p.empty:
            if lay.trich_yeu or _has_drawing(p.el):
                break
            i += 1
            continue
        if is_separator_like(p.text):
            break
        if lay.trich_yeu and p.align != "giua" and p.flag("bold") is not True:
            break  # the body has started
        if not lay.trich_yeu and p.align == "deu" and p.first_line > 1 and p.flag("bold") is not True:
            break  # no trích yếu: this is already a body paragraph
        lay.trich_yeu.append(p)
        i += 1
    if sep_el is None or not sep_el.noi_dung:
        return i
    j = i
    while j < len(blocks) and isinstance(blocks[j], Para) and blocks[j].empty \
            and not _has_drawing(blocks[j].el):
        j += 1
    if j < len(blocks) and isinstance(blocks[j], Para):
        p = blocks[j]
        if is_separator_like(p.text):
            lay.phan_cach = p
            return j + 1
        lay.phan_cach_other = p
    return i


def _closing_from_table(lay: Layout, table: Table) -> None:
    left = right = None
    for row in table.rows:
        for ci, cell in enumerate(row):
            if left is None and any(_is_noi_nhan(p) for p in cell):
                left = cell
                if right is None and len(row) > 1 and ci < len(row) - 1:
                    right = row[-1]
    for row in table.rows:
        for cell in row:
            if any(is_authority(p.text) for p in cell) and cell is not left:
                right = cell
    if right is None:  # the head signs directly: the other cell of the row
        for row in table.rows:
            if left is not None and any(c is left for c in row) and len(row) > 1:
                right = [c for c in row if c is not left][-1]
    if left is not None:
        lines = [piece for p in left for piece in p.pieces()]
        start = next((k for k, ln in enumerate(lines) if _is_noi_nhan(ln)), 0)
        lay.recipients = lines[start:]
    if right is not None:
        lay.signer = [piece for p in right for piece in p.pieces()]


def _closing_from_paragraphs(lay: Layout, paras: list) -> None:
    recipients: list[Para] = []
    signer: list[Para] = []
    in_list = False
    for b in paras:
        if not isinstance(b, Para):
            break
        if b.key.startswith("phu luc"):
            break
        for piece in b.pieces(tabs=True):
            first_part = piece.part == 1
            if first_part and _is_noi_nhan(piece):
                in_list = True
                recipients.append(piece)
            elif in_list and first_part and not piece.empty and \
                    (piece.clean.startswith(("-", "–", "+")) or piece.key.startswith("luu")):
                recipients.append(piece)
            elif not piece.empty:
                if in_list and first_part and recipients and not is_authority(piece.text):
                    in_list = False
                signer.append(piece)
            elif b.empty and in_list:
                in_list = False
    lay.recipients = recipients or None
    lay.signer = signer or None
