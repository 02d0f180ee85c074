#!/usr/bin/env python3
"""Build the lean plan and report templates (one of each per thể thức profile) in ``kehoach_docs/templates/``.

``kehoach_docs/templates/ke-hoach-dang.docx`` and ``kehoach_docs/templates/bao-cao-dang.docx`` come from the Party
profile (HD 36), ``kehoach_docs/templates/ke-hoach-nha-nuoc.docx`` and ``kehoach_docs/templates/bao-cao-nha-nuoc.docx``
from the State profile (NĐ 30); see TEMPLATES and REPORT_TEMPLATES.

The .docx is written from scratch with zipfile and hand-written WordprocessingML, not from
python-docx's stock ``Document()`` (834 KB of style XML): a few KB that render fast in docxtpl.
Every size, margin and alignment comes from the profile (kehoach_docs/profiles/*.yaml); the
output is deterministic (fixed entry order, 1980-01-01 timestamps), so regenerating an
unchanged profile gives identical bytes and a test can catch a stale committed template.

    python -m kehoach_docs.templates.generate                 # writes every template (plans and reports)
    python -m kehoach_docs.templates.generate --check         # exit 1 if a committed file is stale
    python -m kehoach_docs.templates.generate --profile nha-nuoc-nd30-2020 --out /tmp/t.docx
    python -m kehoach_docs.templates.generate --profile dang-hd36-2018 --kind bao-cao --out /tmp/b.docx

The layout follows the elements the profile has: a Tiêu ngữ line and its rule (State), a "*"
under the body name and "-----" under the trích yếu (Party), or a drawn line under any
element with `duong_ke_duoi` (Party title, State motto, body name and trích yếu).

A report (báo cáo) has the plan's header, title block, body and closing block, then up to
three appendices (Phụ lục: targets by year, units, commendations), each in its own section
and wrapped in ``{%p if phu_luc_… %}`` so that an absent one leaves nothing. The target table
has one column per year (``{%tc for %}``); kehoach_docs.render.engine fixes its grid after rendering.

Importable: ``build_template(profile, out_path, kind)`` / ``template_bytes(profile, kind)``
with kind "ke-hoach" (default) or "bao-cao".
Element order in every part follows the ECMA-376 schema (checked with openxml-audit).
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from kehoach_docs.format.vn import nfc
from kehoach_docs.safe_file import TooLarge, atomic_write, read_regular
from kehoach_docs.ooxml import (
    A_NS, CORE_PROPERTIES_XMLNS, CT_NS, EP_NS, JC_VALUE, PKG_REL_NS, R_NS, TWIPS_PER_MM, VT_NS, W_NS, XML_DECL,
)
from kehoach_docs.profile import Profile, get_profile
from kehoach_docs.templates import DEFAULT_TEMPLATES, TEMPLATE_PROFILES, TEMPLATES_DIR

# Profile → the plan template it builds, and → its report template (kehoach_docs.templates
# DEFAULT_TEMPLATES: the names the renderer picks).
TEMPLATES = {TEMPLATE_PROFILES[regime]: name for (kind, regime), name in DEFAULT_TEMPLATES.items() if kind == "KH"}
REPORT_TEMPLATES = {TEMPLATE_PROFILES[regime]: name for (kind, regime), name in DEFAULT_TEMPLATES.items()
                    if kind == "BC"}
PLAN, REPORT = "ke-hoach", "bao-cao"
KINDS = {PLAN: TEMPLATES, REPORT: REPORT_TEMPLATES}
# Core-property title of each regime's template.
TITLES = {"dang": "Mẫu kế hoạch (Đảng)", "nha_nuoc": "Mẫu kế hoạch (Nhà nước)"}
REPORT_TITLES = {"dang": "Mẫu báo cáo (Đảng)", "nha_nuoc": "Mẫu báo cáo (Nhà nước)"}

# Space above the date/number row of the header table and above the closing block (pt).
HEADER_ROW2_BEFORE_PT = 6
CLOSING_TOP_PT = 6
# Gap between a text's line box and the line under it (clears Vietnamese dots below).
RULE_GAP_PT = 2

# Styles written, in this order. Every key must exist in profile.phan_tu except the
# OPTIONAL_KEYS, which a profile may lack (State: no "*", no "-----"; Party: no Tiêu ngữ).
STYLE_KEYS = (
    "du_thao", "tieu_de", "tieu_ngu", "co_quan_cap_tren", "co_quan_ban_hanh", "dau_sao", "so_ky_hieu",
    "dia_danh_ngay", "ten_loai", "trich_yeu", "phan_cach", "tieu_de_cap1", "tieu_de_cap2",
    "doan", "nhan_noi_nhan", "noi_nhan", "quyen_han_ky", "chuc_vu_ky", "ho_ten_ky", "so_trang",
)
OPTIONAL_KEYS = ("du_thao", "tieu_ngu", "dau_sao", "phan_cach")
BODY_KEYS = ("tieu_de_cap1", "tieu_de_cap2", "doan")  # follow profile.than_van_ban
KEEP_NEXT_KEYS = ("tieu_de_cap1", "tieu_de_cap2")  # a heading never ends a page
# Outline level of each heading style (0 = level 1): Word's navigation pane, the PDF's
# bookmarks (LibreOffice), pandoc and screen readers see the headings through it.
OUTLINE_LEVELS = {"tieu_de_cap1": 0, "tieu_de_cap2": 1}
# Report appendix styles: (style id, profile element, changes to it, space before/after in pt,
# keep with next). The number, title and "(Kèm theo …)" lines stay with the table under them.
APPENDIX_STYLES = (
    ("phu_luc_so", "phu_luc_so", {}, 0, 0, True),
    ("phu_luc_tieu_de", "phu_luc_tieu_de", {}, 6, 0, True),
    ("phu_luc_chu_thich", "phu_luc_chu_thich", {}, 0, 12, True),
    ("bang_tieu_de", "bang", {"dam": True, "can_le": "giua"}, 2, 2, False),   # header cell
    ("bang_o", "bang", {}, 2, 2, False),                                       # text cell
    ("bang_o_giua", "bang", {"can_le": "giua"}, 2, 2, False),                  # TT, figures
    ("ghi_chu", "bang", {"nghieng": True, "can_le": "deu"}, 3, 0, False),      # notes under a table
)
DOC_NS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Well-known font descriptions for fontTable.xml; other fonts get their name only.
FONT_INFO = {
    "Times New Roman": '<w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
                       '<w:family w:val="roman"/><w:pitch w:val="variable"/>',
}


def mm(value: float) -> int:
    """Millimetres to twips (1 mm = 1440/25.4 twips)."""
    return round(value * TWIPS_PER_MM)


def pt20(value: float) -> int:
    """Points to twentieths of a point (spacing, exact line height)."""
    return round(value * 20)


def half_points(value: float) -> int:
    return round(value * 2)


# --------------------------------------------------------------------------- styles.xml

def _run_props(el, font: str | None = None, lang: str | None = None) -> str:
    """rPr in schema order: rFonts, b, bCs, i, iCs, sz, szCs, u, lang."""
    parts = []
    if font:
        f = quoteattr(font)
        parts.append(f"<w:rFonts w:ascii={f} w:hAnsi={f} w:eastAsia={f} w:cs={f}/>")
    if el is not None:
        if el.dam:
            parts.append("<w:b/><w:bCs/>")
        if el.nghieng:
            parts.append("<w:i/><w:iCs/>")
        sz = half_points(el.co)
        parts.append(f'<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/>')
        if el.gach_chan:
            parts.append('<w:u w:val="single"/>')
    if lang:
        parts.append(f'<w:lang w:val="{lang}" w:eastAsia="{lang}"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def _spacing(before: float = 0, after: float = 0, exact_pt: float | None = None,
             multiple: float | None = None) -> str:
    if exact_pt:
        line, rule = pt20(exact_pt), "exact"
    else:
        line, rule = round(240 * (multiple or 1)), "auto"
    return (f'<w:spacing w:before="{pt20(before)}" w:after="{pt20(after)}" '
            f'w:line="{line}" w:lineRule="{rule}"/>')


def _paragraph_style(key: str, profile: Profile) -> str:
    el = profile.phan_tu[key]
    ppr = []  # schema order: keepNext, spacing, ind, jc, outlineLvl
    if key in KEEP_NEXT_KEYS:
        ppr.append("<w:keepNext/>")
    if key in BODY_KEYS:
        body = profile.than_van_ban
        ppr.append(_spacing(body.gian_doan_truoc, body.gian_doan_sau, body.gian_dong,
                            body.boi_so_dong))
        ppr.append(f'<w:ind w:firstLine="{mm(body.thut_dau_dong)}"/>')
    else:
        ppr.append(_spacing())
    ppr.append(f'<w:jc w:val="{JC_VALUE[el.can_le]}"/>')
    if key in OUTLINE_LEVELS:
        ppr.append(f'<w:outlineLvl w:val="{OUTLINE_LEVELS[key]}"/>')
    next_style = "doan" if key in BODY_KEYS else key
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{key}">'
            f'<w:name w:val="{key}"/><w:basedOn w:val="Normal"/><w:next w:val="{next_style}"/>'
            f'<w:qFormat/><w:pPr>{"".join(ppr)}</w:pPr>{_run_props(el)}</w:style>')


def appendix_element(profile: Profile, style_id: str):
    """The profile element (with the style's changes) that an appendix style is made from."""
    for sid, key, changes, *_ in APPENDIX_STYLES:
        if sid == style_id:
            if key not in profile.phan_tu:
                raise ValueError(f"profile {profile.ma} lacks element {key} (report appendices)")
            return profile.phan_tu[key].model_copy(update=changes)
    raise KeyError(style_id)


def _appendix_style(style_id: str, profile: Profile) -> str:
    _, _, _, before, after, keep_next = next(s for s in APPENDIX_STYLES if s[0] == style_id)
    el = appendix_element(profile, style_id)
    ppr = ("<w:keepNext/>" if keep_next else "") + _spacing(before, after) + \
        f'<w:jc w:val="{JC_VALUE[el.can_le]}"/>'
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{style_id}"/><w:basedOn w:val="Normal"/><w:next w:val="{style_id}"/>'
            f'<w:qFormat/><w:pPr>{ppr}</w:pPr>{_run_props(el)}</w:style>')


def style_keys(profile: Profile) -> tuple[str, ...]:
    """The styles the template of `profile` has, in STYLE_KEYS order."""
    missing = [k for k in STYLE_KEYS if k not in profile.phan_tu and k not in OPTIONAL_KEYS]
    if missing:
        raise ValueError(f"profile {profile.ma} lacks elements: {', '.join(missing)}")
    return tuple(k for k in STYLE_KEYS if k in profile.phan_tu)


def styles_xml(profile: Profile, kind: str = PLAN) -> str:
    keys = style_keys(profile)
    body_size = half_points(profile.than_van_ban.co)
    font = quoteattr(profile.phong_chu)
    lang = profile.ngon_ngu
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f"<w:rFonts w:ascii={font} w:hAnsi={font} w:eastAsia={font} w:cs={font}/>"
        f'<w:sz w:val="{body_size}"/><w:szCs w:val="{body_size}"/>'
        f'<w:lang w:val="{lang}" w:eastAsia="{lang}"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/>"
        f"{_spacing()}</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    normal = ('<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
              '<w:name w:val="Normal"/><w:qFormat/></w:style>')
    table_normal = ('<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
                    '<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>'
                    '<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
                    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
                    '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
                    '</w:tblCellMar></w:tblPr></w:style>')
    styles = "".join(_paragraph_style(k, profile) for k in keys)
    if kind == REPORT:
        styles += "".join(_appendix_style(s[0], profile) for s in APPENDIX_STYLES)
    return (f'{XML_DECL}<w:styles {DOC_NS}>{defaults}{normal}{table_normal}{styles}</w:styles>')


# --------------------------------------------------------------------------- document.xml

def para(style: str | None, text: str = "", *, before_pt: float | None = None,
         keep_next: bool = False) -> str:
    """One paragraph; `text` (a Jinja tag or nothing) sits in one run with one <w:t>."""
    ppr = []  # schema order: pStyle, keepNext, spacing
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    if before_pt is not None:
        ppr.append(f'<w:spacing w:before="{pt20(before_pt)}"/>')
    ppr_xml = f'<w:pPr>{"".join(ppr)}</w:pPr>' if ppr else ""
    run = f"<w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r>" if text else ""
    return f"<w:p>{ppr_xml}{run}</w:p>"


def rule_paragraph(style: str, cell_width: int, length: int) -> str:
    """A solid line `length` twips long, centred in a cell (or text area) `cell_width` wide.

    It is the top border of an empty 1-pt paragraph under the text, with left and right
    indents so that cell width − indents = length. Not a bottom border of the text paragraph
    itself: a line "as long as the text" would leave the text no slack, and one rounding
    error (or a profile length shorter than the text) would wrap "ĐẢNG CỘNG SẢN VIỆT NAM".
    """
    spare = max(cell_width - length, 0)
    left, right = spare // 2, spare - spare // 2  # an odd twip goes right
    return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/>'
            '<w:pBdr><w:top w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:pBdr>'
            f'<w:spacing w:before="{pt20(RULE_GAP_PT)}" w:after="0" w:line="20" w:lineRule="exact"/>'
            f'<w:ind w:left="{left}" w:right="{right}"/>'
            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def cell(width: int, paragraphs: list[str]) -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'{"".join(paragraphs)}</w:tc>')


def table(widths: tuple[int, int], rows: list[list[str]], top_margin_pt: float = 0) -> str:
    """A borderless, fixed-layout table with zero left/right cell margins."""
    none = "".join(f'<w:{side} w:val="none" w:sz="0" w:space="0" w:color="auto"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr = (f'<w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
              f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{none}</w:tblBorders>'
              '<w:tblLayout w:type="fixed"/>'
              f'<w:tblCellMar><w:top w:w="{pt20(top_margin_pt)}" w:type="dxa"/>'
              '<w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
              '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>')
    grid = "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    body = "".join(f'<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                   f'{"".join(cell(w, ps) for w, ps in zip(widths, row))}</w:tr>'
                   for row in rows)
    return f"<w:tbl>{tbl_pr}{grid}{body}</w:tbl>"


def sect_pr(profile: Profile, *, landscape: bool = False, first_page: bool = True,
            restart: bool = True) -> str:
    """Section properties: the document's (portrait, page 1 unnumbered) or an appendix's.

    An appendix section numbers every page (`first_page` False: no titlePg, no first-page
    header). A landscape section turns the profile's page a quarter turn clockwise, as a
    reader turns a bound document: the binding edge (left margin) becomes the top, the top
    margin the right, the right margin the bottom, the bottom margin the left.
    """
    pg = profile.trang
    if landscape:
        w, h, orient = pg.cao, pg.rong, ' w:orient="landscape"'
        top, right, bottom, left = pg.le_trai, pg.le_tren, pg.le_phai, pg.le_duoi
    else:
        w, h, orient = pg.rong, pg.cao, ""
        top, right, bottom, left = pg.le_tren, pg.le_phai, pg.le_duoi, pg.le_trai
    refs = '<w:headerReference w:type="default" r:id="rId4"/>'
    if first_page:
        refs += '<w:headerReference w:type="first" r:id="rId5"/>'
    return (
        f'<w:sectPr>{refs}'
        f'<w:pgSz w:w="{mm(w)}" w:h="{mm(h)}"{orient}/>'
        f'<w:pgMar w:top="{mm(top)}" w:right="{mm(right)}" '
        f'w:bottom="{mm(bottom)}" w:left="{mm(left)}" w:header="{mm(pg.dau_trang)}" '
        f'w:footer="{mm(pg.chan_trang)}" w:gutter="0"/>'
        + ('<w:pgNumType w:start="1"/>' if restart else "")
        + '<w:cols w:space="720"/>'
        + ("<w:titlePg/>" if first_page else "")
        + '<w:docGrid w:linePitch="360"/></w:sectPr>'
    )


def content_width_mm(profile: Profile, landscape: bool = False) -> float:
    pg = profile.trang
    if landscape:
        return pg.cao - pg.le_duoi - pg.le_tren
    return pg.rong - pg.le_trai - pg.le_phai


def with_rule(profile: Profile, key: str, width: int, text: str) -> list[str]:
    """The paragraph of element `key`, then the line under it when the profile asks for one."""
    out = [para(key, text)]
    line_mm = profile.phan_tu[key].duong_ke_duoi
    if line_mm:
        out.append(rule_paragraph(key, width, mm(line_mm)))
    return out


# A 1-pt empty paragraph: Word wants a paragraph between a final table and sectPr, and one
# this small can never push an empty last page. A section break rides on the same kind.
TINY_PPR = ('<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>')
TAIL = f"<w:p><w:pPr>{TINY_PPR}</w:pPr></w:p>"


def section_break(sect: str) -> str:
    """A 1-pt paragraph that ends a section with the properties `sect`."""
    return f"<w:p><w:pPr>{TINY_PPR}{sect}</w:pPr></w:p>"


def plan_blocks(profile: Profile) -> list[str]:
    """Header table, title block, body and closing table: everything a plan has (a report
    has the same, then its appendices)."""
    P = para
    has = profile.phan_tu.__contains__
    # 1. Header table: issuing body | Party title or Quốc hiệu and Tiêu ngữ,
    #    then number | place and date.
    left_w, right_w = mm(profile.bang_dau.cot_trai), mm(profile.bang_dau.cot_phai)
    title = with_rule(profile, "tieu_de", right_w, "{{ tieu_de }}")
    if has("tieu_ngu"):
        title += with_rule(profile, "tieu_ngu", right_w, "{{ tieu_ngu }}")
    body_name = [P("co_quan_cap_tren", "{%p if co_quan_cap_tren %}"),
                 P("co_quan_cap_tren", "{{ co_quan_cap_tren }}"),
                 P("co_quan_cap_tren", "{%p endif %}"),
                 *with_rule(profile, "co_quan_ban_hanh", left_w,
                           "{{ dong_co_quan_ban_hanh|join('\\n') }}")]
    if has("dau_sao"):
        body_name.append(P("dau_sao", "{{ dau_sao }}"))
    header = table((left_w, right_w), [
        [body_name, title],
        [[P("so_ky_hieu", "{{ so_ky_hieu }}", before_pt=HEADER_ROW2_BEFORE_PT)],
         [P("dia_danh_ngay", "{{ dia_danh_ngay }}", before_pt=HEADER_ROW2_BEFORE_PT)]],
    ])
    # 0. Draft mark: its own line above the header table, only in an unnumbered document
    #    (the {%p %} lines vanish, so a numbered document is unchanged).
    draft = [P(None, "{%p if du_thao %}"), P("du_thao", "{{ du_thao }}"),
             P(None, "{%p endif %}")] if has("du_thao") else []
    # 2. Title block: type name, trích yếu, then "-----" (Party) or a drawn line (State).
    text_w = mm(content_width_mm(profile))
    title_block = [P(None), P("ten_loai", "{{ ten_loai }}")]
    if has("phan_cach"):
        title_block += [P("trich_yeu", "{{ trich_yeu }}"), P("phan_cach", "{{ phan_cach }}")]
    else:
        title_block += with_rule(profile, "trich_yeu", text_w, "{{ trich_yeu }}")
    title_block.append(P(None))
    # 3-5. Body.
    body = [
        P("doan", "{%p for d in mo_dau %}"),
        P("doan", "{{ d }}"),
        P("doan", "{%p endfor %}"),
        P("tieu_de_cap1", "{%p for p in phan %}"),
        P("tieu_de_cap1", "{{ p.dong_tieu_de }}"),
        P("doan", "{%p for d in p.doan %}"),
        P("tieu_de_cap2", '{%p if d.kieu == "cap2" %}'),
        P("tieu_de_cap2", "{{ d.van_ban }}"),
        # Without closing paragraphs (reports often have none), the body's last paragraph
        # keeps with the signature block instead.
        # (Not `loop.last`: the template linter knows only the context's names.)
        P("doan", "{%p elif not ket_thuc and p is sameas (phan|last) and d is sameas (p.doan|last) %}"),
        P("doan", "{{ d.van_ban }}", keep_next=True),
        P("doan", "{%p else %}"),
        P("doan", "{{ d.van_ban }}"),
        P("doan", "{%p endif %}"),
        P("doan", "{%p endfor %}"),
        P("doan", "{%p endfor %}"),
        P("doan", "{%p for d in ket_thuc %}"),
        # The closing paragraphs stay on the page of the signature block (never a page
        # with the signature alone).
        P("doan", "{{ d }}", keep_next=True),
        P("doan", "{%p endfor %}"),
    ]
    # 6. Closing table: Nơi nhận | signer ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", post…).
    signer_mm = profile.bang_ky.cot_phai
    signer = [P("quyen_han_ky", "{%p if nguoi_ky.quyen_han %}"),
              P("quyen_han_ky", "{{ nguoi_ky.quyen_han }}"),
              P("quyen_han_ky", "{%p endif %}"),
              P("quyen_han_ky", "{%p if nguoi_ky.ky_thay %}"),
              P("quyen_han_ky", "{{ nguoi_ky.ky_thay }}"),
              P("quyen_han_ky", "{%p endif %}"),
              P("chuc_vu_ky", "{{ nguoi_ky.chuc_vu }}")]
    signer += [P("chuc_vu_ky") for _ in range(profile.ky.dong_trong)]
    signer.append(P("ho_ten_ky", "{{ nguoi_ky.ho_ten }}"))
    closing = table((mm(profile.bang_ky.cot_trai), mm(signer_mm)), [
        [[P("nhan_noi_nhan", "{{ nhan_noi_nhan }}"),
          P("noi_nhan", "{%p for n in noi_nhan %}"),
          P("noi_nhan", "{{ n }}"),
          P("noi_nhan", "{%p endfor %}")],
         signer],
    ], top_margin_pt=CLOSING_TOP_PT)
    return [*draft, header, *title_block, *body, closing]


def document_xml(profile: Profile) -> str:
    parts = [*plan_blocks(profile), TAIL, sect_pr(profile)]
    return f'{XML_DECL}<w:document {DOC_NS}><w:body>{"".join(parts)}</w:body></w:document>'


# --------------------------------------------------------------------------- report appendices

# Table borders (single, ½ pt) and the cell margins left and right (mm).
GRID_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
CELL_MARGIN_MM = 1.5
# State appendices are numbered separately, each from 1 (NĐ 30 Phụ lục I §III.1, the-thuc.md
# §2.3); Party appendices continue the report's numbers (no HD 36 rule found, §6.6).
APPENDIX_OWN_NUMBERS = {"nha_nuoc": True, "dang": False}

# Phụ lục 1: targets, one column per year. Widths in mm of the template's nine grid columns:
# TT | target | unit | planned target | {%tc for %} | year | {%tc endfor %} | whole period |
# verdict. The loop cells vanish when rendered and the year cell is repeated, so the rendered
# row has 6 + years cells; kehoach_docs.render.engine then runs docxtpl's fix_tables, which drops
# grid columns from the end (2 years) or scales all columns and appends average-width ones
# (4, 5 years). Because the five columns from the first loop cell on have one width, every
# year, period and verdict column comes out (nearly) equal for 2 to 5 years, and the target
# names keep the widest column. (No "% of target" column: a rank or a share of units is not a
# percentage of its target; the verdict says how it compares.)
TARGET_FIXED_MM = {"tt": 11, "ten": None, "dvt": 16, "chi_tieu": 30}  # ten: what is left
TARGET_STEP_MM = 26
TARGET_COLUMNS = ("TT", "Chỉ tiêu", "ĐVT", "Chỉ tiêu theo Kế hoạch")
TARGET_TAIL = ("Cả giai đoạn", "Đánh giá")
# Phụ lục 2: units (landscape): TT | unit | the report file's declared columns ({%tc for %}).
# The grid has UNIT_MAX_COLUMNS loop columns of UNIT_STEP_MM; rendering keeps as many as are
# declared and docxtpl's fix_tables shares the dropped width among the columns left (7
# columns: unit 72 mm, each declared column 24 mm; 3 columns: unit 91 mm, 43 mm).
UNIT_FIXED_MM = {"tt": 11, "don_vi": None}
UNIT_STEP_MM = 18
UNIT_MAX_COLUMNS = 10
UNIT_HEADER = {"dang": "Tổ chức cơ sở đảng", "nha_nuoc": "Cơ quan, đơn vị"}
# Phụ lục 3: a list of groups and persons (portrait).
LIST_COLUMNS = (
    ("TT", "tt", 11, True),
    ("Tên tập thể, cá nhân", "ten", 50, False),
    ("Thành tích", "thanh_tich", None, False),
    ("Hình thức đề nghị", "hinh_thuc", 45, False),
)


def _fill(widths: list[float | None], total: float) -> list[int]:
    """Column widths in twips: the one None takes what is left of `total` (mm); the twips add
    up to the text width exactly."""
    rest = total - sum(w for w in widths if w is not None)
    mm_widths = [rest if w is None else w for w in widths]
    if min(mm_widths) <= 0:
        raise ValueError(f"columns {widths} do not fit {total} mm")
    tw = [mm(w) for w in mm_widths]
    tw[widths.index(None) if None in widths else -1] += mm(total) - sum(tw)
    return tw


def grid_cell(paragraphs: list[str], span: int = 1) -> str:
    """A bordered-table cell, centred vertically. No tcW: the grid alone gives the widths (a
    row whose cells are repeated by {%tc for %} gets a new grid after rendering)."""
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return f'<w:tc><w:tcPr>{span_xml}<w:vAlign w:val="center"/></w:tcPr>{"".join(paragraphs)}</w:tc>'


def grid_row(cells: list[str], header: bool = False) -> str:
    """A row that never splits across pages; the header row repeats on every page."""
    head = "<w:tblHeader/>" if header else ""
    return f'<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>{"".join(cells)}</w:tr>'


def tag_row(tag: str, columns: int) -> str:
    """A row holding only a {%tr %} tag (removed with its row when rendered)."""
    return grid_row([grid_cell([para("bang_o", tag)], span=columns)])


def grid_table(widths: list[int], rows: list[str]) -> str:
    """A bordered, fixed-layout table as wide as the text."""
    borders = "".join(GRID_BORDER.format(side=s)
                      for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    margin = mm(CELL_MARGIN_MM)
    tbl_pr = (f'<w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
              f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
              '<w:tblLayout w:type="fixed"/>'
              '<w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
              f'<w:left w:w="{margin}" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
              f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
              '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
              'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>')
    grid = "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    return f"<w:tbl>{tbl_pr}{grid}{''.join(rows)}</w:tbl>"


def appendix_heading(var: str) -> list[str]:
    """"Phụ lục 1" / "Phụ lục I", the title, the "(Kèm theo …)" line."""
    return [para("phu_luc_so", f"{{{{ {var}.so }}}}"),
            para("phu_luc_tieu_de", f"{{{{ {var}.tieu_de }}}}"),
            para("phu_luc_chu_thich", f"{{{{ {var}.chu_thich }}}}")]


def body_rows(var: str, body, columns: int) -> list[str]:
    """The rows of `var`.hang: the last but one keeps with the last (w:keepNext on its
    paragraphs), so a page never holds a single row after the repeated header. Three plain
    {%tr for %} loops over slices: no Jinja inside the XML, so a LibreOffice save keeps it."""
    rows = []
    for part, keep in ((":-2", False), ("-2:-1", True), ("-1:", False)):
        rows += [tag_row(f"{{%tr for r in {var}.hang[{part}] %}}", columns),
                 grid_row(body(keep)),
                 tag_row("{%tr endfor %}", columns)]
    return rows


def simple_table(profile: Profile, var: str, columns, landscape: bool) -> str:
    """Header row, then one row per item of `var`.hang."""
    width = content_width_mm(profile, landscape)
    widths = _fill([c[2] for c in columns], width)
    regime = profile.he_thong
    head = [grid_cell([para("bang_tieu_de", label[regime] if isinstance(label, dict) else label)])
            for label, *_ in columns]
    body = [grid_cell([para("bang_o_giua" if centred else "bang_o", f"{{{{ r.{field} }}}}")])
            for _, field, _, centred in columns]
    n = len(columns)
    return grid_table(widths, [grid_row(head, header=True),
                               tag_row(f"{{%tr for r in {var}.hang %}}", n),
                               grid_row(body),
                               tag_row("{%tr endfor %}", n)])


def target_table(profile: Profile) -> str:
    var = "phu_luc_chi_tieu"
    width = content_width_mm(profile, landscape=True)
    fixed = [TARGET_FIXED_MM[k] for k in ("tt", "ten", "dvt", "chi_tieu")]
    widths = _fill(fixed + [TARGET_STEP_MM] * (3 + len(TARGET_TAIL)), width)
    H, C, L = "bang_tieu_de", "bang_o_giua", "bang_o"
    head = [grid_cell([para(H, label)]) for label in TARGET_COLUMNS]
    head += [grid_cell([para(H, f"{{%tc for y in {var}.cot_nam %}}")]),
             grid_cell([para(H, "{{ y }}")]),
             grid_cell([para(H, "{%tc endfor %}")])]
    head += [grid_cell([para(H, label)]) for label in TARGET_TAIL]

    def body(keep: bool) -> list[str]:
        cells = [grid_cell([para(style, f"{{{{ r.{field} }}}}", keep_next=keep)])
                 for field, style in (("tt", C), ("ten", L), ("dvt", C), ("chi_tieu", C))]
        cells += [grid_cell([para(C, "{%tc for v in r.nam %}", keep_next=keep)]),
                  grid_cell([para(C, "{{ v }}", keep_next=keep)]),
                  grid_cell([para(C, "{%tc endfor %}", keep_next=keep)])]
        return cells + [grid_cell([para(C, f"{{{{ r.{field} }}}}", keep_next=keep)])
                        for field in ("luy_ke", "danh_gia")]
    return grid_table(widths, [grid_row(head, header=True), *body_rows(var, body, len(widths))])


def unit_table(profile: Profile) -> str:
    var = "phu_luc_don_vi"
    width = content_width_mm(profile, landscape=True)
    widths = _fill([UNIT_FIXED_MM["tt"], UNIT_FIXED_MM["don_vi"]] + [UNIT_STEP_MM] * UNIT_MAX_COLUMNS, width)
    H, C, L = "bang_tieu_de", "bang_o_giua", "bang_o"
    head = [grid_cell([para(H, "TT")]), grid_cell([para(H, UNIT_HEADER[profile.he_thong])]),
            grid_cell([para(H, f"{{%tc for c in {var}.cot %}}")]),
            grid_cell([para(H, "{{ c }}")]),
            grid_cell([para(H, "{%tc endfor %}")])]

    def body(keep: bool) -> list[str]:
        return [grid_cell([para(C, "{{ r.tt }}", keep_next=keep)]),
                grid_cell([para(L, "{{ r.don_vi }}", keep_next=keep)]),
                grid_cell([para(C, "{%tc for v in r.o %}", keep_next=keep)]),
                grid_cell([para(C, "{{ v }}", keep_next=keep)]),
                grid_cell([para(C, "{%tc endfor %}", keep_next=keep)])]
    return grid_table(widths, [grid_row(head, header=True), *body_rows(var, body, len(widths))])


def _appendices(profile: Profile) -> list[tuple[str, bool, list[str]]]:
    """The appendices in order: context variable, landscape or not, the blocks under the
    heading (the table, and for the targets the notes under it)."""
    def notes(var: str) -> list[str]:
        return [para("ghi_chu", f"{{%p for g in {var}.ghi_chu %}}"),
                para("ghi_chu", "{{ g }}"),
                para("ghi_chu", "{%p endfor %}")]

    # The notes stand between the heading and the table: LibreOffice keeps no table with the
    # paragraph after it, so notes under a table could stand alone on a landscape page.
    return [
        ("phu_luc_chi_tieu", True, [*notes("phu_luc_chi_tieu"), target_table(profile)]),
        # Which predecessors a successor's row includes (organisations.py).
        ("phu_luc_don_vi", True, [*notes("phu_luc_don_vi"), unit_table(profile)]),
        ("phu_luc_danh_sach", False,
         [simple_table(profile, "phu_luc_danh_sach", LIST_COLUMNS, False)]),
    ]


APPENDIX_VARS = ("phu_luc_chi_tieu", "phu_luc_don_vi", "phu_luc_danh_sach")


def report_document_xml(profile: Profile) -> str:
    """A report: the plan's blocks, then each appendix in its own section.

    Every section ends with a 1-pt paragraph carrying its sectPr, inside the appendix's
    {%p if %} block: the report's own section is closed only when some appendix follows,
    and each appendix closes its own. After the last one present only the empty tail and
    the document's final (portrait) sectPr are left: kehoach_docs.render.engine moves that
    appendix's properties into the final sectPr, so no empty page is printed.
    """
    own = APPENDIX_OWN_NUMBERS[profile.he_thong]
    P = para
    blocks = plan_blocks(profile)
    any_appendix = " or ".join(APPENDIX_VARS)
    blocks += [P(None, f"{{%p if {any_appendix} %}}"),
               section_break(sect_pr(profile)),
               P(None, "{%p endif %}")]
    for var, landscape, content in _appendices(profile):
        blocks += [P(None, f"{{%p if {var} %}}"),
                   *appendix_heading(var),
                   *content,
                   section_break(sect_pr(profile, landscape=landscape, first_page=False,
                                         restart=own)),
                   P(None, "{%p endif %}")]
    blocks += [TAIL, sect_pr(profile)]
    return f'{XML_DECL}<w:document {DOC_NS}><w:body>{"".join(blocks)}</w:body></w:document>'


# --------------------------------------------------------------------------- other parts

def header_xml(with_page_number: bool) -> str:
    if with_page_number:
        field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                 '<w:r><w:t>2</w:t></w:r>'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        p = f'<w:p><w:pPr><w:pStyle w:val="so_trang"/></w:pPr>{field}</w:p>'
    else:
        p = '<w:p><w:pPr><w:pStyle w:val="so_trang"/></w:pPr></w:p>'
    return f"{XML_DECL}<w:hdr {DOC_NS}>{p}</w:hdr>"


def theme_xml(profile: Profile) -> str:
    """The smallest valid DrawingML theme, with the profile's font as major and minor font.

    Not required by ECMA-376, but Word always writes one and openxml-audit (strict mode)
    requires the relationship; its fonts also cover anything that refers to theme fonts.
    """
    colours = (("dk2", "1F1F1F"), ("lt2", "EEEEEE"), ("accent1", "000000"),
               ("accent2", "404040"), ("accent3", "606060"), ("accent4", "808080"),
               ("accent5", "A0A0A0"), ("accent6", "C00000"), ("hlink", "0000FF"),
               ("folHlink", "800080"))
    clr = ('<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
           '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>'
           + "".join(f'<a:{n}><a:srgbClr val="{v}"/></a:{n}>' for n, v in colours))
    face = quoteattr(profile.phong_chu)
    font = f'<a:latin typeface={face}/><a:ea typeface=""/><a:cs typeface={face}/>'
    fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="9525">{fill}</a:ln>'
    effect = "<a:effectStyle><a:effectLst/></a:effectStyle>"
    return (
        f'{XML_DECL}<a:theme xmlns:a="{A_NS}" '
        'name="kehoach-docs"><a:themeElements>'
        f'<a:clrScheme name="kehoach-docs">{clr}</a:clrScheme>'
        f'<a:fontScheme name="kehoach-docs"><a:majorFont>{font}</a:majorFont>'
        f'<a:minorFont>{font}</a:minorFont></a:fontScheme>'
        f'<a:fmtScheme name="kehoach-docs"><a:fillStyleLst>{fill * 3}</a:fillStyleLst>'
        f'<a:lnStyleLst>{line * 3}</a:lnStyleLst>'
        f'<a:effectStyleLst>{effect * 3}</a:effectStyleLst>'
        f'<a:bgFillStyleLst>{fill * 3}</a:bgFillStyleLst></a:fmtScheme>'
        '</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>'
    )


def settings_xml(profile: Profile) -> str:
    return (
        f'{XML_DECL}<w:settings xmlns:w="{W_NS}">'
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        f'<w:themeFontLang w:val="{profile.ngon_ngu}"/>'
        '<w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/>'
        '</w:settings>'
    )


def font_table_xml(profile: Profile) -> str:
    font = profile.phong_chu
    info = FONT_INFO.get(font, "")
    return (f'{XML_DECL}<w:fonts xmlns:w="{W_NS}">'
            f'<w:font w:name={quoteattr(font)}>{info}</w:font></w:fonts>')


def core_xml(profile: Profile, kind: str = PLAN) -> str:
    # No dcterms:created/modified: they would change the bytes on every run.
    title = (REPORT_TITLES if kind == REPORT else TITLES)[profile.he_thong]
    return (
        f'{XML_DECL}<cp:coreProperties {CORE_PROPERTIES_XMLNS}>'
        f'<dc:title>{escape(nfc(title))}</dc:title>'
        f'<dc:subject>{escape(nfc(profile.ten))}</dc:subject>'
        '<dc:creator>kehoach-docs</dc:creator>'
        f'<cp:keywords>{escape(profile.ma)}</cp:keywords>'
        f'<dc:language>{escape(profile.ngon_ngu)}</dc:language>'
        '</cp:coreProperties>'
    )


def app_xml() -> str:
    return (
        f'{XML_DECL}<Properties '
        f'xmlns="{EP_NS}" xmlns:vt="{VT_NS}">'
        '<Template>Normal.dotm</Template><Application>kehoach-docs</Application>'
        '<DocSecurity>0</DocSecurity></Properties>'
    )


CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
CONTENT_TYPES = (
    f'{XML_DECL}<Types xmlns="{CT_NS}">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{CT}.styles+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{CT}.settings+xml"/>'
    f'<Override PartName="/word/fontTable.xml" ContentType="{CT}.fontTable+xml"/>'
    f'<Override PartName="/word/header1.xml" ContentType="{CT}.header+xml"/>'
    f'<Override PartName="/word/header2.xml" ContentType="{CT}.header+xml"/>'
    '<Override PartName="/word/theme/theme1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '</Types>'
)

ROOT_RELS = (
    f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{R_NS}/officeDocument" Target="word/document.xml"/>'
    f'<Relationship Id="rId2" Type="{PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{R_NS}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>'
)
DOCUMENT_RELS = (
    f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{R_NS}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{R_NS}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{R_NS}/fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rId4" Type="{R_NS}/header" Target="header1.xml"/>'
    f'<Relationship Id="rId5" Type="{R_NS}/header" Target="header2.xml"/>'
    f'<Relationship Id="rId6" Type="{R_NS}/theme" Target="theme/theme1.xml"/>'
    '</Relationships>'
)


def parts(profile: Profile, kind: str = PLAN) -> list[tuple[str, str]]:
    """(zip entry name, XML text) in the fixed order they are written."""
    if kind not in KINDS:
        raise ValueError(f"unknown template kind {kind!r} (one of {', '.join(KINDS)})")
    document = report_document_xml(profile) if kind == REPORT else document_xml(profile)
    return [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", core_xml(profile, kind)),
        ("docProps/app.xml", app_xml()),
        ("word/document.xml", document),
        ("word/styles.xml", styles_xml(profile, kind)),
        ("word/settings.xml", settings_xml(profile)),
        ("word/fontTable.xml", font_table_xml(profile)),
        ("word/header1.xml", header_xml(with_page_number=True)),
        ("word/header2.xml", header_xml(with_page_number=False)),
        ("word/theme/theme1.xml", theme_xml(profile)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
    ]


def template_bytes(profile: Profile, kind: str = PLAN) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, xml in parts(profile, kind):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, nfc(xml).encode("utf-8"), compresslevel=9)
    return buf.getvalue()


def default_out(profile: Profile, kind: str = PLAN) -> Path:
    """templates/<file> of `profile` (TEMPLATES for plans, REPORT_TEMPLATES for reports)."""
    names = KINDS[kind]
    try:
        return TEMPLATES_DIR / names[profile.ma]
    except KeyError:
        table = "REPORT_TEMPLATES" if kind == REPORT else "TEMPLATES"
        raise ValueError(f"no {kind} template file for profile {profile.ma}: add it to {table} "
                         "or pass an output path") from None


def build_template(profile: Profile, out_path: str | Path | None = None,
                   kind: str = PLAN) -> Path:
    """Write the `kind` template for `profile` to `out_path` (only if the bytes changed)."""
    out_path = Path(out_path) if out_path is not None else default_out(profile, kind)
    data = template_bytes(profile, kind)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Never through a link, never half-written: every build reads this file.
    try:
        current = read_regular(out_path, len(data), out_path.parent)
    except TooLarge:
        current = None  # larger than the new bytes: it differs
    if current != data:
        atomic_write(out_path, data)
    return out_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", help="profile code (ma); default: every profile of TEMPLATES "
                    "and REPORT_TEMPLATES")
    ap.add_argument("--kind", choices=tuple(KINDS),
                    help="ke-hoach (plan) or bao-cao (report); default: both")
    ap.add_argument("--out", type=Path, help="output file (only with --profile and one --kind, "
                    "or --profile alone for a plan)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if a file differs from a fresh build")
    args = ap.parse_args(argv)
    if args.out is not None and args.profile is None:
        ap.error("--out needs --profile")
    kinds = [args.kind] if args.kind else list(KINDS)
    if args.out is not None and args.kind is None:
        kinds = [PLAN]
    jobs = []
    for kind in kinds:
        if args.profile:
            jobs.append((get_profile(args.profile), args.out, kind))
        else:
            jobs += [(get_profile(ma), None, kind) for ma in KINDS[kind]]
    status = 0
    for profile, out, kind in jobs:
        out = out if out is not None else default_out(profile, kind)
        if args.check:
            fresh = template_bytes(profile, kind)
            current = out.read_bytes() if out.exists() else b""
            if current != fresh:
                print(f"{out} is stale: run python -m kehoach_docs.templates.generate", file=sys.stderr)
                status = 1
            else:
                print(f"{out} is up to date ({len(fresh)} bytes)")
            continue
        path = build_template(profile, out, kind)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
