"""`kehoach init`: start a programme's workspace, from the skeleton or from a shipped sample.

The skeleton (kehoach_docs/skeleton/) holds every field of a plan, a khung of unit plans and a
report, explained in Vietnamese comments; its years follow the year of `today`. Samples are
the repository's data/<name>/ folders, shipped in the wheel as kehoach_docs/samples/<name>/
(see setup.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from string import Template

from kehoach_docs.errors import UserError
from kehoach_docs.workspace.workspace import KHUNG_FILE, PROGRAMME_FILE, REPORTS_DIR, RESULTS_DIR, UNITS_DIR
from kehoach_docs.workspace.write import atomic_write

PACKAGE = Path(__file__).resolve().parent
SKELETON = PACKAGE / "skeleton"
SKELETON_FILES = ("ke-hoach.yaml", KHUNG_FILE, f"{REPORTS_DIR}/so-ket.yaml",
                  f"{RESULTS_DIR}/{PROGRAMME_FILE}", "README.md")


def sample_roots() -> list[Path]:
    """Where samples are found: a source checkout's data/ first (the copy being edited), then
    the copy shipped in the package."""
    return [p for p in (PACKAGE.parent / "data", PACKAGE / "samples") if p.is_dir()]


def samples() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in reversed(sample_roots()):
        found |= {p.name: p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    return dict(sorted(found.items()))


def _refuse_non_empty(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise UserError(f"'{target}' là một tệp, không phải thư mục.")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UserError(f"Thư mục '{target}' không trống; không ghi đè. Chọn thư mục mới, "
                        "hoặc thêm --ghi-de để ghi các tệp khởi tạo vào đó (tệp trùng tên bị thay).")


def init_workspace(target: str | Path, sample: str | None = None, force: bool = False,
                   today: date | None = None) -> list[Path]:
    """Create a workspace in `target`; returns the files written."""
    target = Path(target)
    _refuse_non_empty(target, force)
    if sample is not None:
        return _copy_sample(sample, target)
    today = today or date.today()
    first = today.year + 1
    values = {"thu_muc": target.name or str(target), "ngay": today.isoformat(), "nam": today.year,
              "nam1": first, "nam_giua": first + 1, "nam_cuoi": first + 4}
    written = []
    for name in SKELETON_FILES:
        text = Template((SKELETON / name).read_text(encoding="utf-8")).substitute(values)
        written.append(target / name)
        atomic_write(target / name, text.encode("utf-8"))
    for folder in (UNITS_DIR, f"{RESULTS_DIR}/{first}", REPORTS_DIR):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return written


def _copy_sample(name: str, target: Path) -> list[Path]:
    found = samples()
    if name not in found:
        known = ", ".join(found) or "(không có)"
        raise UserError(f"Không có mẫu '{name}'. Các mẫu có: {known}.")
    source = found[name]
    written = []
    for f in sorted(source.rglob("*")):
        rel = f.relative_to(source)
        if f.is_dir() or f.is_symlink() or any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            continue
        written.append(target / rel)
        atomic_write(target / rel, f.read_bytes())
    return written
