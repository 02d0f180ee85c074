"""Reports: every figure of both office reports and of the units' own reports recomputed
here independently from the YAML files (plain yaml reading, the kinds declared in the plan),
the words around them, the unit reports as reports, and `kehoach status`."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pytest

from kehoach_docs.documents.pipeline import prepare
from kehoach_docs.errors import ProblemList
from kehoach_docs.results.status import unit_status

from helpers import SAMPLE_WS as WS
from helpers import kehoach, read_yaml, sample_subset

SO_KET = WS / "bao-cao" / "so-ket-2023.yaml"
TONG_KET = WS / "bao-cao" / "tong-ket-2025.yaml"
NBSP, NBH = "\u00a0", "\u2011"


def load(path: Path):
    return read_yaml(path)


PLAN = load(WS / "ke-hoach-44.yaml")
TARGETS = [t for g in PLAN["muc_tieu"] for t in g.get("chi_tieu", [])]
RECORDS = {p.stem: load(p) for p in sorted((WS / "don-vi").glob("*.yaml"))}
UNITS = sorted(RECORDS)


@cache
def raw_results(year: int) -> dict[str, dict]:
    folder = WS / "ket-qua" / str(year)
    return {f.stem: load(f) for f in sorted(folder.glob("*.yaml")) if f.stem != "toan-khoi"} if folder.is_dir() else {}


@cache
def office(year: int) -> dict:
    f = WS / "ket-qua" / str(year) / "toan-khoi.yaml"
    return (load(f) or {}).get("chi_tieu", {}) if f.is_file() else {}


# -- the number format, written again here (docs/bao-cao.md) --------------------------------

def r1(x) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(value: Decimal) -> str:
    if value in (0, 100):
        return f"{int(value)}%"
    return f"{value:.1f}".replace(".", ",") + "%"


def pct(num, den) -> str:
    return rate(r1(Decimal(num) * 100 / Decimal(den)))


def n(x) -> str:
    return f"{int(x):,}".replace(",", ".")


def count(x) -> str:
    return f"{int(x):02d}" if int(x) < 10 else n(x)


def frac(a, b) -> str:
    return f"{n(a)}/{n(b)}"


def kind(t: dict) -> str:
    return t["loai"]


def models_of(t: dict, r: dict) -> int:
    return sum(1 for m in r.get("mo_hinh") or [] if m["chi_tieu"] == t["ma"]) + int(r.get("chi_tieu", {}).get(t["ma"], 0) or 0)


# -- every figure of a target, recomputed ------------------------------------------------------

def standing(report: Path) -> set[str]:
    """The units in place on the report's date, each merged unit under its successor (from the
    profiles' thay_doi, independently of the code under test)."""
    day = load(report)["ngay"]
    return {owner(u, day) for u in UNITS}


def owner(u: str, day: date) -> str:
    """The unit whose row `u`'s results count under on `day` (a merged unit: its successor)."""
    while True:
        merge = next((c for c in RECORDS[u].get("thay_doi") or [] if c.get("sap_nhap_vao") and c["tu"] <= day), None)
        if merge is None:
            return u
        u = merge["sap_nhap_vao"]


def rows_at(years: list[int], year: int, last_day: date) -> tuple[list[str], dict[int, dict[str, list[dict]]]]:
    """The rows standing at the end of `year` (the report's day in its own year) and, for
    each year up to it, the results of each row's members."""
    day = min(date(year, 12, 31), last_day)
    rows = sorted({owner(u, day) for u in UNITS}, key=UNITS.index)
    by = {y: {} for y in years if y <= year}
    for y in by:
        for u, r in raw_results(y).items():
            by[y].setdefault(owner(u, day), []).append(r)
    return rows, by


def expected_cells(t: dict, years: list[int], last_day: date) -> tuple[list[str], str]:
    """(the cell of each year, the period's cell) of Phụ lục 1, from the files."""
    reporting = [y for y in years if raw_results(y)]
    cells: dict[int, str] = {}
    k, ma = kind(t), t["ma"]
    if k == "ty_le_don_vi":
        every = t.get("pham_vi") == "moi_co_so"
        lượt = [0, 0]
        for y in years:
            if y not in reporting:
                cells[y] = "—"
                continue
            rows, by = rows_at(years, y, last_day)
            span = [y] if t.get("ky") == "hang_nam" else [z for z in reporting if z <= y]
            met, known = 0, 0
            for row in rows:
                rs = [r for z in span for r in by[z].get(row, [])]
                if every:
                    if rs:
                        known += 1
                        met += sum(models_of(t, r) for r in rs) >= t["gia_tri"]
                else:
                    said = [r["chi_tieu"][ma] for r in rs if ma in r.get("chi_tieu", {})]
                    if said:
                        known += 1
                        met += any(said)
            den = len(rows) if t.get("co_so") == "tat_ca" else known
            cells[y] = f"{pct(met, den)} ({frac(met, den)})"
            lượt[0] += met
            lượt[1] += den
        last = cells[reporting[-1]]
        total = f"{pct(*lượt)} ({frac(*lượt)})" if t.get("ky") == "hang_nam" else last
        return [cells[y] for y in years], total
    if k in ("cong_don", "trang_thai") and t.get("don_vi", "%") == "%":
        sums = {}
        for y in years:  # merging does not change a sum
            cs = [r["chi_tieu"][ma] for r in raw_results(y).values() if ma in r.get("chi_tieu", {})]
            if cs:
                sums[y] = (sum(c["dat"] for c in cs), sum(c["tong"] for c in cs))
                cells[y] = f"{pct(*sums[y])} ({frac(*sums[y])})"
            else:
                cells[y] = "—"
        if k == "trang_thai":  # a state: the last year, never a sum of years
            y = max(sums)
            return [cells[y] for y in years], f"{cells[y]}, năm {y}"
        d, s = sum(a for a, _ in sums.values()), sum(b for _, b in sums.values())
        return [cells[y] for y in years], f"{pct(d, s)} ({frac(d, s)})"
    if k == "cong_don":  # a count the office reports
        values = {y: office(y)[ma] for y in years if ma in office(y)}
        return [count(values[y]) if y in values else "—" for y in years], count(sum(values.values()))
    if k == "binh_quan":
        # A row's value is its members' mean; the period's mean is over row-years.
        per_year = {}
        for y in years:
            _, by = rows_at(years, y, last_day)
            per_year[y] = [sum(vs) / len(vs) for members in by[y].values()
                           if (vs := [Decimal(str(r["chi_tieu"][ma])) for r in members if ma in r.get("chi_tieu", {})])]
        cells = [rate(r1(sum(vs) / len(vs))) if vs else "—" for vs in per_year.values()]
        every = [v for vs in per_year.values() for v in vs]
        return cells, rate(r1(sum(every) / len(every)))
    if k == "thu_hang":
        ranks = [office(y).get(ma) for y in years]
        return [str(r) if r else "—" for r in ranks], str([r for r in ranks if r][-1])
    if k == "tang_bac":
        def words(g):
            return "Giữ nguyên thứ hạng" if g == 0 else f"{'Tăng' if g > 0 else 'Giảm'} {abs(g)} bậc"
        gains = {y: office(y - 1)[ma] - office(y)[ma] for y in years if ma in office(y) and ma in office(y - 1)}
        first = min(gains)
        net = office(first - 1)[ma] - office(max(gains))[ma]
        # A year with a rank but none the year before: its rank, no change claimed.
        return [words(gains[y]) if y in gains else f"Hạng {office(y)[ma]}" if ma in office(y) else "—"
                for y in years], words(net)
    raise AssertionError(k)


@pytest.fixture(scope="module")
def so_ket(sample_prepared):
    return sample_prepared(SO_KET).context


@pytest.fixture(scope="module")
def tong_ket(sample_prepared):
    return sample_prepared(TONG_KET).context


def body_text(ctx) -> str:
    return " ".join([*ctx.mo_dau, *(d.van_ban for p in ctx.phan for d in p.doan), *ctx.ket_thuc])


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NBH, "-")


@pytest.mark.parametrize("which", ["so_ket", "tong_ket"])
def test_every_cell_of_the_target_appendix_is_recomputed(which, request):
    ctx = request.getfixturevalue(which)
    day = load(SO_KET if which == "so_ket" else TONG_KET)["ngay"]
    years = [int(c.split()[-1]) for c in ctx.phu_luc_chi_tieu.cot_nam]
    rows = ctx.phu_luc_chi_tieu.hang
    assert [r.ten.lower() for r in rows] == [t["ten"].lower().replace("\n", " ") for t in TARGETS]
    for t, row in zip(TARGETS, rows):
        cells, total = expected_cells(t, years, day)
        assert (row.nam, row.luy_ke) == (cells, total), t["ma"]


def test_a_state_is_not_summed_and_a_flow_is(tong_ket):
    rows = {t["ma"]: r for t, r in zip(TARGETS, tong_ket.phu_luc_chi_tieu.hang)}
    published = [raw_results(2025)[u]["chi_tieu"]["tthc_cong_khai"] for u in UNITS
                 if "tthc_cong_khai" in raw_results(2025).get(u, {}).get("chi_tieu", {})]
    tong = sum(c["tong"] for c in published)
    # About 80 procedures a unit, never four years of them added up.
    assert f"/{n(tong)})" in rows["tthc_cong_khai"].luy_ke and tong < 5000
    handled = sum(raw_results(y)[u]["chi_tieu"]["tthc_nhanh_dung_hieu_qua"]["tong"]
                  for y in range(2022, 2026) for u in raw_results(y)
                  if "tthc_nhanh_dung_hieu_qua" in raw_results(y)[u].get("chi_tieu", {}))
    assert f"/{n(handled)})" in rows["tthc_nhanh_dung_hieu_qua"].luy_ke


def test_ranks_are_ranks_and_rank_changes_say_which_way(tong_ket):
    rows = {t["ma"]: r for t, r in zip(TARGETS, tong_ket.phu_luc_chi_tieu.hang)}
    for ma in ("par_index", "papi", "pci"):
        assert "%" not in rows[ma].luy_ke + "".join(rows[ma].nam) and rows[ma].chi_tieu.startswith("Top")
        assert rows[ma].dvt == "Hạng"
    assert "Giữ nguyên thứ hạng" in rows["sipas"].nam  # 2024: 35 → 35
    text = plain(body_text(tong_ket))
    assert "năm 2024 giữ nguyên thứ hạng (hạng 35)" in text
    assert f"Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2025 xếp hạng {office(2025)['pci']}" in text


def test_the_words_carry_the_same_figures(so_ket, tong_ket):
    text = plain(body_text(so_ket))
    issued = {u: any(raw_results(y).get(u, {}).get("chi_tieu", {}).get("cap_uy_co_ke_hoach") for y in (2022, 2023))
              for u in UNITS}
    k = sum(issued.values())
    assert f"{k}/{len(UNITS)} cấp ủy cơ sở ({pct(k, len(UNITS))}) đã xây dựng chương trình, kế hoạch" in text
    values = [r["chi_tieu"]["hai_long_tthc"] for y in range(2022, 2026) for r in raw_results(y).values()
              if "hai_long_tthc" in r.get("chi_tieu", {})]
    units = {u for y in range(2022, 2026) for u, r in raw_results(y).items() if "hai_long_tthc" in r.get("chi_tieu", {})}
    mean = rate(r1(sum(Decimal(str(v)) for v in values) / len(values)))
    assert (f"bình quân {mean} (tính trên {len(values)} lượt báo cáo của {len(units)} cơ quan, đơn vị "
            f"trong 04 năm)") in plain(body_text(tong_ket))
    # The office's own sentence places the computed figure.
    assert f"mức độ hài lòng bình quân đạt {mean}" in plain(body_text(tong_ket))


@pytest.mark.parametrize("which", ["so_ket", "tong_ket"])
def test_no_tags_no_zero_ranks_no_count_above_the_units(which, request):
    ctx = request.getfixturevalue(which)
    text = plain(body_text(ctx))
    assert "đánh giá:" not in text.lower() and "tăng 0 bậc" not in text
    nouns = "cấp ủy cơ sở|tổ chức cơ sở đảng|cơ quan, đơn vị|đơn vị"
    for m in re.finditer(rf"(lượt )?(\d[\d.]*)/(\d[\d.]*) (?:{nouns})", text):
        if not m.group(1):
            assert int(m.group(3).replace(".", "")) <= len(UNITS), m.group(0)
    for m in re.finditer(rf"(\d[\d.]*) (?:{nouns}) báo cáo", text):
        assert int(m.group(1).replace(".", "")) <= len(UNITS), m.group(0)
    # Methods and rounding belong in docs/, not under the tables of a signed report.
    assert ctx.phu_luc_chi_tieu.ghi_chu == []


def test_yearly_share_uses_one_base_in_every_column(so_ket):
    row = so_ket.phu_luc_chi_tieu.hang[[t["ma"] for t in TARGETS].index("cap_uy_co_ke_hoach")]
    assert all(c.endswith(f"/{len(UNITS)})") for c in row.nam + [row.luy_ke])


def test_missing_reports_are_listed_and_left_out(so_ket):
    missing_2022 = sorted(set(UNITS) - set(raw_results(2022)))
    assert missing_2022, "the sample should have units that did not report"
    line = next(d.van_ban for p in so_ket.phan for d in p.doan if "chưa báo cáo" in d.van_ban)
    assert line.startswith(f"Năm 2022 có {count(len(missing_2022))} tổ chức cơ sở đảng chưa báo cáo")
    for unit in missing_2022:
        assert RECORDS[unit]["ten"] in line
    rows = {r.don_vi: r for r in so_ket.phu_luc_don_vi.hang}
    assert cell(so_ket, rows[RECORDS[missing_2022[0]]["ten"]], "Báo cáo").startswith("Chưa báo cáo năm 2022")


def test_task_groups_report_what_was_done(tong_ket):
    paras = [d.van_ban for p in tong_ket.phan for d in p.doan]
    report = load(TONG_KET)
    for tr in report["nhiem_vu"]:
        assert any(p.startswith(f"({tr['nhiem_vu']}) ") for p in paras)
    did = {u for y in range(2021, 2026) for u, r in raw_results(y).items() if (r.get("quan_triet") or {}).get("so_buoi")}
    buoi = sum((r.get("quan_triet") or {}).get("so_buoi", 0) for y in range(2021, 2026) for r in raw_results(y).values())
    # Units as they stand at the end of the period (a successor carries its predecessors): at
    # least those in place that did it themselves, out of the report's own number of units.
    base = standing(TONG_KET)
    said = next(p for p in paras if "tổ chức cơ sở đảng đã tổ chức học tập, quán triệt" in p)
    n, m = map(int, re.search(r"(\d+)/(\d+) tổ chức cơ sở đảng đã tổ chức học tập", said).groups())
    assert m == len(base) < len(UNITS) and len(did & base) <= n <= m
    assert f"({count(buoi)} buổi" in said
    late = next(p for p in paras if p.startswith("- Kiểm tra việc thực hiện Đề án"))
    assert "đã thực hiện ngày 10/01/2025, chậm so với thời hạn (năm 2024)" in late
    assert any("(Quý IV năm 2023): đã thực hiện ngày 15/12/2023, đúng thời hạn" in p for p in paras)


def test_appendix_rows_and_totals_match_the_data(so_ket, tong_ket):
    assert len(so_ket.phu_luc_don_vi.hang) == len(UNITS)
    assert so_ket.phu_luc_chi_tieu.cot_nam == ["Năm 2022", "Năm 2023"]
    assert tong_ket.phu_luc_chi_tieu.cot_nam == [f"Năm {y}" for y in range(2021, 2026)]
    models = sum(len(r.get("mo_hinh", [])) for y in (2022, 2023) for r in raw_results(y).values())
    models_col = [cell(so_ket, r, "Mô hình, điểm sáng") for r in so_ket.phu_luc_don_vi.hang]
    assert sum(int(v) for v in models_col if v != "—") == models
    proposed = [k for y in range(2021, 2026) for f in (WS / "ket-qua" / str(y)).glob("*.yaml")
                for k in (load(f).get("khen_thuong") or []) if k.get("de_nghi")]
    assert len(tong_ket.phu_luc_danh_sach.hang) == len(proposed) > 0
    assert so_ket.phu_luc_danh_sach is None


def test_plan_numbers_in_full_form_and_drafts_not_issued(so_ket):
    rows = {r.don_vi: r for r in so_ket.phu_luc_don_vi.hang}
    for stem, p in RECORDS.items():
        plan = cell(so_ket, rows[p["ten"]], "Kế hoạch thực hiện (số, ngày)")
        if p.get("so"):
            symbol = "CB" if p["loai"] == "chi_bo" else "ĐU"
            d = p["ngay"]
            assert plan == f"Số {p['so']:02d}-KH/{symbol}, ngày {d:%d/%m/%Y}", stem
        else:
            assert plan == "Chưa ban hành", stem


def test_results_agree_with_the_profiles():
    """One story: a unit whose plan is a draft did not report it as issued."""
    for y in range(2022, 2026):
        for u, r in raw_results(y).items():
            said = r.get("chi_tieu", {}).get("cap_uy_co_ke_hoach")
            p = RECORDS[u]
            issued = bool(p.get("so")) and p["ngay"].year <= y
            assert said == issued, (u, y)


# -- the units' own reports ----------------------------------------------------------------------

def unit_text(ctx) -> str:
    rows = [c for r in (ctx.phu_luc_chi_tieu.hang if ctx.phu_luc_chi_tieu else []) for c in (r.ten, *r.nam, r.luy_ke)]
    return plain(" ".join([body_text(ctx), *ctx.noi_nhan, ctx.trich_yeu, *rows]))


@pytest.fixture(scope="module", params=["so_ket", "tong_ket"])
def unit_reports(request, sample_ws, sample_prepared):
    """Every unit's own report: the sơ kết's 64, and the tổng kết's of the units in place on
    its date (after the 2025 reorganisation)."""
    from kehoach_docs.documents.kinds import reporting_units

    report = SO_KET if request.param == "so_ket" else TONG_KET
    units = reporting_units(sample_ws, report)
    assert set(units) == standing(report)  # no unit left out of the checks below
    return {u: sample_prepared(report, u).context for u in units}


def test_every_unit_report_is_a_report(unit_reports):
    for u, ctx in unit_reports.items():
        assert ctx.mo_dau and ctx.mo_dau[0].startswith("Thực hiện Kế hoạch số 44-KH/ĐUK"), u
        assert "như sau:" in ctx.mo_dau[0]
        assert ctx.ket_thuc and ctx.ket_thuc[-1].startswith("Trên đây là báo cáo"), u
        keys = [s.ma for s in ctx.phan]
        assert keys[:2] == ["lanh_dao_chi_dao", "ket_qua"] and {"danh_gia", "phuong_huong", "de_xuat"} <= set(keys), u
        assert ctx.phu_luc_don_vi is None


def test_a_unit_report_names_no_other_unit(unit_reports):
    """A unit's report is about the unit alone: it names no other unit, but a unit merged into
    it (its predecessor, whose results it carries)."""
    day = max(load(SO_KET)["ngay"], load(TONG_KET)["ngay"])
    for u, ctx in unit_reports.items():
        text = unit_text(ctx)
        others = [RECORDS[o]["ten"] for o in UNITS if o != u and RECORDS[o]["ten"] not in RECORDS[u]["ten"]
                  and owner(o, day) != u]
        # (`o in text` first: the word-bounded search can only find a name the text holds.)
        named = [o for o in others if o in text and re.search(rf"(?<!\w){re.escape(o)}(?!\w)", text)]
        assert not named, (u, named)


def test_a_unit_report_is_numbered_and_dated_from_its_own_data(unit_reports):
    for u, ctx in unit_reports.items():
        year = int(ctx.dia_danh_ngay.rsplit(" ", 1)[-1])
        last = raw_results(year).get(u) or raw_results(year - 1)[u]
        d = last["ngay_bao_cao"]
        assert ctx.dia_danh_ngay.endswith(f"ngày {d:%d} tháng {d:%m} năm {d:%Y}"), u
        if last.get("so_bao_cao"):
            assert ctx.so_ky_hieu.startswith(f"Số {last['so_bao_cao']:02d}-BC/"), u


def test_strengths_only_from_met_targets(unit_reports):
    for u, ctx in unit_reports.items():
        section = next(s for s in ctx.phan if s.ma == "danh_gia")
        current = None
        for p in section.doan:
            if p.kieu == "cap2":
                current = p.van_ban
            elif current and "Ưu điểm" in current:
                assert "chưa đạt" not in p.van_ban.lower() and not p.van_ban.startswith("- Chưa"), (u, p.van_ban)
                # A highlight that cites dossiers handled on time cites a rate that met the target.
                for m in re.finditer(r"hồ sơ thủ tục hành chính \((\d+(?:,\d)?)%\)", p.van_ban):
                    own = (RECORDS[u].get("chi_tieu") or {}).get("tthc_nhanh_dung_hieu_qua", 98)
                    assert Decimal(m.group(1).replace(",", ".")) >= max(98, own), (u, p.van_ban)


def test_targets_that_do_not_apply_are_left_out(unit_reports):
    # Units with a report of their own on the report's date (a merged unit has none).
    skip = [u for u, p in RECORDS.items() if "mt_cai_cach_hanh_chinh" in (p.get("khong_ap_dung") or [])
            and u in unit_reports]
    assert skip
    for u in skip:
        text = unit_text(unit_reports[u])
        assert "hồ sơ thủ tục hành chính" not in text and "chưa có số liệu" not in text, u


def test_a_unit_report_recomputes_its_own_figures(sample_prepared):
    ctx = sample_prepared(SO_KET, "so-noi-vu").context
    own = RECORDS["so-noi-vu"].get("chi_tieu", {})
    rows = {r.ten.lower(): r for r in ctx.phu_luc_chi_tieu.hang}
    r22, r23 = raw_results(2022)["so-noi-vu"], raw_results(2023)["so-noi-vu"]
    c = [r["chi_tieu"]["tthc_nhanh_dung_hieu_qua"] for r in (r22, r23)]
    dat, tong = sum(x["dat"] for x in c), sum(x["tong"] for x in c)
    t = next(t for t in TARGETS if t["ma"] == "tthc_nhanh_dung_hieu_qua")
    assert rows[t["ten"].lower()].luy_ke == f"{pct(dat, tong)} ({frac(dat, tong)})"
    models = sum(models_of({"ma": "mo_hinh_dan_van_kheo"}, r) for r in (r22, r23))
    row = rows["mô hình “dân vận khéo” được xây dựng và thực hiện có hiệu quả"]
    assert row.luy_ke == count(models) and row.chi_tieu == f"≥{NBSP}{count(own['mo_hinh_dan_van_kheo'])} mô hình"
    verdict = "Đạt" if models >= own["mo_hinh_dan_van_kheo"] else "Chưa đạt"
    assert row.danh_gia == verdict
    hl = [Decimal(str(r["chi_tieu"]["hai_long_tthc"])) for r in (r22, r23)]
    assert f"bình quân {rate(r1(sum(hl) / 2))} (02 năm)" in unit_text(ctx)
    assert not any("PAR INDEX" in r.ten for r in ctx.phu_luc_chi_tieu.hang)  # office-only targets
    assert ctx.co_quan_ban_hanh == "ĐẢNG ỦY SỞ NỘI VỤ"


# -- errors, status, CLI ---------------------------------------------------------------------------

def test_a_result_for_an_unknown_target_is_an_error(tmp_path):
    ws = sample_subset(tmp_path)  # so-noi-vu among a few units
    f = ws / "ket-qua" / "2022" / "so-noi-vu.yaml"
    text = f.read_text(encoding="utf-8").replace("chi_tieu:\n", "chi_tieu:\n  hai_long: 90\n", 1)
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "so-ket-2023.yaml")
    (p,) = exc.value.problems
    assert p.file == f and p.field == "chi_tieu.hai_long" and "Có phải ý bạn là 'hai_long_tthc'" in p.message


def test_a_result_of_the_wrong_shape_names_the_shape(tmp_path):
    ws = sample_subset(tmp_path)  # so-noi-vu among a few units
    f = ws / "ket-qua" / "2023" / "so-noi-vu.yaml"
    f.write_text(re.sub(r"tthc_cong_khai: .*", "tthc_cong_khai: 81", f.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        prepare(ws / "bao-cao" / "so-ket-2023.yaml")
    (p,) = exc.value.problems
    assert p.field == "chi_tieu.tthc_cong_khai" and "{dat: <số đạt>, tong: <tổng số>}" in p.message and p.line > 0


def test_status_answers_for_any_date(sample_ws):
    early = {s.ma: s for s in unit_status(sample_ws, date(2021, 12, 20))}
    assert not early["so-noi-vu"].missing_years and early["so-noi-vu"].plan.startswith("Chưa ban hành")
    late = {s.ma: s for s in unit_status(sample_ws, date(2024, 3, 1))}
    missing_2022 = set(UNITS) - set(raw_results(2022))
    assert {m for m, s in late.items() if 2022 in s.missing_years} == missing_2022
    never = [m for m, s in late.items() if not s.plan_issued]
    assert "hoi-chu-thap-do-tinh" in never and "quá hạn" in late["hoi-chu-thap-do-tinh"].plan


def test_status_cli_writes_csv_and_xlsx(tmp_path):
    copy = sample_subset(tmp_path / "ws")  # a few units: one row each (test_status_answers_for_any_date reads all)
    units = list((copy / "don-vi").glob("*.yaml"))
    out = kehoach("status", copy, "--as-of", "01/03/2024", "--csv", tmp_path / "s.csv", "--xlsx", tmp_path / "s.xlsx")
    assert out.returncode == 0, out.stderr
    csv_text = (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0] == "TT,Đơn vị,Kế hoạch,Chưa báo cáo,Quá hạn lộ trình,Tình trạng"
    assert len(csv_text.splitlines()) == 1 + len(units) > 1
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "s.xlsx").active
    assert ws["B3"].value and ws.max_row == 2 + len(units)
    bad = kehoach("status", copy, "--as-of", "31/02/2024")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_context_cli_prints_json():
    out = kehoach("context", WS / "ke-hoach-44.yaml")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["so_ky_hieu"] == "Số 44-KH/ĐUK" and data["phan"][0]["dong_tieu_de"] == "I- MỤC ĐÍCH, YÊU CẦU"


def test_unit_appendix_shows_each_unit_by_the_targets_kind(so_ket):
    row = next(r for r in so_ket.phu_luc_don_vi.hang if r.don_vi == RECORDS["so-noi-vu"]["ten"])
    values = [raw_results(y)["so-noi-vu"]["chi_tieu"]["tthc_nhanh_dung_hieu_qua"] for y in (2022, 2023)]
    dat, tong = sum(v["dat"] for v in values), sum(v["tong"] for v in values)
    header = next(c for c in so_ket.phu_luc_don_vi.cot if c.startswith("Hồ sơ TTHC"))
    assert cell(so_ket, row, header) == f"{pct(dat, tong)} ({frac(dat, tong)})"


def cell(ctx, row, header: str) -> str:
    """A units-appendix cell by its declared column header."""
    return row.o[ctx.phu_luc_don_vi.cot.index(header)]


def test_only_a_plausible_dang_uy_signs_for_a_ban_thuong_vu(sample_ws):
    """Điều lệ Đảng, Điều 22.5: a Ban Thường vụ needs at least 9 cấp ủy viên."""
    btv = [u for u, p in RECORDS.items() if p["loai"] == "dang_bo_btv"]
    assert btv and all((RECORDS[u].get("so_cap_uy_vien") or 0) >= 9 for u in btv)
    assert len(btv) < len(UNITS) / 4
    for u in UNITS:
        ctx = prepare(WS / "don-vi" / f"{u}.yaml", ws=sample_ws).context
        want = {"dang_bo_btv": "T/M BAN THƯỜNG VỤ", "dang_bo": "T/M ĐẢNG ỦY", "chi_bo": "T/M CHI BỘ"}[RECORDS[u]["loai"]]
        assert ctx.nguoi_ky.quyen_han == want, u


def test_a_dang_uy_of_fewer_than_nine_is_not_a_ban_thuong_vu(tmp_path):
    f = tmp_path / "don-vi" / "x.yaml"
    f.parent.mkdir()
    f.write_text("ten: X\nloai: dang_bo_btv\nso_cap_uy_vien: 7\nngay: 2022-01-10\nnguoi_ky: {ho_ten: A}\n", encoding="utf-8")
    from kehoach_docs.load.yaml_source import load_yaml
    from kehoach_docs.schema.unit import UnitRecord
    from kehoach_docs.schema.validate import validate
    with pytest.raises(ProblemList) as exc:
        validate(load_yaml(f), UnitRecord)
    assert "Điều 22.5" in str(exc.value) and "T/M ĐẢNG ỦY" in str(exc.value)


def test_a_unit_has_one_signer_in_its_plan_reports_and_commendations(sample_prepared):
    ctx = sample_prepared(TONG_KET).context
    people = [r.ten for r in ctx.phu_luc_danh_sach.hang if r.ten.startswith("Đồng chí ")]
    assert people
    for text in people:
        name, role = text.removeprefix("Đồng chí ").split(", ", 1)
        unit = next(u for u, p in RECORDS.items() if role.endswith(p["ten"]))
        assert RECORDS[unit]["nguoi_ky"]["ho_ten"] == name, (text, unit)


def test_pdf_no_landscape_page_holds_a_single_row(tmp_path):
    """Measured in LibreOffice: after the repeated header, every landscape page of the
    appendices holds at least two rows (the last but one keeps with the last)."""
    import pdfplumber

    from kehoach_docs.documents.pipeline import render_file
    from kehoach_docs.pdf import convert_to_pdf

    docs = []
    for report in (SO_KET, TONG_KET):
        docs.append(render_file(report, tmp_path / f"{report.stem}.docx"))
        for u in ("so-noi-vu", "so-y-te", "cuc-thue-tinh", "so-tu-phap", "ban-dan-toc"):
            docs.append(render_file(report, tmp_path / f"{report.stem}.{u}.docx", unit=u))
    results = convert_to_pdf(docs, tmp_path)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    landscape = 0
    for r in results:
        with pdfplumber.open(r.pdf) as pdf:
            for i, page in enumerate(pdf.pages):
                if page.width > page.height:
                    landscape += 1
                    rows = sum(len(t.rows) for t in page.find_tables())
                    assert rows >= 3, (r.pdf.name, i + 1, rows)  # header + at least two rows
    assert landscape >= len(results)


# -- bodies named on the report's date ------------------------------------------------------------

GIVEN_BY = r"(?:Giấy khen|Bằng khen|Biểu dương|[Đđ]ề nghị|[Kk]ính gửi)(?: của)? (?:Ban Thường vụ |Ban Chấp hành )?"


@pytest.mark.slow  # renders the tổng kết and its ~58 unit reports
def test_no_2025_document_names_a_body_that_had_ended(tmp_path):
    """The tổng kết 2025 and its unit reports, as built (.docx, read back): no commendation or
    proposal (paragraph or table cell) is given by, or addressed to, a body whose `den` in
    to-chuc.yaml is before the report's date. Naming it in the past ("Kế hoạch số 44-KH/ĐUK …
    của Ban Thường vụ Đảng ủy Khối", a predecessor's model) stays right."""
    from docx import Document

    from kehoach_docs.documents.pipeline import render_file
    from kehoach_docs.documents.kinds import reporting_units
    from kehoach_docs.workspace.workspace import Workspace

    day = load(TONG_KET)["ngay"]
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    ended = [b for b in load(WS / "to-chuc.yaml")["co_quan"].values() if b.get("den") and b["den"] < day]
    assert any("Đảng ủy Khối" in b["ten"] for b in ended)
    names = [(b, sorted({b["ten"], *(b.get("ten_khac") or []), *([b["chu_the"]] if b.get("chu_the") else [])},
                        key=len, reverse=True)) for b in ended]
    built = [render_file(TONG_KET, tmp_path / "tong-ket.docx")]
    built += [render_file(TONG_KET, tmp_path / f"{u}.docx", unit=u) for u in reporting_units(Workspace(WS), TONG_KET)]
    assert len(built) > 50
    found = []
    for path in built:
        doc = Document(path)
        texts = [p.text for p in doc.paragraphs]
        texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        for text in map(plain, texts):
            for body, forms in names:
                if any(re.search(GIVEN_BY + re.escape(n) + r"\b", text) for n in forms):
                    found.append((path.name, text[:120]))
    assert found == [], "\n".join(map(str, found))


def test_activity_counts_stand_on_the_reports_own_number_of_units(tong_ket):
    """The tổng kết 2025 states its units once (after the 2025 merges); every "N/M tổ chức cơ sở
    đảng đã …" of the task groups has that M beneath it, and N counts units of that base."""
    text = plain(body_text(tong_ket))
    stated = {int(n) for n in re.findall(r"triển khai tại (\d+) tổ chức cơ sở đảng", text)}
    assert stated == {len(standing(TONG_KET))}
    counts = re.findall(r"(\d+)/(\d+) tổ chức cơ sở đảng đã", text)
    assert len(counts) >= 5
    assert {int(m) for _, m in counts} == stated
    assert all(int(n) <= int(m) for n, m in counts)
