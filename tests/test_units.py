"""Unit plans: derivation from the parent plan and the khung, and workspace builds
(isolation of a failing unit, manifest, incremental rebuild, hand-edit protection)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.errors import ProblemList
from kehoach_docs.workspace.build import (
    FAILED, KEPT, NEW, REBUILT, REPLACED, UNCHANGED, build_workspace,
)

from helpers import SAMPLE_WS, copy_plans, line_of, text_lines

UNITS = {
    "so-noi-vu": """\
        ten: Sở Nội vụ
        loai: dang_bo_btv
        so: 25
        ngay: 2021-12-24
        chi_tieu:
          hai_long_tthc: 95
        han:
          hd_so_ket: Q2/2023
        nhiem_vu_rieng:
          - ten: Chuyển đổi số tại [[don_vi]]
            y: [Triển khai dịch vụ công trực tuyến mức độ 4.]
        noi_nhan_them:
          - ten: Ban Giám đốc Sở
            muc_dich: để phối hợp
        nguoi_ky:
          chuc_vu: PHÓ BÍ THƯ
          ho_ten: Nguyễn Văn An
        """,
    "so-tu-phap": """\
        ten: Sở Tư pháp
        loai: dang_bo
        so: 7
        ngay: 2022-01-05
        nguoi_ky:
          ho_ten: Trần Thị Bình
        """,
    "ban-dan-toc": """\
        ten: Ban Dân tộc
        loai: chi_bo
        ngay: 2021-12-28
        khong_ap_dung: [mt_cai_cach_hanh_chinh, nv_cai_cach_hanh_chinh]
        nguoi_ky:
          ho_ten: Lê Văn Cường
        """,
}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = copy_plans(tmp_path, [])
    for name, text in UNITS.items():
        (root / "don-vi" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def lines_of(path: Path) -> list[str]:
    return text_lines(render_bytes(prepare(path)))


def test_header_symbol_and_authority_follow_the_kind(ws):
    snv = lines_of(ws / "don-vi" / "so-noi-vu.yaml")
    assert snv[:6] == ["ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH", "ĐẢNG ỦY SỞ NỘI VỤ", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
                       "Số 25-KH/ĐU", "Nghệ An, ngày 24 tháng 12 năm 2021"]
    assert snv[-3:] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Văn An"]
    stp = lines_of(ws / "don-vi" / "so-tu-phap.yaml")
    assert stp[1] == "ĐẢNG ỦY SỞ TƯ PHÁP" and stp[4] == "Số 07-KH/ĐU"
    assert stp[-3:] == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Trần Thị Bình"]
    bdt = lines_of(ws / "don-vi" / "ban-dan-toc.yaml")
    # A draft (no number yet): the profile's mark on its own line above the header.
    assert bdt[0] == "Dự thảo" and bdt[2] == "CHI BỘ BAN DÂN TỘC" and bdt[5] == "Số      -KH/CB"
    assert bdt[-3:] == ["T/M CHI BỘ", "BÍ THƯ", "Lê Văn Cường"]
    assert "- Lưu Chi bộ." in bdt and "- Lưu Văn phòng Đảng ủy." in snv


def test_preamble_cites_the_parent_plan(ws):
    snv = lines_of(ws / "don-vi" / "so-noi-vu.yaml")
    opening = next(line for line in snv if line.startswith("Thực hiện"))
    assert opening.startswith("Thực hiện Kế hoạch số 44-KH/ĐUK, ngày 10/12/2021 của Ban Thường vụ Đảng ủy "
                              "Khối các cơ quan tỉnh về triển khai thực hiện Đề án số 04-ĐA/TU")
    assert opening.endswith("Ban Thường vụ Đảng ủy Sở Nội vụ xây dựng Kế hoạch thực hiện như sau:")
    assert snv[snv.index("KẾ HOẠCH") + 1].startswith("thực hiện Kế hoạch số 44-KH/ĐUK, ngày 10/12/2021")


def test_own_targets_inherited_targets_own_tasks_and_recipients(ws):
    snv = " ".join(lines_of(ws / "don-vi" / "so-noi-vu.yaml"))
    stp = " ".join(lines_of(ws / "don-vi" / "so-tu-phap.yaml"))
    assert "hài lòng của người dân, doanh nghiệp đạt trên 95%" in snv      # own value
    assert "hài lòng của người dân, doanh nghiệp đạt trên 90%" in stp      # the parent's
    assert "Ít nhất 98% thủ tục hành chính thuộc thẩm quyền của Sở Tư pháp" in stp
    assert "7. Chuyển đổi số tại Sở Nội vụ - Triển khai dịch vụ công trực tuyến mức độ 4." in snv
    assert "- Ban Giám đốc Sở (để phối hợp)," in snv
    assert "(Quý II/2023)" in snv and "(Quý III/2023)" in stp               # own and model deadlines


def test_excluded_items_are_left_out_and_numbering_closes_up(ws):
    bdt = lines_of(ws / "don-vi" / "ban-dan-toc.yaml")
    text = " ".join(bdt)
    assert "thủ tục hành chính" not in text.split("III- NHIỆM VỤ")[0].split("II- MỤC TIÊU")[1]
    goals = bdt[bdt.index("II- MỤC TIÊU, CHỈ TIÊU") + 1:bdt.index("III- NHIỆM VỤ VÀ GIẢI PHÁP")]
    assert [g.split(".")[0] for g in goals] == ["1", "2", "3", "4", "5"]
    assert not any("cải cách hành chính" in line for line in bdt)
    assert "- Các đoàn thể cơ quan," in bdt and "- Các chi bộ trực thuộc," not in bdt


def problems_of(path: Path):
    with pytest.raises(ProblemList) as exc:
        prepare(path)
    return exc.value.problems


def test_deadline_after_the_parent_names_both_dates(ws):
    f = ws / "don-vi" / "so-noi-vu.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("hd_so_ket: Q2/2023", "hd_so_ket: Q4/2023"),
                 encoding="utf-8")
    (p,) = problems_of(f)
    assert p.file == f and (p.line, p.field) == (8, "han.hd_so_ket")
    assert "Quý IV/2023" in p.message and "Quý III/2023" in p.message


def test_unit_errors_name_the_unit_file_and_line(ws):
    f = ws / "don-vi" / "so-tu-phap.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "khong_ap_dung: [nv_khong_co]\nchi_tieu: {abc: 5}\n"
                 "nhiem_vu_rieng: [{ten: 'Xem [[khong_co]]'}]\n", encoding="utf-8")
    problems = problems_of(f)
    assert [(p.line, p.field) for p in problems] == [(7, "khong_ap_dung[0]"), (8, "chi_tieu.abc")]
    f.write_text(textwrap.dedent(UNITS["so-tu-phap"]) + "nhiem_vu_rieng: [{ten: 'Xem [[khong_co]]'}]\n",
                 encoding="utf-8")
    (p,) = problems_of(f)
    assert p.file == f and p.line == 7 and p.field.startswith("nhiem_vu_rieng[0]")


def test_khung_errors_point_into_the_khung(ws):
    khung = ws / "khung-don-vi.yaml"
    khung.write_text(khung.read_text(encoding="utf-8").replace("[[chi_tieu.hai_long_tthc]]",
                                                              "[[chi_tieu.hai_long]]"), encoding="utf-8")
    problems = problems_of(ws / "don-vi" / "so-tu-phap.yaml")
    assert problems[0].file == khung and problems[0].field.startswith("muc_tieu[2].noi_dung")
    assert "chi_tieu.hai_long" in problems[0].message


def statuses(report) -> dict[str, str]:
    return {o.job.name: o.status for o in report.outcomes}


def test_build_isolates_a_failing_unit(ws, tmp_path):
    bad = ws / "don-vi" / "hong.yaml"
    bad.write_text("ten: Sở Hỏng\nloai: chi_bo\nngay: 2021-12-30\nnguoi_ky: {ho_ten: ''}\n", encoding="utf-8")
    report = build_workspace(ws, tmp_path / "out", workers=1)
    st = statuses(report)
    assert st["don-vi/hong.docx"] == FAILED
    assert [v for k, v in st.items() if k != "don-vi/hong.docx"] == [NEW] * 4
    (problem,) = report.problems()
    assert problem.file == bad and problem.line == 4


def test_incremental_build_and_hand_edits(ws, tmp_path):
    out = tmp_path / "out"
    first = build_workspace(ws, out, workers=1)
    assert set(statuses(first).values()) == {NEW}
    again = build_workspace(ws, out, workers=1)
    assert set(statuses(again).values()) == {UNCHANGED}

    unit = ws / "don-vi" / "so-tu-phap.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("so: 7", "so: 8"), encoding="utf-8")
    one = statuses(build_workspace(ws, out, workers=1))
    assert one.pop("don-vi/so-tu-phap.docx") == REBUILT and set(one.values()) == {UNCHANGED}

    edited = out / "don-vi" / "so-noi-vu.docx"
    edited.write_bytes(edited.read_bytes() + b"clerk")
    khung = ws / "khung-don-vi.yaml"
    khung.write_text(khung.read_text(encoding="utf-8").replace("Hằng năm sơ kết", "Hằng năm sơ kết lại"),
                     encoding="utf-8")
    st = statuses(build_workspace(ws, out, workers=1))
    assert st["don-vi/so-noi-vu.docx"] == KEPT and edited.read_bytes().endswith(b"clerk")
    assert st["don-vi/so-tu-phap.docx"] == REBUILT and st["ke-hoach-44.docx"] == UNCHANGED

    forced = build_workspace(ws, out, workers=1, force=True)
    (o,) = [o for o in forced.outcomes if o.job.name == "don-vi/so-noi-vu.docx"]
    assert o.status == REPLACED and o.backup.read_bytes().endswith(b"clerk")
    assert not edited.read_bytes().endswith(b"clerk")
    manifest = json.loads((out / ".kehoach-manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["dau_ra"]) == {"ke-hoach-44.docx", "don-vi/so-noi-vu.docx",
                                       "don-vi/so-tu-phap.docx", "don-vi/ban-dan-toc.docx"}


def test_parallel_build_gives_the_same_bytes(ws, tmp_path):
    for i in range(8):
        text = textwrap.dedent(UNITS["so-tu-phap"]).replace("Sở Tư pháp", f"Sở Số {i}")
        (ws / "don-vi" / f"so-{i}.yaml").write_text(text, encoding="utf-8")
    build_workspace(ws, tmp_path / "a", workers=1)
    build_workspace(ws, tmp_path / "b", workers=2)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.docx"))
    assert len(files) == 12
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_new_unit_scaffold(ws):
    from kehoach_docs.errors import UserError
    from kehoach_docs.scaffold import new_unit_file

    path = new_unit_file(ws, "Sở Giao thông vận tải", "dang_bo")
    assert path.name == "so-giao-thong-van-tai.yaml"
    text = path.read_text(encoding="utf-8")
    assert "hai_long_tthc: 90" in text and "hd_so_ket: Q3/2023" in text
    path.write_text(text.replace('ho_ten: ""', 'ho_ten: "Phạm Văn Dũng"'), encoding="utf-8")
    lines = lines_of(path)
    assert lines[0] == "Dự thảo" and lines[2] == "ĐẢNG ỦY SỞ GIAO THÔNG VẬN TẢI"  # a new unit: no number yet
    with pytest.raises(UserError):
        new_unit_file(ws, "Sở Giao thông vận tải", "dang_bo")


def test_sample_workspace_has_at_least_60_valid_units(sample_ws):
    units = sorted((SAMPLE_WS / "don-vi").glob("*.yaml"))
    assert len(units) >= 60
    kinds = {prepare(u, ws=sample_ws).data.nguoi_ky.quyen_han for u in units}
    assert kinds == {"T/M BAN THƯỜNG VỤ", "T/M ĐẢNG ỦY", "T/M CHI BỘ"}


def test_a_moved_workspace_is_not_rebuilt(ws, tmp_path):
    out = tmp_path / "out"
    build_workspace(ws, out, workers=1)
    moved = ws.rename(tmp_path / "moved")
    assert set(statuses(build_workspace(moved, out, workers=1)).values()) == {UNCHANGED}


def test_a_unit_target_lower_than_the_parents_is_refused_at_its_line(ws):
    f = ws / "don-vi" / "so-noi-vu.yaml"
    text = f.read_text(encoding="utf-8")
    # hai_long_tthc: the parent plan asks for more than 90 (">"), this unit sets 95.
    for value, refused in ((85, True), (89.5, True), (90, False)):  # equal is not lower
        f.write_text(text.replace("hai_long_tthc: 95", f"hai_long_tthc: {value}"), encoding="utf-8")
        if not refused:
            prepare(f)
            continue
        (p,) = problems_of(f)
        assert (p.file, p.line, p.field) == (f, line_of(text, "  hai_long_tthc"), "chi_tieu.hai_long_tthc")
        assert f"({value})" in p.message and "(90)" in p.message and "thấp hơn" in p.message
    # A rank ("top"): a larger number is the weaker target.
    ranked = text.replace("hai_long_tthc: 95", "par_index: 20")
    f.write_text(ranked, encoding="utf-8")
    (p,) = problems_of(f)
    assert (p.line, p.field) == (line_of(ranked, "  par_index"), "chi_tieu.par_index") and "(15)" in p.message
    f.write_text(text.replace("hai_long_tthc: 95", "par_index: 10"), encoding="utf-8")
    prepare(f)


def test_a_unit_plan_dated_before_the_parent_plan_is_refused_at_its_line(ws):
    f = ws / "don-vi" / "so-tu-phap.yaml"
    text = f.read_text(encoding="utf-8")
    parent_day = "2021-12-10"  # ke-hoach-44.yaml
    assert f"ngay: {parent_day}" in (ws / "ke-hoach-44.yaml").read_text(encoding="utf-8")
    f.write_text(text.replace("ngay: 2022-01-05", "ngay: 2021-12-09"), encoding="utf-8")
    (p,) = problems_of(f)
    assert (p.file, p.line, p.field) == (f, line_of(text, "ngay:"), "ngay")
    assert "09/12/2021" in p.message and "10/12/2021" in p.message and "trước" in p.message
    f.write_text(text.replace("ngay: 2022-01-05", f"ngay: {parent_day}"), encoding="utf-8")
    prepare(f)  # the same day is not before it
