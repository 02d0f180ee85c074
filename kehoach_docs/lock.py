"""One build at a time per output folder: a lock that names the process holding it."""

from __future__ import annotations

import fcntl
import os
import socket
from contextlib import contextmanager
from pathlib import Path

from kehoach_docs.errors import UserError

LOCK_NAME = ".kehoach.lock"


@contextmanager
def workspace_lock(out_dir: Path):
    """Hold an exclusive lock on `out_dir`; fail at once, naming the other build."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "không rõ"
            raise UserError(f"Thư mục '{out_dir}' đang được một lệnh build khác dùng ({holder}). "
                            "Hãy chờ lệnh đó xong rồi chạy lại.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"tiến trình {os.getpid()} trên máy {socket.gethostname()}".encode(), 0)
        yield
    finally:
        # The kernel drops the lock when the process dies, even on SIGKILL: no stale locks.
        os.close(fd)
