"""Templates as a clerk edits them: every shipped template re-saved by LibreOffice Writer
lints clean and renders the samples as the original does, and the outputs pass `check`.
Word's own ways (entities and smart quotes inside tags, runs split differently, renamed
style ids) are made by hand on the XML, since Word does not run here."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from kehoach_docs.check import check_docx
from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.templates.lint import lint_template
from kehoach_docs.render.engine import CompiledTemplate
from kehoach_docs.templates import TEMPLATES_DIR

ROOT = Path(__file__).resolve().parent.parent
PARTY_PLAN = ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml"
STATE_PLAN = ROOT / "data" / "ubnd-nghe-an" / "ke-hoach-696.yaml"
PARTY_REPORT = ROOT / "data" / "de-an-04" / "bao-cao" / "so-ket-2023.yaml"
# Template → the sample it renders and whether the sample's thể thức is the template's own
# (the State report template has no State report sample: its text is compared only).
SAMPLES = {
    "ke-hoach-dang.docx": (PARTY_PLAN, True),
    "ke-hoach-nha-nuoc.docx": (STATE_PLAN, True),
    "bao-cao-dang.docx": (PARTY_REPORT, True),
    "bao-cao-nha-nuoc.docx": (PARTY_REPORT, False),
}


def _text(data: bytes) -> list[str]:
    import docx

    d = docx.Document(io.BytesIO(data))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        out += [c.text for row in t.rows for c in row.cells]
    return out


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is needed: bash scripts/install-system.sh")
    tmp = tmp_path_factory.mktemp("lo")
    (tmp / "in").mkdir()
    for name in SAMPLES:
        shutil.copy(TEMPLATES_DIR / name, tmp / "in" / name)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp / "out"),
                    *sorted(str(p) for p in (tmp / "in").iterdir())],
                   check=True, capture_output=True, timeout=180)
    out = {name: tmp / "out" / name for name in SAMPLES}
    assert all(p.is_file() for p in out.values())
    return out


pytestmark = pytest.mark.libreoffice


def test_libreoffice_really_rewrote_the_templates(resaved):
    for name, path in resaved.items():
        xml = zipfile.ZipFile(path).read("word/document.xml").decode()
        assert "&quot;" in xml or "&apos;" in xml, name  # the quotes inside tags, as LibreOffice writes them
        assert zipfile.ZipFile(path).read("word/document.xml") != \
            zipfile.ZipFile(TEMPLATES_DIR / name).read("word/document.xml")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_template_resaved_by_libreoffice_lints_clean(resaved, name):
    assert [str(p) for p in lint_template(resaved[name])] == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_template_resaved_by_libreoffice_renders_as_before_and_passes_check(resaved, name):
    sample, own = SAMPLES[name]
    before = render_bytes(prepare(sample, TEMPLATES_DIR / name))
    after = render_bytes(prepare(sample, resaved[name]))
    assert _text(after) == _text(before)
    if own:
        assert [str(v) for v in check_docx(io.BytesIO(after))] == []


# --------------------------------------------------------------------------- Word's ways, by hand

def _edit(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = change(data.decode()).encode()
            zout.writestr(info, data)
    return dst


def _word_like(xml: str) -> str:
    # Smart quotes and a numeric entity inside tags; a tag split over three runs with a
    # proofing mark between them, as Word does after a spelling check.
    xml = xml.replace('d.kieu == "cap2"', "d.kieu == \u201ccap2&#8221;")
    return xml.replace(
        '<w:r><w:t xml:space="preserve">{{ p.dong_tieu_de }}</w:t></w:r>',
        '<w:r><w:t xml:space="preserve">{{ p.</w:t></w:r><w:proofErr w:type="spellStart"/>'
        '<w:r><w:rPr><w:lang w:val="en-US"/></w:rPr><w:t>dong_tieu_de</w:t></w:r>'
        '<w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve"> }}</w:t></w:r>')


def test_word_smart_quotes_entities_and_split_runs_render_as_before(tmp_path):
    src = TEMPLATES_DIR / "ke-hoach-dang.docx"
    edited = _edit(src, tmp_path / "word.docx", _word_like)
    xml = zipfile.ZipFile(edited).read("word/document.xml").decode()
    assert "\u201ccap2&#8221;" in xml and "<w:t>dong_tieu_de</w:t>" in xml
    CompiledTemplate(edited)  # compiles
    before = render_bytes(prepare(PARTY_PLAN, src))
    after = render_bytes(prepare(PARTY_PLAN, edited))
    assert _text(after) == _text(before)


def test_renamed_style_ids_render_and_check_as_before(tmp_path):
    """Word renames a custom style's id (it keeps the name): `doan` → `Doan1`."""
    src = TEMPLATES_DIR / "ke-hoach-dang.docx"
    dst = tmp_path / "renamed.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info).decode("utf-8", "surrogateescape") if info.filename.endswith(".xml") \
                else zin.read(info)
            if info.filename in ("word/document.xml", "word/styles.xml"):
                data = re.sub(r'(w:(?:styleId|val)=")doan"', r'\1Doan1"', data)
            zout.writestr(info, data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
    after = render_bytes(prepare(PARTY_PLAN, dst))
    assert _text(after) == _text(render_bytes(prepare(PARTY_PLAN, src)))
    assert [str(v) for v in check_docx(io.BytesIO(after))] == []
