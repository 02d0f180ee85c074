"""The body name in the header: on two lines, type then place, when it does not fit its column."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import docx
import pytest

from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.render.font_widths import CHARS, REGULAR, BOLD, text_width_mm
from kehoach_docs.render.header_lines import header_lines
from kehoach_docs.profile import get_profile

ROOT = Path(__file__).resolve().parent.parent
PARTY, STATE = get_profile("dang-hd36-2018"), get_profile("nha-nuoc-nd30-2020")
FONTS = Path("/usr/share/fonts/truetype/liberation2")


@pytest.mark.parametrize("profile,name,lines", [
    (STATE, "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", ["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN"]),
    (STATE, "SỞ NỘI VỤ", ["SỞ NỘI VỤ"]),
    (STATE, "SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH NGHỆ AN", ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", "TỈNH NGHỆ AN"]),
    (PARTY, "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", ["ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH"]),  # as 44-KH/ĐUK prints it
    (PARTY, "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TỈNH", ["ĐẢNG ỦY", "CÁC CƠ QUAN ĐẢNG TỈNH"]),
    (PARTY, "ĐẢNG ỦY SỞ NỘI VỤ", ["ĐẢNG ỦY SỞ NỘI VỤ"]),
])
def test_a_name_breaks_after_its_type_only_when_it_does_not_fit(profile, name, lines):
    assert header_lines(name, profile) == lines


def test_the_rule_is_measured_from_the_profile_widths():
    el, head = STATE.phan_tu["co_quan_ban_hanh"], STATE.bang_dau
    name = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
    width = text_width_mm(name, el.co, el.dam)
    assert head.cot_trai - 2 * head.xuong_dong.le_chu < width < head.cot_trai
    wider = STATE.model_copy(update={"bang_dau": head.model_copy(update={"cot_trai": width + 3.1})})
    assert header_lines(name, wider) == [name]


@pytest.mark.skipif(not (FONTS / "LiberationSerif-Bold.ttf").is_file(), reason="fonts-liberation2")
def test_the_width_table_is_the_fonts():
    from PIL import ImageFont

    for table, style in ((REGULAR, "Regular"), (BOLD, "Bold")):
        font = ImageFont.truetype(str(FONTS / f"LiberationSerif-{style}.ttf"), 2048)
        assert [round(font.getlength(c)) for c in CHARS] == list(table)
    assert all(unicodedata.is_normalized("NFC", c) for c in CHARS)


def test_widths_agree_with_libreoffice_measurements():
    # Measured with pdfplumber on LibreOffice PDFs (profile comments): 72.4, 88.2, 87.7 mm.
    assert text_width_mm("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", 12, True) == pytest.approx(72.4, abs=0.15)
    assert text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True) == pytest.approx(88.2, abs=0.15)
    assert text_width_mm("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", 14, True) == pytest.approx(87.7, abs=0.15)


def test_the_state_sample_sets_its_name_on_two_lines_of_one_paragraph():
    data = render_bytes(prepare(ROOT / "data" / "ubnd-nghe-an" / "ke-hoach-696.yaml"))
    cell = docx.Document(io.BytesIO(data)).tables[0].cell(0, 0)
    [name] = [p for p in cell.paragraphs if p.style.style_id == "co_quan_ban_hanh" and p.text]
    assert name.text == "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN"
    assert len(name._p.findall(".//" + docx.oxml.ns.qn("w:br"))) == 1
