"""Reliability in a hostile environment (issue 15): shared folders, special files, mistakes
on the command line, untrusted templates.

Promises: no file outside the output folder (and the files the clerk named) is written, read
into an output, or deleted; no hand edit is lost; one bad document never stops the others;
never "Lỗi nội bộ" (exit 3) for a user's or the machine's mistake; untrusted templates read
nothing and reach nothing. Each case is counted in docs/reliability.md (CASES below).
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
from kehoach_docs.workspace import build_workspace

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "de-an-04"
TEMPLATE = ROOT / "kehoach_docs" / "templates" / "ke-hoach-dang.docx"
UNITS = ("ban-dan-toc", "so-noi-vu")

CASES: dict[str, list[str]] = {}
"""Group (a row of docs/reliability.md) → the tests of its cases."""


def case(group: str):
    def mark(fn):
        CASES.setdefault(group, []).append(fn.__name__)
        return fn
    return mark


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def ws(tmp_path) -> Path:
    """A small workspace: the office's plan, the unit model and two unit profiles."""
    ws = tmp_path / "de-an-04"
    (ws / "don-vi").mkdir(parents=True)
    for name in ("ke-hoach-44.yaml", "khung-don-vi.yaml"):
        shutil.copy(SOURCE / name, ws / name)
    for unit in UNITS:
        shutil.copy(SOURCE / "don-vi" / f"{unit}.yaml", ws / "don-vi" / f"{unit}.yaml")
    return ws


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
def test_render_onto_the_unit_model_is_refused(ws):
    model = ws / "khung-don-vi.yaml"
    before = model.read_bytes()
    code, _, err = kehoach("render", ws / "don-vi" / "so-noi-vu.yaml", "-o", model)
    assert_clean_failure(code, err)
    assert model.read_bytes() == before


@case("`render` writes as `build` does")
def test_render_onto_its_template_is_refused(tmp_path):
    f, tpl = plan_path(tmp_path), template_with(tmp_path)
    before = tpl.read_bytes()
    code, _, err = kehoach("render", f, "--template", tpl, "-o", tpl, "--force")
    assert_clean_failure(code, err)
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
    # the unit plans do not use that template (their own comes from the model): still made
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

    from kehoach_docs.document import prepare, render_bytes

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
    from test_render import text_lines
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
    from test_render import text_lines
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
    from test_render import text_lines
    assert any("MẪU Ở ĐÂY" in line for line in text_lines(tmp_path / "o.docx"))


@case("Templates found by name")
def test_a_template_found_elsewhere_is_named(tmp_path):
    f = plan_path(tmp_path)
    code, _, err = kehoach("render", f, "--template", "ke-hoach-dang.docx", "-o", tmp_path / "o.docx",
                           cwd=tmp_path)
    assert code == 0, err
    assert "dùng mẫu" in err and "ke-hoach-dang.docx" in err
