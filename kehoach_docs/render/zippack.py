"""A .docx package written as bytes: deterministic, each unchanged part compressed once.

The bytes are those Python's zipfile writes for the same entries (deflate at its default
level, a fixed date, mode 0644, no data descriptors, no zip64): only faster, because a
part a template gives every document alike (styles, theme, settings…) is compressed, and
its local header made, once per template instead of once per document.
"""

from __future__ import annotations

import struct
import zlib
from typing import Mapping

_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1   # 1980-01-01 00:00:00
_VERSION = 20              # deflate
_UNIX = 3                  # "made by" system
_MODE = 0o644 << 16        # external attributes: a regular file, rw-r--r--
_UTF8_NAME = 0x800
_LIMIT = (1 << 31) - 1     # beyond this, zip64 would be needed: refused (a .docx is never near)


class Entry:
    """One compressed part: its local header and data (offset-free), and what the central
    directory needs."""

    __slots__ = ("name", "local", "crc", "compressed", "size", "flags")

    def __init__(self, name: str, data: bytes) -> None:
        if len(data) > _LIMIT:
            raise ValueError(f"phần '{name}' quá lớn")
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        packed = deflate.compress(data) + deflate.flush()
        self.name, self.flags = encoded, flags
        self.crc, self.compressed, self.size = zlib.crc32(data), len(packed), len(data)
        self.local = struct.pack("<4s2B4HL2L2H", b"PK\003\004", _VERSION, 0, flags, zlib.DEFLATED,
                                 _DOS_TIME, _DOS_DATE, self.crc, self.compressed, self.size,
                                 len(encoded), 0) + encoded + packed

    def central(self, offset: int) -> bytes:
        return struct.pack("<4s4B4HL2L5H2L", b"PK\001\002", _VERSION, _UNIX, _VERSION, 0, self.flags,
                           zlib.DEFLATED, _DOS_TIME, _DOS_DATE, self.crc, self.compressed, self.size,
                           len(self.name), 0, 0, 0, 0, _MODE, offset) + self.name


class Packer:
    """Writes packages whose parts are mostly the same: `shared` (name → bytes) are the
    parts as the template has them; a part given as that very bytes object is reused."""

    def __init__(self, shared: Mapping[str, bytes]) -> None:
        self._shared = dict(shared)
        self._entries: dict[str, Entry] = {}

    def entry(self, name: str, data: bytes) -> Entry:
        if self._shared.get(name) is data:
            found = self._entries.get(name)
            if found is None:
                found = self._entries[name] = Entry(name, data)
            return found
        return Entry(name, data)

    def pack(self, parts: Mapping[str, bytes]) -> bytes:
        """The package of `parts`, in their order."""
        chunks, central, offset = [], [], 0
        for name, data in parts.items():
            e = self.entry(name, data)
            chunks.append(e.local)
            central.append(e.central(offset))
            offset += len(e.local)
        directory = b"".join(central)
        if offset + len(directory) > _LIMIT:
            raise ValueError("gói quá lớn")
        end = struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, len(central), len(central), len(directory),
                          offset, 0)
        return b"".join(chunks) + directory + end
