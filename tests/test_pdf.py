"""Kiểm thử kehoach_docs.pdf với LibreOffice thật (không giả lập soffice)."""

from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

from kehoach_docs.pdf import (
    LibreOfficeMissing,
    check_fonts,
    convert_to_pdf,
    fallback_advice,
    find_soffice,
    fonts_used,
)

VN = "Đảng ủy Khối các cơ quan tỉnh Nghệ An"


def _set_font(rpr, font: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(qn(f"w:{attr}"), font)
        rfonts.attrib.pop(qn(f"w:{attr}Theme"), None)  # chủ đề sẽ lấn át tên phông


def make_docx(path: Path, text: str = VN, font: str = "Times New Roman") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _set_font(doc.styles["Normal"].element.get_or_add_rPr(), font)
    para = doc.add_paragraph()
    for style in ("plain", "bold", "italic"):
        run = para.add_run(text + " ")
        run.bold = style == "bold"
        run.italic = style == "italic"
        _set_font(run._r.get_or_add_rPr(), font)
    doc.save(path)
    return path


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return unicodedata.normalize("NFC", text)


def test_find_soffice_present():
    assert Path(find_soffice()).name in ("soffice", "libreoffice")


def test_batch_three_files_two_workers(tmp_path):
    sources = [make_docx(tmp_path / f"kh{i}.docx", f"{VN} số {i}") for i in range(3)]
    results = convert_to_pdf(sources, workers=2)

    assert [r.source for r in results] == sources
    for i, (src, res) in enumerate(zip(sources, results)):
        assert res.ok, res.error
        assert res.error is None
        assert res.pdf == src.with_suffix(".pdf")
        assert res.pdf.read_bytes().startswith(b"%PDF")
        assert unicodedata.normalize("NFC", f"{VN} số {i}") in pdf_text(res.pdf)
        assert check_fonts(res.pdf) == []
        assert res.fallback_fonts == []
        fonts = fonts_used(res.pdf)
        # Đậm/nghiêng là họ khác tên ("LiberationSerif-Bold"…) nhưng vẫn hợp lệ.
        assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= set(fonts)
        assert not any("+" in f for f in fonts)
    # Ghi nguyên tử: không còn tệp tạm .part.
    assert not list(tmp_path.glob("*.part"))


def test_invalid_inputs_fail(tmp_path):
    out = tmp_path / "out"
    bad = tmp_path / "bad.docx"
    bad.write_text("đây là văn bản thuần, không phải docx\n", encoding="utf-8")
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.docx"
    # ZIP hợp lệ nhưng document.xml hỏng: qua được kiểm tra sơ bộ, soffice báo
    # "source file could not be loaded" mà vẫn thoát 0 -> phải phát hiện qua PDF.
    broken = make_docx(tmp_path / "broken.docx")
    good_zip = zipfile.ZipFile(broken)
    parts = {n: good_zip.read(n) for n in good_zip.namelist()}
    good_zip.close()
    parts["word/document.xml"] = parts["word/document.xml"][:200]
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    # PDF cũ ở đích không được coi là kết quả, cũng không bị ghi đè dở dang.
    out.mkdir()
    stale = out / "broken.pdf"
    stale.write_bytes(b"%PDF-1.4 old")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    good = make_docx(tmp_path / "good.docx")

    results = convert_to_pdf([bad, empty, missing, broken, good], out_dir=out, workers=2)
    by_name = {r.source.name: r for r in results}

    for name in ("bad.docx", "empty.docx"):
        r = by_name[name]
        assert not r.ok and r.pdf is None
        assert "không phải tài liệu .docx hợp lệ" in r.error
        assert not (out / name.replace(".docx", ".pdf")).exists()
    assert not by_name["missing.docx"].ok
    assert "Không tìm thấy tệp" in by_name["missing.docx"].error

    r = by_name["broken.docx"]
    assert not r.ok and r.pdf is None
    # Refused before LibreOffice sees it (the package check), naming the broken part.
    assert "word/document.xml" in r.error and "không phải XML hợp lệ" in r.error, r.error
    assert stale.read_bytes() == b"%PDF-1.4 old"

    assert by_name["good.docx"].ok, by_name["good.docx"].error
    assert by_name["good.docx"].pdf == out / "good.pdf"
    assert sorted(p.name for p in out.iterdir()) == ["broken.pdf", "good.pdf"]


def test_fallback_font_reported(tmp_path):
    src = make_docx(tmp_path / "dejavu.docx", font="DejaVu Sans")
    [res] = convert_to_pdf([src])

    assert res.ok, res.error
    # Cùng số glyph cho mỗi kiểu -> xếp theo tên.
    assert res.fallback_fonts == ["DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"]
    assert check_fonts(res.pdf) == res.fallback_fonts
    assert check_fonts(res.pdf, allowed=("DejaVuSans",)) == []
    assert VN in pdf_text(res.pdf)
    advice = fallback_advice(res.fallback_fonts)
    assert "apt-get install" in advice and "fonts-liberation2" in advice
    assert "DejaVuSans, DejaVuSans-Bold" in advice


def test_same_stem_in_two_folders(tmp_path):
    a = make_docx(tmp_path / "a" / "kehoach.docx", f"{VN} thư mục A")
    b = make_docx(tmp_path / "b" / "kehoach.docx", f"{VN} thư mục B")
    # workers=1: cả hai tệp trong cùng một tiến trình soffice / một --outdir.
    ra, rb = convert_to_pdf([a, b], workers=1)

    assert ra.ok and rb.ok, (ra.error, rb.error)
    assert ra.pdf == tmp_path / "a" / "kehoach.pdf"
    assert rb.pdf == tmp_path / "b" / "kehoach.pdf"
    assert "thư mục A" in pdf_text(ra.pdf) and "thư mục B" not in pdf_text(ra.pdf)
    assert "thư mục B" in pdf_text(rb.pdf)

    # Cùng out_dir thì hai PDF trùng đích: tệp sau bị từ chối thay vì ghi đè.
    out = tmp_path / "out"
    ra, rb = convert_to_pdf([a, b], out_dir=out)
    assert ra.ok and ra.pdf == out / "kehoach.pdf"
    assert "thư mục A" in pdf_text(ra.pdf)
    assert not rb.ok and "Trùng tệp PDF đích" in rb.error


def test_find_soffice_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(LibreOfficeMissing) as exc:
        find_soffice()
    assert "apt-get install" in str(exc.value)
    assert "libreoffice-writer-nogui fonts-liberation2" in str(exc.value)
    with pytest.raises(LibreOfficeMissing):
        convert_to_pdf([make_docx(tmp_path / "x.docx")])


def test_timeout_kills_and_fails(monkeypatch, tmp_path):
    import kehoach_docs.pdf as pdf_mod

    # soffice cần hơn 1 s để khởi động, nên 0,2 s chắc chắn quá hạn.
    monkeypatch.setattr(pdf_mod, "_TIMEOUT_BASE", 0.2)
    monkeypatch.setattr(pdf_mod, "_TIMEOUT_PER_DOC", 0.0)
    src = make_docx(tmp_path / "cham.docx")
    [res] = convert_to_pdf([src])
    assert not res.ok and res.pdf is None
    assert "quá thời gian 0.2 giây" in res.error
    assert not src.with_suffix(".pdf").exists()
