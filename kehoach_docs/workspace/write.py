"""Step 6 — write: put bytes on disk atomically, so a failed or killed run never leaves a
partial file at the target (the old version stays until the new one is complete).

The file layer itself (no links followed, regular files only, temp names that fit, the
target's permissions kept, only our own temporary files cleaned) is `safe_file`.
"""

from __future__ import annotations

from kehoach_docs.safe_file import UnsafeFile, atomic_write, cleanup_temp, read_regular

__all__ = ["UnsafeFile", "atomic_write", "cleanup_temp", "read_regular"]
