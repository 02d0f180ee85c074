"""A workspace: one programme's folder, where each kind of file lives, what a build read.

    data/de-an-04/
      ke-hoach-44.yaml           the office's documents (every top-level .yaml)
      khung-don-vi.yaml          the khung of unit plans (not a document itself)
      don-vi/<đơn vị>.yaml       one unit record per base organisation → its own plan
      ket-qua/<năm>/<đơn vị>.yaml, ket-qua/<năm>/<tep_van_phong>.yaml   results
      ket-qua/khung-ket-qua.yaml the programme's declared results (programme.py)
      bao-cao/<báo cáo>.yaml     the office's reports (sơ kết, tổng kết)
      to-chuc.yaml               the bodies named, with their periods (organisations.py)
      the-thuc/*.yaml            extra thể thức profiles (rules as data)
      templates/*.docx           templates of the workspace

`Workspace` is the one place that knows these names. It also keeps, for the life of one
object (one build, one command), the memo of what was loaded (plan, khung, units, results)
and records what each document read: the files, and the folders whose set of files it
depends on. The build turns those records into the manifest's inputs, so a file added
to a folder a document reads makes it out of date.

Kept low in the import graph: it loads nothing but YAML itself; the loaders of plans,
the khung and results live above it and store their results in `memo`.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from kehoach_docs.load.yaml_source import Loaded, load_yaml
from kehoach_docs.templates import TEMPLATES_DIR as PACKAGE_TEMPLATES

KHUNG_FILE = "khung-don-vi.yaml"
"""The khung of unit plans, written once by the office."""
UNITS_DIR = "don-vi"
"""One unit record per base organisation."""
RESULTS_DIR = "ket-qua"
"""Results: ket-qua/<năm>/<đơn vị>.yaml, and ket-qua/<năm>/<tep_van_phong>.yaml for the office."""
PROGRAMME_FILE = "khung-ket-qua.yaml"
"""The programme's declared results, in the results folder (programme.py)."""
REPORTS_DIR = "bao-cao"
"""The office's reports (sơ kết, tổng kết)."""
PROFILES_DIR = "the-thuc"
"""Extra profiles of a workspace (rules as data)."""
BODIES_FILE = "to-chuc.yaml"
"""The bodies the documents name, with their periods and successors (organisations.py)."""
TEMPLATES_DIR = "templates"
"""Templates of a workspace (beside the data)."""
TEMPLATES_ENV = "KEHOACH_TEMPLATES"
"""A folder of templates named by the environment."""
YAML = "*.yaml"

T = TypeVar("T")

# What a document read (see Workspace.recording). A file: ("file", path); the set of names
# in a folder: ("ls", folder, pattern); names and contents: ("dir", folder, pattern); the
# names of its subfolders: ("dirs", folder); an environment variable: ("env", name).
Dep = tuple


def absolute(p: str | Path) -> Path:
    """An absolute path without touching the disk (a key of the memo and of the manifest;
    resolve() costs system calls, thousands of times per build)."""
    return Path(os.path.abspath(p))


def _visible(p: Path) -> bool:
    return not p.name.startswith((".", "_"))


def listed(folder: Path, pattern: str = YAML) -> list[Path]:
    """The entries of `folder` a workspace reads: visible, matching `pattern`, anything but a
    folder (a FIFO, a device or a broken link named like a data file is listed, so that reading
    it says what it is: skipping it would lose a unit silently). One rule for the documents and
    for the build's record of the folder, so that an incremental build sees what a clean one does."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if _visible(p) and not p.is_dir())


def subfolders(folder: Path) -> list[str]:
    """Names of the folders in `folder` (ket-qua/'s years)."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


class Workspace:
    """The folder of one programme, and the memo of one build."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._memo: dict[Any, tuple[bool, Any, frozenset]] = {}
        self._stack: list[set] = []

    @classmethod
    def of(cls, path: str | Path) -> "Workspace":
        """The workspace of a data file (a unit record, a report, a results file) or folder."""
        p = Path(path)
        if p.is_dir():
            return cls(p)
        if p.parent.name in (UNITS_DIR, REPORTS_DIR, RESULTS_DIR):
            return cls(p.parent.parent)
        if p.parent.parent.name == RESULTS_DIR:
            return cls(p.parent.parent.parent)
        return cls(p.parent)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    # --- paths -------------------------------------------------------------------------
    @property
    def khung_file(self) -> Path:
        return self.root / KHUNG_FILE

    @property
    def units_dir(self) -> Path:
        return self.root / UNITS_DIR

    @property
    def results_dir(self) -> Path:
        return self.root / RESULTS_DIR

    @property
    def reports_dir(self) -> Path:
        return self.root / REPORTS_DIR

    def unit_file(self, ma: str) -> Path:
        return self.units_dir / f"{ma}.yaml"

    def results_file(self, year: int, stem: str) -> Path:
        return self.results_dir / str(year) / f"{stem}.yaml"

    def where(self, path: Path) -> str:
        """What kind of place `path` is in: "khung", "bodies", "units", "results", "reports",
        "programme" (ket-qua/khung-ket-qua.yaml) or "" (top)."""
        if path.name == KHUNG_FILE:
            return "khung"
        if path.name == BODIES_FILE:
            return "bodies"
        if path.parent.name == UNITS_DIR:
            return "units"
        if path.parent.parent.name == RESULTS_DIR:
            return "results"
        if path.parent.name == REPORTS_DIR:
            return "reports"
        if path.parent.name == RESULTS_DIR:
            return "programme"
        return ""

    def khung_candidates(self, unit_file: Path) -> list[Path]:
        """Where a unit record's khung is looked for: its folder, then the one above."""
        return [unit_file.parent / KHUNG_FILE, unit_file.parent.parent / KHUNG_FILE]

    def profile_dirs(self, near: Path) -> tuple[Path, ...]:
        """Folders of extra profiles for a data file: the-thuc/ beside it and one level up."""
        return (near.parent / PROFILES_DIR, near.parent.parent / PROFILES_DIR)

    def template_dirs(self, near: Path | None) -> list[Path]:
        """Where templates are looked up: beside the data, the workspace, $KEHOACH_TEMPLATES,
        the toolkit."""
        dirs = []
        if near is not None:
            dirs += [near, near / TEMPLATES_DIR, near.parent / TEMPLATES_DIR]
        extra = self.env(TEMPLATES_ENV)
        if extra:
            dirs.append(Path(extra))
        dirs.append(PACKAGE_TEMPLATES)
        return dirs

    @staticmethod
    def is_profile_path(path: Path) -> bool:
        return PROFILES_DIR in path.parts

    # --- discovery (each recorded as a dependency on the folder) ------------------------
    def plan_files(self) -> list[Path]:
        """Top-level document files (all .yaml but the khung and the bodies)."""
        return [p for p in self.listing(self.root) if p.name not in (KHUNG_FILE, BODIES_FILE)]

    @property
    def bodies_file(self) -> Path:
        return self.root / BODIES_FILE

    def unit_files(self) -> list[Path]:
        return self.listing(self.units_dir)

    def report_files(self) -> list[Path]:
        return self.listing(self.reports_dir)

    def result_years(self) -> list[str]:
        """Names of the folders of ket-qua/ (a year each, when correct)."""
        self.note(("dirs", absolute(self.results_dir)))
        return subfolders(self.results_dir)

    def results_files(self, years: list[int] | None = None) -> list[Path]:
        """ket-qua/<năm>/*.yaml for `years` (every folder of ket-qua/ when None)."""
        names = self.result_years() if years is None else [str(y) for y in years]
        return [f for name in names for f in self.listing(self.results_dir / name)]

    def data_files(self, folder: Path) -> list[Path]:
        """Every data file under `folder`, but profiles (the-thuc/), hidden files and _drafts."""
        return sorted(x for x in Path(folder).rglob(YAML)
                      if not self.is_profile_path(x.relative_to(folder)) and _visible(x))

    # --- recorded reads -----------------------------------------------------------------
    def listing(self, folder: Path, pattern: str = YAML, contents: bool = False) -> list[Path]:
        """Visible files of `folder` matching `pattern`, sorted; recorded as a dependency on
        the set of names (and, with `contents`, on what they hold)."""
        self.note(("dir" if contents else "ls", absolute(folder), pattern))
        return listed(Path(folder), pattern)

    def is_file(self, path: Path) -> bool:
        """Whether `path` is a file; recorded (its appearing later matters)."""
        self.note(("file", absolute(path)))
        return Path(path).is_file()

    def load(self, path: Path) -> Loaded:
        """A YAML file, read once per workspace object; recorded."""
        path = Path(path)
        return self.memo(("yaml", absolute(path)), lambda: self._read(path))

    def _read(self, path: Path) -> Loaded:
        self.note(("file", absolute(path)))
        return load_yaml(path)

    def env(self, name: str) -> str | None:
        self.note(("env", name))
        return os.environ.get(name)

    # --- memo and dependency records ----------------------------------------------------
    def note(self, dep: Dep) -> None:
        if self._stack:
            self._stack[-1].add(dep)

    @contextmanager
    def recording(self) -> Iterator[set]:
        """Collect what is read inside the block (memo hits included)."""
        deps: set = set()
        self._stack.append(deps)
        try:
            yield deps
        finally:
            self._stack.pop()
            if self._stack:
                self._stack[-1] |= deps

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """`make()` once per workspace object; a failure is remembered too (reported once
        per document that needs it, not recomputed). What `make` read is recorded for
        every later user of the value."""
        if key not in self._memo:
            with self.recording() as deps:
                try:
                    value, ok = make(), True
                except Exception as exc:  # remembered, raised again below
                    value, ok = exc, False
            self._memo[key] = (ok, value, frozenset(deps))
        else:
            ok, value, deps = self._memo[key]
            if self._stack:
                self._stack[-1] |= deps
        ok, value, _ = self._memo[key]
        if not ok:
            raise value
        return value
