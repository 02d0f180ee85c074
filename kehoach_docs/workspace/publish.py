"""The one write path of a document, for `build` and `render` alike.

    checked_bytes(prepared)        render, then the conformance check (a template or profile
                                   fault never reaches a file)
    write_output(out, name, …)     keep a clerk's hand edit (or back it up with force), write
                                   atomically below `out`, record it in the manifest
    render_to(prepared, target)    both, for one document: refuses to write over any of the
                                   document's inputs, and over a file that is not .docx
                                   without force
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.errors import ProblemList, UserError
from kehoach_docs.workspace.manifest import Manifest, sha256_bytes, sha256_file, sha256_input
from kehoach_docs.safe_file import atomic_write, file_mode, lstat_in, open_folder, read_regular

MAX_OUTPUT_BYTES = 1 << 30
"""An output read back for a backup (a .docx is never near this)."""

# A document's status after a build or a render, as printed (the one definition; REMOVED and
# MOVED only a build gives: an output whose data file is gone).
NEW, REBUILT, UNCHANGED, KEPT, REPLACED, FAILED = (
    "tạo mới", "tạo lại", "không đổi", "giữ bản sửa tay", "thay bản sửa tay", "lỗi")
REMOVED, MOVED = "đã xóa", "chuyển sang chỗ khác"
STATUSES = (NEW, REBUILT, UNCHANGED, KEPT, REPLACED, FAILED, REMOVED, MOVED)


def checked_bytes(prepared, ws=None) -> bytes:
    """The rendered .docx, refused (ProblemList) if it breaks its profile's thể thức. `ws`:
    the build's Workspace (the template hashed once per build)."""
    from kehoach_docs.check import check_rendered, of_template
    from kehoach_docs.documents.prepared import render_package

    data, parts = render_package(prepared, ws)
    violations = check_rendered(parts, prepared.profile)  # the parts as rendered: no unzipping
    if violations:
        # The template or the profile is at fault, not the clerk's data; say which rule broke.
        raise ProblemList([of_template(v, prepared.template) for v in violations])
    return data


@dataclass
class Written:
    status: str
    backup: Path | None = None
    unrecorded: bool = False
    """KEPT with no record of the file at all (the manifest deleted, or the file copied in):
    it may be a hand edit, or ours with its record lost; either way it is not overwritten."""


def write_output(out: Path, name: str, data: bytes, inputs: dict[str, str], manifest: Manifest,
                 force: bool, sha: str | None = None, sync_folder: bool = True) -> Written:
    """Write `data` (of hash `sha`, computed when not given) to out/name unless a clerk
    edited the file there (KEPT; with `force` the edit is backed up beside it first). The
    new bytes must already be pending in the manifest (see manifest.py); raises UnsafeFile
    or OSError when the file cannot be written. `sync_folder`: see atomic_write."""
    target = out / name
    sha = sha or sha256_bytes(data)
    current = sha256_file(target, out)
    edited = current is not None and current != sha and not manifest.written_by_us(name, current)
    if edited and not force:
        entry = manifest.entries[name]
        if sha in entry.known:
            entry.known.remove(sha)
        return Written(KEPT, unrecorded=not entry.inputs)  # never committed: no record of it
    backup = backup_edit(target, out) if edited else None
    if current != sha:
        atomic_write(target, data, root=out, sync_folder=sync_folder)
    manifest.commit(name, inputs, sha)
    return Written(REPLACED if edited else (NEW if current is None else REBUILT), backup)


def backup_edit(target: Path, out: Path) -> Path:
    """Keep a clerk's edited copy beside the output: <name>.ban-sua-tay[-N].docx, with the
    permissions of the edited file (a private file stays private)."""
    data = read_regular(target, MAX_OUTPUT_BYTES, out, "văn bản")
    mode = file_mode(target, out)
    for n in range(1, 1000):
        suffix = ".ban-sua-tay" + (f"-{n}" if n > 1 else "")
        candidate = target.with_name(target.stem + suffix + target.suffix)
        dfd = open_folder(out, candidate.relative_to(out).parts[:-1], create=False)
        try:
            taken = lstat_in(dfd, candidate.name) is not None
        finally:
            os.close(dfd)
        if not taken:
            atomic_write(candidate, data, root=out, mode=mode)
            return candidate
    raise ProblemList.one(target, 0, 0, "", "Quá nhiều bản sao lưu bản sửa tay.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_inputs(target: Path, inputs: list[Path], force: bool, suffix: str = ".docx") -> None:
    """A typo (`-o ke-hoach.yaml`) must not replace a data file, a template or a profile."""
    for f in inputs:
        if _same_file(target, f):
            raise UserError(f"Tệp kết quả '{target}' chính là tệp dữ liệu đầu vào '{f}'; không ghi đè "
                            "(kiểm tra lại tên tệp kết quả).")
    if target.suffix.lower() != suffix and not force:
        raise UserError(f"Tệp kết quả '{target}' không có đuôi {suffix}; không ghi đè để khỏi mất dữ liệu. "
                        f"Hãy đặt tên có đuôi {suffix} (hoặc dùng --force nếu đúng là muốn vậy).")


def render_to(prepared, target: Path, force: bool = False) -> Written:
    """Render one document and write it to `target` as `build` would: checked, atomic, hand
    edits kept (backed up with `force`), never over one of its inputs."""
    from kehoach_docs.workspace.lock import workspace_lock

    target = Path(target)
    inputs = prepared.inputs()
    refuse_overwriting_inputs(target, inputs, force)
    data = checked_bytes(prepared)
    out = target.parent if str(target.parent) else Path(".")
    with workspace_lock(out):
        manifest = Manifest(out)
        manifest.add_pending(target.name, sha256_bytes(data))
        manifest.save()
        fingerprint = {str(p): sha256_input(p) or "" for p in inputs}
        written = write_output(out, target.name, data, fingerprint, manifest, force)
        manifest.save()
    return written
