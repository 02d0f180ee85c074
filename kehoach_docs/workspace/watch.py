"""`kehoach build --watch`: build, then build again whenever a data file is saved.

watchfiles groups the events of one save (editors write a temporary file, then rename it) into
one batch; only data the build reads counts (YAML, templates, profiles), never the output
folder, temporary or lock files. The build itself is incremental, so a rebuild redoes only what
the change touches. Ctrl-C stops watching (KeyboardInterrupt reaches the caller).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

WATCHED = {".yaml", ".yml", ".docx"}


def wanted(path: Path, workspace: Path, out: Path) -> bool:
    """A change the build may care about."""
    try:
        rel = path.resolve().relative_to(workspace)
    except ValueError:
        return False
    if path.resolve().is_relative_to(out):
        return False
    name = path.name
    if name.startswith((".", "~$")) or name.endswith((".tmp", "~", ".swp")) or "__pycache__" in rel.parts:
        return False
    return path.suffix.lower() in WATCHED


def watch_workspace(workspace: Path, out: Path, build: Callable[[list[Path]], None],
                    stop=None, debounce_ms: int = 300) -> None:
    """Call `build([])` now, then `build(changed files)` after each save, until interrupted
    (or until the `stop` event is set)."""
    from watchfiles import watch

    root, out_dir = Path(workspace).resolve(), Path(out).resolve()
    build([])
    for changes in watch(root, debounce=debounce_ms, stop_event=stop, raise_interrupt=True,
                         watch_filter=lambda _change, p: wanted(Path(p), root, out_dir)):
        changed = sorted({Path(p) for _, p in changes})
        if changed:
            build([c.relative_to(root) if c.is_relative_to(root) else c for c in changed])
