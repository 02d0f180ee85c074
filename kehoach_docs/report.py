"""Reports (báo cáo sơ kết / tổng kết): the office's words, the computed figures, the
appendix tables; and each unit's own report for the same period, from its own results."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from kehoach_docs.aggregate import Aggregate, TargetResult, aggregate
from kehoach_docs.collect import Collected, Unit, gather_results
from kehoach_docs.context import BodyWriter, DocumentContext, Paragraph, TextExpander
from kehoach_docs.format import la_ma, ngay_ngan, so, so_dem
from kehoach_docs.layout import Workspace
from kehoach_docs.prepared import load_plan
from kehoach_docs.schema.plan import Body, Recipient, Signer
from kehoach_docs.schema.report import Report
from kehoach_docs.schema.results import Results
from kehoach_docs.targets import value_text

KIND_NAMES = {"so_ket": "sơ kết", "tong_ket": "tổng kết"}
TITLES = {
    "dac_diem": "Đặc điểm tình hình",
    "lanh_dao_chi_dao": "Công tác lãnh đạo, chỉ đạo, tổ chức triển khai thực hiện",
    "ket_qua": "Kết quả thực hiện",
    "danh_gia": "Đánh giá chung",
    "phuong_huong": {"so_ket": "Phương hướng, nhiệm vụ, giải pháp thời gian tới",
                     "tong_ket": "Phương hướng, mục tiêu, nhiệm vụ, giải pháp giai đoạn tiếp theo"},
    "de_xuat": "Đề xuất, kiến nghị",
}
COMPARATOR_WORDS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "top": "tốp", "tang_bac": "tăng"}
ROUNDING_NOTE = ("Tỷ lệ phần trăm làm tròn đến một chữ số thập phân (làm tròn nửa lên); "
                 "đánh giá Vượt/Đạt/Chưa đạt theo số đã làm tròn. Đơn vị chưa báo cáo không "
                 "tính vào tỷ lệ và số bình quân của năm đó.")


class TargetRow(BaseModel):
    tt: str
    ten: str
    dvt: str
    chi_tieu: str
    nam: list[str]
    luy_ke: str
    ty_le: str
    danh_gia: str


class TargetAppendix(BaseModel):
    so: str
    tieu_de: str
    chu_thich: str
    cot_nam: list[str]
    hang: list[TargetRow]
    ghi_chu: list[str]


class UnitRow(BaseModel):
    tt: str
    don_vi: str
    o: list[str]
    """One cell per declared column."""


class UnitAppendix(BaseModel):
    so: str
    tieu_de: str
    chu_thich: str
    cot: list[str]
    hang: list[UnitRow]


class ListRow(BaseModel):
    tt: str
    ten: str
    thanh_tich: str
    hinh_thuc: str


class ListAppendix(BaseModel):
    so: str
    tieu_de: str
    chu_thich: str
    hang: list[ListRow]


class ReportContext(DocumentContext):
    """What a report template sees: a document, plus its appendix tables (None: absent)."""

    phu_luc_chi_tieu: TargetAppendix | None = None
    phu_luc_don_vi: UnitAppendix | None = None
    phu_luc_danh_sach: ListAppendix | None = None


@dataclass
class ReportSources:
    """Everything a report is computed from (also the inputs of an incremental build)."""

    report: Report
    plan_path: Path
    plan: object
    collected: Collected
    agg: Aggregate


def gather(report: Report, report_path: Path, ws: Workspace | None = None) -> ReportSources:
    """The plan, units and results a report is computed from: read, checked and aggregated
    once per workspace object (a build renders the office report and every unit's report
    from the same data). Invalid files are kept in `collected.problems`."""
    ws = ws or Workspace.of(report_path)
    years = (report.tu_nam - 1, *report.years)
    key = ("report-sources", report.model_dump_json(), years)
    return ws.memo(key, lambda: _gather(ws, report, years))


def _gather(ws: Workspace, report: Report, years: tuple[int, ...]) -> ReportSources:
    plan_path = ws.root / report.ke_hoach
    plan = load_plan(plan_path, ws).plan
    targets = plan.targets()
    collected = gather_results(ws, targets, list(years))
    agg = aggregate(targets, collected.infos, report.years, collected.reports, collected.office)
    return ReportSources(report, plan_path, plan, collected, agg)


def figure_names(agg: Aggregate) -> dict[str, str]:
    """[[kq.…]] placeholders of the computed figures."""
    names: dict[str, str] = {"so_don_vi": so(len(agg.units))}
    last = agg.years[-1]
    names["so_don_vi_bao_cao"] = so(len(agg.reports.get(last, {})))
    for r in agg.targets:
        key = f"kq.{r.target.ma}"
        names[key] = r.total.text
        names[f"{key}.gia_tri"] = r.total.short
        names[f"{key}.danh_gia"] = (r.total.assessment or "chưa đánh giá").lower()
        names[f"{key}.ty_le"] = r.total.of_target_text
        for y, fig in r.years.items():
            names[f"{key}.{y}"] = fig.text
    return names


def _target_line(r: TargetResult) -> str:
    t = r.target
    goal = f"{COMPARATOR_WORDS[t.so_sanh]} {value_text(t)}" + ("" if t.don_vi in ("%", "hạng") else f" {t.don_vi}")
    verdict = f"; đánh giá: {r.total.assessment}" if r.total.assessment else ""
    return f"{t.ten[:1].upper()}{t.ten[1:]} (chỉ tiêu {goal}): {r.total.text}{verdict}."


def _missing_line(agg: Aggregate, only: Unit | None = None) -> str | None:
    parts = []
    for y in agg.years:
        # A unit's report speaks of the unit alone (and costs the same with 64 or 1,024 units).
        missing = agg.missing(y) if only is None else \
            ([only.info] if (got := agg.reports.get(y)) and only.info.ma not in got else [])
        if missing:
            parts.append(f"năm {y}: {', '.join(u.ten for u in missing)}")
    return ("Đơn vị chưa báo cáo (không tính vào số liệu của năm đó) — " + "; ".join(parts) + ".") if parts else None


def build_report_context(src: ReportSources, profile, *, co_quan: Body, signer: Signer,
                         recipients: list[Recipient], luu: str, only: Unit | None = None,
                         trich_yeu: str | None = None) -> tuple[ReportContext, list[tuple[tuple, str]]]:
    """Context of the office's report, or of one unit's report when `only` is given."""
    report, plan = src.report, src.plan
    # A unit is measured against its own targets (the parent's where it set none).
    own = [t.model_copy(update={"gia_tri": only.profile.chi_tieu[t.ma]}) if t.ma in only.profile.chi_tieu
           else t for t in plan.targets()] if only is not None else None
    agg = src.agg if only is None else aggregate(
        own, src.collected.infos, report.years, src.collected.reports,
        src.collected.office, only=[only.info.ma])
    names = figure_names(agg)
    ex = TextExpander(plan.can_cu, profile, names)
    w = BodyWriter(ex, profile)
    kind = report.loai_bao_cao
    titles = {**{k: (v[kind] if isinstance(v, dict) else v) for k, v in TITLES.items()}, **report.tieu_de_phan}

    results: list[Paragraph] = w.paras(report.ket_qua, ("ket_qua",)) if only is None else []
    results.append(w.heading(1, "Kết quả thực hiện các mục tiêu, chỉ tiêu"))
    results += [Paragraph(kieu="doan", van_ban=w.bullet + _target_line(r)) for r in agg.targets]
    if only is None and (line := _missing_line(agg)):
        results.append(Paragraph(kieu="doan", van_ban=line))
    if only is None:
        if report.ket_qua_nhiem_vu:
            results.append(w.heading(2, "Kết quả thực hiện các nhiệm vụ, giải pháp"))
            results += w.paras(report.ket_qua_nhiem_vu, ("ket_qua_nhiem_vu",))
        sections = _office_sections(w, report, titles, results)
    else:
        sections = _unit_sections(w, src, only, titles, results)

    body = w.document(
        co_quan=co_quan, loai_van_ban="BC", so=report.so if only is None else None,
        ngay=report.ngay, dia_danh=report.dia_danh or plan.dia_danh,
        trich_yeu=ex.expand(trich_yeu or report.trich_yeu, ("trich_yeu",)),
        mo_dau=w.paras(report.mo_dau, ("mo_dau",)) if only is None else [],
        phan=w.sections(sections),
        ket_thuc=w.paras(report.ket_thuc, ("ket_thuc",)) if only is None else [],
        noi_nhan=w.recipients(recipients, luu), nguoi_ky=signer)
    so_hieu = body["so_ky_hieu"].removeprefix("Số").lstrip(": ")
    citation = "(Kèm theo " + profile.than_van_ban.mau_trich_dan.format(
        loai="Báo cáo", so_ky_hieu=so_hieu.strip() or "…", ngay=ngay_ngan(report.ngay),
        co_quan=co_quan.chu_the or co_quan.ten) + ")"
    unit_appendix = None
    if only is None and report.phu_luc_don_vi is not None:
        unit_appendix, found = _unit_appendix(src, citation)
        ex.problems.extend(found)
    appendices = [_target_appendix(agg, report, citation, only), unit_appendix,
                  _list_appendix(src, citation, only) if kind == "tong_ket" and report.phu_luc_danh_sach else None]
    label = profile.danh_so.phu_luc
    for n, appendix in enumerate((a for a in appendices if a is not None), 1):
        appendix.so = label.format(so=n, la_ma=la_ma(n))
    ctx = ReportContext(**body, phu_luc_chi_tieu=appendices[0], phu_luc_don_vi=appendices[1],
                        phu_luc_danh_sach=appendices[2])
    return ctx, ex.problems


def _office_sections(w: BodyWriter, report: Report, titles: dict, results: list[Paragraph]):
    d = report.danh_gia
    assessment: list[Paragraph] = []
    n = 0
    for key, label, texts in (("uu_diem", "Ưu điểm", d.uu_diem), ("han_che", "Hạn chế, khuyết điểm", d.han_che)):
        if texts:
            n += 1
            assessment += [w.heading(n, label), *w.paras(texts, ("danh_gia", key), w.bullet)]
    if d.nguyen_nhan_khach_quan or d.nguyen_nhan_chu_quan:
        n += 1
        assessment.append(w.heading(n, "Nguyên nhân của hạn chế"))
        for letter, key, label, texts in (("a", "nguyen_nhan_khach_quan", "Nguyên nhân khách quan",
                                           d.nguyen_nhan_khach_quan),
                                          ("b", "nguyen_nhan_chu_quan", "Nguyên nhân chủ quan",
                                           d.nguyen_nhan_chu_quan)):
            if texts:
                assessment.append(Paragraph(kieu="doan", van_ban=f"{letter}) {label}"))
                assessment += w.paras(texts, ("danh_gia", key), w.bullet)
    if d.bai_hoc:
        n += 1
        assessment += [w.heading(n, "Bài học kinh nghiệm"), *w.paras(d.bai_hoc, ("danh_gia", "bai_hoc"), w.bullet)]
    return [
        ("dac_diem", titles["dac_diem"], w.paras(report.dac_diem, ("dac_diem",))),
        ("lanh_dao_chi_dao", titles["lanh_dao_chi_dao"], w.paras(report.lanh_dao_chi_dao, ("lanh_dao_chi_dao",))),
        ("ket_qua", titles["ket_qua"], results),
        ("danh_gia", titles["danh_gia"], assessment),
        ("phuong_huong", titles["phuong_huong"], w.paras(report.phuong_huong, ("phuong_huong",), w.bullet)),
        ("de_xuat", titles["de_xuat"], w.paras(report.de_xuat, ("de_xuat",), w.bullet)),
    ]


def _unit_sections(w: BodyWriter, src: ReportSources, unit: Unit, titles: dict, results: list[Paragraph]):
    """A unit's report: its own activities, figures, strengths and shortcomings."""
    years = src.report.years
    programme = src.collected.programme
    own = [src.collected.reports.get(y, {}).get(unit.info.ma) for y in years]
    # The plan's number and date come from the unit's profile (one fact, one place); it is
    # told under the first reported year of the period from its date on.
    issued = plan_issued(unit, src.report.ngay)
    issued_in = next((y for y, r in zip(years, own) if r is not None and y >= unit.profile.ngay.year), None)
    lead: list[Paragraph] = []
    for y, r in zip(years, own):
        if r is None:
            lead.append(Paragraph(kieu="doan", van_ban=f"{w.bullet}Năm {y}: chưa báo cáo."))
            continue
        bits = []
        if issued and issued_in == y:
            bits.append(f"ban hành Kế hoạch thực hiện số {unit.profile.so} ngày {ngay_ngan(unit.profile.ngay)}")
        bits += [b for name in programme.ket_qua if (b := programme.unit_sentence(name, getattr(r, name)))]
        lead.append(Paragraph(kieu="doan", van_ban=f"{w.bullet}Năm {y}: " + ("; ".join(bits) or "không có hoạt động ghi nhận") + "."))
    strengths = [t for r in own if r for t in r.ket_qua_noi_bat]
    weaknesses = [t for r in own if r for t in r.han_che]
    for name in programme.fields_of("danh_sach"):
        items = [m for r in own if r for m in getattr(r, name)]
        heading = programme.ket_qua[name].tieu_de_don_vi
        if items and heading:
            results.append(w.heading(2, heading))
            results += [Paragraph(kieu="doan", van_ban=f"{w.bullet}{m.ten}" + (f" (lĩnh vực {m.linh_vuc.lower()})" if m.linh_vuc else "") + ".")
                        for m in items]
    assessment = []
    if strengths:
        assessment += [w.heading(1, "Ưu điểm"), *[Paragraph(kieu="doan", van_ban=w.bullet + t) for t in strengths]]
    if weaknesses:
        assessment += [w.heading(2 if strengths else 1, "Hạn chế"),
                       *[Paragraph(kieu="doan", van_ban=w.bullet + t) for t in weaknesses]]
    return [
        ("lanh_dao_chi_dao", titles["lanh_dao_chi_dao"], lead),
        ("ket_qua", titles["ket_qua"], results),
        ("danh_gia", titles["danh_gia"], assessment),
    ]


def _target_appendix(agg: Aggregate, report: Report, citation: str, only: Unit | None = None) -> TargetAppendix:
    rows = []
    for i, r in enumerate(agg.targets, 1):
        t = r.target
        rows.append(TargetRow(
            tt=str(i), ten=t.ten[:1].upper() + t.ten[1:], dvt=t.don_vi,
            chi_tieu=f"{COMPARATOR_WORDS[t.so_sanh]} {value_text(t)}" + (" (hằng năm)" if t.ky == "hang_nam" else ""),
            nam=[r.years[y].short for y in agg.years], luy_ke=r.total.short,
            ty_le=r.total.of_target_text, danh_gia=r.total.assessment or "—"))
    notes = [ROUNDING_NOTE]
    if (line := _missing_line(agg, only)):
        notes.append(line)
    return TargetAppendix(so="", tieu_de="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU "
                          f"GIAI ĐOẠN {agg.years[0]}-{agg.years[-1]}" if len(agg.years) > 1 else
                          f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM {agg.years[0]}",
                          chu_thich=citation, cot_nam=[f"Năm {y}" for y in agg.years], hang=rows, ghi_chu=notes)


def _unit_appendix(src: ReportSources, citation: str) -> tuple[UnitAppendix, list[tuple[tuple, str]]]:
    """The units appendix with the report file's declared columns; unknown sources are
    problems at their column."""
    spec = src.report.phu_luc_don_vi
    programme = src.collected.programme
    targets = {t.ma: t for t in src.plan.targets()}
    problems = []
    for i, c in enumerate(spec.cot):
        kind, _, ref = c.lay.partition(".")
        known = (sorted(targets) if kind == "chi_tieu" else sorted(programme.ket_qua) if kind == "ket_qua" else [])
        if c.lay in ("ke_hoach", "bao_cao") or ref in known:
            continue
        options = ([f"{kind}.{k}" for k in known] if kind in ("chi_tieu", "ket_qua") else
                   ["ke_hoach", "bao_cao", "chi_tieu.<mã>", "ket_qua.<trường>"])
        guess = difflib.get_close_matches(c.lay, options, n=1)
        problems.append((("phu_luc_don_vi", "cot", i, "lay"),
                         f"Không biết cột '{c.lay}'." + (f" Có phải ý bạn là '{guess[0]}'?" if guess else
                                                          f" Dùng: {', '.join(options) or '(chưa khai báo)'}.")))
    # Only years someone reported for are reporting years (not the plan's own year).
    years = [y for y in src.report.years if src.collected.reports.get(y)]
    rows = []
    for i, unit in enumerate(src.collected.units, 1):
        own = {y: src.collected.reports.get(y, {}).get(unit.info.ma) for y in years}
        cells = [_cell(c.lay, own, targets, programme, unit, src.report.ngay) if not problems else ""
                 for c in spec.cot]
        rows.append(UnitRow(tt=str(i), don_vi=unit.info.ten, o=cells))
    return UnitAppendix(so="", tieu_de=spec.tieu_de, chu_thich=citation,
                        cot=[c.tieu_de for c in spec.cot], hang=rows), problems


def _cell(source: str, own: dict[int, Results | None], targets: dict, programme, unit: Unit, day: date) -> str:
    """One unit's cell: what `source` adds up to over its reported years."""
    reported = [r for r in own.values() if r]
    if source == "bao_cao":
        missing = [str(y) for y, r in own.items() if r is None]
        return "Đủ" if not missing else "Chưa báo cáo năm " + ", ".join(missing)
    if source == "ke_hoach":  # from the unit's profile (one fact, one place)
        return f"Số {unit.profile.so}, {ngay_ngan(unit.profile.ngay)}" if plan_issued(unit, day) else "Chưa ban hành"
    if not reported:
        return "—"
    kind, _, ref = source.partition(".")
    if kind == "ket_qua":
        values = [getattr(r, ref) for r in reported]
        f = programme.ket_qua[ref]
        if f.kieu == "buoi":
            sessions = [v for v in values if v]
            return f"{so(sum(v.so_buoi for v in sessions))} buổi / {so(sum(v.so_nguoi_du for v in sessions))} người"
        if f.kieu == "so":
            return so(sum(v for v in values if v))
        return so(sum(len(v) for v in values))
    t = targets[ref]
    values = [r.chi_tieu[ref] for r in reported if ref in r.chi_tieu]
    if t.cach_tinh == "ty_le":
        dat, tong = sum(c.dat for c in values), sum(c.tong for c in values)
        return f"{so(dat)}/{so(tong)}" if tong else "—"
    if t.cach_tinh == "trung_binh":
        return _pct(sum(float(v) for v in values) / len(values)) if values else "—"
    if t.cach_tinh == "ty_le_don_vi":
        return ("Đạt" if any(values) else "Chưa đạt") if values else "—"
    if t.cach_tinh == "so_luong" and t.pham_vi == "moi_co_so":
        from kehoach_docs.aggregate import unit_count
        return so(sum(unit_count(r, t) for r in reported))
    return "—"


def plan_issued(unit: Unit, by: date) -> bool:
    """Whether the unit had issued its plan by a date: its profile has a number, dated then
    or before (a profile without a number is a draft)."""
    return unit.profile.so is not None and unit.profile.ngay <= by


def _pct(x: float) -> str:
    from kehoach_docs.aggregate import rounded
    from kehoach_docs.format import phan_tram
    return phan_tram(rounded(x))


def _list_appendix(src: ReportSources, citation: str, only: Unit | None) -> ListAppendix | None:
    spec = src.report.phu_luc_danh_sach
    field = spec.truong
    rows = []
    sources = [(u.info.ten, r) for y in src.report.years for u in ([only] if only else src.collected.units)
               if (r := src.collected.reports.get(y, {}).get(u.info.ma))]
    if only is None:
        sources += [("", r) for y in src.report.years if (r := src.collected.office.get(y))]
    for unit_name, r in sources:
        for c in getattr(r, field, None) or []:
            if c.de_nghi:
                # A part of a unit ("Bộ phận Một cửa") is ambiguous across units: name the unit too.
                name = c.ten if not unit_name or unit_name.lower() in c.ten.lower() else f"{c.ten}, {unit_name}"
                rows.append(ListRow(tt=str(len(rows) + 1), ten=name, thanh_tich=c.thanh_tich or "",
                                    hinh_thuc=c.hinh_thuc or ""))
    if not rows:
        return None
    return ListAppendix(so="", tieu_de=spec.tieu_de, chu_thich=citation, hang=rows)
