"""Figures and words of reports found in review: each recomputed by hand here.

- the units appendix counts attendances (lượt người), as the text does;
- [[so_don_vi_bao_cao]] means the period's reporting units in a period report; per year
  [[so_don_vi_bao_cao.<năm>]] / [[so_don_vi.<năm>]];
- a yearly state judged by its worst year names that year and its figure;
- a plan's [[chi_tieu.x]] is written in the reports' one number format (1.877);
- a flow's count names its unit (one implementation of the counted phrase);
- the views of a build are computed once (not on every access).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kehoach_docs.documents.pipeline import prepare
from kehoach_docs.results.programme import Programme
from kehoach_docs.schema.plan import Target
from kehoach_docs.targets import target_names
from kehoach_docs.targets.kinds import Scope, compute

from helpers import FEW_UNITS, read_yaml, sample_subset

ROOT = Path(__file__).resolve().parent.parent
WS = ROOT / "data" / "de-an-04"
Results = Programme().results_model()


def dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def body(ctx) -> str:
    return "\n".join(d.van_ban for p in ctx.phan for d in p.doan)


# ---- 1. lượt người ---------------------------------------------------------------------

def test_units_appendix_counts_attendances_as_lượt_người(sample_prepared):
    ctx = sample_prepared(WS / "bao-cao" / "so-ket-2023.yaml").context
    appx = ctx.phu_luc_don_vi
    (col,) = [i for i, t in enumerate(appx.cot) if t.startswith("Quán triệt")]
    assert appx.cot[col] == "Quán triệt (buổi/lượt người)"
    names = {}
    for f in (WS / "don-vi").glob("*.yaml"):
        names[read_yaml(f)["ten"]] = f.stem
    checked = 0
    for row in appx.hang:
        unit = names.get(row.don_vi)
        if unit is None:
            continue  # a unit under another name at the end of the period
        buoi = nguoi = 0
        for y in (2022, 2023):
            f = WS / "ket-qua" / str(y) / f"{unit}.yaml"
            r = read_yaml(f) if f.is_file() else {}
            if r.get("quan_triet"):
                buoi += r["quan_triet"]["so_buoi"]
                nguoi += r["quan_triet"]["so_nguoi_du"]
        if buoi:
            assert row.o[col] == f"{buoi:02d} buổi/{dots(nguoi)} lượt người", row.don_vi
            checked += 1
    assert checked > 50


# ---- 2. [[so_don_vi_bao_cao]] in a period report -----------------------------------------

def _records(ws: Path) -> dict[str, dict]:
    return {f.stem: read_yaml(f) for f in sorted((ws / "don-vi").glob("*.yaml"))}


def _in_place_end_of(p: dict, year: int) -> bool:
    """By hand: the unit exists on 31/12 of `year` (founded before, not merged/split/dissolved)."""
    end = next((c["tu"] for c in p.get("thay_doi") or []
                if c.get("sap_nhap_vao") or c.get("chia_thanh") or c.get("giai_the")), None)
    start = p.get("thanh_lap")
    return (start is None or start <= date(year, 12, 31)) and (end is None or end > date(year, 12, 31))


def _year_count(ws: Path, year: int) -> tuple[int, int]:
    """(units in place at the end of `year` that sent a file for it, units in place)."""
    records = _records(ws)
    filed = {f.stem for f in (ws / "ket-qua" / str(year)).glob("*.yaml")}
    owing = [u for u, p in records.items() if _in_place_end_of(p, year)]
    return sum(1 for u in owing if u in filed), len(owing)


def test_so_don_vi_bao_cao_means_the_period_and_per_year_names_say_the_year(tmp_path):
    ws = sample_subset(tmp_path, (*FEW_UNITS, "thanh-tra-tinh"))  # counted below from the units it holds
    # A unit that reported for 2022 only, and one that never reported in the period.
    (ws / "ket-qua" / "2023" / "so-y-te.yaml").unlink()
    for y in (2022, 2023):
        (ws / "ket-qua" / str(y) / "thanh-tra-tinh.yaml").unlink(missing_ok=True)
    report = ws / "bao-cao" / "so-ket-2023.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("\nket_qua:\n  - >-\n", (
        "\nket_qua:\n  - \"KIỂM: [[so_don_vi_bao_cao]]/[[so_don_vi]] cả giai đoạn; "
        "[[so_don_vi_bao_cao.2022]]/[[so_don_vi.2022]] năm 2022; "
        "[[so_don_vi_bao_cao.2023]]/[[so_don_vi.2023]] năm 2023.\"\n  - >-\n"), 1), encoding="utf-8")
    records = _records(ws)
    # No merge in 2022-2023 (the split of Sở Tư pháp from 01/07/2023 ends the old unit): the
    # period's units are those in place at its end; each counts when it sent a file for any year.
    period_units = [u for u, p in records.items() if _in_place_end_of(p, 2023)]
    filed = {f.stem for y in (2022, 2023) for f in (ws / "ket-qua" / str(y)).glob("*.yaml")}
    period_reported = [u for u in period_units if u in filed]
    assert "so-y-te" in period_reported and "thanh-tra-tinh" not in period_reported
    r22, o22 = _year_count(ws, 2022)
    r23, o23 = _year_count(ws, 2023)
    assert r23 < len(period_reported)  # so-y-te: the period counts it, 2023 does not
    ctx = prepare(report).context
    expected = (f"KIỂM: {len(period_reported)}/{len(period_units)} cả giai đoạn; "
                f"{r22}/{o22} năm 2022; {r23}/{o23} năm 2023.")
    assert expected in body(ctx)


@pytest.mark.parametrize("name,year", [("so-ket-2023", 2023), ("tong-ket-2025", 2025)])
def test_the_sample_reports_count_the_year_they_name(sample_prepared, name, year):
    # "Tổng hợp báo cáo của 57/58 tổ chức cơ sở đảng năm 2025": the year's reporting units.
    text = body(sample_prepared(WS / "bao-cao" / f"{name}.yaml").context)
    reported, owing = _year_count(WS, year)
    assert f"Tổng hợp báo cáo của {reported}/{owing} tổ chức cơ sở đảng năm {year}" in text


# ---- 3. a yearly state judged by its worst year ------------------------------------------

def test_a_yearly_state_names_its_failing_year_and_figure():
    t = Target(ma="x", loai="trang_thai", ten="TTHC được công khai", doi_tuong="thủ tục hành chính",
               viec="được công khai", so_sanh="=", gia_tri=100, ky="hang_nam")
    assert t.yearly
    reports = {2022: {"u": Results(nam=2022, chi_tieu={"x": {"dat": 78, "tong": 80}})},
               2023: {"u": Results(nam=2023, chi_tieu={"x": {"dat": 81, "tong": 81}})}}
    r = compute(t, Scope(["u"], [2022, 2023], reports, {}))
    sentence = r.sentence()
    assert sentence.startswith("Năm 2023, 81/81 thủ tục hành chính (100%) được công khai")
    assert sentence.endswith("được công khai; năm 2022: 78/80 thủ tục hành chính (97,5%), "
                             "chưa đạt chỉ tiêu 100% hằng năm")
    # A year that met it is not named as failing.
    assert "năm 2023:" not in sentence


# ---- 4. one number format: plans as reports ----------------------------------------------

def test_a_plans_target_value_uses_the_reports_number_format():
    t = Target(ma="ho_so", ten="hồ sơ được số hóa", don_vi="hồ sơ", so_sanh=">=", gia_tri=1877,
               loai="cong_don")
    assert target_names([t]) == {"chi_tieu.ho_so": "1.877"}
    assert target_names([Target(ma="m", ten="mô hình", don_vi="mô hình", so_sanh=">=", gia_tri=2,
                                loai="cong_don")]) == {"chi_tieu.m": "02"}


# ---- 5. a flow's count names its unit ----------------------------------------------------

def test_a_flow_count_names_its_unit_when_the_name_does_not():
    t = Target(ma="x", ten="hội nghị đối thoại với nhân dân", don_vi="cuộc", so_sanh=">=", gia_tri=2,
               loai="cong_don", viec="tổ chức", nguon="van_phong")
    office = {2022: Results(nam=2022, chi_tieu={"x": 1}), 2023: Results(nam=2023, chi_tieu={"x": 2})}
    r = compute(t, Scope([], [2022, 2023], {}, office))
    assert r.sentence().startswith("Tổ chức 03 cuộc hội nghị đối thoại với nhân dân (năm 2022: 01 cuộc; "
                                   "năm 2023: 02 cuộc)")
    named = Target(ma="y", ten="lớp tập huấn", don_vi="lớp", so_sanh=">=", gia_tri=1, loai="cong_don",
                   viec="tổ chức", nguon="van_phong")
    office = {2022: Results(nam=2022, chi_tieu={"y": 8})}
    assert compute(named, Scope([], [2022], {}, office)).sentence().startswith("Tổ chức 08 lớp tập huấn,")


# ---- 6. computed once per build ----------------------------------------------------------

def test_succession_and_owing_are_computed_once(sample_ws):
    from kehoach_docs.documents.report import gather
    from kehoach_docs.schema.report import Report
    from kehoach_docs.schema.validate import validate
    from kehoach_docs.load.yaml_source import load_yaml

    path = WS / "bao-cao" / "tong-ket-2025.yaml"
    src = gather(validate(load_yaml(path), Report), path, sample_ws)
    assert src.collected.succession is src.collected.succession
    assert src.views.owing is src.views.owing
