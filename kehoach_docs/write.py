"""Step 6 — write: put bytes on disk atomically, so a failed or killed run never leaves a
partial file at the target (the old version stays until the new one is complete).

A run killed while writing (SIGKILL, power cut) can leave its temporary file behind:
`.<name>.<random>.tmp` beside the target. The writer holds an flock on that file until it
has been renamed, so `cleanup_temp` can tell an abandoned one (no lock) from one being
written right now, and removes only the abandoned ones.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from pathlib import Path

_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def atomic_write(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # "being written": see cleanup_temp
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), 0o644)
            os.replace(tmp, path)  # still locked until renamed, then closed
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def cleanup_temp(folder: str | Path) -> list[Path]:
    """Remove temporary files that killed writers left in `folder` and below; a temporary
    file whose writer is still running (it holds the file's lock) is left alone."""
    removed = []
    for tmp in Path(folder).rglob(".*.tmp"):
        if not _TEMP.match(tmp.name):
            continue
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live writer
        else:
            try:
                os.unlink(tmp)
                removed.append(tmp)
            except FileNotFoundError:
                pass
        finally:
            os.close(fd)
    return removed


def _fsync_dir(folder: Path) -> None:
    # Make the rename itself durable; not possible on every platform.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
