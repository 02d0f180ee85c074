"""Organisations over time: a merge in the middle of a period (figures recomputed here by hand
from the results files), a rename, a move to another superior, a dissolution; documents after a
body's end in its old name; the profile past its confirmed date; the sample's 2025 story."""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kehoach_docs.workspace.summary import build_lines
from kehoach_docs.cli import main
from kehoach_docs.documents.pipeline import prepare
from kehoach_docs.errors import ProblemList
from kehoach_docs.results.status import unit_status

from kehoach_docs.workspace.workspace import Workspace

from helpers import FEW_UNITS, read_yaml, sample_subset

ROOT = Path(__file__).resolve().parent.parent
WS = ROOT / "data" / "de-an-04"
DISSOLVED_BODIES = ("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH")


def pct(num, den) -> str:
    """A rate as reports write it: one decimal, but 0% and 100% whole (docs/bao-cao.md)."""
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return rate(value)


def rate(value: Decimal) -> str:
    return f"{int(value)}%" if value in (0, 100) else f"{value:.1f}".replace(".", ",") + "%"


def share(num, den) -> str:
    """A share's table cell: "96,7% (59/61)"."""
    return f"{pct(num, den)} ({num}/{den})"


def copy_ws(tmp_path: Path, *units: str) -> Path:
    """A copy of the sample to change, with FEW_UNITS and `units` (its plan, khung, reports and
    bodies; the figures below are recounted from whichever units it holds)."""
    return sample_subset(tmp_path, (*FEW_UNITS, *units))


def set_changes(ws: Path, unit: str, changes: str) -> None:
    """Replace a unit's `thay_doi` with `changes` (YAML list items)."""
    p = ws / "don-vi" / f"{unit}.yaml"
    text = p.read_text(encoding="utf-8").split("# Thay đổi tổ chức")[0].rstrip("\n")
    p.write_text(text + "\nthay_doi:\n" + changes, encoding="utf-8")


def sign_before(ws: Path, year: int, unit: str, day: str) -> None:
    """Date a unit's results report `day` (a unit that ends mid-year signs before its end)."""
    f = ws / "ket-qua" / str(year) / f"{unit}.yaml"
    text, n = re.subn(r"^ngay_bao_cao: .*$", f"ngay_bao_cao: {day}", f.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert n == 1, f
    f.write_text(text, encoding="utf-8")


def raw(ws: Path, year: int) -> dict[str, dict]:
    return {f.stem: read_yaml(f)
            for f in sorted((ws / "ket-qua" / str(year)).glob("*.yaml")) if f.stem != "toan-khoi"}


def body(ctx) -> str:
    return "\n".join(d.van_ban for p in ctx.phan for d in p.doan)


def cell(appendix, row, title: str) -> str:
    """A unit row's cell under the column titled `title` (columns are declared in the report)."""
    return row.o[appendix.cot.index(title)]


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


# ---- a merge in the middle of the sơ kết's period (2022-2023) ----------------------------

@pytest.fixture(scope="module")
def merged_2023(tmp_path_factory):
    """Sở Du lịch merged into Sở Văn hóa và Thể thao from 01/7/2023."""
    ws = copy_ws(tmp_path_factory.mktemp("merge"))
    set_changes(ws, "so-du-lich", "  - tu: 2023-07-01\n    sap_nhap_vao: so-van-hoa-va-the-thao\n")
    set_changes(ws, "so-van-hoa-va-the-thao", "  - tu: 2023-07-01\n    ten: Sở Văn hóa, Thể thao và Du lịch\n")
    sign_before(ws, 2023, "so-du-lich", "2023-06-28")
    return ws, prepare(ws / "bao-cao" / "so-ket-2023.yaml").context


def by_row(results: dict[str, dict]) -> dict[str, list[dict]]:
    """The hand rule: in 2023 Sở Du lịch's results belong to Sở Văn hóa và Thể thao."""
    rows: dict[str, list[dict]] = {}
    for unit, r in results.items():
        rows.setdefault("so-van-hoa-va-the-thao" if unit == "so-du-lich" else unit, []).append(r)
    return rows


def test_merge_mid_period_yearly_figures_count_the_units_of_each_year(merged_2023):
    ws, ctx = merged_2023
    r2022, r2023 = raw(ws, 2022), raw(ws, 2023)
    assert "so-du-lich" in r2022 and "so-du-lich" in r2023
    # 2022: every unit on its own.
    met22 = [bool(r["chi_tieu"]["quan_triet_hang_nam"]) for r in r2022.values()
             if "quan_triet_hang_nam" in r.get("chi_tieu", {})]
    # 2023: Du lịch and Văn hóa are one unit, which met it when either did.
    rows23 = by_row(r2023)
    met23 = [any(bool(r["chi_tieu"]["quan_triet_hang_nam"]) for r in rs
                 if "quan_triet_hang_nam" in r.get("chi_tieu", {}))
             for rs in rows23.values() if any("quan_triet_hang_nam" in r.get("chi_tieu", {}) for r in rs)]
    assert len(rows23) == len(r2023) - 1  # one unit fewer in 2023
    row = next(r for r in ctx.phu_luc_chi_tieu.hang if r.ten.startswith("Cấp ủy cơ sở chỉ đạo quán triệt"))
    assert row.nam == [share(sum(met22), len(met22)), share(sum(met23), len(met23))]
    # The period adds up the years as they were (lượt): nothing counted twice or lost.
    num, den = sum(met22) + sum(met23), len(met22) + len(met23)
    assert f"{num}/{den} lượt cấp ủy cơ sở có báo cáo ({pct(num, den)})" in body(ctx)


def test_merge_mid_period_period_target_follows_the_successor(merged_2023):
    ws, ctx = merged_2023
    units = sorted(p.stem for p in (ws / "don-vi").glob("*.yaml"))
    met: dict[str, bool] = {}
    for year in (2022, 2023):
        for unit, r in raw(ws, year).items():
            row = "so-van-hoa-va-the-thao" if unit == "so-du-lich" else unit  # as the units stand at the end
            if "cap_uy_co_ke_hoach" in r.get("chi_tieu", {}):
                met[row] = met.get(row, False) or bool(r["chi_tieu"]["cap_uy_co_ke_hoach"])
    assert len(met) <= len(units) - 1
    # The target's base is every unit (co_so: tat_ca): the units as they stand at the end.
    assert len(met) == len(units) - 1
    expected = f"{sum(met.values())}/{len(met)} cấp ủy cơ sở ({pct(sum(met.values()), len(met))})"
    assert expected in body(ctx)
    # The mean of 2023 takes the successor's value as the mean of its parts.
    rows23 = by_row(raw(ws, 2023))
    values = [sum(Decimal(str(r["chi_tieu"]["hai_long_tthc"])) for r in rs) / len(rs)
              for rs in (
                  [r for r in rs if "hai_long_tthc" in r.get("chi_tieu", {})] for rs in rows23.values())
              if rs]
    mean = (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    row = next(r for r in ctx.phu_luc_chi_tieu.hang if r.ten.startswith("Mức độ hài lòng"))
    assert row.nam[1] == rate(mean)


def test_merge_mid_period_appendix_shows_the_successor_with_its_predecessor(merged_2023):
    ws, ctx = merged_2023
    rows = {r.don_vi: r for r in ctx.phu_luc_don_vi.hang}
    assert len(rows) == len(list((ws / "don-vi").glob("*.yaml"))) - 1
    assert "Sở Du lịch" not in rows and "Sở Văn hóa, Thể thao và Du lịch" in rows
    assert ctx.phu_luc_don_vi.ghi_chu == [
        "Sở Văn hóa, Thể thao và Du lịch: gồm cả kết quả của Sở Du lịch (sáp nhập từ 01/07/2023)."]
    models = sum(len(r.get("mo_hinh") or []) for y in (2022, 2023)
                 for u, r in raw(ws, y).items() if u in ("so-du-lich", "so-van-hoa-va-the-thao"))
    appx = ctx.phu_luc_don_vi
    assert cell(appx, rows["Sở Văn hóa, Thể thao và Du lịch"], "Mô hình, điểm sáng") == f"{models:02d}"
    # Every model of every unit is still counted once.
    total = sum(len(r.get("mo_hinh") or []) for y in (2022, 2023) for r in raw(ws, y).values())
    shown = [cell(appx, r, "Mô hình, điểm sáng") for r in appx.hang]
    assert sum(int(c) for c in shown if c != "—") == total


# ---- rename, move to another superior: each document as on its own date ------------------

def test_rename_applies_from_its_date_only(sample_ws, sample_prepared):
    plan = prepare(WS / "don-vi" / "so-nong-nghiep-va-phat-trien-nong-thon.yaml", ws=sample_ws).context
    assert plan.co_quan_ban_hanh == "ĐẢNG ỦY SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN"
    assert plan.co_quan_cap_tren == "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH"
    report = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml", "so-nong-nghiep-va-phat-trien-nong-thon").context
    assert report.co_quan_ban_hanh == "ĐẢNG ỦY SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    assert report.co_quan_cap_tren == "ĐẢNG BỘ ỦY BAN NHÂN DÂN TỈNH"
    assert report.noi_nhan[0] == "- Ban Thường vụ Đảng ủy Ủy ban nhân dân tỉnh (để b/c),"


def test_move_to_another_superior(sample_prepared):
    before = sample_prepared(WS / "bao-cao" / "so-ket-2023.yaml", "bao-nghe-an").context
    after = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml", "bao-nghe-an").context
    assert before.co_quan_cap_tren == "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH"
    assert after.co_quan_cap_tren == "ĐẢNG BỘ CÁC CƠ QUAN ĐẢNG TỈNH"
    # Moved on 13/02/2025, merged with the Đài and renamed on 01/7/2025 (data/de-an-04/README.md).
    assert before.co_quan_ban_hanh == "ĐẢNG ỦY BÁO NGHỆ AN"
    assert after.co_quan_ban_hanh == "ĐẢNG ỦY BÁO VÀ ĐÀI PHÁT THANH - TRUYỀN HÌNH NGHỆ AN"
    assert after.noi_nhan[0] == "- Ban Thường vụ Đảng ủy các cơ quan Đảng tỉnh (để b/c),"


def test_a_renamed_unit_cites_its_plan_under_the_name_it_was_issued_in(sample_prepared):
    """The 2022 plan was issued by "Đảng ủy Báo Nghệ An": the 2025 report, issued under the new
    name, cites the plan (and says who issued it) under the old one, as real reports do."""
    ctx = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml", "bao-nghe-an").context
    text = "\n".join(ctx.mo_dau) + "\n" + body(ctx)
    assert "Kế hoạch số 27-KH/ĐU, ngày 04/01/2022 của Đảng ủy Báo Nghệ An, Đảng ủy Báo và Đài Phát " \
           "thanh - Truyền hình Nghệ An báo cáo" in text
    assert "Đảng ủy Báo Nghệ An đã ban hành Kế hoạch số 27-KH/ĐU, ngày 04/01/2022" in text
    assert "Đảng ủy Báo và Đài Phát thanh - Truyền hình Nghệ An đã ban hành" not in text
    same = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml", "so-noi-vu").context  # never renamed
    assert "ngày 24/12/2021 của Ban Thường vụ Đảng ủy Sở Nội vụ, Ban Thường vụ Đảng ủy Sở Nội vụ báo cáo" \
        in "\n".join(same.mo_dau)


# ---- dissolution ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dissolved(tmp_path_factory):
    """Hội Luật gia tỉnh dissolved from 01/6/2024 (its 2025 results removed)."""
    ws = copy_ws(tmp_path_factory.mktemp("dissolve"), "hoi-luat-gia-tinh", "so-cong-thuong")  # no 2024 file
    set_changes(ws, "hoi-luat-gia-tinh", "  - tu: 2024-06-01\n    giai_the: true\n")
    for year in (2024, 2025):
        (ws / "ket-qua" / str(year) / "hoi-luat-gia-tinh.yaml").unlink(missing_ok=True)
    return ws


@pytest.fixture(scope="module")
def dissolved_ws(dissolved):
    """One load of the dissolved copy, shared by the tests that only read it."""
    return Workspace(dissolved)


def test_a_dissolved_unit_owes_no_report_after_its_end(dissolved_ws):
    status = {s.ma: s for s in unit_status(dissolved_ws, date(2025, 3, 1))}
    s = status["hoi-luat-gia-tinh"]
    assert 2024 not in s.missing_years and not s.overdue
    assert s.ended == "đã giải thể từ 01/06/2024" and s.row(1)[-1].endswith("(đã giải thể từ 01/06/2024)")
    # Another unit without a 2024 file still owes it.
    assert any(2024 in x.missing_years for m, x in status.items() if m != "hoi-luat-gia-tinh")


def test_a_dissolved_unit_counts_in_the_years_it_existed(dissolved, dissolved_ws):
    ctx = prepare(dissolved / "bao-cao" / "tong-ket-2025.yaml", ws=dissolved_ws).context
    rows = {r.don_vi: r for r in ctx.phu_luc_don_vi.hang}
    # Owed 2022 and 2023 only, and sent them.
    assert cell(ctx.phu_luc_don_vi, rows["Hội Luật gia tỉnh"], "Báo cáo") == "Đủ"
    missing = next(d.van_ban for p in ctx.phan for d in p.doan if "chưa báo cáo (" in d.van_ban)
    assert "Hội Luật gia tỉnh" not in missing
    with pytest.raises(ProblemList) as exc:
        prepare(dissolved / "bao-cao" / "tong-ket-2025.yaml", unit="hoi-luat-gia-tinh", ws=dissolved_ws)
    assert "không hoạt động vào ngày 28/11/2025" in exc.value.problems[0].message


def test_results_for_a_year_after_the_end_are_an_error(dissolved, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(dissolved, ws)
    src = ws / "ket-qua" / "2023" / "hoi-luat-gia-tinh.yaml"
    target = ws / "ket-qua" / "2025" / "hoi-luat-gia-tinh.yaml"
    target.write_text(src.read_text(encoding="utf-8").replace("nam: 2023", "nam: 2025"), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "tong-ket-2025.yaml")
    (p,) = exc.value.problems
    line = next(i for i, t in enumerate(target.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("nam:"))
    assert (p.file, p.line, p.field) == (target, line, "nam")
    assert "đã giải thể từ ngày 01/06/2024" in p.message


def test_a_report_signed_after_the_unit_ended_is_an_error_at_its_line(tmp_path):
    """The Đài merged on 01/7/2025: its 2025 results (to 30/6) stand, but not a report it
    could not have signed after that day."""
    ws = copy_ws(tmp_path, "dai-phat-thanh-va-truyen-hinh-nghe-an", "bao-nghe-an")  # the Đài, and the Báo it merged into
    f = ws / "ket-qua" / "2025" / "dai-phat-thanh-va-truyen-hinh-nghe-an.yaml"
    text = f.read_text(encoding="utf-8")
    assert "ngay_bao_cao: 2025-06-25" in text
    f.write_text(text.replace("ngay_bao_cao: 2025-06-25", "ngay_bao_cao: 2025-07-01"), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "tong-ket-2025.yaml")
    (p,) = exc.value.problems
    line = next(i for i, t in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("ngay_bao_cao:"))
    assert (p.file, p.line, p.field) == (f, line, "ngay_bao_cao")
    assert "01/07/2025" in p.message and "30/06/2025" in p.message


# ---- validation of bodies by date -------------------------------------------------------

def test_a_report_after_the_body_ended_in_its_old_name_is_an_error_at_its_line(tmp_path):
    ws = copy_ws(tmp_path)
    f = ws / "bao-cao" / "tong-ket-2025.yaml"
    text = f.read_text(encoding="utf-8").replace(
        "ngay: 2025-11-28\n",
        "ngay: 2025-11-28\nco_quan:\n  cap_tren: Đảng bộ tỉnh Nghệ An\n  ten: Đảng ủy Khối các cơ quan tỉnh\n"
        "  ky_hieu: ĐUK\n", 1)
    text = text.replace("  - ten: Ban Tuyên giáo và Dân vận Tỉnh ủy\n", "  - ten: Ban Dân vận Tỉnh ủy\n")
    text = text.replace("  ho_ten: Nguyễn Văn A\n", "  ho_ten: Nguyễn Thị Kim Chi\n")
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(f)
    lines = f.read_text(encoding="utf-8").splitlines()
    found = {p.field: p for p in exc.value.problems}
    assert lines[found["co_quan.ten"].line - 1] == "  ten: Đảng ủy Khối các cơ quan tỉnh"
    assert "kết thúc hoạt động ngày 12/02/2025; từ ngày 13/02/2025 là 'Đảng ủy Ủy ban nhân dân tỉnh'" \
        in found["co_quan.ten"].message
    (recipient,) = [p for p in exc.value.problems if p.field.startswith("noi_nhan")]
    assert "Ban Dân vận Tỉnh ủy" in lines[recipient.line - 1] and "Ban Tuyên giáo và Dân vận" in recipient.message
    assert "không còn ký vào ngày 28/11/2025" in found["nguoi_ky.ho_ten"].message


def test_the_office_report_follows_the_successor_body_on_its_date(sample_prepared):
    tong_ket = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml").context
    so_ket = sample_prepared(WS / "bao-cao" / "so-ket-2023.yaml").context
    assert (so_ket.co_quan_ban_hanh, so_ket.so_ky_hieu) == ("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "Số 215-BC/ĐUK")
    assert (tong_ket.co_quan_cap_tren, tong_ket.co_quan_ban_hanh) == ("ĐẢNG BỘ TỈNH NGHỆ AN",
                                                                      "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH")
    assert "- Ban Tuyên giáo và Dân vận Tỉnh ủy (để b/c)," in tong_ket.noi_nhan


# ---- the sample's story -------------------------------------------------------------------

def test_sample_so_ket_2023_is_unchanged_in_its_names(sample_prepared):
    ctx = sample_prepared(WS / "bao-cao" / "so-ket-2023.yaml").context
    names = [r.don_vi for r in ctx.phu_luc_don_vi.hang]
    assert "Sở Giao thông vận tải" in names and "Sở Nông nghiệp và Phát triển nông thôn" in names
    assert len(names) == len(list((WS / "don-vi").glob("*.yaml"))) and not ctx.phu_luc_don_vi.ghi_chu


def test_sample_tong_ket_2025_shows_the_successors_with_their_predecessors(sample_prepared):
    ctx = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml").context
    rows = {r.don_vi: r for r in ctx.phu_luc_don_vi.hang}
    for gone in ("Sở Giao thông vận tải", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Du lịch",
                 "Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư"):
        assert gone not in rows
    assert ("Sở Nông nghiệp và Môi trường: gồm cả kết quả của Sở Tài nguyên và Môi trường "
            "(sáp nhập từ 01/03/2025).") in ctx.phu_luc_don_vi.ghi_chu
    # The successor's procedures over 2022-2025 include its predecessor's.
    dat = tong = 0
    for y in range(2022, 2026):
        for u in ("so-nong-nghiep-va-phat-trien-nong-thon", "so-tai-nguyen-va-moi-truong"):
            r = results_of(WS, y, u) or {}
            c = r.get("chi_tieu", {}).get("tthc_nhanh_dung_hieu_qua")
            if c:
                dat, tong = dat + c["dat"], tong + c["tong"]
    assert cell(ctx.phu_luc_don_vi, rows["Sở Nông nghiệp và Môi trường"], "Hồ sơ TTHC đúng hạn") == \
        f"{pct(dat, tong)} ({dat:,}/{tong:,})".replace(f"({dat:,}/{tong:,})", f"({dat:,}/{tong:,})".replace(",", "."))


def test_sample_documents_dated_after_the_reorganisation_name_no_dissolved_body(sample_ws, sample_prepared):
    from kehoach_docs.documents.kinds import reporting_units

    report = WS / "bao-cao" / "tong-ket-2025.yaml"
    units = reporting_units(sample_ws, report)
    assert "so-giao-thong-van-tai" not in units and "so-xay-dung" in units
    for ctx in [sample_prepared(report).context] + [sample_prepared(report, u).context for u in units]:
        header = (ctx.co_quan_cap_tren, ctx.co_quan_ban_hanh)
        assert not any(h in DISSOLVED_BODIES for h in header), header
        assert not any("Ban Dân vận Tỉnh ủy" in n or "Đảng ủy Khối" in n for n in ctx.noi_nhan), ctx.noi_nhan
        # Nor is a proposal addressed to it (its history may still be told).
        assert "Đề nghị Ban Thường vụ Đảng ủy Khối" not in body(ctx)


# ---- rules by date: the profile past its confirmed date -----------------------------------

@pytest.fixture(scope="module")
def party_2026(tmp_path_factory):
    ws = copy_ws(tmp_path_factory.mktemp("y2026"))
    f = ws / "ke-hoach-44.yaml"
    text = f.read_text(encoding="utf-8").replace("ngay: 2021-12-10 ", "ngay: 2026-01-15 ", 1)
    text = text.replace("  ten: Đảng ủy Khối các cơ quan tỉnh\n  ky_hieu: ĐUK\n",
                        "  ten: Đảng ủy Ủy ban nhân dân tỉnh\n  ky_hieu: ĐU\n", 1)
    text = re.sub(r"noi_nhan:\n(  - .*\n(    .*\n)*)+", "noi_nhan:\n  - Các tổ chức cơ sở đảng\n", text, count=1)
    text = text.replace("  ho_ten: Nguyễn Thị Kim Chi\n", "  ho_ten: Nguyễn Văn A\n")
    f.write_text(text, encoding="utf-8")
    return f


LATE = "cảnh báo: Văn bản đề ngày sau 08/01/2026 dùng bộ thể thức 'dang-hd36-2018'"


def test_a_2026_party_document_gets_the_warning(sample_ws, party_2026, tmp_path):
    prepared = prepare(party_2026)
    w, sample = prepared.warnings  # the profile, and the sample signer of to-chuc.yaml
    assert "'Nguyễn Văn A'" in sample.message and "giá trị mẫu" in sample.message
    assert w.level == "cảnh báo" and prepared.profile.ma == "dang-hd36-2018"
    assert "dang-hd36-2018" in w.message and "08/01/2026" in w.message and "399-QĐ/TW" in w.message
    code, out = cli("render", party_2026, "-o", tmp_path / "kh.docx")
    assert code == 0 and LATE in out
    code, out = cli("check", tmp_path / "kh.docx")
    assert code == 0 and LATE in out
    # A 2021 document is within the confirmed rules: no warning.
    assert prepare(WS / "ke-hoach-44.yaml", ws=sample_ws).warnings == ()


def test_build_warns_once_with_the_number_of_documents_on_every_build(sample_sized, tmp_path):
    from kehoach_docs.workspace.build import build_workspace

    ws = sample_sized
    late = ["so-tu-phap", "so-noi-vu", "hoi-nha-bao-tinh", "so-y-te"]
    for unit in late:  # four unit plans dated 2026
        p = ws / "don-vi" / f"{unit}.yaml"
        p.write_text(re.sub(r"\nngay: \d{4}-\d\d-\d\d\n", "\nngay: 2026-02-02\n", p.read_text(encoding="utf-8")),
                     encoding="utf-8")
    # The khung names the Đảng ủy Khối, gone in 2026: by the date of each plan instead.
    khung = ws / "khung-don-vi.yaml"
    khung.write_text(khung.read_text(encoding="utf-8").replace(
        "  - ten: Ban Thường vụ Đảng ủy Khối\n", "  - ten: Ban Thường vụ [[cap_uy_cap_tren]]\n").replace(
        "  - Ban Tuyên giáo Đảng ủy Khối\n", ""), encoding="utf-8")
    out = tmp_path / "out"
    expected = f"cảnh báo (4 văn bản): {LATE.removeprefix('cảnh báo: ')}"
    for build in ("first", "no-op"):
        report = build_workspace(ws, out, workers=1)
        assert not report.failed, report.problems()
        lines = build_lines(report)
        if build == "no-op":
            assert report.count("không đổi") == len(report.outcomes)  # nothing re-rendered
        warned = [t for t in lines if "08/01/2026" in t]
        assert len(warned) == 1 and warned[0].startswith(expected), (build, warned)
        (docs,) = [d for p, d in report.warnings() if "08/01/2026" in p.message]
        assert sorted(docs) == sorted(f"don-vi/{u}.docx" for u in late)
        assert [w["van_ban"] for w in report.as_dict()["canh_bao"] if "08/01/2026" in w["thong_bao"]] == [docs]
        # The sample signer of to-chuc.yaml, in the one document that prints it.
        (sample,) = [t for t in lines if "giá trị mẫu" in t]
        assert sample.startswith("cảnh báo (1 văn bản: bao-cao/tong-ket-2025.docx): 'Nguyễn Văn A'")
        assert [t for t in build_lines(report, verbose=True) if "08/01/2026" in t][0].startswith(
            "cảnh báo (4 văn bản: " + ", ".join(docs) + "): ")
    # The clerk reads it from the command line as well, once.
    code, text = cli("build", ws, "--out", out, "-j", "1")
    assert code == 0 and text.count("08/01/2026") == 1 and expected in text
    # A 2026 unit plan gets the superior of its date in its recipients.
    plan = prepare(ws / "don-vi" / "so-tu-phap.yaml").context
    assert plan.noi_nhan[0] == "- Ban Thường vụ Đảng ủy Ủy ban nhân dân tỉnh (để b/c),"


def test_a_profile_source_must_name_a_real_value(tmp_path):
    from kehoach_docs.profile import load_profile_file

    src = (ROOT / "kehoach_docs" / "profiles" / "dang-hd36-2018.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "p.yaml"
    bad.write_text(src.replace("  than_van_ban.co:", "  than_van_ban.cochu:"), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        load_profile_file(bad)
    assert "'than_van_ban.cochu' không phải một giá trị" in str(exc.value)
    profile = load_profile_file(ROOT / "kehoach_docs" / "profiles" / "dang-hd36-2018.yaml")
    assert profile.source("than_van_ban.gian_dong").do_tin_cay == "thap"


# ---- a split in the middle of the sơ kết's period (2022-2023) ----------------------------

SPLIT = ("so-tu-phap", "so-tu-phap-a", "so-tu-phap-b")


@pytest.fixture(scope="module")
def split_2023(tmp_path_factory):
    """Sở Tư pháp split into two units from 01/7/2023: its results up to then are its own,
    the new units report for 2023 (the second half) with results of their own."""
    ws = copy_ws(tmp_path_factory.mktemp("split"))
    old, a, b = SPLIT
    set_changes(ws, old, f"  - tu: 2023-07-01\n    chia_thanh: [{a}, {b}]\n")
    record = (ws / "don-vi" / f"{old}.yaml").read_text(encoding="utf-8").split("\nthay_doi:")[0]
    results = (ws / "ket-qua" / "2023" / f"{old}.yaml").read_text(encoding="utf-8")
    for n, (ma, ten) in enumerate(((a, "Sở Tư pháp A"), (b, "Sở Tư pháp B")), 1):
        text = record.replace("ten: Sở Tư pháp\n", f"ten: {ten}\n").replace("so: 21\n", f"so: {40 + n}\n")
        text = re.sub(r"ngay: \d{4}-\d\d-\d\d\n", "ngay: 2023-08-01\n", text, count=1)
        (ws / "don-vi" / f"{ma}.yaml").write_text(text + "\nthanh_lap: 2023-07-01\n", encoding="utf-8")
        mine = results.replace("{dat: 8487, tong: 8487}", f"{{dat: {1000 * n}, tong: {1000 * n + 7 * n}}}")
        mine = mine.replace("quan_triet_hang_nam: true", f"quan_triet_hang_nam: {'true' if n == 1 else 'false'}")
        mine = mine.replace("Số hóa hồ sơ, trả kết quả trực tuyến", f"Một cửa thân thiện {n}")
        (ws / "ket-qua" / "2023" / f"{ma}.yaml").write_text(mine, encoding="utf-8")
    for year in (2024, 2025):  # the old unit no longer reports
        (ws / "ket-qua" / str(year) / f"{old}.yaml").unlink(missing_ok=True)
    sign_before(ws, 2023, old, "2023-06-28")
    return ws, prepare(ws / "bao-cao" / "so-ket-2023.yaml").context


def dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def split_rows(results: dict[str, dict]) -> dict[str, list[dict]]:
    """The hand rule of a split: every results file is its own unit's (nothing moves)."""
    return {unit: [r] for unit, r in results.items()}


def test_split_mid_period_yearly_figures_count_each_unit_of_the_year(split_2023):
    ws, ctx = split_2023
    r2022, r2023 = raw(ws, 2022), raw(ws, 2023)
    assert all(u in r2023 for u in SPLIT) and not any(u in r2022 for u in SPLIT[1:])
    met = {}
    for y, results in ((2022, r2022), (2023, r2023)):
        met[y] = [bool(rs[0]["chi_tieu"]["quan_triet_hang_nam"]) for rs in split_rows(results).values()
                  if "quan_triet_hang_nam" in rs[0].get("chi_tieu", {})]
    row = next(r for r in ctx.phu_luc_chi_tieu.hang if r.ten.startswith("Cấp ủy cơ sở chỉ đạo quán triệt"))
    assert row.nam == [share(sum(met[2022]), len(met[2022])), share(sum(met[2023]), len(met[2023]))]
    num, den = sum(met[2022]) + sum(met[2023]), len(met[2022]) + len(met[2023])
    assert f"{num}/{den} lượt cấp ủy cơ sở có báo cáo ({pct(num, den)})" in body(ctx)
    # Procedures: every file's counts once, in its own year.
    for y, results in ((2022, r2022), (2023, r2023)):
        counts = [r["chi_tieu"]["tthc_nhanh_dung_hieu_qua"] for r in results.values()
                  if "tthc_nhanh_dung_hieu_qua" in r.get("chi_tieu", {})]
        dat, tong = sum(c["dat"] for c in counts), sum(c["tong"] for c in counts)
        row = next(r for r in ctx.phu_luc_chi_tieu.hang if r.ten.startswith("Hồ sơ TTHC được giải quyết"))
        assert row.nam[y - 2022] == f"{pct(dat, tong)} ({dots(dat)}/{dots(tong)})", (y, row.nam)


def test_split_mid_period_period_target_counts_the_old_and_the_new_units(split_2023):
    ws, ctx = split_2023
    met: dict[str, bool] = {}
    for year in (2022, 2023):
        for unit, r in raw(ws, year).items():
            if "cap_uy_co_ke_hoach" in r.get("chi_tieu", {}):
                met[unit] = met.get(unit, False) or bool(r["chi_tieu"]["cap_uy_co_ke_hoach"])
    assert all(u in met for u in SPLIT)
    assert f"{sum(met.values())}/{len(met)} cấp ủy cơ sở ({pct(sum(met.values()), len(met))})" in body(ctx)


def test_split_mid_period_appendix_keeps_the_old_unit_and_adds_the_new(split_2023):
    ws, ctx = split_2023
    appx = ctx.phu_luc_don_vi
    rows = {r.don_vi: r for r in appx.hang}
    assert len(rows) == len(list((ws / "don-vi").glob("*.yaml")))
    assert {"Sở Tư pháp", "Sở Tư pháp A", "Sở Tư pháp B"} <= set(rows)
    assert not any("Sở Tư pháp" in n for n in appx.ghi_chu)  # a split carries nobody's results
    results = {y: raw(ws, y) for y in (2022, 2023)}
    for unit, name in zip(SPLIT, ("Sở Tư pháp", "Sở Tư pháp A", "Sở Tư pháp B")):
        models = sum(len(results[y].get(unit, {}).get("mo_hinh") or []) for y in (2022, 2023))
        assert cell(appx, rows[name], "Mô hình, điểm sáng") == f"{models:02d}"
    # The old unit owed 2022 only (it ended before 31/12/2023); the new ones 2023 only.
    assert [cell(appx, rows[n], "Báo cáo") for n in ("Sở Tư pháp", "Sở Tư pháp A", "Sở Tư pháp B")] == ["Đủ"] * 3
    total = sum(len(r.get("mo_hinh") or []) for y in (2022, 2023) for r in results[y].values())
    assert sum(int(c) for r in appx.hang if (c := cell(appx, r, "Mô hình, điểm sáng")) != "—") == total


def test_split_status_and_own_reports(split_2023, tmp_path):
    ws, _ = split_2023
    loaded = Workspace(ws)  # the three answers from one load
    status = {s.ma: s for s in unit_status(loaded, date(2024, 3, 1))}
    old, a, _ = SPLIT
    assert status[old].ended == "đã chia thành Sở Tư pháp A, Sở Tư pháp B từ 01/07/2023"
    assert 2023 not in status[old].missing_years and 2022 not in status[a].missing_years
    report = ws / "bao-cao" / "so-ket-2023.yaml"
    assert prepare(report, unit=a, ws=loaded).context.co_quan_ban_hanh == "ĐẢNG ỦY SỞ TƯ PHÁP A"
    with pytest.raises(ProblemList) as exc:
        prepare(report, unit=old, ws=loaded)
    assert "không hoạt động vào ngày 15/12/2023" in exc.value.problems[0].message
    # A new unit has no results before its founding year.
    bad = tmp_path / "ws"
    shutil.copytree(ws, bad)
    (bad / "ket-qua" / "2022" / f"{a}.yaml").write_text(
        (ws / "ket-qua" / "2023" / f"{a}.yaml").read_text(encoding="utf-8").replace("nam: 2023", "nam: 2022"),
        encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(bad / "bao-cao" / "so-ket-2023.yaml")
    assert "thành lập ngày 01/07/2023" in exc.value.problems[0].message


# ---- unit plans: recipients on the plan's date --------------------------------------------

def test_a_unit_plan_after_the_body_ended_naming_it_is_an_error_at_its_line(tmp_path):
    ws = copy_ws(tmp_path)
    unit = ws / "don-vi" / "so-tu-phap.yaml"
    text = re.sub(r"\nngay: \d{4}-\d\d-\d\d\n", "\nngay: 2025-03-10\n", unit.read_text(encoding="utf-8"))
    unit.write_text(text.replace("  - Công đoàn cơ sở Sở Tư pháp\n",
                                 "  - Công đoàn cơ sở Sở Tư pháp\n  - Ban Dân vận Tỉnh ủy\n"), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(unit)
    khung = ws / "khung-don-vi.yaml"
    by_file = {}
    for p in exc.value.problems:
        by_file.setdefault(Path(p.file).name, []).append(p)
    khung_lines = khung.read_text(encoding="utf-8").splitlines()
    # The khung's two recipients of the Đảng ủy Khối, each at its own line, naming the unit's plan.
    named = sorted(khung_lines[p.line - 1].strip() for p in by_file["khung-don-vi.yaml"])
    assert named == ["- Ban Tuyên giáo Đảng ủy Khối", "- ten: Ban Thường vụ Đảng ủy Khối"]
    p = by_file["khung-don-vi.yaml"][0]
    assert "kế hoạch Sở Tư pháp (so-tu-phap.yaml)" in p.message and "kết thúc hoạt động ngày 12/02/2025" in p.message
    assert "[[cap_uy_cap_tren]]" in p.message
    (own,) = by_file["so-tu-phap.yaml"]
    assert unit.read_text(encoding="utf-8").splitlines()[own.line - 1] == "  - Ban Dân vận Tỉnh ủy"
    assert own.field == "noi_nhan_them.2" and "'Ban Tuyên giáo và Dân vận Tỉnh ủy'" in own.message
    # The same plan dated before the reorganisation is valid.
    unit.write_text(text.replace("\nngay: 2025-03-10\n", "\nngay: 2022-01-10\n"), encoding="utf-8")
    assert prepare(unit).context.noi_nhan[0] == "- Ban Thường vụ Đảng ủy Khối (để b/c),"


# ---- a successor's own report carries its predecessors' lists -----------------------------

def test_successor_own_report_lists_its_predecessors_items_named(tmp_path):
    successor = "so-nong-nghiep-va-phat-trien-nong-thon"
    ws = copy_ws(tmp_path, successor, "so-tai-nguyen-va-moi-truong")
    pred = ws / "ket-qua" / "2023" / "so-tai-nguyen-va-moi-truong.yaml"
    pred.write_text(pred.read_text(encoding="utf-8").replace("khen_thuong:\n", (
        "mo_hinh:\n  - ten: Điểm sáng “Một cửa đất đai”\n    chi_tieu: diem_sang_dan_van_chinh_quyen\n"
        "    linh_vuc: Cải cách hành chính\nkhen_thuong:\n"
        "  - {ten: Văn phòng Đăng ký đất đai, loai: tap_the, thanh_tich: Có thành tích tiêu biểu, "
        "hinh_thuc: Giấy khen, de_nghi: true}\n"), 1), encoding="utf-8")
    loaded = Workspace(ws)  # after the edit: the three reports from one load
    ctx = prepare(ws / "bao-cao" / "tong-ket-2025.yaml", unit=successor, ws=loaded).context
    text = body(ctx)
    note = "của Sở Tài nguyên và Môi trường, sáp nhập từ 01/03/2025"
    assert f"- Điểm sáng “Một cửa đất đai” (lĩnh vực cải cách hành chính; {note})." in text
    # Every model of the successor and its predecessor over the period, once.
    mine = [m["ten"] for y in range(2021, 2026) for u, r in raw(ws, y).items()
            if u in (successor, "so-tai-nguyen-va-moi-truong") for m in r.get("mo_hinh") or []]
    listed = [d.van_ban for p in ctx.phan for d in p.doan if any(d.van_ban.startswith(f"- {m}") for m in mine)]
    assert len(listed) == len(mine)
    rows = [r.ten for r in ctx.phu_luc_danh_sach.hang]
    assert "Văn phòng Đăng ký đất đai, Sở Tài nguyên và Môi trường" in rows
    # The predecessor's items are not in another unit's report, and its own report no longer exists.
    other = prepare(ws / "bao-cao" / "tong-ket-2025.yaml", unit="so-xay-dung", ws=loaded).context
    assert "Một cửa đất đai" not in body(other)
    # The office's list names each once.
    office = prepare(ws / "bao-cao" / "tong-ket-2025.yaml", ws=loaded).context
    assert [r.ten for r in office.phu_luc_danh_sach.hang].count("Văn phòng Đăng ký đất đai, Sở Tài nguyên và Môi trường") == 1


# ---- sample values: marked in to-chuc.yaml, shown to the clerk, never taken as facts -------

def test_sample_values_are_marked_and_validate_warns_at_their_line(sample_prepared, tmp_path):
    bodies_file = WS / "to-chuc.yaml"
    lines = bodies_file.read_text(encoding="utf-8").splitlines()
    code, out = cli("validate", bodies_file)
    assert code == 0 and out.rstrip().endswith("Hợp lệ: 1 tệp.")
    warned = [t for t in out.splitlines() if " cảnh báo: " in t]
    places = {re.search(r"\[(\S*?)\] cảnh báo", t)[1]: int(t.split(":")[1]) for t in warned}
    # The signer of the new Đảng ủy and the symbol of the Đảng ủy các cơ quan Đảng tỉnh; the
    # symbol of the Đảng ủy UBND tỉnh has a source ("15-CTr/ĐU") and is not a sample value.
    assert set(places) == {"co_quan.dang_uy_ubnd_tinh.nguoi_ky[0].ho_ten",
                           "co_quan.dang_uy_cac_co_quan_dang_tinh.ky_hieu"}
    assert "Nguyễn Văn A" in lines[places["co_quan.dang_uy_ubnd_tinh.nguoi_ky[0].ho_ten"] - 1]
    assert lines[places["co_quan.dang_uy_cac_co_quan_dang_tinh.ky_hieu"] - 1].strip().startswith("ky_hieu: ĐU")
    assert "0 lỗi, 2 cảnh báo." in out
    # The tổng kết prints the sample signer: render says so (and the README says so too).
    report = sample_prepared(WS / "bao-cao" / "tong-ket-2025.yaml")
    assert [w.field for w in report.warnings] == ["co_quan.dang_uy_ubnd_tinh.nguoi_ky[0].ho_ten"]
    assert report.context.so_ky_hieu == "Số 398-BC/ĐU"
    readme = (WS / "README.md").read_text(encoding="utf-8")
    assert "Nguyễn Văn A" in readme and "chua_xac_nhan" in readme and "15-CTr/ĐU" in readme
    # Documents before the reorganisation print none of them.
    assert sample_prepared(WS / "bao-cao" / "so-ket-2023.yaml").warnings == ()
    # A source for a value that is not there is an error at its line.
    bad = tmp_path / "to-chuc.yaml"
    bad.write_text(bodies_file.read_text(encoding="utf-8").replace("      nguoi_ky.0.ho_ten:\n",
                                                                   "      nguoi_ky.3.ho_ten:\n"), encoding="utf-8")
    code, out = cli("validate", bad)
    assert code == 1 and "'nguoi_ky.3.ho_ten' không phải một giá trị có ghi của cơ quan này" in out


def test_a_successor_missing_from_don_vi_is_an_error_at_its_line_not_a_crash(sample_sized, tmp_path):
    """Sở Giao thông vận tải merges into Sở Xây dựng, whose unit file is gone: an error at the
    reference; the documents it feeds are stale, the others built."""
    ws = sample_sized
    (ws / "don-vi" / "so-xay-dung.yaml").unlink()
    gtvt = ws / "don-vi" / "so-giao-thong-van-tai.yaml"
    line = next(i for i, t in enumerate(gtvt.read_text(encoding="utf-8").splitlines(), 1)
                if t.strip() == "sap_nhap_vao: so-xay-dung")
    code, text = cli("validate", ws)
    assert code == 1 and "Lỗi nội bộ" not in text, text
    assert f"so-giao-thong-van-tai.yaml:{line}:19: [thay_doi[0].sap_nhap_vao] lỗi: Không có đơn vị " \
           "'so-xay-dung' trong don-vi/ để nhận đơn vị này." in text, text
    out = tmp_path / "out"
    code, text = cli("build", ws, "--out", out, "-j", "1")
    assert code == 1 and "Lỗi nội bộ" not in text, text
    assert not (out / "bao-cao" / "so-ket-2023.docx").exists()
    assert not (out / "bao-cao" / "so-ket-2023" / "don-vi" / "so-giao-thong-van-tai.docx").exists()
    assert (out / "bao-cao" / "so-ket-2023" / "don-vi" / "so-tu-phap.docx").exists()
    assert (out / "don-vi" / "so-tu-phap.docx").exists()
    # A near miss gets a suggestion.
    set_changes(ws, "so-du-lich", "  - tu: 2023-07-01\n    sap_nhap_vao: so-van-hoa-va-the-thaoo\n")
    code, text = cli("validate", ws)
    assert code == 1 and "'so-van-hoa-va-the-thaoo' trong don-vi/ để nhận đơn vị này; có phải " \
                         "'so-van-hoa-va-the-thao'?" in text, text


@pytest.mark.parametrize("n", [5, pytest.param(70, marks=pytest.mark.slow)])  # 70: seconds to validate
def test_the_scale_benchmark_makes_a_valid_workspace(tmp_path, n):
    """benchmarks/bench_scale.py cycles the sample's units under new names: their merges and
    splits must name the copies (a size cutting a cycle short drops the change)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "benchmarks" / "bench_scale.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ws = bench.synthetic(n, tmp_path)  # n: inside the first cycle (5), and into the second (70)
    code, text = cli("validate", ws)
    assert code == 0, text


# ---- a successor's OWN report carries its predecessors' results as the office appendix does --
# Recomputed by hand from the results files: the successor's own report (its Phụ lục 1 per year
# and for the period, its sessions, its sentences) == the office appendix's row for it == the
# sum of the predecessors' and the successor's results. Two merges in the middle of a period:
# the sample's tổng kết 2025 (Sở LĐTBXH into Sở Nội vụ, Sở TN&MT into Sở Nông nghiệp và Môi
# trường from 01/03/2025, no 2025 file of the old), and the sơ kết 2023 with Sở Du lịch merged
# into Sở Văn hóa và Thể thao from 01/07/2023 (both with a 2023 file: that year is folded).

def count(n: int) -> str:
    return f"{n:02d}" if n < 10 else dots(n)


def rounded_rate(value: Decimal) -> str:
    return rate(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def fraction_cell(dat: int, tong: int) -> str:
    return f"{pct(dat, tong)} ({dots(dat)}/{dots(tong)})"


def results_of(ws: Path, year: int, unit: str) -> dict | None:
    f = ws / "ket-qua" / str(year) / f"{unit}.yaml"
    return read_yaml(f) if f.is_file() else None


def target_row(ctx, name_start: str):
    return next(r for r in ctx.phu_luc_chi_tieu.hang if r.ten.startswith(name_start))


def office_cell(ctx, unit_name: str, title: str) -> str:
    appx = ctx.phu_luc_don_vi
    row = next(r for r in appx.hang if r.don_vi == unit_name)
    return row.o[appx.cot.index(title)]


CASES = {
    # report, years, successor, its name at the end, predecessors (id, name, merged from)
    "noi-vu-2025": ("tong-ket-2025", range(2022, 2026), "so-noi-vu", "Sở Nội vụ",
                    [("so-lao-dong-thuong-binh-va-xa-hoi", "Sở Lao động - Thương binh và Xã hội", "01/03/2025")]),
    "nong-nghiep-2025": ("tong-ket-2025", range(2022, 2026), "so-nong-nghiep-va-phat-trien-nong-thon",
                         "Sở Nông nghiệp và Môi trường",
                         [("so-tai-nguyen-va-moi-truong", "Sở Tài nguyên và Môi trường", "01/03/2025")]),
    "du-lich-2023": ("so-ket-2023", range(2022, 2024), "so-van-hoa-va-the-thao", "Sở Văn hóa, Thể thao và Du lịch",
                     [("so-du-lich", "Sở Du lịch", "01/07/2023")]),
}


@pytest.fixture(scope="module")
def successor_sources(merged_2023):
    """The sample as it is (2025), and the copy with a merge in the middle of the sơ kết's
    period (the merged_2023 workspace: read only here)."""
    return {"tong-ket-2025": WS, "so-ket-2023": merged_2023[0]}


@pytest.fixture(scope="module", params=sorted(CASES))
def successor_case(request, successor_sources, sample_prepared):
    report, years, successor, name, preds = CASES[request.param]
    ws = successor_sources[report]
    if ws == WS:  # the sample's documents, as prepared once for the session
        prepared = sample_prepared
    else:  # the copy's: both documents from one load
        loaded = Workspace(ws)

        def prepared(path, unit=None):
            return prepare(path, unit=unit, ws=loaded)
    path = ws / "bao-cao" / f"{report}.yaml"
    members = [successor] + [p for p, _, _ in preds]
    by_year = {y: [r for m in members if (r := results_of(ws, y, m))] for y in years}
    return dict(ws=ws, years=list(years), successor=successor, name=name, preds=preds, by_year=by_year,
                own=prepared(path, successor).context, office=prepared(path).context)


def test_successor_case_predecessors_have_results_before_the_merge(successor_case):
    # The cases are real: each predecessor reported in some year, so its results must show.
    for pred, _, _ in successor_case["preds"]:
        assert any(results_of(successor_case["ws"], y, pred) for y in successor_case["years"])


def test_successor_own_report_flow_per_year_and_period_is_the_sum_of_the_members(successor_case):
    sums = {}
    for y, rs in successor_case["by_year"].items():
        vals = [r["chi_tieu"]["tthc_nhanh_dung_hieu_qua"] for r in rs if "tthc_nhanh_dung_hieu_qua" in r["chi_tieu"]]
        sums[y] = (sum(v["dat"] for v in vals), sum(v["tong"] for v in vals))
    row = target_row(successor_case["own"], "Hồ sơ TTHC")
    years_shown = [int(c.removeprefix("Năm ")) for c in successor_case["own"].phu_luc_chi_tieu.cot_nam]
    for y, (dat, tong) in sums.items():
        assert row.nam[years_shown.index(y)] == fraction_cell(dat, tong), y
    dat, tong = sum(d for d, _ in sums.values()), sum(t for _, t in sums.values())
    assert row.luy_ke == fraction_cell(dat, tong)
    assert office_cell(successor_case["office"], successor_case["name"], "Hồ sơ TTHC đúng hạn") == row.luy_ke
    assert f"{dots(dat)}/{dots(tong)} hồ sơ thủ tục hành chính" in body(successor_case["own"])


def test_successor_own_report_average_per_year_is_the_members_mean_and_the_period_agrees_with_the_office(successor_case):
    per_year = {}
    for y, rs in successor_case["by_year"].items():
        vals = [Decimal(str(r["chi_tieu"]["hai_long_tthc"])) for r in rs if "hai_long_tthc" in r["chi_tieu"]]
        if vals:
            per_year[y] = sum(vals) / len(vals)  # a merged year: the mean of its parts (docs/to-chuc.md)
    row = target_row(successor_case["own"], "Mức độ hài lòng")
    years_shown = [int(c.removeprefix("Năm ")) for c in successor_case["own"].phu_luc_chi_tieu.cot_nam]
    for y, v in per_year.items():
        assert row.nam[years_shown.index(y)] == rounded_rate(v), y
    # The period: the mean of the row's years, rounded as printed.
    period = sum(per_year.values()) / len(per_year)
    assert row.luy_ke == rounded_rate(period)
    assert office_cell(successor_case["office"], successor_case["name"], "Mức độ hài lòng") == row.luy_ke


def test_successor_own_report_state_is_the_last_year_of_the_members_never_a_sum(successor_case):
    last = max(y for y, rs in successor_case["by_year"].items() if any("tthc_cong_khai" in r["chi_tieu"] for r in rs))
    vals = [r["chi_tieu"]["tthc_cong_khai"] for r in successor_case["by_year"][last] if "tthc_cong_khai" in r["chi_tieu"]]
    dat, tong = sum(v["dat"] for v in vals), sum(v["tong"] for v in vals)
    row = target_row(successor_case["own"], "TTHC được công bố")
    assert row.luy_ke == f"{fraction_cell(dat, tong)}, năm {last}"


def test_successor_own_report_models_count_the_members_items_up_to_each_year(successor_case):
    row = target_row(successor_case["own"], "Mô hình “Dân vận khéo”")
    years_shown = [int(c.removeprefix("Năm ")) for c in successor_case["own"].phu_luc_chi_tieu.cot_nam]
    running = 0
    for y, rs in successor_case["by_year"].items():
        running += sum(1 for r in rs for m in r.get("mo_hinh") or [] if m["chi_tieu"] == "mo_hinh_dan_van_kheo")
        if rs:
            assert row.nam[years_shown.index(y)] == count(running), y
    assert row.luy_ke == count(running)
    every_item = sum(len(r.get("mo_hinh") or []) for rs in successor_case["by_year"].values() for r in rs)
    assert office_cell(successor_case["office"], successor_case["name"], "Mô hình, điểm sáng") == count(every_item)


def test_successor_own_report_sessions_are_the_members_sessions(successor_case):
    buoi = sum(r["quan_triet"]["so_buoi"] for rs in successor_case["by_year"].values() for r in rs if r.get("quan_triet"))
    nguoi = sum(r["quan_triet"]["so_nguoi_du"] for rs in successor_case["by_year"].values() for r in rs if r.get("quan_triet"))
    lop = sum(r["tap_huan"]["so_buoi"] for rs in successor_case["by_year"].values() for r in rs if r.get("tap_huan"))
    text = body(successor_case["own"])
    assert f"tổ chức {count(buoi)} buổi quán triệt, {dots(nguoi)} lượt người tham dự" in text
    assert f"{count(lop)} lớp tập huấn" in text
    got = re.fullmatch(r"(\d+) buổi/([\d.]+) (?:lượt )?người",
                       office_cell(successor_case["office"], successor_case["name"], "Quán triệt (buổi/lượt người)"))
    assert got and (int(got[1]), int(got[2].replace(".", ""))) == (buoi, nguoi)


def test_successor_own_report_the_predecessors_sentences_are_carried_and_named(successor_case):
    text = body(successor_case["own"])
    for pred, name, day in successor_case["preds"]:
        assert f"Số liệu của báo cáo gồm cả kết quả của" in text and f"{name} (sáp nhập từ {day})" in text
        for y in successor_case["years"]:
            r = results_of(successor_case["ws"], y, pred)
            for field in ("ket_qua_noi_bat", "han_che"):
                for sentence in (r or {}).get(field) or []:
                    named = sentence.rstrip(".") + f" (của {name}, sáp nhập từ {day})."
                    assert named in text, (pred, y, sentence)
    # Its Phụ lục 1 (which may be read apart from the report) says whose results it includes.
    assert successor_case["own"].phu_luc_chi_tieu.ghi_chu == [
        "Gồm cả kết quả của " + ", ".join(f"{n} (sáp nhập từ {d})" for _, n, d in successor_case["preds"]) + "."]
    # The successor's own sentences stay its own, unnamed.
    for y in successor_case["years"]:
        for sentence in (results_of(successor_case["ws"], y, successor_case["successor"]) or {}).get("ket_qua_noi_bat") or []:
            assert f"- {sentence}" in text


def test_successor_office_appendix_counts_each_file_once(successor_case):
    """Nothing counted twice, nothing lost: the appendix rows add up to every file's dossiers."""
    ws, years = successor_case["ws"], successor_case["years"]
    total = [0, 0]
    for y in years:
        for f in (ws / "ket-qua" / str(y)).glob("*.yaml"):
            if f.stem == "toan-khoi":
                continue
            v = read_yaml(f)["chi_tieu"].get("tthc_nhanh_dung_hieu_qua")
            if v:
                total[0] += v["dat"]
                total[1] += v["tong"]
    appx = successor_case["office"].phu_luc_don_vi
    shown = [0, 0]
    for r in appx.hang:
        c = r.o[appx.cot.index("Hồ sơ TTHC đúng hạn")]
        if m := re.search(r"\(([\d.]+)/([\d.]+)\)", c):
            shown[0] += int(m[1].replace(".", ""))
            shown[1] += int(m[2].replace(".", ""))
    assert shown == total
