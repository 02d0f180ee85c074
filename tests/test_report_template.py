"""The report templates (kehoach_docs/templates/bao-cao-dang.docx from the Party profile,
kehoach_docs/templates/bao-cao-nha-nuoc.docx from the State profile): the plan's blocks, then up to three
appendices in their own sections, each left out entirely when its context value is None.

Rendering goes through kehoach_docs.render.engine (compiled docxtpl) with its two body fixes:
docxtpl's fix_tables for the {%tc %} year columns, and the merge of an empty last section.
The contexts are a real plan's (tracked data) plus appendices built here, so these tests do
not depend on results data; the real report pipeline is tested when its data is present.
The PDF tests (LibreOffice) look at what a reader sees: landscape pages, the header row
repeated, page numbers, no empty page.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from lxml import etree

from kehoach_docs.check import check_docx
from kehoach_docs.documents.plan import context_dict
from kehoach_docs.documents.pipeline import DEFAULT_TEMPLATES, prepare
from kehoach_docs.profile import get_profile
from kehoach_docs.render.engine import compile_template, merge_empty_last_section
from kehoach_docs.documents.report import ReportContext

ROOT = Path(__file__).resolve().parents[1]
TWIPS_PER_MM = 56.6929
PARTY, STATE = "dang-hd36-2018", "nha-nuoc-nd30-2020"
PLANS = {PARTY: ROOT / "data" / "de-an-04" / "ke-hoach-44.yaml",
         STATE: ROOT / "data" / "ubnd-nghe-an" / "ke-hoach-696.yaml"}
SO_KET = ROOT / "data" / "de-an-04" / "bao-cao" / "so-ket-2023.yaml"
TONG_KET = ROOT / "data" / "de-an-04" / "bao-cao" / "tong-ket-2025.yaml"
APPENDICES = ("phu_luc_chi_tieu", "phu_luc_don_vi", "phu_luc_danh_sach")
LANDSCAPE = {"phu_luc_chi_tieu": True, "phu_luc_don_vi": True, "phu_luc_danh_sach": False}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


from support import make_templates as mt  # noqa: E402


@pytest.fixture(scope="module", params=[PARTY, STATE])
def profile(request):
    return get_profile(request.param)


def report_template(ma: str) -> Path:
    return mt.TEMPLATES_DIR / mt.REPORT_TEMPLATES[ma]


def plan_template(ma: str) -> Path:
    return mt.TEMPLATES_DIR / mt.TEMPLATES[ma]


# ------------------------------------------------------------------------- contexts

LONG = ("Tổ chức cơ sở đảng sơ, tổng kết, biểu dương khen thưởng các tập thể, cá nhân "
        "thực hiện tốt công tác dân vận chính quyền")


def target_appendix(years: int, rows: int = 15, first_year: int = 2021) -> dict:
    cot = [f"Năm {first_year + k}" for k in range(years)]
    return {"so": "Phụ lục 1", "tieu_de": f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU GIAI ĐOẠN {first_year}-"
            f"{first_year + years - 1}", "chu_thich": "(Kèm theo Báo cáo số 215-BC/ĐUK, ngày "
            "15/12/2025 của Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh)", "cot_nam": cot,
            "hang": [{"tt": str(i), "ten": f"{LONG} ({i})" if i % 3 == 0 else f"Chỉ tiêu số {i}",
                      "dvt": "%", "chi_tieu": "≥ 98%",
                      "nam": [f"9{k},{i % 10}% ({i}/64)" for k in range(years)], "luy_ke": f"97,{i}%",
                      "danh_gia": "Chưa đạt" if i % 2 else "Đạt"}
                     for i in range(1, rows + 1)],
            "ghi_chu": ["Tỷ lệ phần trăm làm tròn đến một chữ số thập phân.",
                        "Đơn vị chưa báo cáo không tính vào số liệu của năm đó."]}


def unit_appendix(rows: int = 40) -> dict:
    return {"so": "Phụ lục 2", "tieu_de": "KẾT QUẢ THỰC HIỆN CỦA CÁC TỔ CHỨC CƠ SỞ ĐẢNG",
            "chu_thich": "(Kèm theo Báo cáo số 215-BC/ĐUK)",
            "cot": ["Kế hoạch thực hiện (số, ngày)", "Quán triệt (buổi/người)", "TTHC đúng hạn/tổng số",
                    "Mức độ hài lòng", "Mô hình, điểm sáng", "Khen thưởng", "Báo cáo"],
            "hang": [{"tt": str(i), "don_vi": f"Ban Quản lý dự án đầu tư xây dựng số {i}",
                      "o": [f"Số {i}, 28/12/2021", "3 buổi / 65 người", "14.749/15.005", "90,6%", "2",
                            "1", "Đủ"]} for i in range(1, rows + 1)]}


def award_appendix(rows: int = 12) -> dict:
    return {"so": "Phụ lục 3", "tieu_de": "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG",
            "chu_thich": "(Kèm theo Báo cáo số 215-BC/ĐUK)",
            "hang": [{"tt": str(i), "ten": f"Chi bộ số {i} & <các đoàn thể>",
                      "thanh_tich": "Có thành tích xuất sắc thực hiện Đề án 04 giai đoạn 2021-2025",
                      "hinh_thuc": "Bằng khen của Ban Thường vụ Tỉnh ủy"} for i in range(1, rows + 1)]}


@functools.cache
def plan_context(ma: str):
    """The tracked plan's context (prepared once per module: the tests only read it)."""
    return prepare(PLANS[ma]).context


def report_context(ma: str, years: int = 2, present=APPENDICES, ket_thuc: bool = True) -> dict:
    """A report context: the tracked plan's header and body, titled BÁO CÁO, with the
    appendices named in `present` (the others None), validated by ReportContext."""
    base = context_dict(plan_context(ma))
    base["ten_loai"] = "BÁO CÁO"
    base["ket_thuc"] = ["Trên đây là báo cáo sơ kết; đề nghị các cơ quan, đơn vị tiếp tục "
                        "thực hiện."] if ket_thuc else []
    values = {"phu_luc_chi_tieu": target_appendix(years), "phu_luc_don_vi": unit_appendix(),
              "phu_luc_danh_sach": award_appendix()}
    ctx = ReportContext(**base, **{k: (values[k] if k in present else None) for k in APPENDICES})
    return context_dict(ctx)


def render(ma: str, ctx: dict, template: Path | None = None) -> bytes:
    return compile_template(template or report_template(ma)).render(ctx)


@functools.cache
def rendered(ma: str, years: int = 2, present=APPENDICES, ket_thuc: bool = True) -> tuple[dict, bytes]:
    """report_context(...) and its rendering with the report template, made once for the tests
    that render the same context (rendering is deterministic; they only read both)."""
    ctx = report_context(ma, years, present, ket_thuc)
    return ctx, render(ma, ctx)


def body_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def text_width_twips(profile, landscape: bool) -> int:
    return round(mm_(mt.content_width_mm(profile, landscape)))


def mm_(value: float) -> float:
    return value * TWIPS_PER_MM


# ------------------------------------------------------------------------- the files

def test_report_templates_under_the_renderer_names():
    by_regime = {get_profile(ma).he_thong: name for ma, name in mt.REPORT_TEMPLATES.items()}
    assert by_regime == {regime: name for (kind, regime), name in DEFAULT_TEMPLATES.items()
                         if kind == "BC"}
    assert mt.main(["--check"]) == 0  # plans and reports


def test_committed_report_template_is_current(profile, tmp_path):
    template = report_template(profile.ma)
    fresh = mt.template_bytes(profile, mt.REPORT)
    if template.read_bytes() != fresh:
        with zipfile.ZipFile(io.BytesIO(fresh)) as a, zipfile.ZipFile(template) as b:
            stale = [n for n in a.namelist() if n not in b.namelist() or a.read(n) != b.read(n)]
        pytest.fail(f"{template.name} is stale (parts differing: {stale or 'zip bytes only'}); "
                    "run: python -m kehoach_docs.templates.generate")
    out = mt.build_template(profile, tmp_path / "b.docx", mt.REPORT)
    assert out.read_bytes() == fresh == mt.template_bytes(profile, mt.REPORT)
    with zipfile.ZipFile(template) as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
    assert f"<dc:title>{mt.REPORT_TITLES[profile.he_thong]}</dc:title>" in core
    assert template.stat().st_size < 40 * 1024


def test_openxml_audit_reports_no_errors_on_the_templates(profile):
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator().validate(str(report_template(profile.ma)))
    assert [str(e) for e in result.errors] == []


def test_profiles_have_the_appendix_elements(profile):
    el = profile.phan_tu
    assert el["phu_luc_so"].dam and el["phu_luc_so"].co == 14 and el["phu_luc_so"].can_le == "giua"
    assert el["phu_luc_tieu_de"].in_hoa and el["phu_luc_tieu_de"].dam and el["phu_luc_tieu_de"].co == 14
    assert el["phu_luc_chu_thich"].nghieng and el["phu_luc_chu_thich"].can_le == "giua"
    assert 12 <= el["bang"].co <= 13  # the-thuc.md §4, table conventions


def test_appendix_styles_carry_profile_values(profile):
    doc = Document(str(report_template(profile.ma)))
    align = {"trai": WD_ALIGN_PARAGRAPH.LEFT, "giua": WD_ALIGN_PARAGRAPH.CENTER,
             "deu": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for style_id, key, changes, before, after, keep_next in mt.APPENDIX_STYLES:
        el = profile.phan_tu[key]
        style = doc.styles[style_id]
        assert style.font.size.pt == el.co, style_id
        assert bool(style.font.bold) is changes.get("dam", el.dam), style_id
        assert bool(style.font.italic) is changes.get("nghieng", el.nghieng), style_id
        assert style.paragraph_format.alignment == align[changes.get("can_le", el.can_le)], style_id
        assert bool(style.paragraph_format.keep_with_next) is keep_next, style_id
        assert (style.paragraph_format.space_before.pt, style.paragraph_format.space_after.pt) == \
            (before, after)
    assert doc.styles["bang_tieu_de"].font.bold and doc.styles["ghi_chu"].font.italic
    # The plan's styles are all there too, with the same definitions.
    plan = Document(str(plan_template(profile.ma)))
    for style in plan.styles:
        assert etree.tostring(doc.styles[style.name].element) == etree.tostring(style.element)


def test_each_appendix_is_one_conditional_block_with_its_section(profile):
    with zipfile.ZipFile(report_template(profile.ma)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    body = root.find(f"{W}body")
    children = list(body)
    texts = ["".join(c.itertext()) for c in children]
    # Every tag sits alone in one run of its paragraph or cell.
    for p in root.iter(f"{W}p"):
        runs = ["".join(t.itertext()) for t in p.iter(f"{W}t")]
        if any("{" in r for r in runs):
            assert len(runs) == 1 and re.fullmatch(
                r"\{%(p|tr|tc) [^%]+ %\}|\{\{ [^}]+ \}\}", runs[0]), runs
    start = texts.index("{%p if phu_luc_chi_tieu or phu_luc_don_vi or phu_luc_danh_sach %}")
    blocks = [[]]
    for child, text in zip(children[start:], texts[start:]):
        blocks[-1].append((child, text))
        if text == "{%p endif %}":
            blocks.append([])
    tail = blocks.pop()
    assert len(blocks) == 4  # the report's own section break, then one block per appendix
    assert [b[0][1] for b in blocks[1:]] == [f"{{%p if {v} %}}" for v in APPENDICES]
    for block, landscape in zip(blocks, (False, True, True, False)):
        breaks = [c for c, _ in block if c.find(f"{W}pPr/{W}sectPr") is not None]
        assert len(breaks) == 1 and breaks[0] is block[-2][0]  # last before endif
        sect = breaks[0].find(f"{W}pPr/{W}sectPr")
        size = sect.find(f"{W}pgSz")
        assert (size.get(f"{W}orient") == "landscape") is landscape
        assert (int(size.get(f"{W}w")) > int(size.get(f"{W}h"))) is landscape
    # After the blocks: one 1-pt paragraph and the document's final sectPr, portrait with
    # page 1 unnumbered (the plan's).
    assert [c.tag for c, _ in tail] == [f"{W}p", f"{W}sectPr"]
    final = tail[-1][0]
    assert final.find(f"{W}pgSz").get(f"{W}orient") is None and final.find(f"{W}titlePg") is not None
    assert final.find(f"{W}pgNumType") is not None


def test_lint_finds_nothing_and_only_reports_have_column_loops(profile):
    from kehoach_docs.templates.lint import lint_template

    assert lint_template(report_template(profile.ma)) == []
    assert compile_template(report_template(profile.ma)).parts["word/document.xml"].column_loops
    assert not compile_template(plan_template(profile.ma)).parts["word/document.xml"].column_loops


# ------------------------------------------------------------------------- rendering

def test_without_appendices_the_report_is_the_plan(profile):
    """Same header, title block, body and closing block: with every appendix absent the
    rendered body XML is the plan template's (canonical XML: the report's body went through
    lxml for fix_tables, which writes <w:p/> for <w:p></w:p>)."""
    ctx, report = rendered(profile.ma, present=())
    canonical = [etree.tostring(body_xml(data), method="c14n")
                 for data in (report, render(profile.ma, ctx, plan_template(profile.ma)))]
    assert canonical[0] == canonical[1]


def _sections(doc) -> list:
    return list(doc.sections)


@pytest.mark.parametrize("present", [c for n in range(4) for c in itertools.combinations(APPENDICES, n)],
                         ids=lambda c: "+".join(x.split("_")[-1] for x in c) or "none")
def test_absent_appendices_leave_nothing(present, tmp_path):
    ma = PARTY
    profile = get_profile(ma)
    ctx, data = rendered(ma, years=3, present=present)
    doc = Document(io.BytesIO(data))
    sections = _sections(doc)
    assert len(sections) == 1 + len(present)
    assert len(doc.tables) == 2 + len(present)
    first = sections[0]
    assert first.orientation == WD_ORIENT.PORTRAIT and first.different_first_page_header_footer
    for sec, var in zip(sections[1:], present):
        landscape = LANDSCAPE[var]
        assert (sec.orientation == WD_ORIENT.LANDSCAPE) is landscape, var
        assert (sec.page_width > sec.page_height) is landscape, var
        assert not sec.different_first_page_header_footer  # numbers on every page
        assert " PAGE " in "".join(sec.header._element.itertext())
        if landscape:  # the portrait margins turned a quarter turn
            pg = profile.trang
            got = [round(x.mm, 1) for x in (sec.top_margin, sec.right_margin, sec.bottom_margin,
                                            sec.left_margin)]
            assert got == [pg.le_trai, pg.le_tren, pg.le_phai, pg.le_duoi]
            assert (sec.page_width.mm, sec.page_height.mm) == pytest.approx((pg.cao, pg.rong), abs=0.1)
        else:
            assert round(sec.left_margin.mm, 1) == profile.trang.le_trai
    text = "\n".join(p.text for p in doc.paragraphs)
    for var in APPENDICES:
        if var not in present:
            assert ctx_title(var) not in text
        else:
            assert ctx[var]["tieu_de"] in text
    assert "{%" not in text and "{{" not in text
    # The body ends with the table or notes of the last section, one 1-pt paragraph and the
    # final sectPr: no empty last section, no trailing empty paragraphs.
    body = body_xml(data).find(f"{W}body")
    assert body[-1].tag == f"{W}sectPr"
    last = body[-2]
    assert last.tag == f"{W}p" and last.find(f".//{W}r") is None
    assert last.find(f"{W}pPr/{W}sectPr") is None
    assert body[-3].tag == f"{W}tbl" or "".join(body[-3].itertext()).strip()
    assert check_docx(io.BytesIO(data), profile) == []


def ctx_title(var: str) -> str:
    return {"phu_luc_chi_tieu": "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "phu_luc_don_vi": "KẾT QUẢ THỰC HIỆN CỦA CÁC TỔ CHỨC CƠ SỞ ĐẢNG",
            "phu_luc_danh_sach": "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG"}[var]


def _row_props(tbl) -> list[tuple[bool, bool]]:
    out = []
    for tr in tbl._tbl.tr_lst:
        trpr = tr.trPr
        out.append((trpr is not None and trpr.find(qn("w:tblHeader")) is not None,
                    trpr is not None and trpr.find(qn("w:cantSplit")) is not None))
    return out


@pytest.mark.parametrize("years", [2, 3, 4, 5])
def test_target_table_has_one_column_per_year(profile, years):
    ctx, data = rendered(profile.ma, years=years)
    doc = Document(io.BytesIO(data))
    header, closing, targets, units, awards = doc.tables
    appendix = ctx["phu_luc_chi_tieu"]
    want_head = ["TT", "Chỉ tiêu", "ĐVT", "Chỉ tiêu theo Kế hoạch", *appendix["cot_nam"],
                 "Cả giai đoạn", "Đánh giá"]
    assert [c.text for c in targets.rows[0].cells] == want_head
    assert len(targets.rows[0].cells) == 6 + years
    assert len(targets.rows) == 1 + len(appendix["hang"])
    for row, item in zip(targets.rows[1:], appendix["hang"]):
        assert [c.text for c in row.cells] == [item["tt"], item["ten"], item["dvt"], item["chi_tieu"],
                                              *item["nam"], item["luy_ke"], item["danh_gia"]]
    # Header row repeated on each page, no row split across pages.
    assert _row_props(targets) == [(True, True)] + [(False, True)] * len(appendix["hang"])
    # fix_tables: as many grid columns as cells, the table as wide as the landscape text.
    grid = [int(g.get(qn("w:w"))) for g in targets._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(grid) == 6 + years
    assert sum(grid) == pytest.approx(text_width_twips(profile, True), abs=20)
    assert int(targets._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == text_width_twips(profile, True)
    widths_mm = [g / TWIPS_PER_MM for g in grid]
    # Years, period and verdict: (nearly) one width; the target name: the widest.
    figures = widths_mm[4:]
    assert max(figures) - min(figures) < 4, widths_mm
    assert widths_mm[1] == max(widths_mm) and widths_mm[1] >= 55
    assert widths_mm[0] >= 8.5  # "TT" and "15" on one line
    # Alignment: TT and figures centred, names left.
    row = targets.rows[1].cells
    styles = [c.paragraphs[0].style.style_id for c in row]
    assert styles[1] == "bang_o" and set(styles[:1] + styles[2:]) == {"bang_o_giua"}
    assert {c.paragraphs[0].style.style_id for c in targets.rows[0].cells} == {"bang_tieu_de"}
    # The notes under the table.
    notes = [p.text for p in doc.paragraphs if p.style.style_id == "ghi_chu"]
    assert notes == appendix["ghi_chu"]
    # The other tables keep their fixed columns.
    assert len(units.rows[0].cells) == 9 and len(awards.rows[0].cells) == 4
    for tbl, landscape in ((units, True), (awards, False)):
        grid = [int(g.get(qn("w:w"))) for g in tbl._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(grid) == len(tbl.rows[0].cells)
        assert sum(grid) == text_width_twips(profile, landscape)
        assert _row_props(tbl) == [(True, True)] + [(False, True)] * (len(tbl.rows) - 1)
    label = "Cơ quan, đơn vị" if profile.he_thong == "nha_nuoc" else "Tổ chức cơ sở đảng"
    assert units.rows[0].cells[1].text == label
    # Escaped values survive ("&", "<").
    assert awards.rows[1].cells[1].text == "Chi bộ số 1 & <các đoàn thể>"
    assert check_docx(io.BytesIO(data), profile) == []


def test_appendix_heading_lines(profile):
    ctx, data = rendered(profile.ma, years=5)
    doc = Document(io.BytesIO(data))
    got = [(p.style.style_id, p.text) for p in doc.paragraphs if p.style.style_id.startswith("phu_luc")]
    want = []
    for var in APPENDICES:
        want += [("phu_luc_so", ctx[var]["so"]), ("phu_luc_tieu_de", ctx[var]["tieu_de"]),
                 ("phu_luc_chu_thich", ctx[var]["chu_thich"])]
    assert got == want


def test_page_numbers_of_appendix_sections(profile):
    """State: each appendix numbered from 1 (NĐ 30 §III.1); Party: the report's numbers go on."""
    doc = Document(io.BytesIO(rendered(profile.ma)[1]))
    restart = [s._sectPr.find(qn("w:pgNumType")) is not None for s in doc.sections]
    assert restart[0]
    assert restart[1:] == [profile.he_thong == "nha_nuoc"] * 3


def test_closing_block_keeps_with_the_body(profile):
    """Without closing paragraphs the body's last paragraph keeps with the signature table."""
    for ket_thuc in (True, False):
        ctx, data = rendered(profile.ma, present=(), ket_thuc=ket_thuc)
        body = body_xml(data).find(f"{W}body")
        tables = body.findall(f"{W}tbl")
        before = tables[1].getprevious()
        assert before.find(f"{W}pPr/{W}keepNext") is not None
        expected = ctx["ket_thuc"][-1] if ket_thuc else ctx["phan"][-1]["doan"][-1]["van_ban"]
        assert "".join(before.itertext()) == expected
        kept = [p for p in body.findall(f"{W}p") if p.find(f"{W}pPr/{W}keepNext") is not None]
        assert len(kept) == (len(ctx["ket_thuc"]) if ket_thuc else 1)


# Party slow (an audit: ~0.3 s): test_real_report_renders_and_conforms[tong-ket-2025] audits the same
# template with every appendix and five years in the inner loop.
@pytest.mark.parametrize("ma", [pytest.param(PARTY, marks=pytest.mark.slow), STATE])
def test_openxml_audit_reports_no_errors_on_a_rendered_report(ma, tmp_path):
    from openxml_audit import OpenXmlValidator

    out = tmp_path / "r.docx"
    out.write_bytes(rendered(ma, years=5)[1])
    result = OpenXmlValidator().validate(str(out))
    assert [str(e) for e in result.errors] == []


# ------------------------------------------------------------------------- engine.py fixes

def _doc(body: str) -> etree._Element:
    return etree.fromstring(f'<w:document xmlns:w="{W[1:-1]}"><w:body>{body}</w:body></w:document>')


SECT = '<w:sectPr><w:pgSz w:w="{w}" w:h="{h}"/></w:sectPr>'


def test_merge_empty_last_section():
    land, port = SECT.format(w=16838, h=11906), SECT.format(w=11906, h=16838)
    root = _doc(f"<w:p><w:r><w:t>x</w:t></w:r></w:p><w:tbl/><w:p><w:pPr>{land}</w:pPr></w:p>"
                f"<w:p/><w:p><w:pPr/></w:p>{port}")
    assert merge_empty_last_section(root)
    body = root.find(f"{W}body")
    assert [c.tag for c in body] == [f"{W}p", f"{W}tbl", f"{W}p", f"{W}sectPr"]
    assert body[-1].find(f"{W}pgSz").get(f"{W}w") == "16838"
    assert body[-2].find(f".//{W}sectPr") is None
    # Content after the break, or a single section: nothing to merge.
    for xml in (f"<w:p><w:pPr>{land}</w:pPr></w:p><w:p><w:r><w:t>y</w:t></w:r></w:p>{port}",
                f"<w:p><w:pPr>{land}</w:pPr></w:p><w:tbl/><w:p/>{port}",
                f"<w:p/>{port}", "<w:p/>"):
        root = _doc(xml)
        before = etree.tostring(root)
        assert not merge_empty_last_section(root)
        assert etree.tostring(root) == before


def test_plan_rendering_is_untouched_by_the_body_fixes(tmp_path):
    """A plan template has no {%tc %} and one section: the rendered XML is Jinja's output."""
    compiled = compile_template(plan_template(PARTY))
    part = compiled.parts["word/document.xml"]
    ctx = context_dict(plan_context(PARTY))
    xml = part.template.render(ctx)
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    assert compiled.render_parts(ctx)["word/document.xml"] == xml.encode("utf-8")


# ------------------------------------------------------------------------- the real pipeline

# The sơ kết slow (~0.45 s, most of it the audit): the tổng kết goes through the same pipeline and
# template with one appendix more in the inner loop (and the sơ kết is built and checked there by
# test_organisations' builds).
@pytest.mark.parametrize("source", [pytest.param(SO_KET, marks=pytest.mark.slow), TONG_KET], ids=lambda p: p.stem)
def test_real_report_renders_and_conforms(tmp_path, source, sample_prepared):
    """data/de-an-04/bao-cao/*.yaml through the whole pipeline (when the data is there):
    prepared from the session's load of the sample, then checked and written as render_file
    and build write it (render_to)."""
    from openxml_audit import OpenXmlValidator

    from kehoach_docs.workspace.publish import NEW, render_to

    if not source.exists():
        pytest.skip(f"{source.name} not present")
    prepared = sample_prepared(source)
    out = tmp_path / "r.docx"
    assert render_to(prepared, out).status == NEW
    assert prepared.template.name == "bao-cao-dang.docx"
    ctx = prepared.context
    doc = Document(str(out))
    present = [v for v in APPENDICES if getattr(ctx, v) is not None]
    assert len(doc.sections) == 1 + len(present) and len(doc.tables) == 2 + len(present)
    targets = doc.tables[2]
    assert len(targets.rows[0].cells) == 6 + len(ctx.phu_luc_chi_tieu.cot_nam)
    assert len(targets.rows) == 1 + len(ctx.phu_luc_chi_tieu.hang)
    assert _row_props(targets)[0] == (True, True)
    assert all(cant for _, cant in _row_props(targets))
    for var, sec in zip(present, doc.sections[1:]):
        assert (sec.orientation == WD_ORIENT.LANDSCAPE) is LANDSCAPE[var]
    if ctx.phu_luc_don_vi is not None:
        sec = doc.sections[1 + present.index("phu_luc_don_vi")]
        assert sec.orientation == WD_ORIENT.LANDSCAPE and sec.page_width > sec.page_height
        assert len(doc.tables[2 + present.index("phu_luc_don_vi")].rows) == 1 + len(ctx.phu_luc_don_vi.hang)
    assert check_docx(out) == []
    result = OpenXmlValidator().validate(str(out))
    assert [str(e) for e in result.errors] == []


# ------------------------------------------------------------------------- PDF (LibreOffice)

def _pdf_pages(path: Path) -> list[tuple[float, float, list[str]]]:
    import pdfplumber

    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = [ln.strip() for ln in (page.extract_text() or "").splitlines() if ln.strip()]
            pages.append((page.width, page.height, lines))
    return pages


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    from kehoach_docs.pdf import LibreOfficeMissing, convert_to_pdf

    folder = tmp_path_factory.mktemp("report-pdf")
    sources = {}
    for name, ma, years, present in (("party-so-ket", PARTY, 2, APPENDICES[:2]),
                                     ("party-tong-ket", PARTY, 5, APPENDICES),
                                     ("state-tong-ket", STATE, 5, APPENDICES),
                                     ("party-unit", PARTY, 2, APPENDICES[:1])):
        path = folder / f"{name}.docx"
        ctx = report_context(ma, years=years, present=present, ket_thuc=False)
        path.write_bytes(render(ma, ctx))
        sources[name] = (path, ctx, ma)
    try:
        results = convert_to_pdf([p for p, _, _ in sources.values()])
    except LibreOfficeMissing:
        pytest.skip("LibreOffice not installed")
    assert all(r.ok for r in results), [r.error for r in results]
    return {name: (_pdf_pages(r.pdf), ctx, ma) for (name, (_, ctx, ma)), r in zip(sources.items(), results)}


@pytest.mark.parametrize("name", ["party-so-ket", "party-tong-ket", "state-tong-ket", "party-unit"])
def test_pdf_pages(pdfs, name):
    pages, ctx, ma = pdfs[name]
    state = get_profile(ma).he_thong == "nha_nuoc"
    # No empty page: every page has text besides its page number.
    for n, (_, _, lines) in enumerate(pages, 1):
        assert [ln for ln in lines if not ln.isdigit()], f"page {n} is empty"
    # Page 1 unnumbered; then numbers at the top. Party: one sequence; State: from 1 in each
    # appendix.
    assert not pages[0][2][0].isdigit()
    starts = {}
    for var in APPENDICES:
        if ctx[var] is not None:
            starts[var] = next(i for i, (_, _, lines) in enumerate(pages)
                               if ctx[var]["so"] in lines[:3])
    expected, number = [], 0
    for i in range(len(pages)):
        if state and i in starts.values():
            number = 0
        number += 1
        expected.append(str(number))
    assert [lines[0] for _, _, lines in pages[1:]] == expected[1:]
    # Orientation of each appendix's pages.
    bounds = sorted(starts.items(), key=lambda kv: kv[1]) + [(None, len(pages))]
    for (var, start), (_, end) in zip(bounds, bounds[1:]):
        for w, h, _ in pages[start:end]:
            assert (w > h) is LANDSCAPE[var], (var, w, h)
    for w, h, _ in pages[:min(starts.values())]:
        assert w < h
    # The target table runs over two pages (15 rows, 12 pt): its header row is repeated.
    start = starts["phu_luc_chi_tieu"]
    end = next((s for s in sorted(starts.values()) if s > start), len(pages))
    assert end - start >= 2 or name == "party-so-ket"
    for _, _, lines in pages[start + 1:end]:
        assert "ĐVT" in " ".join(lines[:6]).split(), lines[:6]  # the header row, on top
    if "phu_luc_don_vi" in starts:  # 40 units: several landscape pages, each with the header
        s = starts["phu_luc_don_vi"]
        e = next((x for x in sorted(starts.values()) if x > s), len(pages))
        assert e - s >= 2
        for _, _, lines in pages[s + 1:e]:
            assert "TTHC" in " ".join(lines[:6]).split(), lines[:6]
