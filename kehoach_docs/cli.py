"""Command line: a thin layer over the library. Messages are in Vietnamese.

Exit codes: 0 thành công; 1 dữ liệu hoặc mẫu có lỗi (mọi lỗi được liệt kê);
2 dùng sai lệnh (tùy chọn, tệp không có); 3 lỗi nội bộ của công cụ (xin báo lại).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kehoach_docs import __version__
from kehoach_docs.errors import Problem, ProblemList, UserError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    errors = sum(1 for p in problems if p.level == "lỗi")
    warnings = len(problems) - errors
    summary = f"{errors} lỗi" + (f", {warnings} cảnh báo" if warnings else "")
    click.echo(summary + ".", err=True)


class _Group(click.Group):
    """Turns user mistakes into messages and exit codes, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProblemList as exc:
            _print_problems(exc.problems)
            ctx.exit(EXIT_INVALID)
        except UserError as exc:
            click.echo(f"lỗi: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; các tệp đã ghi xong vẫn nguyên vẹn.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # pragma: no cover - the tool's own fault
            click.echo(f"Lỗi nội bộ của kehoach-docs ({type(exc).__name__}: {exc}). "
                       "Xin gửi lệnh đã chạy và tệp dữ liệu cho người bảo trì.", err=True)
            if "--debug" in sys.argv:
                raise
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach")
def main() -> None:
    """kehoach-docs: tạo văn bản Đảng, Nhà nước (.docx, PDF) đúng thể thức từ tệp YAML."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp .docx kết quả (mặc định: cùng tên, cạnh tệp YAML).")
@click.option("--template", "-t", type=click.Path(dir_okay=False, path_type=Path),
              help="Mẫu .docx dùng thay cho mẫu mặc định.")
def render(file: Path, out: Path | None, template: Path | None) -> None:
    """Tạo một văn bản .docx từ FILE.yaml."""
    from kehoach_docs.document import render_file

    _must_exist(file)
    target = render_file(file, out, template)
    click.echo(f"Đã tạo {target}")


@main.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_cmd(paths: tuple[Path, ...]) -> None:
    """Kiểm tra dữ liệu YAML; liệt kê mọi lỗi (tệp:dòng:cột)."""
    from kehoach_docs.document import prepare

    problems: list[Problem] = []
    files = _yaml_files(paths)
    for f in files:
        try:
            prepare(f)
        except ProblemList as exc:
            problems += exc.problems
    if problems:
        raise ProblemList(problems)
    click.echo(f"Hợp lệ: {len(files)} tệp.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def context(file: Path) -> None:
    """In dữ liệu mà mẫu nhận được (JSON), cho người soạn mẫu."""
    from kehoach_docs.document import prepare, to_jsonable

    _must_exist(file)
    prepared = prepare(file)
    click.echo(json.dumps(to_jsonable(prepared.context), ensure_ascii=False, indent=2))


@main.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục kết quả (mặc định: output/<tên thư mục dữ liệu>/).")
def build(workspace: Path, out_dir: Path | None) -> None:
    """Tạo mọi văn bản của một thư mục dữ liệu."""
    from kehoach_docs.workspace import build_workspace

    if not workspace.is_dir():
        raise UserError(f"Không có thư mục dữ liệu '{workspace}'.")
    report = build_workspace(workspace, out_dir)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise ProblemList(report.problems())


@main.group()
def templates() -> None:
    """Làm việc với mẫu .docx."""


@templates.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Kiểm tra mẫu: cú pháp, thẻ bị Word tách, biến không có trong dữ liệu."""
    from kehoach_docs.document import PACKAGE_TEMPLATES
    from kehoach_docs.lint import lint_template

    targets = list(paths) or sorted(PACKAGE_TEMPLATES.glob("*.docx"))
    problems: list[Problem] = []
    for p in targets:
        _must_exist(p)
        problems += lint_template(p)
    if any(p.level == "lỗi" for p in problems):
        raise ProblemList(problems)
    if problems:
        _print_problems(problems)
    click.echo(f"Đã kiểm tra {len(targets)} mẫu.")


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise UserError(f"Không tìm thấy tệp '{path}'.")


def _yaml_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.rglob("*.yaml") if "the-thuc" not in x.parts)
        elif p.exists():
            files.append(p)
        else:
            raise UserError(f"Không tìm thấy '{p}'.")
    return files
