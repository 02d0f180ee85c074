"""A workspace: a folder of document files built together into output/<workspace>/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kehoach_docs.errors import Problem, ProblemList

DEFAULT_OUTPUT = Path("output")


@dataclass
class Outcome:
    source: Path
    target: Path | None
    status: str  # "tạo mới", "lỗi"
    problems: list[Problem] = field(default_factory=list)


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "lỗi"]

    def problems(self) -> list[Problem]:
        return [p for o in self.failed for p in o.problems]

    def lines(self) -> list[str]:
        out = [f"{o.status}: {o.target or o.source}" for o in self.outcomes]
        ok = len(self.outcomes) - len(self.failed)
        out.append(f"Xong: {ok} văn bản" + (f", {len(self.failed)} lỗi." if self.failed else "."))
        return out


def document_files(workspace: Path) -> list[Path]:
    """Document files of a workspace: the YAML files at its top level."""
    return sorted(p for p in workspace.glob("*.yaml") if not p.name.startswith((".", "_")))


def default_output(workspace: Path) -> Path:
    return DEFAULT_OUTPUT / workspace.resolve().name


def build_workspace(workspace: str | Path, out_dir: str | Path | None = None) -> BuildReport:
    from kehoach_docs.document import prepare, render_bytes
    from kehoach_docs.write import atomic_write

    workspace = Path(workspace)
    out = Path(out_dir) if out_dir else default_output(workspace)
    report = BuildReport()
    for source in document_files(workspace):
        target = out / f"{source.stem}.docx"
        try:
            atomic_write(target, render_bytes(prepare(source)))
            report.outcomes.append(Outcome(source, target, "tạo mới"))
        except ProblemList as exc:
            report.outcomes.append(Outcome(source, None, "lỗi", exc.problems))
    return report
