"""Conformance checker: a generated Party plan passes; each single defect is reported with its
rule id; a hand-made document with direct formatting only is read correctly."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from kehoach_docs.check import check_docx, check_files, detect_profile, format_violations, of_template
from kehoach_docs.errors import ERROR, Problem
from kehoach_docs.documents.pipeline import render_file
from kehoach_docs.profile import get_profile

from helpers import BODY_PLAN as PLAN
from helpers import plan_text, write_plan

PARTY = "dang-hd36-2018"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("check")
    (folder / "kh.yaml").write_text(PLAN, encoding="utf-8")
    return render_file(folder / "kh.yaml", folder / "kh.docx")


def all_paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def para(doc, text):
    for p in all_paragraphs(doc):
        if p.text == text:
            return p
    raise AssertionError(f"no paragraph {text!r}")


def set_text(p, text):
    for run in p.runs[1:]:
        run._r.getparent().remove(run._r)
    p.runs[0].text = text


def remove(p):
    p._p.getparent().remove(p._p)


def variant(good: Path, tmp_path: Path, change) -> list[Problem]:
    doc = docx.Document(good)
    change(doc)
    out = tmp_path / "v.docx"
    doc.save(out)
    return check_docx(out)


def rules(violations):
    return {v.rule for v in violations}


def said(v: Problem) -> tuple[str, str, str]:
    """A finding's (element, expected, found), from its message "<element>: cần <expected>, thấy <found>"."""
    element, rest = v.message.split(": cần ", 1)
    expected, found = rest.split(", thấy ", 1)
    return element, expected, found


def test_generated_plan_conforms(good):
    assert check_docx(good) == []
    assert check_docx(good, get_profile(PARTY)) == []


def test_detect_profile(good):
    profile = detect_profile(good)
    assert profile is not None and profile.ma == PARTY and profile.he_thong == "dang"


DEFECTS = {
    "left margin 25 mm": (lambda d: setattr(d.sections[0], "left_margin", Mm(25)), "le_trai"),
    "body size 13": (lambda d: setattr(d.styles["doan"].font, "size", Pt(13)), "co_chu.doan"),
    "colon after Số": (lambda d: set_text(para(d, "Số 44-KH/ĐUK"), "Số: 44-KH/ĐUK"), "so_ky_hieu.dau_hai_cham"),
    "number not padded": (lambda d: set_text(para(d, "Số 44-KH/ĐUK"), "Số 4-KH/ĐUK"), "so_ky_hieu.dem_so"),
    "month padded": (lambda d: set_text(para(d, "Nghệ An, ngày 10 tháng 12 năm 2021"),
                                        "Nghệ An, ngày 10 tháng 03 năm 2021"), "ngay_thang.dem_so"),
    "february not padded": (lambda d: set_text(para(d, "Nghệ An, ngày 10 tháng 12 năm 2021"),
                                               "Nghệ An, ngày 10 tháng 2 năm 2021"), "ngay_thang.dem_so"),
    "day not padded": (lambda d: set_text(para(d, "Nghệ An, ngày 10 tháng 12 năm 2021"),
                                          "Nghệ An, ngày 5 tháng 12 năm 2021"), "ngay_thang.dem_so"),
    "no star": (lambda d: remove(para(d, "*")), "dau_sao.thieu"),
    "recipients 14 pt": (lambda d: setattr(d.styles["noi_nhan"].font, "size", Pt(14)), "co_chu.noi_nhan"),
    "archive with colon": (lambda d: set_text(para(d, "- Lưu VP."), "- Lưu: VP."), "noi_nhan.luu"),
    "state authority": (lambda d: set_text(para(d, "T/M BAN THƯỜNG VỤ"), "TM. BAN THƯỜNG VỤ"),
                        "quyen_han_ky.mau"),
    "label not underlined": (lambda d: setattr(para(d, "Nơi nhận:").runs[0].font, "underline", False),
                             "gach_chan.nhan_noi_nhan"),
    "title not bold": (lambda d: setattr(para(d, "ĐẢNG CỘNG SẢN VIỆT NAM").runs[0], "bold", False),
                       "dam.tieu_de"),
    "arial in one run": (lambda d: setattr(para(d, "- Hội nghị chuyên đề.").runs[0].font, "name", "Arial"),
                         "phong_chu"),
    "number on page 1": (lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
                         "so_trang.trang_dau"),
    "trích yếu upper-case": (lambda d: set_text(para(d, "thực hiện Đề án"), "Thực hiện Đề án"),
                             "trich_yeu.chu_dau_thuong"),
    "no separator": (lambda d: remove(para(d, "-----")), "phan_cach.thieu"),
}


@pytest.mark.parametrize("name", list(DEFECTS))
def test_each_defect_is_reported_alone(good, tmp_path, name):
    change, rule = DEFECTS[name]
    found = variant(good, tmp_path, change)
    assert rules(found) == {rule}, format_violations(found)
    v = next(v for v in found if v.rule == rule)
    assert all(said(v)) and v.field and v.file == tmp_path / "v.docx" and v.level == ERROR


def test_messages_name_the_place_and_the_fix(good, tmp_path):
    found = variant(good, tmp_path, DEFECTS["colon after Số"][0])
    [v] = found
    element, expected, seen = said(v)
    assert element == "Số, ký hiệu"
    assert "Số 44-KH/ĐUK" in expected and "Số: 44-KH/ĐUK" in seen
    assert v.field == "bảng 1, hàng 2, ô 1, đoạn 1"  # the place in the document, in the Problem's field
    assert format_violations(found) == f"Số, ký hiệu: cần {expected}, thấy {seen} ({v.field})"
    assert v.as_dict() == {"tep": str(tmp_path / "v.docx"), "dong": 0, "cot": 0, "truong": v.field,
                           "muc_do": "lỗi", "thong_bao": v.message, "quy_tac": "so_ky_hieu.dau_hai_cham"}

    [v] = variant(good, tmp_path, DEFECTS["month padded"][0])
    _, expected, seen = said(v)
    assert "tháng 03" in seen and "tháng 12" not in seen and "“tháng 3”" in expected

    [v] = variant(good, tmp_path, DEFECTS["state authority"][0])
    assert "T/M BAN THƯỜNG VỤ" in said(v)[1]

    [v] = variant(good, tmp_path, DEFECTS["archive with colon"][0])
    assert said(v)[1] == "“- Lưu VP.”"


def test_body_violations_are_counted_not_repeated(good, tmp_path):
    found = variant(good, tmp_path, DEFECTS["body size 13"][0])
    [v] = found
    _, expected, seen = said(v)
    assert expected == "cỡ 14"
    assert seen.endswith("đoạn cỡ 13") and int(seen.split()[0]) >= 5
    assert v.field.startswith("đoạn ") and "đoạn khác" in v.field


def test_every_violation_is_reported(good, tmp_path):
    def change(d):
        for name in ("left margin 25 mm", "colon after Số", "no star", "archive with colon",
                     "title not bold", "no separator"):
            DEFECTS[name][0](d)
        d.sections[0].top_margin = Mm(25)
    found = variant(good, tmp_path, change)
    assert {"le_trai", "le_tren", "so_ky_hieu.dau_hai_cham", "dau_sao.thieu", "noi_nhan.luu",
            "dam.tieu_de", "phan_cach.thieu"} <= rules(found)


def test_rules_come_from_the_profile(good):
    # The same document against a State-style profile: colon, archive line and authority differ.
    party = get_profile(PARTY)
    state = party.model_copy(update={
        "he_thong": "nha_nuoc",
        "so_ky_hieu": party.so_ky_hieu.model_copy(update={"mau": "Số: {so}/{loai}-{co_quan}",
                                                         "mau_du_thao": "Số:      /{loai}-{co_quan}"}),
        "noi_nhan": party.noi_nhan.model_copy(update={"ket_thuc_dong": ";", "mau_luu": "Lưu: {noi_luu}."}),
        "ky": party.ky.model_copy(update={"quyen_han": {"TM": "TM.", "KT": "KT.", "TL": "TL."}}),
    })
    found = rules(check_docx(good, state))
    assert {"so_ky_hieu.dau_hai_cham", "noi_nhan.ket_thuc_dong", "noi_nhan.luu", "quyen_han_ky.mau"} <= found


def test_not_an_administrative_document(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("Thư gửi bạn")
    doc.save(tmp_path / "x.docx")
    assert detect_profile(tmp_path / "x.docx") is None
    assert rules(check_docx(tmp_path / "x.docx")) == {"he_thong"}


def test_check_files_reports_unreadable_files(good, tmp_path):
    shutil.copy(good, tmp_path / "a.docx")
    (tmp_path / "b.docx").write_text("không phải docx", encoding="utf-8")
    results = check_files([tmp_path])
    assert results[tmp_path / "a.docx"] == []
    [v] = results[tmp_path / "b.docx"]
    assert v.rule == "tep" and v.file == tmp_path / "b.docx"
    assert format_violations([]) == "Không phát hiện lỗi thể thức."


# --- A document made by hand: direct formatting only, python-docx's stock template ---------


def add(container, text, size=14, bold=False, italic=False, underline=False,
        align=WD_ALIGN_PARAGRAPH.CENTER, first_line=None, font="Times New Roman"):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    if first_line is not None:
        p.paragraph_format.first_line_indent = first_line
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        if font:
            run.font.name = font
    return p


def bottom_border(p, indent_mm):
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert(0, bdr)
    p.paragraph_format.left_indent = Mm(indent_mm)
    p.paragraph_format.right_indent = Mm(indent_mm)


def page_field(p):
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = p.add_run()
        run.font.name, run.font.size = "Times New Roman", Pt(14)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def handmade(path: Path, *, number="Số 07-KH/ĐUK", day="Nghệ An, ngày 05 tháng 02 năm 2022",
             left=30, body_font="Times New Roman") -> Path:
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(left), Mm(15)
    sec.header_distance = Mm(10)

    head = doc.add_table(rows=2, cols=2)
    for row in head.rows:
        row.cells[0].width, row.cells[1].width = Mm(89), Mm(76)
    left_cell, right_cell = head.cell(0, 0), head.cell(0, 1)
    left_cell.paragraphs[0]._p.getparent().remove(left_cell.paragraphs[0]._p)
    right_cell.paragraphs[0]._p.getparent().remove(right_cell.paragraphs[0]._p)
    add(left_cell, "ĐẢNG BỘ TỈNH NGHỆ AN")
    add(left_cell, "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", bold=True)
    add(left_cell, "*")
    title = add(right_cell, "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True)
    bottom_border(title, (76 - 72.9) / 2)
    for cell, text, italic in ((head.cell(1, 0), number, False), (head.cell(1, 1), day, True)):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        add(cell, text, italic=italic)

    add(doc, "")
    add(doc, "KẾ HOẠCH", size=16, bold=True)
    add(doc, "tổ chức hội nghị sơ kết", bold=True)
    add(doc, "-----")
    body = dict(align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Mm(10))
    add(doc, "Thực hiện chương trình công tác năm 2022, Ban Thường vụ xây dựng kế hoạch như sau.", **body)
    add(doc, "I- MỤC ĐÍCH, YÊU CẦU", bold=True, **body)
    add(doc, "Đánh giá kết quả thực hiện nhiệm vụ, rút ra bài học kinh nghiệm.", **body,
        font=body_font)

    closing = doc.add_table(rows=1, cols=2)
    rcell, scell = closing.cell(0, 0), closing.cell(0, 1)
    for cell in (rcell, scell):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    add(rcell, "Nơi nhận:", underline=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    add(rcell, "- Các chi bộ trực thuộc,", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    add(rcell, "- Lưu Văn phòng Đảng ủy.", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    add(scell, "T/M BAN THƯỜNG VỤ", bold=True)
    add(scell, "BÍ THƯ")
    for _ in range(4):
        add(scell, "")
    add(scell, "Trần Văn An", bold=True)

    sec.different_first_page_header_footer = True
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_field(hp)
    doc.save(path)
    return path


def test_handmade_document_with_direct_formatting(tmp_path):
    path = handmade(tmp_path / "tay.docx")
    profile = detect_profile(path)
    assert profile is not None and profile.ma == PARTY
    assert check_docx(path) == [], format_violations(check_docx(path))


def test_handmade_defects(tmp_path):
    found = check_docx(handmade(tmp_path / "a.docx", number="Số: 7-KH/ĐUK",
                                day="Nghệ An, ngày 5 tháng 02 năm 2022", left=35, body_font=None))
    assert rules(found) == {"le_trai", "so_ky_hieu.dau_hai_cham", "so_ky_hieu.dem_so",
                            "ngay_thang.dem_so", "phong_chu"}, format_violations(found)
    font = next(v for v in found if v.rule == "phong_chu")
    assert said(font)[2].startswith("Cambria")  # the stock template's theme font, resolved
    assert font.field == "đoạn 7"


def test_page_ranges_can_come_from_the_profile(tmp_path):
    # A later profile may give a range (le_trai 30, le_trai_toi_da 35): 35 mm is then allowed.
    party = get_profile(PARTY)
    ranged = party.model_copy(update={"trang": party.trang.model_copy(update={"le_trai_toi_da": 35})})
    path = handmade(tmp_path / "a.docx", left=35)
    assert rules(check_docx(path, party)) == {"le_trai"}
    assert check_docx(path, ranged) == []
    [v] = check_docx(handmade(tmp_path / "b.docx", left=36), ranged)
    assert (v.rule, v.message) == ("le_trai", "Lề trái: cần 30–35 mm, thấy 36 mm")


def test_handmade_header_in_paragraphs_with_tabs(tmp_path):
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    sec.header_distance = Mm(10)
    p = add(doc, "", align=WD_ALIGN_PARAGRAPH.LEFT)
    for text, bold, size in (("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", True, 14), ("\t", False, 14),
                             ("ĐẢNG CỘNG SẢN VIỆT NAM", True, 15)):
        run = p.add_run(text)
        run.bold, run.font.size, run.font.name = bold, Pt(size), "Times New Roman"
    add(doc, "Số 3-KH/ĐUK\tNghệ An, ngày 10 tháng 12 năm 2023", italic=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    add(doc, "KẾ HOẠCH", size=16, bold=True)
    doc.save(tmp_path / "tab.docx")
    found = check_docx(tmp_path / "tab.docx")
    got = rules(found)
    assert "so_ky_hieu.dem_so" in got and "dau_sao.thieu" in got
    assert "nghieng.dia_danh_ngay" in got          # the date typed upright
    assert "tieu_de.thieu" not in got and "co_quan_ban_hanh.thieu" not in got
    assert detect_profile(tmp_path / "tab.docx").covers(date(2023, 12, 10))


def test_a_violation_becomes_a_problem_of_the_template(good):
    (v,) = [v for v in check_docx(good, get_profile("nha-nuoc-nd30-2020")) if v.rule == "so_ky_hieu.dau_hai_cham"]
    p = of_template(v, "mau.docx")
    assert (p.file, p.line, p.column, p.field, p.level, p.rule) == ("mau.docx", 0, 0, v.field, ERROR, v.rule)
    assert p.message == f"văn bản tạo ra sai thể thức — {format_violations([v])}"
    assert str(p).startswith(f"mau.docx: [{v.field}] lỗi: ")


def test_what_is_checked_once_is_never_carried_to_another_document(good, tmp_path):
    """Page set-up, page numbers and paragraphs are checked once per distinct content: a
    defect stays with its document, in any order."""
    margins = variant(good, tmp_path, DEFECTS["left margin 25 mm"][0])
    first_page = variant(good, tmp_path, DEFECTS["number on page 1"][0])
    title = variant(good, tmp_path, DEFECTS["title not bold"][0])
    for _ in range(2):
        assert check_docx(good) == []
        assert variant(good, tmp_path, DEFECTS["left margin 25 mm"][0]) == margins and rules(margins) == {"le_trai"}
        assert variant(good, tmp_path, DEFECTS["number on page 1"][0]) == first_page
        assert variant(good, tmp_path, DEFECTS["title not bold"][0]) == title and rules(title) == {"dam.tieu_de"}


def test_the_parts_a_build_renders_are_checked_as_the_file_is(tmp_path):
    import io

    from kehoach_docs.check import check_rendered
    from kehoach_docs.documents.pipeline import prepare, render_package

    prepared = prepare(write_plan(tmp_path, PLAN))
    data, parts = render_package(prepared)
    for profile in (prepared.profile, get_profile("nha-nuoc-nd30-2020")):
        assert check_rendered(parts, profile) == check_docx(io.BytesIO(data), profile)
    assert check_rendered(parts, prepared.profile) == []
    assert rules(check_rendered(parts, get_profile("nha-nuoc-nd30-2020"))) >= {"so_ky_hieu.dau_hai_cham"}


@pytest.mark.parametrize("line, day", [
    ("Nghệ An, ngày 10 tháng 12 năm 2021", date(2021, 12, 10)),
    ("Nghệ An, ngày\u00a0\u00a0 tháng\u00a0\u00a0 năm 2026", date(2026, 12, 31)),  # a draft: its year's end
    ("Nghệ An, ngày 31 tháng 02 năm 2023", None),  # no such day: no date, not a crash
])
def test_the_day_a_date_line_says(line, day):
    from kehoach_docs.check.layout import date_line, day_of

    assert day_of(date_line(line)) == day
