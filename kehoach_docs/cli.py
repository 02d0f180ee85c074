"""Command line: a thin layer over the library. Messages are in Vietnamese.

Exit codes: 0 thành công; 1 dữ liệu hoặc mẫu có lỗi (mọi lỗi được liệt kê);
2 dùng sai lệnh (tùy chọn, tệp không có); 3 lỗi nội bộ của công cụ (xin báo lại).
Commands raise (errors.KehoachError and its kinds, OSError, MemoryError); `_Group.invoke`
alone turns what is raised into words and an exit code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kehoach_docs import __version__, cli_vi
from kehoach_docs.errors import ERROR, WARNING, KehoachError, Problem, ProblemList, Reported, UserError, has_errors, tally

cli_vi.install()  # before the commands are declared: click takes some texts then

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _print_problems(problems: list[Problem]) -> None:
    from kehoach_docs.workspace.summary import unique

    found = unique(problems)
    for p, n in found:
        click.echo(str(p) + (f" (ảnh hưởng {n} văn bản)" if n > 1 else ""), err=True)
    click.echo(tally([p for p, _ in found]) + ".", err=True)


class _Group(cli_vi.Group):
    """Turns user mistakes into messages and exit codes, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KehoachError as exc:  # ProblemList: exit 1; UserError: 2; Reported: its own code
            _say(exc)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # `kehoach build | head`: the reader has gone; nothing more can be printed there.
            _silence_stdout()
            click.echo("Chương trình nhận kết quả (ví dụ head) đã đóng đầu vào; đã dừng in.", err=True)
            ctx.exit(EXIT_USAGE)
        except OSError as exc:  # the machine: a full or read-only disk, a folder where a file goes…
            from kehoach_docs.oserrors import os_error_message

            _silence_stdout()
            click.echo(f"{ERROR}: {os_error_message(exc)}", err=True)
            ctx.exit(EXIT_USAGE)
        except MemoryError:
            from kehoach_docs.oserrors import NO_MEMORY

            click.echo(f"{ERROR}: {NO_MEMORY}.", err=True)
            ctx.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; các tệp đã ghi xong vẫn nguyên vẹn.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # the tool's own fault (oserrors.py: what is not mapped is a bug)
            from kehoach_docs.oserrors import debug_hint

            if ctx.params.get("debug"):
                raise
            click.echo(f"Lỗi nội bộ của kehoach-docs ({type(exc).__name__}: {exc}). "
                       + debug_hint(ctx.invoked_subcommand), err=True)
            ctx.exit(EXIT_INTERNAL)


def _refuse_or_warn(problems: list[Problem]) -> None:
    """Raise the problems when one is an error; else print the warnings (a clerk must see them)."""
    if has_errors(problems):
        raise ProblemList(problems)
    if problems:
        _print_problems(problems)


def _say(exc: KehoachError) -> None:
    """What an error of use or data says (Reported has already said it)."""
    if isinstance(exc, ProblemList):
        _print_problems(exc.problems)
    elif not isinstance(exc, Reported):
        click.echo(f"{ERROR}: {exc}", err=True)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail a second time."""
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """The `kehoach` entry point: main(), with output errors (a closed pipe, a full disk
    behind stdout) turned into a message and exit code 2, even when they happen at exit."""
    try:
        main(standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        try:
            sys.stdout.flush()
        except OSError as err:
            _silence_stdout()
            if not isinstance(err, BrokenPipeError):
                from kehoach_docs.oserrors import os_error_message

                print(f"{ERROR}: {os_error_message(err, '<stdout>')}", file=sys.stderr)
            code = code or EXIT_USAGE
        raise SystemExit(code) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach")
@click.option("--debug", is_flag=True, help="In chi tiết kỹ thuật (traceback) khi có lỗi nội bộ, để gửi người bảo trì.")
def main(debug: bool) -> None:
    """kehoach-docs: tạo văn bản Đảng, Nhà nước (.docx, PDF) đúng thể thức từ tệp YAML."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp .docx kết quả (mặc định: cùng tên, cạnh tệp YAML).")
@click.option("--template", "-t", type=click.Path(dir_okay=False, path_type=Path),
              help="Mẫu .docx dùng thay cho mẫu mặc định.")
@click.option("--don-vi", "unit", help="Với tệp báo cáo: tạo báo cáo riêng của đơn vị này (tên tệp trong don-vi/).")
@click.option("--force", is_flag=True,
              help="Ghi đè cả tệp đã sửa tay (bản sửa tay được lưu bên cạnh) hoặc tệp không có đuôi .docx.")
def render(file: Path, out: Path | None, template: Path | None, unit: str | None, force: bool) -> None:
    """Tạo một văn bản .docx từ TỆP.yaml."""
    from kehoach_docs.documents.pipeline import render_file_warned

    _must_exist(file)
    if template is not None and not template.is_file():
        from kehoach_docs.documents.pipeline import find_template

        found = find_template(str(template), file.parent)  # not silently: say which file is used
        click.echo(f"Không có '{template}' ở thư mục hiện tại; dùng mẫu {found}.", err=True)
    target, warnings = render_file_warned(file, out, template, unit, force=force)
    click.echo(f"Đã tạo {target}")
    for w in warnings:
        click.echo(str(w), err=True)


@main.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_cmd(paths: tuple[Path, ...]) -> None:
    """Kiểm tra dữ liệu YAML; liệt kê mọi lỗi (tệp:dòng:cột)."""
    from kehoach_docs.documents.pipeline import validate_files

    files, warnings = validate_files(paths)
    _refuse_or_warn(warnings)  # valid, but a clerk must see them (sample values, rules past their date)
    click.echo(f"Hợp lệ: {len(files)} tệp.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--don-vi", "unit", help="Với tệp báo cáo: dữ liệu báo cáo riêng của đơn vị này.")
def context(file: Path, unit: str | None) -> None:
    """In dữ liệu mà mẫu nhận được (JSON), cho người soạn mẫu."""
    from kehoach_docs.documents.pipeline import prepare, to_jsonable

    _must_exist(file)
    prepared = prepare(file, unit=unit)
    click.echo(json.dumps(to_jsonable(prepared.context), ensure_ascii=False, indent=2))


@main.command()
@click.argument("workspace", metavar="THƯ_MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục kết quả (mặc định: output/<tên thư mục dữ liệu>/).")
@click.option("--force", is_flag=True,
              help="Tạo lại tất cả, kể cả tệp đã sửa tay (bản sửa tay được lưu bên cạnh).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho chương trình khác).")
@click.option("--workers", "-j", type=click.IntRange(1, 64), help="Số tiến trình (mặc định: số lõi CPU).")
@click.option("--verbose", "-v", is_flag=True, help="Liệt kê từng văn bản (mặc định: chỉ văn bản lỗi, sửa tay).")
@click.option("--pdf", "with_pdf", is_flag=True, help="Xuất thêm PDF (qua LibreOffice) cho văn bản mới tạo.")
@click.option("--watch", is_flag=True, help="Theo dõi thư mục: tạo lại mỗi khi lưu một tệp dữ liệu (Ctrl-C để dừng).")
def build(workspace: Path, out_dir: Path | None, force: bool, as_json: bool,
          workers: int | None, verbose: bool, with_pdf: bool, watch: bool) -> None:
    """Tạo mọi văn bản của một thư mục dữ liệu (chỉ tạo lại phần có thay đổi)."""
    from kehoach_docs.workspace.build import default_output

    _must_be_workspace(workspace)
    if not watch:
        code = _build_once(workspace, out_dir, force, as_json, workers, verbose, with_pdf)
        if code:
            raise Reported(code)
        return
    if as_json:
        raise UserError("--watch không dùng cùng --json.")
    from kehoach_docs.workspace.watch import watch_workspace

    out = out_dir or default_output(workspace)

    def once(changed: list[Path]) -> None:
        if changed:
            names = ", ".join(str(p) for p in changed[:3]) + (f"… ({len(changed)} tệp)" if len(changed) > 3 else "")
            click.echo(f"Có thay đổi: {names}")
        try:
            _build_once(workspace, out, force and not changed, False, workers, verbose, with_pdf)
        except KehoachError as exc:  # said; the watch goes on
            _say(exc)
        click.echo(f"Đang theo dõi {workspace}/ (Ctrl-C để dừng)…", err=True)

    try:
        watch_workspace(workspace, out, once)
    except KeyboardInterrupt:
        pass
    click.echo("Đã dừng theo dõi.", err=True)


def _build_once(workspace: Path, out_dir: Path | None, force: bool, as_json: bool, workers: int | None,
                verbose: bool, with_pdf: bool) -> int:
    """One build, with its messages; its exit code (1: a document failed, 3: through a fault of the tool)."""
    from kehoach_docs.workspace.summary import build_lines, problem_lines
    from kehoach_docs.workspace.build import build_workspace

    with _bar("Đang tạo văn bản", quiet=as_json) as tick:
        summary = build_workspace(workspace, out_dir, force=force, workers=workers, progress=tick)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in build_lines(summary, verbose):
            click.echo(line)
        for line in problem_lines(summary, verbose):
            click.echo(line, err=True)
    for p in summary.record_problems:  # the documents are fine; the build's record is not saved
        click.echo(str(p), err=True)
    ok = not summary.failed and not summary.record_problems
    if with_pdf:
        from kehoach_docs.workspace.build import pdf_targets

        ok = _export_pdf(pdf_targets(summary), workers, quiet=as_json, verbose=verbose, exit_on_error=False) and ok
    if summary.internal:
        # A fault of the tool in some documents (the others were made): said, then exit 3.
        from kehoach_docs.oserrors import debug_hint

        if click.get_current_context().find_root().params.get("debug"):
            for p in summary.internal:
                click.echo(f"{p.file}:\n{p.detail}", err=True)
        click.echo(f"Lỗi nội bộ của kehoach-docs ở {len(summary.internal)} văn bản. " + debug_hint("build"),
                   err=True)
        return EXIT_INTERNAL
    return EXIT_OK if ok else EXIT_INVALID


class _bar:
    """A rich progress bar on a terminal (nothing otherwise); yields the progress callback."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.label, self.show = label, not quiet and sys.stderr.isatty()
        self.progress = None

    def __enter__(self):
        if not self.show:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self.progress.__enter__()
        task = self.progress.add_task(self.label, total=None)
        return lambda done, total: self.progress.update(task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)


@main.command(name="init")
@click.argument("folder", metavar="THƯ_MỤC", type=click.Path(path_type=Path))
@click.option("--mau", "sample", metavar="TÊN",
              help="Chép một thư mục mẫu có sẵn thay cho bản nháp (tên không có: in ra các mẫu có).")
@click.option("--ghi-de", "force", is_flag=True, help="Ghi vào cả thư mục không trống (tệp trùng tên bị thay).")
def init_cmd(folder: Path, sample: str | None, force: bool) -> None:
    """Tạo thư mục dữ liệu cho một chương trình mới: kế hoạch, khung, báo cáo, thư mục con."""
    from kehoach_docs.init import init_workspace

    written = init_workspace(folder, sample, force)
    if sample:
        click.echo(f"Đã chép mẫu {sample} ({len(written)} tệp) vào {folder}/. Chạy: kehoach build {folder}")
    else:
        click.echo(f"Đã tạo {len(written)} tệp trong {folder}/. Sửa các tệp .yaml (mọi trường có lời giải "
                   f"thích; xem {folder}/README.md), rồi chạy: kehoach build {folder}")


@main.command(name="bieu-mau")
@click.argument("workspace", metavar="THƯ_MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.option("--nam", "year", required=True, type=click.IntRange(2000, 2100), help="Năm báo cáo.")
@click.option("--don-vi", "units", multiple=True, metavar="ĐƠN_VỊ",
              help="Chỉ các đơn vị này (tên tệp trong don-vi/, không có .yaml); lặp lại cho nhiều đơn vị.")
@click.option("--dien-san", "filled", is_flag=True, help="Điền sẵn kết quả đã có (để đơn vị sửa lại).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi biểu mẫu.")
@click.option("--force", is_flag=True, help="Thay cả biểu mẫu đã có trong thư mục mà khác bản mới "
                                            "(có thể là bản đơn vị đã điền).")
def bieu_mau(workspace: Path, year: int, units: tuple[str, ...], filled: bool, out_dir: Path,
             force: bool) -> None:
    """Tạo biểu mẫu Excel báo cáo kết quả năm, mỗi đơn vị một tệp <đơn vị>-<năm>.xlsx."""
    from kehoach_docs.excel import write_forms

    _must_be_workspace(workspace)
    done = write_forms(workspace, year, out_dir, list(units) or None, filled, force)
    click.echo(f"Đã tạo {len(done.written)} biểu mẫu năm {year} trong {out_dir}/. Gửi các đơn vị; "
               f"khi nhận lại: kehoach nhap {workspace} {out_dir}/*.xlsx")
    for kept in done.kept:
        click.echo(f"giữ nguyên: {kept} đã có và khác bản mới (có thể đơn vị đã điền); không thay. "
                   "Thêm --force để thay, hoặc ghi vào thư mục khác (--out).", err=True)
    if done.kept:
        raise Reported(EXIT_INVALID)


@main.command(name="nhap")
@click.argument("workspace", metavar="THƯ_MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.argument("files", metavar="TỆP.xlsx…", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Thay cả tệp kết quả viết tay hoặc đã sửa sau lần nhập trước.")
def nhap(workspace: Path, files: tuple[Path, ...], force: bool) -> None:
    """Nhập biểu mẫu Excel đơn vị gửi lại vào ket-qua/<năm>/<đơn vị>.yaml (kiểm tra lại mọi ô)."""
    from kehoach_docs.excel import import_forms

    _must_be_workspace(workspace)
    for f in files:
        _must_exist(f)
    summary = import_forms(workspace, list(files), force)
    for d in summary.done:
        if d.status != "giữ nguyên":
            click.echo(f"{d.status}: {d.target} (từ {d.form.name})" + (f"; {d.reason}" if d.reason else ""))
    for d in summary.kept:
        click.echo(f"giữ nguyên: {d.reason}.", err=True)
    click.echo(f"Đã nhập {len(summary.done) - len(summary.kept)}/{len(files)} biểu mẫu.")
    _refuse_or_warn(summary.problems)
    if summary.kept:
        raise Reported(EXIT_INVALID)


@main.group()
def new() -> None:
    """Tạo tệp dữ liệu mới từ khung."""


@new.command(name="unit")
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--ten", required=True, help='Tên cơ quan, đơn vị, ví dụ "Sở Nội vụ".')
@click.option("--loai", required=True, type=click.Choice(["dang_bo_btv", "dang_bo", "chi_bo"]),
              help="dang_bo_btv: đảng bộ cơ sở có Ban Thường vụ; dang_bo: đảng bộ cơ sở; chi_bo: chi bộ cơ sở.")
@click.option("--ma", help="Tên tệp (không dấu), mặc định suy từ tên đơn vị.")
def new_unit(workspace: Path, ten: str, loai: str, ma: str | None) -> None:
    """Tạo hồ sơ đơn vị mới (don-vi/<ma>.yaml) với giá trị mặc định của khung."""
    from kehoach_docs.scaffold import new_unit_file

    path = new_unit_file(workspace, ten, loai, ma)
    click.echo(f"Đã tạo {path}. Hãy điền số, ngày và người ký rồi chạy: kehoach build {workspace}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục PDF (mặc định: cạnh tệp .docx).")
@click.option("--workers", "-j", type=click.IntRange(1, 64), help="Số tiến trình LibreOffice (mặc định: số lõi).")
def pdf(paths: tuple[Path, ...], out_dir: Path | None, workers: int | None) -> None:
    """Xuất PDF từ các tệp .docx (hoặc mọi .docx trong thư mục) bằng LibreOffice."""
    from kehoach_docs.check.package import docx_files

    _export_pdf(docx_files(paths), workers, out_dir=out_dir)


def _export_pdf(files: list[Path], workers: int | None, out_dir: Path | None = None,
                quiet: bool = False, verbose: bool = True, exit_on_error: bool = True) -> bool:
    """Convert with a progress bar; each PDF's line when `verbose`, failures always."""
    from kehoach_docs.pdf import convert_to_pdf, fallback_advice

    if not files:
        return True
    with _bar("Đang xuất PDF", quiet=quiet) as tick:  # LibreOfficeMissing: a UserError, exit 2
        results = convert_to_pdf(files, out_dir=out_dir, workers=workers, progress=tick)
    failed = [r for r in results if not r.ok]
    fallback = sorted({f for r in results for f in r.fallback_fonts})
    if not quiet:
        for r in results:
            if r.ok and (verbose or r.fallback_fonts):
                click.echo(f"PDF: {r.pdf}" + (f" (phông thay thế: {', '.join(r.fallback_fonts)})"
                                             if r.fallback_fonts else ""))
        click.echo(f"Đã xuất {len(results) - len(failed)} PDF" + (f", {len(failed)} lỗi." if failed else "."))
    for r in failed:
        click.echo(f"{ERROR} PDF: {r.error}", err=True)
    if fallback:
        click.echo(fallback_advice(fallback), err=True)
    if (failed or fallback) and exit_on_error:
        raise Reported(EXIT_INVALID)
    return not (failed or fallback)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", "profile_id", help="Bộ thể thức (mặc định: tự nhận từ phần đầu văn bản).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def check(paths: tuple[Path, ...], profile_id: str | None, as_json: bool) -> None:
    """Kiểm tra thể thức của tệp .docx bất kỳ (do công cụ tạo hay soạn tay)."""
    from kehoach_docs.check import check_files, docx_files, format_violations, profile_notice
    from kehoach_docs.profile import get_profile

    files = docx_files(paths)
    profile = get_profile(profile_id) if profile_id else None
    results = check_files(files, profile)
    if not as_json:
        for path in results:
            if (notice := profile_notice(path, profile)):
                click.echo(str(Problem(path, 0, 0, "", notice, WARNING)), err=True)
    bad = sum(1 for v in results.values() if v)
    if as_json:
        click.echo(json.dumps({str(k): [x.as_dict() for x in v] for k, v in results.items()},
                              ensure_ascii=False, indent=2))
    else:
        for path, findings in results.items():
            click.echo(f"{path}: " + ("đúng thể thức." if not findings else f"{len(findings)} lỗi thể thức"))
            if findings:
                click.echo(format_violations(findings))
        click.echo(f"Đã kiểm tra {len(results)} tệp: {bad} tệp có lỗi thể thức.")
    if bad:
        raise Reported(EXIT_INVALID)


@main.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", help="Tính đến ngày (dạng 31/12/2023 hoặc 2023-12-31; mặc định hôm nay).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Ghi bảng ra tệp CSV.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), help="Ghi bảng ra tệp Excel.")
@click.option("--tat-ca", "show_all", is_flag=True, help="Liệt kê cả đơn vị đã đầy đủ.")
def status(workspace: Path, as_of: str | None, csv_path: Path | None, xlsx_path: Path | None,
           show_all: bool) -> None:
    """Đơn vị chưa ban hành kế hoạch, chưa báo cáo, quá hạn lộ trình (tính đến một ngày)."""
    from datetime import date

    from rich.console import Console
    from rich.table import Table

    from kehoach_docs.results.status import COLUMNS, unit_status, write_tables
    from kehoach_docs.schema.common import parse_day

    _must_be_workspace(workspace)
    day = parse_day(as_of) if as_of else date.today()
    rows = unit_status(workspace, day)
    write_tables(rows, day, workspace, csv_path, xlsx_path)
    shown = rows if show_all else [r for r in rows if not r.ok]
    table = Table(*COLUMNS, title=f"Tình hình thực hiện đến ngày {day:%d/%m/%Y}", show_lines=False)
    for n, r in enumerate(shown, 1):
        table.add_row(*r.row(n))
    Console(width=160).print(table)
    click.echo(f"{sum(1 for r in rows if not r.ok)}/{len(rows)} đơn vị cần đôn đốc.")
    for year in sorted({y for r in rows for y in r.forms_out}):
        late = [r.ten for r in rows if year in r.forms_out]
        click.echo(f"{len(late)} đơn vị chưa gửi lại biểu mẫu năm {year}: {', '.join(late)}.")


@main.group()
def templates() -> None:
    """Làm việc với mẫu .docx."""


@templates.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Kiểm tra mẫu: cú pháp, thẻ bị Word tách, biến không có trong dữ liệu."""
    from kehoach_docs.templates.lint import lint_templates

    targets, problems = lint_templates(paths)
    _refuse_or_warn(problems)
    click.echo(f"Đã kiểm tra {len(targets)} mẫu.")


def _must_be_workspace(path: Path) -> None:
    if not path.is_dir():
        raise UserError(f"Không có thư mục dữ liệu '{path}'.")


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise UserError(f"Không tìm thấy tệp '{path}'.")

