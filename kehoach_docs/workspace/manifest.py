"""The build manifest: for each output, the hashes of what it was made from and of what
was written. It decides what to rebuild, and tells a clerk's hand edit from our own file.

Crash safety: before an output is replaced, the hash of the new bytes is added to the
output's known hashes ("pending"); after all writes, the inputs are recorded. A build
killed in between leaves every file whole, each with a known hash, and inputs that no
longer match, so the next build redoes exactly that work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from kehoach_docs import __version__
from kehoach_docs.safe_file import atomic_write, read_regular, sha256_regular

MANIFEST_NAME = ".kehoach-manifest.json"
FORMAT = 1


MAX_MANIFEST_BYTES = 64 << 20


def sha256_file(path: Path, root: Path | None = None) -> str | None:
    """Hash of a regular file (None if absent); a link, FIFO, device or folder is refused
    (UnsafeFile) and never read. With `root`, no folder below it is followed as a link."""
    return sha256_regular(path, root)


def sha256_input(path: Path) -> str | None:
    """Hash of an input file as the loader reads it: a link is followed (a clerk may link a
    shared file into the workspace), but only to a regular file (a FIFO or device is refused)."""
    return sha256_regular(path, follow=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    inputs: dict[str, str] = field(default_factory=dict)
    known: list[str] = field(default_factory=list)
    """Hashes of bytes this toolkit wrote to the output (the last one is current)."""
    warnings: list[dict] | None = field(default_factory=list)
    """The warnings of the last render (Problem.as_dict), repeated by a build that leaves the
    output as it is; None when unknown (an older manifest): the output is rebuilt once."""


class Manifest:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}
        raw = read_regular(self.path, MAX_MANIFEST_BYTES, what="tệp ghi nhận")  # a folder: UnsafeFile
        try:
            data = json.loads(raw.decode("utf-8")) if raw is not None else None
        except ValueError:
            data = None
        # No manifest, or a damaged one (any wrong type): every output is rebuilt, and a
        # file that is not known to be ours is kept as a hand edit.
        if isinstance(data, dict) and data.get("dinh_dang") == FORMAT and isinstance(data.get("dau_ra"), dict):
            for name, e in data["dau_ra"].items():
                if not isinstance(e, dict):
                    continue
                inputs, known = e.get("dau_vao", {}), e.get("da_ghi", [])
                warnings = e.get("canh_bao")
                if isinstance(inputs, dict) and isinstance(known, list) and \
                        all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()) and \
                        all(isinstance(k, str) for k in known) and _warnings_ok(warnings):
                    self.entries[name] = Entry(dict(inputs), list(known), warnings)

    def fingerprint(self, inputs: dict[str, str]) -> dict[str, str]:
        return {**inputs, "kehoach-docs": __version__}

    def up_to_date(self, name: str, inputs: dict[str, str], current_sha: str | None) -> bool:
        e = self.entries.get(name)
        return bool(e and current_sha and e.known and current_sha == e.known[-1]
                    and e.warnings is not None and e.inputs == self.fingerprint(inputs))

    def written_by_us(self, name: str, current_sha: str | None) -> bool:
        e = self.entries.get(name)
        return current_sha is None or bool(e and current_sha in e.known)

    def add_pending(self, name: str, sha: str) -> None:
        e = self.entries.setdefault(name, Entry())
        if sha not in e.known:
            e.known.append(sha)

    def commit(self, name: str, inputs: dict[str, str], sha: str) -> None:
        self.entries[name] = Entry(self.fingerprint(inputs), [sha])

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        data = {"dinh_dang": FORMAT, "cong_cu": f"kehoach-docs {__version__}",
                "dau_ra": {k: {"dau_vao": dict(sorted(v.inputs.items())), "da_ghi": v.known,
                               **({"canh_bao": v.warnings} if v.warnings is not None else {})}
                           for k, v in sorted(self.entries.items())}}
        atomic_write(self.path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


_WARNING_KEYS = {"tep": str, "dong": int, "cot": int, "truong": str, "muc_do": str, "thong_bao": str}


def _warnings_ok(value) -> bool:
    """None (not recorded) or a list of Problem.as_dict() records."""
    return value is None or (isinstance(value, list) and all(
        isinstance(w, dict) and set(w) == set(_WARNING_KEYS) and
        all(isinstance(w[k], t) and not isinstance(w[k], bool) for k, t in _WARNING_KEYS.items())
        for w in value))
