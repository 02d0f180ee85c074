"""Recognise Vietnamese text saved in a pre-Unicode encoding: TCVN3 (ABC), VNI (VNI-Windows)
and Windows-1258, so that a clerk is told what the file is and how to convert it.

Counting "Vietnamese-looking" bytes is not enough: French or German text in Windows-1252 uses
the same high bytes (é = 0xE9 is "ộ" in TCVN3). So the bytes are decoded with each table and
the words that hold a non-ASCII letter are checked against the shape of a Vietnamese syllable
(initial consonant, at most three vowels, final consonant, at most one tone mark). Real
Vietnamese decodes to real syllables; other text decodes to words like "cafộ" or "Grỹòe".
"""

from __future__ import annotations

import re
import unicodedata

from kehoach_docs.format.vn import nfc

# TCVN3 (TCVN 5712:1993, "ABC" fonts such as .VnTime): one byte per lower-case letter; capitals
# with a tone mark were the same bytes in a capitals font (.VnTimeH), so only seven capitals
# have codes of their own.
_TCVN3 = dict(zip(
    b"\xb5\xb8\xb6\xb7\xb9\xa8\xbb\xbe\xbc\xbd\xc6\xa9\xc7\xca\xc8\xc9\xcb\xae"
    b"\xcc\xd0\xce\xcf\xd1\xaa\xd2\xd5\xd3\xd4\xd6\xd7\xdd\xd8\xdc\xde"
    b"\xdf\xe3\xe1\xe2\xe4\xab\xe5\xe8\xe6\xe7\xe9\xac\xea\xed\xeb\xec\xee"
    b"\xef\xf3\xf1\xf2\xf4\xad\xf5\xf8\xf6\xf7\xf9\xfa\xfd\xfb\xfc\xfe"
    b"\xa1\xa2\xa7\xa3\xa4\xa5\xa6",
    "àáảãạăằắẳẵặâầấẩẫậđ"
    "èéẻẽẹêềếểễệìíỉĩị"
    "òóỏõọôồốổỗộơờớởỡợ"
    "ùúủũụưừứửữựỳýỷỹỵ"
    "ĂÂĐÊÔƠƯ",
    strict=True))

# VNI-Windows: a base letter followed by a byte for its marks (lower-case marks in 0xE0-0xFF,
# capitals' in 0xC0-0xDF); a few letters have a byte of their own.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MARKS_LOWER = {
    0xF8: _GRAVE, 0xF9: _ACUTE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT,
    0xE2: _CIRC, 0xE0: _CIRC + _GRAVE, 0xE1: _CIRC + _ACUTE, 0xE5: _CIRC + _HOOK,
    0xE3: _CIRC + _TILDE, 0xE4: _CIRC + _DOT,
    0xEA: _BREVE, 0xE8: _BREVE + _GRAVE, 0xE9: _BREVE + _ACUTE, 0xFA: _BREVE + _HOOK,
    0xFC: _BREVE + _TILDE, 0xEB: _BREVE + _DOT,
}
# Capitals' mark bytes are the lower-case ones less 0x20.
_VNI_MARKS_UPPER = {byte - 0x20: marks for byte, marks in _VNI_MARKS_LOWER.items()}
_VNI_LETTERS = {
    0xF1: "đ", 0xF4: "ơ", 0xF6: "ư", 0xED: "í", 0xEC: "ì", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị",
    0xEE: "ỵ", 0xD1: "Đ", 0xD4: "Ơ", 0xD6: "Ư", 0xCD: "Í", 0xCC: "Ì", 0xC6: "Ỉ", 0xD3: "Ĩ",
    0xD2: "Ị", 0xCE: "Ỵ",
}
_VNI_BASES = set("aeiouyAEIOUYơưƠƯ")

_TONES = {_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT}
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(ch|nh|ng|[cmnpt])?")
_BAD = "\ufffd"


def _decode_tcvn3(raw: bytes) -> str:
    return "".join(chr(b) if b < 0x80 else _TCVN3.get(b, _BAD) for b in raw)


def _decode_vni(raw: bytes) -> str:
    out: list[str] = []
    for b in raw:
        if b < 0x80:
            out.append(chr(b))
            continue
        marks = (_VNI_MARKS_LOWER if out and out[-1].islower() else _VNI_MARKS_UPPER).get(b)
        if marks is not None and out and out[-1] in _VNI_BASES:
            base = out[-1]
            shape = marks.strip("".join(_TONES))
            if shape and (base.lower() not in "aeo" or (shape == _BREVE and base.lower() != "a")):
                out.append(_BAD)
                continue
            out[-1] = nfc(base + marks)
        else:
            out.append(_VNI_LETTERS.get(b, _BAD))
    return "".join(out)


def _decode_cp1258(raw: bytes) -> str:
    return nfc(raw.decode("cp1258", errors="replace"))


_DECODERS = {"TCVN3 (ABC)": _decode_tcvn3, "VNI": _decode_vni, "Windows-1258": _decode_cp1258}


def is_syllable(word: str) -> bool:
    """Whether `word` (NFC) has the shape of one Vietnamese syllable."""
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in parts if c in _TONES) > 1:
        return False
    bare = nfc("".join(c for c in parts if c not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def vietnamese_score(text: str) -> tuple[int, int]:
    """(words with a non-ASCII letter that are Vietnamese syllables, such words in all)."""
    words = [w for w in re.split(r"[^\w\ufffd]+|_", text) if w and not w.isascii()]
    return sum(1 for w in words if is_syllable(w)), len(words)


def guess_legacy_encoding(raw: bytes) -> str | None:
    """Name of the legacy Vietnamese encoding of `raw` (bytes that are not UTF-8), or None."""
    best, best_share = None, 0.0
    for name, decode in _DECODERS.items():
        good, total = vietnamese_score(decode(raw))
        if total >= 3 and good / total > best_share:
            best, best_share = name, good / total
    return best if best_share >= 0.8 else None
