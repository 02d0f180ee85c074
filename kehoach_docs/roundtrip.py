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
