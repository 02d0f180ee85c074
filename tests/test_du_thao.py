"""Drafts (no `so`) carry the profile's "Dự thảo" mark above the header; numbered documents
do not; the checker knows the mark (a draft passes, a wrong-sized mark is flagged)."""

from __future__ import annotations

from datetime import date

import docx
import pytest
from docx.shared import Pt

from kehoach_docs.check import check_docx
from kehoach_docs.documents.pipeline import render_file
from kehoach_docs.errors import ProblemList
from kehoach_docs.profile import get_profile

from helpers import BODY_PLAN as PLAN
from helpers import plan_text

DRAFT = PLAN.replace("so: 44\n", "")
STATE = plan_text(
    drop=("so",), he_thong="nha_nuoc", ngay=date(2021, 11, 23), trich_yeu="Triển khai thực hiện Đề án",
    co_quan={"cap_tren": None, "ten": "Ủy ban nhân dân tỉnh Nghệ An", "ky_hieu": "UBND"},
    mo_dau=["Thực hiện Đề án, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau."],
    to_chuc_thuc_hien=[{"doan": ["Sở Nội vụ theo dõi, tổng hợp, báo cáo."]}],
    noi_nhan=["Sở Nội vụ"], luu="VT, NC",
    nguoi_ky={"quyen_han": "TM. ỦY BAN NHÂN DÂN", "ky_thay": "KT. CHỦ TỊCH", "chuc_vu": "PHÓ CHỦ TỊCH",
              "ho_ten": "Bùi Đình Long"},
)
"""The minimal State draft (NĐ 30): the one plan builder with a State body."""


def render(tmp_path, text: str, name: str = "kh"):
    src = tmp_path / f"{name}.yaml"
    src.write_text(text, encoding="utf-8")
    return render_file(src, tmp_path / f"{name}.docx")


def body_paragraphs(path):
    """Top-level paragraphs before the header table (the draft mark's place)."""
    d = docx.Document(path)
    first_table = d.element.body.index(d.tables[0]._tbl)
    return d, [p for p in d.paragraphs if d.element.body.index(p._p) < first_table and p.text.strip()]


@pytest.mark.parametrize("text, regime", [(DRAFT, "dang-hd36-2018"), (STATE, "nha-nuoc-nd30-2020")])
@pytest.mark.parametrize("lan, want", [(None, "Dự thảo"), (2, "Dự thảo lần 2")])
def test_a_draft_carries_the_mark_in_its_profile_style_and_passes(tmp_path, text, regime, lan, want):
    if lan is not None:
        text += f"du_thao_lan: {lan}\n"
    out = render(tmp_path, text)
    d, above = body_paragraphs(out)
    assert [p.text for p in above] == [want]
    mark = above[0]
    el = get_profile(regime).element("du_thao")
    assert (el.co, el.nghieng, el.dam, el.can_le) == (14, True, False, "phai")
    # The formatting comes from the style (no direct formatting on the run).
    assert mark.style.name == "du_thao"
    assert mark.style.font.size == Pt(14) and mark.style.font.italic is True
    assert not mark.style.font.bold
    assert all(r.font.size is None and r.font.italic is None for r in mark.runs)
    assert mark.style.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    # The draft's number line is the profile's blank form.
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    assert any(c.startswith("Số") and not any(ch.isdigit() for ch in c) for c in cells)
    assert check_docx(out) == []


def test_a_numbered_plan_has_no_mark(tmp_path):
    out = render(tmp_path, PLAN)
    d, above = body_paragraphs(out)
    assert above == []
    assert not any(p.text.startswith("Dự thảo") for p in d.paragraphs)
    # And no empty paragraph is left where the mark would be: the header table comes first.
    assert d.element.body[0].tag.endswith("}tbl")


def test_a_draft_round_on_a_numbered_plan_is_an_error(tmp_path):
    with pytest.raises(ProblemList) as exc:
        render(tmp_path, PLAN + "du_thao_lan: 2\n")
    assert any(p.field == "du_thao_lan" or "du_thao_lan" in p.message for p in exc.value.problems)


def test_a_wrong_mark_is_flagged(tmp_path):
    out = render(tmp_path, DRAFT + "du_thao_lan: 3\n")
    d, above = body_paragraphs(out)
    mark = above[0]
    for run in mark.runs:
        run.font.size = Pt(12)
        run.font.italic = False
    d.save(tmp_path / "sai.docx")
    rules = {v.rule for v in check_docx(tmp_path / "sai.docx")}
    assert {"co_chu.du_thao", "nghieng.du_thao"} <= rules
    # A mark with other words.
    d = docx.Document(out)
    first = next(p for p in d.paragraphs if p.text.startswith("Dự thảo"))
    first.runs[0].text = "Dự thảo lần hai"
    d.save(tmp_path / "chu.docx")
    found = [v for v in check_docx(tmp_path / "chu.docx") if v.rule.endswith("du_thao")
             or v.rule.startswith("du_thao")]
    assert [v.rule for v in found] == ["du_thao.noi_dung"]


def test_the_mark_is_marked_unconfirmed_in_both_profiles():
    for ma in ("dang-hd36-2018", "nha-nuoc-nd30-2020"):
        p = get_profile(ma)
        assert p.source("phan_tu.du_thao.can_le").do_tin_cay == "chua_xac_nhan"
        assert p.source("phan_tu.du_thao.co") is not None
