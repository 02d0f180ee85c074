"""One build at a time per output folder: a lock that names the process holding it."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from kehoach_docs.errors import UserError
from kehoach_docs.safe_file import cleanup_temp, open_lock_file

LOCK_NAME = ".kehoach.lock"

_held: set[int] = set()
"""Lock descriptors of this process."""
_forked_by = 0


def _before_fork() -> None:
    global _forked_by
    _forked_by = os.getpid()


def _after_fork_in_child() -> None:
    """A process forked while a build holds the lock is one of its render workers. It closes
    its copy of the lock (else, outliving a killed build, it would keep the folder locked)
    and dies with the build: `kill -9` of a build would otherwise leave workers waiting
    forever for work (Linux; elsewhere they stay until the machine restarts them)."""
    if not _held:
        return
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != _forked_by:  # the build died before prctl took effect
        os._exit(1)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


@contextmanager
def workspace_lock(out_dir: Path):
    """Hold an exclusive lock on `out_dir`; fail at once, naming the other build. Temporary
    files left by a build that was killed are removed once the lock is held."""
    with open_lock_file(out_dir, LOCK_NAME) as fd:  # never a link: it would be truncated
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"Thư mục '{out_dir}' đang được một lệnh build khác dùng ({_holder(fd)}). "
                            "Hãy chờ lệnh đó xong rồi chạy lại.") from None
        _held.add(fd)
        try:
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"tiến trình {os.getpid()} trên máy {socket.gethostname()}".encode(), 0)
            except OSError:
                pass  # a full disk: the lock holds all the same; only the holder's name is missing
            cleanup_temp(out_dir)
            yield
        finally:
            # The kernel drops the lock when the process dies, even on SIGKILL: no stale locks.
            _held.discard(fd)


def _holder(fd: int) -> str:
    """Who holds the lock, as it wrote itself in the file (it may be writing it just now)."""
    for _ in range(25):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
        time.sleep(0.02)
    return "không rõ"


@contextmanager
def output_lock(out_dir: Path, targets: list[Path]):
    """Make `out_dir` and hold its lock. When the folder cannot even be made or locked (a
    read-only or full disk, no permission), each of `targets` is listed as not written, in
    words (ProblemList: exit 1), rather than one bare error for the whole build."""
    from contextlib import ExitStack

    from kehoach_docs.errors import Problem, ProblemList
    from kehoach_docs.oserrors import os_error_message

    with ExitStack() as stack:
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            stack.enter_context(workspace_lock(out_dir))
        except OSError as exc:
            why = os_error_message(exc, exc.filename or out_dir)
            raise ProblemList([Problem(t, 0, 0, "", f"Không ghi được văn bản này — {why}")
                               for t in targets]) from None
        yield
