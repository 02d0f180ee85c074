"""Recognise Vietnamese text saved in the pre-Unicode TCVN3 (ABC) and VNI encodings."""

from __future__ import annotations

# Bytes that dominate Vietnamese text in each legacy font encoding (vowels with tone marks).
# TCVN3 puts them in 0xA1-0xFE with Latin-1 look-alikes ("§¶­ù"), VNI combines a base letter
# with a following byte in 0xC0-0xDF ("aø", "eá"), read in Windows-1252.
_TCVN3 = set(b"\xa7\xb8\xb5\xb6\xb7\xb9\xa8\xbe\xbb\xbc\xbd\xc6\xa9\xca\xc7\xc8\xc9\xcb\xd0"
             b"\xcc\xce\xcf\xd1\xaa\xd5\xd2\xd3\xd4\xd6\xdd\xd7\xd8\xdc\xde\xe3\xdf\xe1\xe2\xe4"
             b"\xab\xe8\xe5\xe6\xe7\xe9\xac\xed\xea\xeb\xec\xee\xf3\xef\xf1\xf2\xf4\xad\xf8\xf5"
             b"\xf6\xf7\xf9\xfd\xfa\xfb\xfc\xfe\xae")
_VNI_MARKS = set(b"\xf8\xf9\xfa\xfb\xf5\xf6\xf7\xf4\xe2\xe1\xe0\xe5\xe4\xe3\xf2\xef\xee\xe9")


def guess_legacy_encoding(raw: bytes) -> str | None:
    """Return "TCVN3", "VNI" or None for bytes that are not valid UTF-8."""
    high = [b for b in raw if b >= 0x80]
    if len(high) < 3:
        return None
    # VNI: a high byte right after an ASCII vowel is the tone/diacritic byte.
    vni = sum(1 for i in range(1, len(raw))
              if raw[i] in _VNI_MARKS and chr(raw[i - 1]).lower() in "aeiouy")
    tcvn = sum(1 for b in high if b in _TCVN3)
    if vni >= 0.6 * len(high):
        return "VNI"
    if tcvn >= 0.6 * len(high):
        return "TCVN3"
    return None
