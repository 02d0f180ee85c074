"""The one way the toolkit touches files it writes, or reads back from an output folder.

An output folder may be shared (SMB, a USB disk) or prepared by someone else: a name in it
may be a symbolic link to a file elsewhere, a directory, a FIFO or a device. So:

- every folder on the way from the output root to a file is opened without following links
  (O_NOFOLLOW, one component at a time, then `dir_fd` operations): a write never leaves the
  output folder, and a path with `..` in it is refused;
- a file is read only if it is a regular file, opened with O_NOFOLLOW and O_NONBLOCK (a FIFO
  never blocks, a device is never read), and never more than a given number of bytes;
- a file is replaced atomically: written to a temporary file beside it, fsynced, renamed
  over it; the new file keeps the permissions of the one it replaces (a 0600 file stays
  0600). Temporary names always fit in 255 bytes and are ours alone
  (`.<name>.kehoach-<8 random>.tmp`); the writer holds an flock on its temporary file until
  it is renamed, so `cleanup_temp` removes only files that match that pattern, that no live
  writer holds, in the folders a build writes (at most three levels down, no links followed).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import string
from contextlib import contextmanager
from pathlib import Path

from kehoach_docs.errors import UserError

NAME_MAX = 255
"""Bytes in one file name (ext4, NTFS via SMB, exFAT and APFS allow at most this)."""
TEMP_SUFFIX = ".tmp"
_TEMP_TAG = ".kehoach-"
_TEMP = re.compile(r"^\..*\.kehoach-[a-z0-9]{8}\.tmp$", re.DOTALL)
_ALPHABET = string.ascii_lowercase + string.digits
DEFAULT_MODE = 0o644
CLEANUP_DEPTH = 3
"""Deepest folder of an output tree: bao-cao/<report>/don-vi/<unit>.docx."""


class UnsafeFile(UserError):
    """A path the toolkit refuses to read or write; the message says why, in Vietnamese.
    `path` is the place refused when it is not the file itself (a folder on its way), so the
    documents below it share one problem."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class TooLarge(UnsafeFile):
    """A file beyond the size bound of what is being read."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "một thư mục"
    if stat.S_ISLNK(mode):
        return "một liên kết (symlink)"
    if stat.S_ISFIFO(mode):
        return "một đường ống (FIFO)"
    if stat.S_ISSOCK(mode):
        return "một socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "một thiết bị"
    return "không phải tệp thường"


class NotRegular(UnsafeFile):
    """A link, folder, FIFO, socket or device where a regular file was expected."""

    def __init__(self, path: Path | str, mode: int, doing: str) -> None:
        self.reason = f"đây là {_kind(mode)}, không phải tệp thường. Hãy đổi tên hoặc xóa nó rồi chạy lại."
        super().__init__(f"Không {doing} '{path}': {self.reason}")


def refuse_kind(path: Path | str, mode: int, doing: str = "ghi") -> UnsafeFile:
    return NotRegular(path, mode, doing)


def _relative_parts(root: Path, path: Path) -> tuple[str, ...]:
    """Components of `path` below `root`; refuses a path that leaves `root`."""
    try:
        rel = path.relative_to(root) if path.is_absolute() == root.is_absolute() else \
            path.absolute().relative_to(root.absolute())
    except ValueError:
        raise UnsafeFile(f"'{path}' nằm ngoài thư mục kết quả '{root}'; không ghi.") from None
    parts = rel.parts
    if not parts or any(p in ("..", ".", "") for p in parts):
        raise UnsafeFile(f"'{path}' nằm ngoài thư mục kết quả '{root}'; không ghi.")
    return parts


def open_root(root: Path, create: bool = True) -> int:
    """A descriptor of the output root (the folder the user named; it may itself be a link)."""
    if create:
        root.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except NotADirectoryError:
        raise UnsafeFile(f"'{root}' không phải thư mục.") from None


def open_folder(root: Path, parts: tuple[str, ...], create: bool = True) -> int:
    """Descriptor of root/parts[0]/…, each component opened without following a link."""
    fd = open_root(root, create)
    walked = root
    try:
        for part in parts:
            walked = walked / part
            try:
                nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            except (NotADirectoryError, OSError) as exc:
                if isinstance(exc, NotADirectoryError) or exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    st = os.stat(part, dir_fd=fd, follow_symlinks=False)
                    raise UnsafeFile(f"'{walked}' là {_kind(st.st_mode)}, không phải thư mục thường; "
                                     "không ghi qua đó (một liên kết có thể dẫn ra ngoài thư mục kết quả).",
                                     Path(walked)) from None
                raise
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def lstat_in(dir_fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def temp_name(name: str) -> str:
    """`.<name>.kehoach-<random>.tmp`, the name cut (at a character) to fit NAME_MAX bytes."""
    rand = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    room = NAME_MAX - len(("." + "." + _TEMP_TAG[1:] + rand + TEMP_SUFFIX).encode())
    short = name.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f".{short}{_TEMP_TAG}{rand}{TEMP_SUFFIX}"


def atomic_write(path: str | Path, data: bytes, root: str | Path | None = None,
                 mode: int | None = None, sync_folder: bool = True) -> None:
    """Replace `path` (below `root`, default its own folder) with `data`, atomically.

    Refuses (UnsafeFile) a path outside `root`, a folder on the way that is a link or not a
    folder, and a target that exists but is not a regular file. An existing target's
    permission bits are kept (`mode` gives them for a new file; default 0644).
    `sync_folder=False`: the caller makes the rename durable itself (sync_folders), once
    for many files of a folder."""
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    parts = _relative_parts(root, path) if root != path.parent else (path.name,)
    if not path.name or path.name in (".", ".."):
        raise UnsafeFile(f"'{path}' không phải tên tệp.")
    dfd = open_folder(root, parts[:-1])
    name = parts[-1]
    try:
        if len(name.encode("utf-8")) > NAME_MAX:
            raise UnsafeFile(f"Tên tệp '{name[:60]}…' quá dài (hơn {NAME_MAX} byte); hãy đặt tên ngắn hơn.")
        st = lstat_in(dfd, name)
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise refuse_kind(path, st.st_mode)
        mode = stat.S_IMODE(st.st_mode) if st is not None else (DEFAULT_MODE if mode is None else mode)
        tmp = temp_name(name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                     dir_fd=dfd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # "being written": see cleanup_temp
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.fchmod(fd, mode)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)  # still locked until renamed
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except FileNotFoundError:
                pass
            raise
        finally:
            os.close(fd)
        if sync_folder:
            _sync(dfd)
    finally:
        os.close(dfd)


def _sync(dfd: int) -> None:
    try:
        os.fsync(dfd)  # make the renames durable; not possible on every file system
    except OSError:
        pass


def sync_folders(root: Path, paths: list[Path]) -> None:
    """Make the renames of atomic_write(…, sync_folder=False) into these files durable: each
    folder (below `root`, no link followed) synced once."""
    folders = {}
    for p in paths:
        try:
            folders.setdefault(_relative_parts(Path(root), Path(p))[:-1], None)
        except UnsafeFile:
            continue  # never written: its own write said why
    for folder in folders:
        try:
            dfd = open_folder(Path(root), folder, create=False)
        except (OSError, UnsafeFile):
            continue
        try:
            _sync(dfd)
        finally:
            os.close(dfd)


@contextmanager
def _open_regular(path: Path, root: Path | None, follow: bool = False):
    """A descriptor of a regular file (None when absent); see read_regular. `follow`: a link
    at the last step is followed (an input the clerk linked in), never to a FIFO or device."""
    if root is not None:
        parts = _relative_parts(root, path)
        try:
            dfd = open_folder(root, parts[:-1], create=False)
        except FileNotFoundError:
            yield None
            return
        name = parts[-1]
    else:
        dfd, name = None, str(path)
    fd = None
    try:
        try:
            flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
            fd = os.open(name, flags, dir_fd=dfd)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO, errno.EISDIR):
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
                raise refuse_kind(path, st.st_mode, "đọc") from None
            raise
        if fd is not None:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise refuse_kind(path, st.st_mode, "đọc")
        yield fd
    finally:
        if fd is not None:
            os.close(fd)
        if dfd is not None:
            os.close(dfd)


def sha256_regular(path: str | Path, root: str | Path | None = None,
                   follow: bool = False) -> str | None:
    """SHA-256 of a regular file read as `read_regular` does (any size, read in chunks);
    `follow` for inputs, which the loader reads through a link too."""
    import hashlib

    with _open_regular(Path(path), Path(root) if root is not None else None, follow) as fd:
        if fd is None:
            return None
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()


def file_mode(path: str | Path, root: str | Path | None = None) -> int | None:
    """Permission bits of a regular file (None when absent), read as read_regular does."""
    with _open_regular(Path(path), Path(root) if root is not None else None) as fd:
        return None if fd is None else stat.S_IMODE(os.fstat(fd).st_mode)


def read_regular(path: str | Path, limit: int, root: str | Path | None = None,
                 what: str = "tệp", follow: bool = False) -> bytes | None:
    """The bytes of a regular file, or None when there is none. Never follows a link at the
    file (nor, with `root`, in the folders below it) unless `follow` (an input the clerk
    linked in or named), never blocks on a FIFO, never reads a device, never reads more
    than `limit` bytes (UnsafeFile beyond)."""
    path = Path(path)
    with _open_regular(path, Path(root) if root is not None else None, follow) as fd:
        if fd is None:
            return None
        if os.fstat(fd).st_size > limit:
            raise TooLarge(f"{what.capitalize()} '{path}' quá lớn (hơn {limit:,} byte); không đọc.")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{what.capitalize()} '{path}' quá lớn (hơn {limit:,} byte); không đọc.")
        return b"".join(chunks)


def remove_regular(path: str | Path, root: str | Path) -> bool:
    """Delete the regular file `path` under `root`; False when it is absent. Walks the folders
    from `root` by descriptor, never through a link, so a folder swapped for a link between
    the check and the deletion cannot make it delete a file outside the output."""
    path, root = Path(path), Path(root)
    parts = _relative_parts(root, path)
    try:
        dfd = open_folder(root, parts[:-1], create=False)
    except FileNotFoundError:
        return False
    try:
        st = lstat_in(dfd, parts[-1])
        if st is None:
            return False
        if not stat.S_ISREG(st.st_mode):
            raise refuse_kind(path, st.st_mode, "xóa")
        os.unlink(parts[-1], dir_fd=dfd)
        return True
    finally:
        os.close(dfd)


def regular_or_absent(path: str | Path, root: str | Path | None = None) -> os.stat_result | None:
    """lstat of `path` if it is a regular file, None if absent; UnsafeFile otherwise."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise UnsafeFile(f"Một phần của đường dẫn '{path}' không phải thư mục.") from None
    if not stat.S_ISREG(st.st_mode):
        raise refuse_kind(path, st.st_mode)
    return st


@contextmanager
def open_lock_file(folder: Path, name: str):
    """A lock file in `folder`, opened without following a link; refused if not a regular file."""
    dfd = open_root(folder)
    try:
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644,
                         dir_fd=dfd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK, errno.EISDIR, errno.ENXIO):
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
                raise refuse_kind(folder / name, st.st_mode) from None
            raise
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:  # a hard link is another file's name
            os.close(fd)
            raise refuse_kind(folder / name, st.st_mode) if not stat.S_ISREG(st.st_mode) else \
                UnsafeFile(f"'{folder / name}' có liên kết cứng tới một tệp khác; hãy xóa nó rồi chạy lại.")
    finally:
        os.close(dfd)
    try:
        yield fd
    finally:
        os.close(fd)


def is_our_temp(name: str) -> bool:
    return bool(_TEMP.match(name))


def cleanup_temp(folder: str | Path, depth: int = CLEANUP_DEPTH) -> list[Path]:
    """Remove temporary files that killed writers left in `folder` (and its sub-folders, at
    most `depth` levels, never through a link). Only our own names; a file whose writer is
    still running (it holds the file's lock) is left alone."""
    removed: list[Path] = []
    folder = Path(folder)
    try:
        root = open_root(folder, create=False)
    except (FileNotFoundError, UnsafeFile):
        return removed
    _clean(root, folder, depth, removed)
    return removed


def _clean(dfd: int, where: Path, depth: int, removed: list[Path]) -> None:
    try:
        with os.scandir(dfd) as entries:
            items = [(e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False))
                     for e in entries]
        for name, is_dir, is_file in items:
            if is_dir and depth > 0:
                try:
                    sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
                except OSError:
                    continue
                _clean(sub, where / name, depth - 1, removed)
            elif is_file and is_our_temp(name):
                try:
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dfd)
                except OSError:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live writer
                else:
                    try:
                        os.unlink(name, dir_fd=dfd)
                        removed.append(where / name)
                    except FileNotFoundError:
                        pass
                finally:
                    os.close(fd)
    finally:
        os.close(dfd)
