"""The pipeline for one document file: load → validate → context → render → write.

Library entry points (the CLI is a thin layer over these):
    prepare(path)            → Prepared (validated data, profile, context, template)
    render_bytes(prepared)   → .docx bytes (deterministic)
    render_file(path, out)   → writes the .docx atomically
    check_file(path)         → validates any data file (a document, the khung, results)
    validate_files(paths)    → check_file for files and folders, every problem at once

What each kind of file is and how it is prepared lives in kinds.py; what they are all
prepared from (a plan, its profile, a template) in prepared.py; where files are in
workspace.py (Workspace).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kehoach_docs.errors import Problem, ProblemList, UserError
from kehoach_docs.documents.kinds import check_file, file_kind_of, prepare, workspace_plan
from kehoach_docs.workspace.workspace import Workspace
from kehoach_docs.documents.prepared import (
    DEFAULT_TEMPLATES, PACKAGE_TEMPLATES, Prepared, find_template, given_template, is_an_output, located,
    profile_warnings, render_bytes, render_package,
)
from kehoach_docs.workspace.publish import KEPT, render_to

__all__ = ["DEFAULT_TEMPLATES", "PACKAGE_TEMPLATES", "Prepared", "Workspace", "check_file", "find_template",
           "given_template", "is_an_output", "file_kind_of", "located", "prepare", "profile_warnings", "render_bytes", "render_package", "render_file", "render_file_warned", "templates_dirs", "to_jsonable",
           "data_files", "validate_files", "workspace_plan"]


def templates_dirs(near: Path | None = None) -> list[Path]:
    """Where templates are looked up: beside the data, the workspace, $KEHOACH_TEMPLATES, the toolkit."""
    return Workspace(near or Path(".")).template_dirs(near)


def render_file(path: str | Path, out: str | Path | None = None,
                template: str | Path | None = None, unit: str | None = None, force: bool = False) -> Path:
    """Render one document file to .docx (with `unit`, that unit's own report); the default
    output is beside it with the same stem. Written as `build` writes (publish.render_to):
    checked against the profile, a hand edit kept unless `force`, never over an input."""
    return render_file_warned(path, out, template, unit, force)[0]


def render_file_warned(path: str | Path, out: str | Path | None = None, template: str | Path | None = None,
                       unit: str | None = None, force: bool = False) -> tuple[Path, tuple[Problem, ...]]:
    """render_file, and the warnings to show (the profile used past its confirmed date)."""
    prepared = prepare(path, template, unit)
    target = Path(out) if out else Path(path).with_suffix(".docx" if unit is None else f".{unit}.docx")
    written = render_to(prepared, target, force)
    if written.status == KEPT and written.unrecorded:
        from kehoach_docs.workspace.manifest import MANIFEST_NAME

        raise UserError(f"Đã có tệp '{target}' nhưng không có ghi nhận nào cho biết tệp do kehoach tạo ra "
                        f"(tệp ghi nhận ẩn {MANIFEST_NAME} ở thư mục đó đã bị xóa, hoặc tệp được chép từ nơi "
                        "khác); có thể là bản sửa tay nên không ghi đè. Dùng --force để tạo lại (tệp hiện có "
                        "được lưu bên cạnh).")
    if written.status == KEPT:
        raise UserError(f"Tệp '{target}' đã được sửa tay sau lần tạo trước; không ghi đè. "
                        "Dùng --force để tạo lại (bản sửa tay được lưu bên cạnh).")
    return target, prepared.warnings


def data_files(paths) -> list[Path]:
    """The data files named: a folder gives every data file of it (Workspace.data_files);
    a path that does not exist is a UserError."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += Workspace(p).data_files(p)
        elif p.exists():
            files.append(p)
        else:
            raise UserError(f"Không tìm thấy '{p}'.")
    return files


def validate_files(paths) -> tuple[list[Path], list[Problem]]:
    """Validate every data file of `paths` (files and folders): the files and their warnings.
    Raises ProblemList with every problem of every file (and the warnings with them), or
    when there is no data file at all."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    files = data_files(paths)
    spaces: dict[Path, Workspace] = {}  # one per workspace: the plan and khung are read once
    for f in files:
        ws = Workspace.of(f)
        try:
            warnings += check_file(f, spaces.setdefault(ws.root.resolve(), ws))
        except ProblemList as exc:
            problems += exc.problems
    if not files:
        raise ProblemList([Problem(p, 0, 0, "", "Không có tệp dữ liệu .yaml nào để kiểm tra. Có đúng thư mục "
                                                "không? Tạo thư mục mới bằng: kehoach init THƯ_MỤC") for p in paths])
    if problems:
        raise ProblemList(problems + warnings)
    return files, warnings


def to_jsonable(model: BaseModel) -> Any:
    return model.model_dump(mode="json")
