"""Places in a template a person can find: "đoạn 9 «its text»", "bảng 1, hàng 2, ô 1 «…»".

Before docxtpl's tag patching, each paragraph of a part gets a Jinja comment `{#¶N⏎#}` in
front of it. A comment renders as nothing, but its line break makes the paragraph start a
new template line, and its number survives patching even when the paragraph itself is
replaced by its tag (`{%p for … %}`). So a Jinja line number names one paragraph of the
template as Word shows it, with that paragraph's own text, not the text of the neighbours
the patching joined into one line.

Paragraphs are counted in the body outside tables ("đoạn N"); a paragraph in a table is
named by its cell ("bảng T, hàng R, ô C", top-level tables).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<w:tbl>|<w:tbl |</w:tbl>|<w:tr[ >]|<w:tc[ >]|<w:p[ >]")
_MARK = re.compile(r"\{#¶(\d+)\n#\}")
_TEXT_TAGS = re.compile(r"<[^>]+>")


def _paragraph_text(xml: str, start: int) -> str:
    end = xml.find("</w:p>", start)
    body = xml[start:end if end >= 0 else len(xml)]
    # The paragraph's own text (w:t contents), entities as a reader sees them.
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))
    return text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<") \
        .replace("&gt;", ">").replace("&amp;", "&")


def mark_paragraphs(xml: str) -> tuple[str, list[str]]:
    """`xml` with a numbered marker before every paragraph, and the place of each paragraph
    (index N-1 for marker N)."""
    places: list[str] = []
    out: list[str] = []
    last = 0
    depth = table = row = cell = para = 0
    for m in _TOKEN.finditer(xml):
        tag = m.group()
        if tag.startswith("<w:tbl") and tag != "</w:tbl>":
            depth += 1
            if depth == 1:
                table, row = table + 1, 0
        elif tag == "</w:tbl>":
            depth -= 1
        elif tag.startswith("<w:tr") and depth == 1:
            row, cell = row + 1, 0
        elif tag.startswith("<w:tc") and depth == 1:
            cell += 1
        elif tag.startswith("<w:p"):
            if depth == 0:
                para += 1
            place = f"bảng {table}, hàng {row}, ô {cell}" if depth else f"đoạn {para}"
            text = _paragraph_text(xml, m.start())
            places.append(f"{place} «{_short(text)}»" if text.strip() else place)
            before = _TEXT_TAGS.sub("", xml[max(0, m.start() - 200):m.start()])
            after = _TEXT_TAGS.sub("", xml[m.start():m.start() + 400])
            # docxtpl joins "{" … "{%" and "%}" … "}" across markup: never next to a marker.
            if not before.endswith("{") and not after.startswith("}"):
                out.append(xml[last:m.start()])
                out.append("{#¶%d\n#}" % len(places))
                last = m.start()
    out.append(xml[last:])
    return "".join(out), places


def _short(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def line_places(source: str, places: list[str]) -> list[str]:
    """Place of each line of a marked and patched part (index 0 is line 1): the paragraph
    whose marker ends the line before it, or the last one before that."""
    out = [""]
    pos = 0
    for m in _MARK.finditer(source):
        out += [out[-1]] * source.count("\n", pos, m.start())  # other breaks keep the place
        n = int(m.group(1))
        out.append(places[n - 1] if 0 < n <= len(places) else out[-1])
        pos = m.end()
    out += [out[-1]] * source.count("\n", pos)
    return out


def tag_at(source: str, pos: int) -> tuple[str, int] | None:
    """The tag around character `pos` of `source` and the column (from 1) of `pos` in it."""
    for m in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}|\{#(?!¶).*?#\}", source, re.DOTALL):
        if m.start() <= pos < m.end():
            return m.group(), pos - m.start() + 1
        if m.start() > pos:
            break
    return None


_SYNTAX = (
    (re.compile(r"Encountered unknown tag '(\w+)'.*", re.DOTALL), "thẻ '{0}' không có hoặc không có thẻ mở"),
    (re.compile(r"Unexpected end of template\. Jinja was looking for the following tags: (.+?)\. "
                r"The innermost block that needs to be closed is '(\w+)'.*", re.DOTALL),
     "mẫu hết mà khối '{1}' chưa đóng (cần {0})"),
    (re.compile(r"No filter named '(\w+)'.*", re.DOTALL),
     "bộ lọc '{0}' không có (bộ lọc viết bằng Python không dùng được trong mẫu)"),
    (re.compile(r"No test named '(\w+)'.*", re.DOTALL), "phép thử '{0}' không có"),
    (re.compile(r"expected token '([^']+)', got '([^']*)'", re.DOTALL), "cần '{0}' nhưng gặp '{1}'"),
)


def syntax_detail(exc, source: str) -> str:
    """A Jinja syntax error in words a template author can act on: the tag and the column in
    it for an unexpected character (Jinja gives an offset in the whole part)."""
    message = (exc.message or "").strip()
    m = re.fullmatch(r"unexpected char (.+) at (\d+)", message)
    if m:
        found = tag_at(source, int(m[2]))
        if found:
            tag, column = found
            return f"ký tự {m[1]} không hợp lệ ở cột {column} của thẻ «{_short(tag, 120)}»"
        return f"ký tự {m[1]} không hợp lệ"
    for pattern, words in _SYNTAX:
        m = pattern.fullmatch(message)
        if m:
            return words.format(*m.groups())
    return message.rstrip(".")


def paragraph_places(xml: str) -> tuple[list[int], list[str]]:
    """Start offset and place of every paragraph of an unpatched part (for `place_at`)."""
    starts = [m.start() for m in re.finditer(r"<w:p[ >]", xml)]
    return starts, mark_paragraphs(xml)[1]


def place_at(index: tuple[list[int], list[str]], pos: int) -> str:
    """Place of the paragraph holding character `pos` (the last one starting before it)."""
    import bisect

    starts, places = index
    i = bisect.bisect_right(starts, pos) - 1
    return places[i] if 0 <= i < len(places) else ""
