import json, textwrap, unicodedata, sys
from PIL import ImageFont
UPPER = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
chars = "".join(chr(c) for c in range(32, 127)) + UPPER + UPPER.lower() + "–—“”‘’…"
chars = "".join(dict.fromkeys(unicodedata.normalize("NFC", chars)))
folder = sys.argv[1]
tables = {}
for name, fn in (("REGULAR", "Regular"), ("BOLD", "Bold")):
    f = ImageFont.truetype(f"{folder}/LiberationSerif-{fn}.ttf", 2048)
    tables[name] = [round(f.getlength(c)) for c in chars]
def wrap(prefix, items):
    body = textwrap.fill(", ".join(map(str, items)), 96, initial_indent="    ", subsequent_indent="    ")
    return f"{prefix} = (\n{body},\n)"
chars_lines = textwrap.wrap(chars, 80, drop_whitespace=False)
src = '''"""Advance widths of Times New Roman (regular and bold), to measure a header line.

Taken from Liberation Serif 2, which has Times New Roman's advance widths (it is made metric-
compatible), in font units (2048 per em), for printable ASCII, the Vietnamese letters and a
few punctuation marks. A character outside the table counts as wide as "W". Word and
LibreOffice apply no kerning unless a run asks for it, so a line is the sum of its advances.
Made by tests/make_font_widths.py from the font files (a test checks the table against them).
"""

from __future__ import annotations

UNITS_PER_EM = 2048
CHARS = (
''' + "".join(f"    {json.dumps(c, ensure_ascii=False)}\n" for c in chars_lines) + ")\n" + wrap("REGULAR", tables["REGULAR"]) + "\n" + wrap("BOLD", tables["BOLD"]) + '''

_REGULAR = dict(zip(CHARS, REGULAR))
_BOLD = dict(zip(CHARS, BOLD))


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Printed width of `text` (NFC) on one line at `size_pt` points."""
    table = _BOLD if bold else _REGULAR
    units = sum(table.get(c, table["W"]) for c in text)
    return units / UNITS_PER_EM * size_pt * 25.4 / 72
'''
print(src)
