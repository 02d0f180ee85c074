"""Templates as Word and LibreOffice save them: the tag text they write differently.

LibreOffice Writer writes the quotes inside a tag as `&quot;` (and `'` as `&apos;`), Word may
write numeric entities; Word's AutoCorrect turns quotes into smart quotes and spaces into
non-breaking ones (which Jinja already reads as spaces). Inside a tag entities and smart
quotes mean the plain character, so they are undone there (in the tag, never in the text around
it or in the data). docxtpl's own patch_xml
already undoes `&lt;`, `&gt;` and the four curly quotes; runs split differently are joined by
it too.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_PLAIN = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'",
})


def clean_tag(tag: str) -> str:
    """One tag's text with entities and smart quotes made plain."""
    if "&" in tag:
        tag = html.unescape(tag)
    return tag.translate(_PLAIN)


def clean_tags(xml: str) -> str:
    """`xml` (after docxtpl's patch_xml) with every tag's text made plain."""
    return _TAG.sub(lambda m: clean_tag(m.group()), xml)


_PARAGRAPH = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*?</w:p>", re.DOTALL)
_SECT = re.compile(r"<w:sectPr\b(?:[^>]*/>|.*?</w:sectPr>)", re.DOTALL)
_P_TAG = re.compile(r"\{%-?\s*p\s+(\w+)")


def keep_section_breaks(xml: str) -> str:
    """A section break on a paragraph that holds a `{%p … %}` tag survives the tag.

    LibreOffice has no section-break paragraphs: it writes a section's break on the section's
    last paragraph, which may be a `{%p endfor %}` that rendering deletes, and the break (a
    landscape appendix, a page-number restart) would go with it. Such a break is moved to an
    empty paragraph of its own, after a closing tag (endfor, endif: once, after the block) or
    before any other (if, for: once, whatever the block does)."""
    if "<w:sectPr" not in xml:
        return xml

    def fix(m: re.Match) -> str:
        p = m.group()
        sect = _SECT.search(p)
        if sect is None:
            return p
        tag = _P_TAG.search(re.sub(r"<[^>]+>", "", p))
        if tag is None:
            return p
        rest = p[:sect.start()] + p[sect.end():]
        brk = f"<w:p><w:pPr>{sect.group()}</w:pPr></w:p>"
        return rest + brk if tag[1].startswith("end") else brk + rest

    return _PARAGRAPH.sub(fix, xml)
