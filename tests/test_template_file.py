"""The committed Party plan template (templates/ke-hoach-dang.docx) is lean, valid, current
with its profile, and renders with docxtpl into the expected paragraphs.

No LibreOffice here (tests/test_pdf.py covers PDF output); everything runs in about 2 s.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_UNDERLINE
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from lxml import etree

from kehoach_docs.profile import get_profile

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "ke-hoach-dang.docx"
TWIPS_PER_MM = 56.6929


def _load_tool():
    spec = importlib.util.spec_from_file_location("make_templates",
                                                  ROOT / "tools" / "make_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mt = _load_tool()


@pytest.fixture(scope="module")
def profile():
    return get_profile("dang-hd36-2018")


@pytest.fixture(scope="module")
def parts() -> dict[str, bytes]:
    with zipfile.ZipFile(TEMPLATE) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_committed_template_is_current(profile, tmp_path):
    fresh = mt.template_bytes(profile)
    committed = TEMPLATE.read_bytes()
    if committed != fresh:
        with zipfile.ZipFile(io.BytesIO(fresh)) as a, zipfile.ZipFile(TEMPLATE) as b:
            stale = [n for n in a.namelist()
                     if n not in b.namelist() or a.read(n) != b.read(n)]
        pytest.fail(f"{TEMPLATE.name} is stale (parts differing: {stale or 'zip bytes only'}); "
                    "run: python tools/make_templates.py")
    # The importable entry point writes the same bytes, and twice the same.
    out = mt.build_template(profile, tmp_path / "t.docx")
    assert out.read_bytes() == fresh == mt.template_bytes(profile)


def test_package_is_lean_and_deterministic():
    assert TEMPLATE.stat().st_size < 40 * 1024
    with zipfile.ZipFile(TEMPLATE) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos][:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    names = {i.filename for i in infos}
    assert {"word/document.xml", "word/styles.xml", "word/settings.xml", "word/fontTable.xml",
            "word/header1.xml", "word/header2.xml", "word/_rels/document.xml.rels",
            "docProps/core.xml", "docProps/app.xml"} <= names


def test_every_part_is_well_formed_xml(parts):
    strict = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    for name, data in parts.items():
        etree.fromstring(data, strict)  # raises XMLSyntaxError on any fault


def test_core_properties_are_fixed(parts):
    core = parts["docProps/core.xml"].decode("utf-8")
    assert "<dc:title>Mẫu kế hoạch (Đảng)</dc:title>" in core
    assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_section_matches_profile(profile):
    doc = Document(str(TEMPLATE))
    assert len(doc.sections) == 1
    sec, page = doc.sections[0], profile.trang
    for got, want in [(sec.page_width, page.rong), (sec.page_height, page.cao),
                      (sec.top_margin, page.le_tren), (sec.bottom_margin, page.le_duoi),
                      (sec.left_margin, page.le_trai), (sec.right_margin, page.le_phai),
                      (sec.header_distance, page.dau_trang),
                      (sec.footer_distance, page.chan_trang)]:
        assert got.mm == pytest.approx(want, abs=0.1)
    assert sec.different_first_page_header_footer  # <w:titlePg/>: no number on page 1
    # Default header: a real PAGE field in a so_trang paragraph; first-page header: empty.
    header = sec.header._element
    instr = "".join(header.itertext())
    assert header.xpath(".//w:fldChar[@w:fldCharType='begin']") and " PAGE " in instr
    assert header.xpath("string(.//w:pStyle/@w:val)") == "so_trang"
    assert "".join(sec.first_page_header._element.itertext()) == ""


def test_styles_carry_profile_values(profile):
    doc = Document(str(TEMPLATE))
    font = profile.phong_chu
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/"
                                                                      f"{qn('w:rPr')}")
    fonts = rpr_default.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {font}
    assert rpr_default.find(qn("w:lang")).get(qn("w:val")) == profile.ngon_ngu
    assert int(rpr_default.find(qn("w:sz")).get(qn("w:val"))) == round(profile.than_van_ban.co * 2)
    align = {"trai": WD_ALIGN_PARAGRAPH.LEFT, "giua": WD_ALIGN_PARAGRAPH.CENTER,
             "phai": WD_ALIGN_PARAGRAPH.RIGHT, "deu": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for key in mt.STYLE_KEYS:
        el = profile.phan_tu[key]
        style = doc.styles[key]
        assert style.style_id == key and style.name == key
        assert style.font.size.pt == el.co, key
        assert bool(style.font.bold) is el.dam, key
        assert bool(style.font.italic) is el.nghieng, key
        assert (style.font.underline == WD_UNDERLINE.SINGLE) is el.gach_chan, key
        assert style.paragraph_format.alignment == align[el.can_le], key
    body = profile.than_van_ban
    for key in ("doan", "tieu_de_cap1", "tieu_de_cap2"):
        pf = doc.styles[key].paragraph_format
        assert pf.first_line_indent.mm == pytest.approx(body.thut_dau_dong, abs=0.1)
        assert pf.space_before.pt == body.gian_doan_truoc
        assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert pf.line_spacing.pt == body.gian_dong
    for key in ("tieu_de", "co_quan_ban_hanh", "noi_nhan", "ho_ten_ky", "so_trang"):
        pf = doc.styles[key].paragraph_format
        assert (pf.space_before.pt, pf.space_after.pt, pf.line_spacing) == (0, 0, 1.0)


def _twips(el, tag: str) -> int:
    return int(el.get(qn(tag)))


def test_tables_and_title_line(profile):
    doc = Document(str(TEMPLATE))
    header, closing = doc.tables
    for tbl in (header, closing):
        tbl_pr = tbl._tbl.tblPr
        borders = tbl_pr.find(qn("w:tblBorders"))
        assert {b.get(qn("w:val")) for b in borders} == {"none"}
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        mar = tbl_pr.find(qn("w:tblCellMar"))
        assert _twips(mar.find(qn("w:left")), "w:w") == _twips(mar.find(qn("w:right")), "w:w") == 0
    grid = [_twips(g, "w:w") for g in header._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == [round(profile.bang_dau.cot_trai * TWIPS_PER_MM),
                    round(profile.bang_dau.cot_phai * TWIPS_PER_MM)]
    content_mm = profile.trang.rong - profile.trang.le_trai - profile.trang.le_phai
    closing_grid = [_twips(g, "w:w") for g in closing._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(closing_grid) / TWIPS_PER_MM == pytest.approx(content_mm, abs=0.1)
    # The line under "ĐẢNG CỘNG SẢN VIỆT NAM": cell width − indents = duong_ke_duoi.
    cell = header.cell(0, 1)
    rules = [p for p in cell.paragraphs if p._p.pPr.find(qn("w:pBdr")) is not None]
    assert len(rules) == 1
    border = rules[0]._p.pPr.find(qn("w:pBdr"))[0]
    assert border.get(qn("w:val")) == "single" and border.get(qn("w:sz")) == "6"
    ind = rules[0]._p.pPr.find(qn("w:ind"))
    length = grid[1] - _twips(ind, "w:left") - _twips(ind, "w:right")
    assert length / TWIPS_PER_MM == pytest.approx(profile.phan_tu["tieu_de"].duong_ke_duoi,
                                                  abs=0.05)
    assert abs(_twips(ind, "w:left") - _twips(ind, "w:right")) <= 1  # centred


def test_each_tag_sits_in_one_run(parts):
    root = etree.fromstring(parts["word/document.xml"])
    w = {"w": mt.W_NS}
    tags = 0
    for p in root.iter(qn("w:p")):
        texts = [t.text or "" for t in p.iterfind(".//w:t", w)]
        joined = "".join(texts)
        if "{" in joined or "}" in joined:
            assert len(texts) == 1, joined
            assert re.fullmatch(r"\{%p [^%]+ %\}|\{\{ [^}]+ \}\}", texts[0]), texts[0]
            tags += 1
    assert tags >= 35


def test_openxml_audit_reports_no_errors():
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator().validate(str(TEMPLATE))
    assert [str(e) for e in result.errors] == []
    assert result.is_valid


# ------------------------------------------------------------------------- rendering

def sample_context(cap_tren: str = "ĐẢNG BỘ TỈNH NGHỆ AN", quyen_han: str = "T/M BAN THƯỜNG VỤ"):
    return {
        "co_quan_cap_tren": cap_tren,
        "co_quan_ban_hanh": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
        "dau_sao": "*",
        "tieu_de": "ĐẢNG CỘNG SẢN VIỆT NAM",
        "so_ky_hieu": "Số 44-KH/ĐUK",
        "dia_danh_ngay": "Nghệ An, ngày 10 tháng 12 năm 2021",
        "ten_loai": "KẾ HOẠCH",
        "trich_yeu": "thực hiện Đề án số 07-ĐA/TU về chuyển đổi số & cải cách <hành chính>",
        "phan_cach": "-----",
        "mo_dau": ["Thực hiện Kế hoạch số 12-KH/TU, ngày 01/10/2021 của Ban Thường vụ Tỉnh ủy.",
                   "Ban Thường vụ Đảng ủy Khối xây dựng Kế hoạch thực hiện như sau:"],
        "phan": [
            {"dong_tieu_de": "I- MỤC ĐÍCH, YÊU CẦU", "doan": [
                {"kieu": "cap2", "van_ban": "1. Mục đích"},
                {"kieu": "doan", "van_ban": "- Quán triệt đến cán bộ, đảng viên."},
                {"kieu": "cap2", "van_ban": "2. Yêu cầu"},
                {"kieu": "doan", "van_ban": "- Bám sát thực tế của từng cơ quan, đơn vị."},
            ]},
            {"dong_tieu_de": "II- TỔ CHỨC THỰC HIỆN", "doan": [
                {"kieu": "doan", "van_ban": "Các tổ chức cơ sở đảng triển khai thực hiện."},
            ]},
        ],
        "ket_thuc": ["Trong quá trình thực hiện, nếu có khó khăn, kịp thời báo cáo."],
        "nhan_noi_nhan": "Nơi nhận:",
        "noi_nhan": ["- Ban Thường vụ Tỉnh ủy (để b/c),", "- Các tổ chức cơ sở đảng (để t/h),",
                     "- Lưu Văn phòng Đảng ủy."],
        "nguoi_ky": {"quyen_han": quyen_han, "chuc_vu": "PHÓ BÍ THƯ", "ho_ten": "Nguyễn Văn An"},
    }


def expected(ctx) -> list[tuple[str, str]]:
    """(style, text) of every non-empty paragraph, in reading order."""
    out = [("co_quan_cap_tren", ctx["co_quan_cap_tren"])] if ctx["co_quan_cap_tren"] else []
    out += [(k, ctx[k]) for k in ("co_quan_ban_hanh", "dau_sao", "tieu_de", "so_ky_hieu",
                                  "dia_danh_ngay", "ten_loai", "trich_yeu", "phan_cach")]
    out += [("doan", d) for d in ctx["mo_dau"]]
    for part in ctx["phan"]:
        out.append(("tieu_de_cap1", part["dong_tieu_de"]))
        out += [("tieu_de_cap2" if d["kieu"] == "cap2" else "doan", d["van_ban"])
                for d in part["doan"]]
    out += [("doan", d) for d in ctx["ket_thuc"]]
    out.append(("nhan_noi_nhan", ctx["nhan_noi_nhan"]))
    out += [("noi_nhan", n) for n in ctx["noi_nhan"]]
    signer = ctx["nguoi_ky"]
    if signer["quyen_han"]:
        out.append(("quyen_han_ky", signer["quyen_han"]))
    out += [("chuc_vu_ky", signer["chuc_vu"]), ("ho_ten_ky", signer["ho_ten"])]
    return out


def reading_order(doc) -> list[Paragraph]:
    paras = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    paras += cell.paragraphs
        else:
            paras.append(block)
    return paras


def render(tmp_path: Path, ctx, name: str) -> Path:
    tpl = DocxTemplate(str(TEMPLATE))
    tpl.render(ctx, autoescape=True)
    out = tmp_path / name
    tpl.save(str(out))
    return out


@pytest.mark.parametrize("cap_tren, quyen_han", [
    ("ĐẢNG BỘ TỈNH NGHỆ AN", "T/M BAN THƯỜNG VỤ"),
    ("", ""),  # no superior body, a head signing directly: no blank paragraphs left behind
])
def test_docxtpl_renders_in_order(tmp_path, profile, cap_tren, quyen_han):
    ctx = sample_context(cap_tren, quyen_han)
    doc = Document(str(render(tmp_path, ctx, "out.docx")))
    paras = reading_order(doc)
    texts = [p.text for p in paras]
    assert not any("{%" in t or "{{" in t or "%}" in t or "}}" in t for t in texts)
    got = [(p.style.style_id, p.text) for p in paras if p.text]
    assert got == expected(ctx)
    # Empty paragraphs: the two around the title block and the signature space only.
    signer_cell = doc.tables[1].cell(0, 1)
    assert [p.text for p in signer_cell.paragraphs][-profile.ky.dong_trong - 1:] == \
        [""] * profile.ky.dong_trong + ["Nguyễn Văn An"]
    left = doc.tables[0].cell(0, 0).paragraphs
    assert all(p.text for p in left) and left[-1].text == "*"
    # The page-number field and section survive rendering.
    assert doc.sections[0].different_first_page_header_footer
    assert " PAGE " in "".join(doc.sections[0].header._element.itertext())
