"""The committed plan templates (kehoach_docs/templates/ke-hoach-dang.docx from the Party profile,
kehoach_docs/templates/ke-hoach-nha-nuoc.docx from the State profile) are lean, valid, current with their
profiles, and render with docxtpl into the expected paragraphs.

No LibreOffice here (tests/test_pdf.py covers PDF output); everything runs in a few seconds.
"""

from __future__ import annotations

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

from kehoach_docs.ooxml import W_NS
from kehoach_docs.render.header_lines import header_lines
from kehoach_docs.documents.pipeline import DEFAULT_TEMPLATES
from kehoach_docs.profile import get_profile

ROOT = Path(__file__).resolve().parents[1]
TWIPS_PER_MM = 56.6929
PARTY, STATE = "dang-hd36-2018", "nha-nuoc-nd30-2020"


from support import make_templates as mt  # noqa: E402


@pytest.fixture(scope="module", params=[PARTY, STATE])
def profile(request):
    return get_profile(request.param)


@pytest.fixture(scope="module")
def template(profile) -> Path:
    return mt.TEMPLATES_DIR / mt.TEMPLATES[profile.ma]


@pytest.fixture(scope="module")
def parts(template) -> dict[str, bytes]:
    with zipfile.ZipFile(template) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_one_template_per_profile_under_the_renderer_names():
    # The generator writes the files the renderer picks by regime.
    by_regime = {get_profile(ma).he_thong: name for ma, name in mt.TEMPLATES.items()}
    assert by_regime == {regime: name for (kind, regime), name in DEFAULT_TEMPLATES.items()
                         if kind == "KH"}
    assert mt.main(["--check"]) == 0


def test_committed_template_is_current(profile, template, tmp_path):
    fresh = mt.template_bytes(profile)
    committed = template.read_bytes()
    if committed != fresh:
        with zipfile.ZipFile(io.BytesIO(fresh)) as a, zipfile.ZipFile(template) as b:
            stale = [n for n in a.namelist()
                     if n not in b.namelist() or a.read(n) != b.read(n)]
        pytest.fail(f"{template.name} is stale (parts differing: {stale or 'zip bytes only'}); "
                    "run: python -m kehoach_docs.templates.generate")
    # The importable entry point writes the same bytes, and twice the same.
    out = mt.build_template(profile, tmp_path / "t.docx")
    assert out.read_bytes() == fresh == mt.template_bytes(profile)


def test_package_is_lean_and_deterministic(template):
    assert template.stat().st_size < 40 * 1024
    with zipfile.ZipFile(template) as zf:
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


def test_core_properties_are_fixed(profile, parts):
    core = parts["docProps/core.xml"].decode("utf-8")
    title = {"dang": "Mẫu kế hoạch (Đảng)", "nha_nuoc": "Mẫu kế hoạch (Nhà nước)"}[profile.he_thong]
    assert f"<dc:title>{title}</dc:title>" in core
    assert f"<cp:keywords>{profile.ma}</cp:keywords>" in core
    assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_section_matches_profile(profile, template):
    doc = Document(str(template))
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


def test_style_set_follows_the_profile_elements(profile, template):
    doc = Document(str(template))
    ids = {s.style_id for s in doc.styles}
    keys = mt.style_keys(profile)
    assert set(keys) == set(mt.STYLE_KEYS) & set(profile.phan_tu)
    for key in mt.OPTIONAL_KEYS:
        assert (key in ids) is (key in profile.phan_tu), key
    if profile.ma == STATE:
        assert "tieu_ngu" in keys and "dau_sao" not in keys and "phan_cach" not in keys
    else:
        assert "tieu_ngu" not in keys and "dau_sao" in keys and "phan_cach" in keys


def test_styles_carry_profile_values(profile, template):
    doc = Document(str(template))
    font = profile.phong_chu
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/"
                                                                      f"{qn('w:rPr')}")
    fonts = rpr_default.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {font}
    assert rpr_default.find(qn("w:lang")).get(qn("w:val")) == profile.ngon_ngu
    assert int(rpr_default.find(qn("w:sz")).get(qn("w:val"))) == round(profile.than_van_ban.co * 2)
    align = {"trai": WD_ALIGN_PARAGRAPH.LEFT, "giua": WD_ALIGN_PARAGRAPH.CENTER,
             "phai": WD_ALIGN_PARAGRAPH.RIGHT, "deu": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for key in mt.style_keys(profile):
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
        assert pf.space_after.pt == body.gian_doan_sau
        if body.gian_dong:
            assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
            assert pf.line_spacing.pt == body.gian_dong
        else:  # a multiple of single spacing (State: single = 1.0)
            assert pf.line_spacing == (body.boi_so_dong or 1.0)
    for key in ("tieu_de", "co_quan_ban_hanh", "noi_nhan", "ho_ten_ky", "so_trang"):
        pf = doc.styles[key].paragraph_format
        assert (pf.space_before.pt, pf.space_after.pt, pf.line_spacing) == (0, 0, 1.0)


def test_state_values_from_nd30():
    """The NĐ 30 rules that set the State template apart, as the profile states them."""
    profile = get_profile(STATE)
    template = mt.TEMPLATES_DIR / mt.TEMPLATES[STATE]
    el = profile.phan_tu
    assert profile.he_thong == "nha_nuoc" and str(profile.hieu_luc.tu) == "2020-03-05"
    assert (profile.trang.le_tren, profile.trang.le_duoi, profile.trang.le_trai,
            profile.trang.le_phai) == (20, 20, 30, 15)
    assert (profile.trang.le_tren_toi_da, profile.trang.le_duoi_toi_da,
            profile.trang.le_trai_toi_da, profile.trang.le_phai_toi_da) == (25, 25, 35, 20)
    assert profile.than_van_ban.thut_dau_dong == 12.7 and profile.than_van_ban.gian_dong is None
    # Mục V footnote: Quốc hiệu, Tiêu ngữ and the date move together (12/13/13 or 13/14/14).
    assert (el["tieu_de"].co, el["tieu_ngu"].co, el["dia_danh_ngay"].co) in ((12, 13, 13), (13, 14, 14))
    assert el["so_ky_hieu"].co == 13
    assert el["nhan_noi_nhan"].dam and el["nhan_noi_nhan"].nghieng and el["nhan_noi_nhan"].co == 12
    assert not el["nhan_noi_nhan"].gach_chan and el["noi_nhan"].co == 11
    assert el["chuc_vu_ky"].dam and not el["trich_yeu"].chu_dau_thuong
    for key in ("co_quan_ban_hanh", "trich_yeu"):
        lo, hi = el[key].duong_ke_duoi_ty_le
        assert (lo, hi) == pytest.approx((1 / 3, 1 / 2), abs=0.001)
    # The header row holds "CỘNG HÒA…" on one line and "ỦY BAN NHÂN DÂN" / "TỈNH NGHỆ AN" on
    # two: widths measured in a LibreOffice PDF at the profile's sizes (bold 12: 88.2 mm; 39.9
    # and 31.5 mm; on one line the name is 72.4 mm, less than 1.5 mm from each edge).
    assert profile.bang_dau.cot_phai >= 88.2 + 1 and profile.bang_dau.cot_trai >= 39.9 + 1
    assert profile.bang_dau.cot_trai - 2 * profile.bang_dau.xuong_dong.le_chu < 72.4
    # The line under the body name is 1/3-1/2 of the width of the line above it.
    assert lo * 31.5 <= el["co_quan_ban_hanh"].duong_ke_duoi <= hi * 31.5
    doc = Document(str(template))
    assert doc.styles["nhan_noi_nhan"].font.bold and doc.styles["nhan_noi_nhan"].font.italic


def _twips(el, tag: str) -> int:
    return int(el.get(qn(tag)))


def _rules(paragraphs) -> list:
    return [p for p in paragraphs
            if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]


def _rule_length_mm(rule, width: int) -> float:
    border = rule._p.pPr.find(qn("w:pBdr"))[0]
    assert border.tag == qn("w:top")
    assert border.get(qn("w:val")) == "single" and border.get(qn("w:sz")) == "6"
    ind = rule._p.pPr.find(qn("w:ind"))
    assert abs(_twips(ind, "w:left") - _twips(ind, "w:right")) <= 1  # centred
    return (width - _twips(ind, "w:left") - _twips(ind, "w:right")) / TWIPS_PER_MM


def test_tables_and_lines(profile, template):
    doc = Document(str(template))
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
    assert closing_grid == [round(profile.bang_ky.cot_trai * TWIPS_PER_MM),
                            round(profile.bang_ky.cot_phai * TWIPS_PER_MM)]
    assert sum(closing_grid) / TWIPS_PER_MM == pytest.approx(content_mm, abs=0.1)
    # Every element with duong_ke_duoi has one line right under it, of that length
    # (cell width − indents); no other element has one.
    el = profile.phan_tu
    places = [({"tieu_de", "tieu_ngu"}, header.cell(0, 1).paragraphs, grid[1]),
              ({"co_quan_ban_hanh"}, header.cell(0, 0).paragraphs, grid[0]),
              ({"trich_yeu"}, doc.paragraphs, round(content_mm * TWIPS_PER_MM))]
    found = {}
    for keys, paragraphs, width in places:
        for rule in _rules(paragraphs):
            above = rule._p.getprevious()
            key = above.pPr.find(qn("w:pStyle")).get(qn("w:val"))
            assert rule._p.pPr.find(qn("w:pStyle")).get(qn("w:val")) == key
            assert key in keys and key not in found
            found[key] = _rule_length_mm(rule, width)
    wanted = {k: el[k].duong_ke_duoi for ks, _, _ in places for k in ks
              if k in el and el[k].duong_ke_duoi}
    assert found.keys() == wanted.keys()
    for key, length in found.items():
        assert length == pytest.approx(wanted[key], abs=0.05), key
    if profile.ma == STATE:
        assert set(found) == {"tieu_ngu", "co_quan_ban_hanh", "trich_yeu"}
    else:
        assert set(found) == {"tieu_de"}
    assert not _rules(closing.cell(0, 0).paragraphs + closing.cell(0, 1).paragraphs)


def test_each_tag_sits_in_one_run(parts):
    root = etree.fromstring(parts["word/document.xml"])
    w = {"w": W_NS}
    tags = 0
    for p in root.iter(qn("w:p")):
        texts = [t.text or "" for t in p.iterfind(".//w:t", w)]
        joined = "".join(texts)
        if "{" in joined or "}" in joined:
            assert len(texts) == 1, joined
            assert re.fullmatch(r"\{%p [^%]+ %\}|\{\{ [^}]+ \}\}", texts[0]), texts[0]
            tags += 1
    assert tags >= 37


def test_only_the_profile_elements_are_placed(profile, parts):
    xml = parts["word/document.xml"].decode("utf-8")
    for key, var in (("tieu_ngu", "{{ tieu_ngu }}"), ("dau_sao", "{{ dau_sao }}"),
                     ("phan_cach", "{{ phan_cach }}")):
        assert (var in xml) is (key in profile.phan_tu), key
    assert xml.count("{{ nguoi_ky.ky_thay }}") == 1
    # The closing paragraphs keep with the signature block.
    root = etree.fromstring(parts["word/document.xml"])
    [closing] = [p for p in root.iter(qn("w:p")) if "".join(p.itertext()) == "{{ d }}"
                 and p.getnext() is not None and "".join(p.getnext().itertext()) == "{%p endfor %}"
                 and p.getnext().getnext() is not None
                 and p.getnext().getnext().tag == qn("w:tbl")]
    assert closing.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def test_openxml_audit_reports_no_errors(template):
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator().validate(str(template))
    assert [str(e) for e in result.errors] == []
    assert result.is_valid


# ------------------------------------------------------------------------- rendering

def sample_context(profile, cap_tren: str, quyen_han: str, ky_thay: str = ""):
    state = profile.he_thong == "nha_nuoc"
    ctx = {
        "co_quan_cap_tren": cap_tren,
        "co_quan_ban_hanh": "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN" if state else "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
        "dau_sao": "" if state else "*",
        "tieu_de": profile.phan_tu["tieu_de"].noi_dung,
        "tieu_ngu": "Độc lập - Tự do - Hạnh phúc" if state else "",
        "so_ky_hieu": "Số: 696/KH-UBND" if state else "Số 44-KH/ĐUK",
        "dia_danh_ngay": "Nghệ An, ngày 23 tháng 11 năm 2021" if state
        else "Nghệ An, ngày 10 tháng 12 năm 2021",
        "ten_loai": "KẾ HOẠCH",
        "trich_yeu": ("Thực hiện" if state else "thực hiện")
        + " Đề án số 07-ĐA/TU về chuyển đổi số & cải cách <hành chính>",
        "phan_cach": "" if state else "-----",
        "mo_dau": ["Thực hiện Kế hoạch số 12-KH/TU, ngày 01/10/2021 của Ban Thường vụ Tỉnh ủy.",
                   "Cơ quan xây dựng Kế hoạch thực hiện như sau:"],
        "phan": [
            {"dong_tieu_de": "I. MỤC ĐÍCH, YÊU CẦU" if state else "I- MỤC ĐÍCH, YÊU CẦU", "doan": [
                {"kieu": "cap2", "van_ban": "1. Mục đích"},
                {"kieu": "doan", "van_ban": "- Quán triệt đến cán bộ, công chức."},
                {"kieu": "cap2", "van_ban": "2. Yêu cầu"},
                {"kieu": "doan", "van_ban": "- Bám sát thực tế của từng cơ quan, đơn vị."},
            ]},
            {"dong_tieu_de": "II. TỔ CHỨC THỰC HIỆN" if state else "II- TỔ CHỨC THỰC HIỆN", "doan": [
                {"kieu": "doan", "van_ban": "Các cơ quan, đơn vị triển khai thực hiện."},
            ]},
        ],
        "ket_thuc": ["Trong quá trình thực hiện, nếu có khó khăn, kịp thời báo cáo./." if state
                     else "Trong quá trình thực hiện, nếu có khó khăn, kịp thời báo cáo."],
        "nhan_noi_nhan": profile.phan_tu["nhan_noi_nhan"].noi_dung,
        "noi_nhan": ["- Ban Thường vụ Tỉnh ủy (để b/c);", "- Các sở, ban, ngành cấp tỉnh;",
                     "- Lưu: VT, NC."] if state else
                    ["- Ban Thường vụ Tỉnh ủy (để b/c),", "- Các tổ chức cơ sở đảng (để t/h),",
                     "- Lưu Văn phòng Đảng ủy."],
        "nguoi_ky": {"quyen_han": quyen_han, "ky_thay": ky_thay,
                     "chuc_vu": "PHÓ CHỦ TỊCH" if state else "PHÓ BÍ THƯ",
                     "ho_ten": "Nguyễn Văn An"},
    }
    ctx["dong_co_quan_ban_hanh"] = header_lines(ctx["co_quan_ban_hanh"], profile)
    return ctx


def expected(ctx, profile) -> list[tuple[str, str]]:
    """(style, text) of every non-empty paragraph, in reading order."""
    has = profile.phan_tu.__contains__
    out = [("co_quan_cap_tren", ctx["co_quan_cap_tren"])] if ctx["co_quan_cap_tren"] else []
    # The header sets the name on its lines: one paragraph with line breaks.
    out.append(("co_quan_ban_hanh", "\n".join(header_lines(ctx["co_quan_ban_hanh"], profile))))
    out += [("dau_sao", ctx["dau_sao"])] if has("dau_sao") else []
    out.append(("tieu_de", ctx["tieu_de"]))
    out += [("tieu_ngu", ctx["tieu_ngu"])] if has("tieu_ngu") else []
    out += [(k, ctx[k]) for k in ("so_ky_hieu", "dia_danh_ngay", "ten_loai", "trich_yeu")]
    out += [("phan_cach", ctx["phan_cach"])] if has("phan_cach") else []
    out += [("doan", d) for d in ctx["mo_dau"]]
    for part in ctx["phan"]:
        out.append(("tieu_de_cap1", part["dong_tieu_de"]))
        out += [("tieu_de_cap2" if d["kieu"] == "cap2" else "doan", d["van_ban"])
                for d in part["doan"]]
    out += [("doan", d) for d in ctx["ket_thuc"]]
    out.append(("nhan_noi_nhan", ctx["nhan_noi_nhan"]))
    out += [("noi_nhan", n) for n in ctx["noi_nhan"]]
    signer = ctx["nguoi_ky"]
    for key in ("quyen_han", "ky_thay"):
        if signer[key]:
            out.append(("quyen_han_ky", signer[key]))
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


def render(template: Path, tmp_path: Path, ctx, name: str) -> Path:
    tpl = DocxTemplate(str(template))
    tpl.render(ctx, autoescape=True)
    out = tmp_path / name
    tpl.save(str(out))
    return out


SIGNERS = {
    PARTY: [("ĐẢNG BỘ TỈNH NGHỆ AN", "T/M BAN THƯỜNG VỤ", ""),
            ("", "", "")],  # no superior body, a head signing directly: no blank paragraphs
    STATE: [("", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"),   # a deputy for the collective
            ("", "TM. ỦY BAN NHÂN DÂN", ""),               # the chair for the collective
            ("UBND TỈNH NGHỆ AN", "", "")],                # a department head signing directly
}


@pytest.mark.parametrize("ma, signer", [(ma, s) for ma, cases in SIGNERS.items() for s in cases])
def test_docxtpl_renders_in_order(tmp_path, ma, signer):
    profile = get_profile(ma)
    template = mt.TEMPLATES_DIR / mt.TEMPLATES[ma]
    ctx = sample_context(profile, *signer)
    doc = Document(str(render(template, tmp_path, ctx, "out.docx")))
    paras = reading_order(doc)
    texts = [p.text for p in paras]
    assert not any("{%" in t or "{{" in t or "%}" in t or "}}" in t for t in texts)
    got = [(p.style.style_id, p.text) for p in paras if p.text]
    assert got == expected(ctx, profile)
    # Empty paragraphs: the two around the title block, the lines and the signature space.
    signer_cell = doc.tables[1].cell(0, 1)
    assert [p.text for p in signer_cell.paragraphs][-profile.ky.dong_trong - 1:] == \
        [""] * profile.ky.dong_trong + ["Nguyễn Văn An"]
    left = doc.tables[0].cell(0, 0).paragraphs
    lines = _rules(left)
    assert all(p.text for p in left if p not in lines)
    if "dau_sao" in profile.phan_tu:
        assert left[-1].text == "*"
    else:  # the line under the body name closes the cell
        assert [p._p for p in lines] == [left[-1]._p]
    # The page-number field and section survive rendering.
    assert doc.sections[0].different_first_page_header_footer
    assert " PAGE " in "".join(doc.sections[0].header._element.itertext())


def test_state_sample_renders_as_a_ubnd_plan():
    """data/ubnd-nghe-an/ke-hoach-696.yaml through the real pipeline into the State template."""
    from kehoach_docs.documents.pipeline import prepare, render_bytes

    prepared = prepare(ROOT / "data" / "ubnd-nghe-an" / "ke-hoach-696.yaml")
    assert prepared.profile.ma == STATE and prepared.template.name == "ke-hoach-nha-nuoc.docx"
    doc = Document(io.BytesIO(render_bytes(prepared)))
    got = [(p.style.style_id, p.text) for p in reading_order(doc) if p.text]
    head = [t for _, t in got[:7]]
    # The body name on two lines (a line break in its paragraph): type, then place.
    assert head == ["ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                    "Độc lập - Tự do - Hạnh phúc", "Số: 696/KH-UBND",
                    "Nghệ An, ngày 23 tháng 11 năm 2021", "KẾ HOẠCH", got[6][1]]
    assert got[6][1].startswith("Thực hiện Đề án số 04-ĐA/TU ngày 01/10/2021 của Ban Thường vụ")
    assert [t for s, t in got if s == "tieu_de_cap1"][0] == "I. MỤC ĐÍCH, YÊU CẦU"
    recipients = [t for s, t in got if s == "noi_nhan"]
    assert all(r.startswith("- ") and r.endswith(";") for r in recipients[:-1])
    assert recipients[-1] == "- Lưu: VT, NC."
    assert [t for s, t in got if s in ("quyen_han_ky", "chuc_vu_ky")] == \
        ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert not any(s in ("dau_sao", "phan_cach") for s, _ in got)


@pytest.mark.parametrize("ma", [PARTY, STATE])
def test_last_body_paragraph_keeps_with_signature_without_closing(tmp_path, ma):
    """No closing paragraphs: the body's last paragraph keeps with the signature block (the
    block is never alone on a page); with them, only the closing paragraphs do."""
    profile = get_profile(ma)
    template = mt.TEMPLATES_DIR / mt.TEMPLATES[ma]
    for ket_thuc in ([], ["Trong quá trình thực hiện, kịp thời báo cáo."]):
        ctx = sample_context(profile, *SIGNERS[ma][0])
        ctx["ket_thuc"] = ket_thuc
        doc = Document(str(render(template, tmp_path, ctx, "k.docx")))
        kept = [p.text for p in doc.paragraphs
                if p._p.pPr is not None and p._p.pPr.find(qn("w:keepNext")) is not None]
        assert kept == (ket_thuc or [ctx["phan"][-1]["doan"][-1]["van_ban"]])
        closing = doc.tables[1]._tbl
        before = closing.getprevious()
        assert "".join(t.text or "" for t in before.iter(qn("w:t"))) == kept[-1]
