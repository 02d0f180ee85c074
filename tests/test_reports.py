"""Reports: every figure traced back to the results files (recomputed here independently with
plain YAML reading), appendix rows and totals, unit reports, and `kehoach status`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from kehoach_docs.document import prepare
from kehoach_docs.errors import ProblemList
from kehoach_docs.status import unit_status

ROOT = Path(__file__).resolve().parent.parent
WS = ROOT / "data" / "de-an-04"
SO_KET = WS / "bao-cao" / "so-ket-2023.yaml"
TONG_KET = WS / "bao-cao" / "tong-ket-2025.yaml"


def raw_results(year: int) -> dict[str, dict]:
    return {f.stem: yaml.safe_load(f.read_text(encoding="utf-8"))
            for f in sorted((WS / "ket-qua" / str(year)).glob("*.yaml")) if f.stem != "toan-khoi"}


def pct(num: int, den: int) -> str:
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


@pytest.fixture(scope="module")
def so_ket():
    return prepare(SO_KET).context


@pytest.fixture(scope="module")
def tong_ket():
    return prepare(TONG_KET).context


def body_text(ctx) -> str:
    return " ".join(d.van_ban for p in ctx.phan for d in p.doan)


def test_plan_issued_share_is_recomputed_from_the_files(so_ket):
    issued: dict[str, bool] = {}
    for year in (2022, 2023):
        for unit, r in raw_results(year).items():
            issued[unit] = issued.get(unit, False) or bool(r.get("chi_tieu", {}).get("cap_uy_co_ke_hoach"))
    expected = f"{sum(issued.values())}/{len(issued)} cấp ủy cơ sở, đạt {pct(sum(issued.values()), len(issued))}"
    assert expected in body_text(so_ket)
    row = next(r for r in so_ket.phu_luc_chi_tieu.hang if r.ten.startswith("Cấp ủy cơ sở xây dựng"))
    assert row.luy_ke == pct(sum(issued.values()), len(issued))


def test_ratio_of_procedures_recomputed(tong_ket):
    dat = tong = 0
    for year in range(2022, 2026):
        for r in raw_results(year).values():
            c = r.get("chi_tieu", {}).get("tthc_nhanh_dung_hieu_qua")
            if c:
                dat, tong = dat + c["dat"], tong + c["tong"]
    text = f"{dat:,}/{tong:,}".replace(",", ".") + f" thủ tục hành chính, đạt {pct(dat, tong)}"
    assert text in body_text(tong_ket)


def test_mean_satisfaction_and_figures_placed_in_the_words(tong_ket):
    values = [r["chi_tieu"]["hai_long_tthc"] for y in range(2022, 2026) for r in raw_results(y).values()
              if "hai_long_tthc" in r.get("chi_tieu", {})]
    mean = Decimal(str(sum(Decimal(str(v)) for v in values) / len(values))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    shown = f"{mean:.1f}".replace(".", ",") + "%"
    # The office's own sentence cites the computed mean.
    assert f"mức độ hài lòng bình quân đạt {shown}" in body_text(tong_ket)


def test_missing_reports_are_listed_and_left_out(so_ket):
    units = sorted(p.stem for p in (WS / "don-vi").glob("*.yaml"))
    missing_2022 = sorted(set(units) - set(raw_results(2022)))
    assert missing_2022, "the sample should have units that did not report"
    names = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["ten"] for p in (WS / "don-vi").glob("*.yaml")}
    line = next(d.van_ban for p in so_ket.phan for d in p.doan if d.van_ban.startswith("Đơn vị chưa báo cáo"))
    for unit in missing_2022:
        assert names[unit] in line
    rows = {r.don_vi: r for r in so_ket.phu_luc_don_vi.hang}
    assert cell(so_ket, rows[names[missing_2022[0]]], "Báo cáo").startswith("Chưa báo cáo năm 2022")


def test_appendix_rows_and_totals_match_the_data(so_ket, tong_ket):
    assert len(so_ket.phu_luc_don_vi.hang) == len(list((WS / "don-vi").glob("*.yaml")))
    assert so_ket.phu_luc_chi_tieu.cot_nam == ["Năm 2022", "Năm 2023"]
    assert tong_ket.phu_luc_chi_tieu.cot_nam == [f"Năm {y}" for y in range(2021, 2026)]
    assert all(len(r.nam) == 5 for r in tong_ket.phu_luc_chi_tieu.hang)
    models = sum(len(r.get("mo_hinh", [])) for y in (2022, 2023) for r in raw_results(y).values())
    models_col = [cell(so_ket, r, "Mô hình, điểm sáng") for r in so_ket.phu_luc_don_vi.hang]
    assert sum(int(v) for v in models_col if v != "—") == models
    proposed = [k for y in range(2021, 2026) for f in (WS / "ket-qua" / str(y)).glob("*.yaml")
                for k in (yaml.safe_load(f.read_text(encoding="utf-8")).get("khen_thuong") or []) if k.get("de_nghi")]
    assert len(tong_ket.phu_luc_danh_sach.hang) == len(proposed) > 0
    assert so_ket.phu_luc_danh_sach is None


def test_a_unit_report_has_its_own_header_signer_and_figures():
    ctx = prepare(SO_KET, unit="so-noi-vu").context
    assert ctx.co_quan_ban_hanh == "ĐẢNG ỦY SỞ NỘI VỤ" and ctx.so_ky_hieu == "Số      -BC/ĐU"
    assert ctx.nguoi_ky.quyen_han == "T/M BAN THƯỜNG VỤ"
    assert ctx.phu_luc_don_vi is None
    r2022 = raw_results(2022)["so-noi-vu"]["chi_tieu"]["tthc_nhanh_dung_hieu_qua"]
    r2023 = raw_results(2023)["so-noi-vu"]["chi_tieu"]["tthc_nhanh_dung_hieu_qua"]
    dat, tong = r2022["dat"] + r2023["dat"], r2022["tong"] + r2023["tong"]
    assert f"{dat:,}/{tong:,}".replace(",", ".") in body_text(ctx)
    assert not any("PAR INDEX" in r.ten for r in ctx.phu_luc_chi_tieu.hang)  # office-only targets


def test_a_result_for_an_unknown_target_is_an_error(tmp_path):
    import shutil
    ws = tmp_path / "ws"
    shutil.copytree(WS, ws, ignore=shutil.ignore_patterns("*.docx"))
    f = ws / "ket-qua" / "2022" / "so-noi-vu.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "", encoding="utf-8")
    text = f.read_text(encoding="utf-8").replace("chi_tieu:\n", "chi_tieu:\n  hai_long: 90\n", 1)
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "so-ket-2023.yaml")
    (p,) = exc.value.problems
    assert p.file == f and p.field == "chi_tieu.hai_long" and "Có phải ý bạn là 'hai_long_tthc'" in p.message


def test_status_answers_for_any_date():
    early = {s.ma: s for s in unit_status(WS, date(2021, 12, 20))}
    assert not early["so-noi-vu"].missing_years and early["so-noi-vu"].plan.startswith("Chưa ban hành")
    late = {s.ma: s for s in unit_status(WS, date(2024, 3, 1))}
    missing_2022 = set(p.stem for p in (WS / "don-vi").glob("*.yaml")) - set(raw_results(2022))
    assert {m for m, s in late.items() if 2022 in s.missing_years} == missing_2022
    never = [m for m, s in late.items() if not s.plan_issued]
    assert "hoi-chu-thap-do-tinh" in never and "quá hạn" in late["hoi-chu-thap-do-tinh"].plan


def test_status_cli_writes_csv_and_xlsx(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kehoach_docs", "status", str(WS), "--as-of", "01/03/2024",
                          "--csv", str(tmp_path / "s.csv"), "--xlsx", str(tmp_path / "s.xlsx")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    csv_text = (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0] == "TT,Đơn vị,Kế hoạch,Chưa báo cáo,Quá hạn lộ trình,Tình trạng"
    assert len(csv_text.splitlines()) == 1 + len(list((WS / "don-vi").glob("*.yaml")))
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "s.xlsx").active
    assert ws["B3"].value and ws.max_row == 2 + len(list((WS / "don-vi").glob("*.yaml")))
    bad = subprocess.run([sys.executable, "-m", "kehoach_docs", "status", str(WS), "--as-of", "31/02/2024"],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_context_cli_prints_json():
    out = subprocess.run([sys.executable, "-m", "kehoach_docs", "context", str(WS / "ke-hoach-44.yaml")],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    data = json.loads(out.stdout)
    assert data["so_ky_hieu"] == "Số 44-KH/ĐUK" and data["phan"][0]["dong_tieu_de"] == "I- MỤC ĐÍCH, YÊU CẦU"


def test_unit_appendix_counts_only_procedures_handled_on_time(so_ket):
    names = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["ten"] for p in (WS / "don-vi").glob("*.yaml")}
    row = next(r for r in so_ket.phu_luc_don_vi.hang if r.don_vi == names["so-noi-vu"])
    values = [raw_results(y)["so-noi-vu"]["chi_tieu"]["tthc_nhanh_dung_hieu_qua"] for y in (2022, 2023)]
    dat, tong = sum(v["dat"] for v in values), sum(v["tong"] for v in values)
    assert cell(so_ket, row, "TTHC đúng hạn/tổng số") == f"{dat:,}/{tong:,}".replace(",", ".")


def cell(ctx, row, header: str) -> str:
    """A units-appendix cell by its declared column header."""
    return row.o[ctx.phu_luc_don_vi.cot.index(header)]
