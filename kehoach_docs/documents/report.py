"""Reports (báo cáo sơ kết / tổng kết): the office's words, the computed figures, the
appendix tables; and each unit's own report for the same period, from its own results."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from kehoach_docs.results.aggregate import Aggregate, aggregate
from kehoach_docs.results.collect import Collected, Unit, gather_results
from kehoach_docs.documents.plan import BodyWriter, DocumentContext, Paragraph, TextExpander, due_text
from kehoach_docs.format import la_ma, ngay_ngan, so
from kehoach_docs.workspace.workspace import PROGRAMME_FILE, Workspace
from kehoach_docs.documents.prepared import (
    Prepared, check_bodies, load_plan, located, profile_for_document, profile_warnings, sample_value_warnings,
    template_for,
)
from kehoach_docs.documents.unit import load_workbench, unit_identity
from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.load.yaml_source import Loaded
from kehoach_docs.schema.validate import validate
from kehoach_docs.organisations import BODIES_FILE, carried_results, exists_on, load_bodies, unit_state
from kehoach_docs.schema.plan import Body, Recipient, Signer
from kehoach_docs.schema.report import Report
from kehoach_docs.schema.results import Results, Sessions
from kehoach_docs.targets.kinds import CHUA_DAT, Scope, TargetResult, cap, compute
from kehoach_docs.targets.so_lieu import dem, khong_ngat, phan_so
from kehoach_docs.targets.verdict import WORDS

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
# Who the units are, in the report's words (by regime).
UNIT_NOUN = {"dang": "tổ chức cơ sở đảng", "nha_nuoc": "cơ quan, đơn vị"}


class TargetRow(BaseModel):
    tt: str
    ten: str
    dvt: str
    chi_tieu: str
    nam: list[str]
    luy_ke: str
    """The period's figure, by the target's kind (a state: its last year; a flow: the sum)."""
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
    ghi_chu: list[str] = []
    """Notes under the table: which units a successor's row includes."""


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
    do_rong_bang: list[dict] = []
    """Tables sized by their content after rendering: {dau: header row's texts, rong: mm per
    column} (column_widths.py); a template whose table reads otherwise keeps its own widths."""


@dataclass
class ReportSources:
    """Everything a report is computed from (also the inputs of an incremental build)."""

    report: Report
    plan_path: Path
    plan: object
    collected: Collected
    agg: Aggregate
    views: object = None
    """organisations.PeriodViews when units changed during the period (None otherwise)."""
    ws: Workspace | None = None
    """The workspace it was read from (its memo holds the khung)."""

    def workbench(self):
        """The khung and its parent plan, from the workspace's memo."""
        from kehoach_docs.documents.unit import load_workbench

        ws = self.ws or Workspace(self.plan_path.parent)
        return load_workbench(ws.khung_file, ws)


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
    # Changes between units are read only from valid unit records (an invalid one stops the
    # reports that read it; see kinds.py).
    views = _views(collected, report, targets) if not collected.problems else None
    agg = aggregate(targets, collected.infos, report.years, collected.reports, collected.office, views=views)
    return ReportSources(report, plan_path, plan, collected, agg, views, ws)


def _views(collected: Collected, report: Report, targets):
    """Results seen through the units' changes (None when no unit changed)."""
    from kehoach_docs.organisations import PeriodViews

    succession = collected.succession
    if succession.identity():
        return None
    return PeriodViews(succession, collected.reports, report.years, {t.ma: t for t in targets}, report.ngay)


def figure_names(agg: Aggregate) -> dict[str, str]:
    """[[kq.…]] placeholders of the computed figures."""
    # [[so_don_vi]]/[[so_don_vi_bao_cao]]: the report's units (as they stand at the end of
    # the period) and those that reported for at least one year of it (a successor: it or a
    # unit merged into it); [[so_don_vi.<năm>]]/[[so_don_vi_bao_cao.<năm>]]: the units that
    # owed a report for that year and those that sent it (docs/bao-cao.md).
    names: dict[str, str] = {"so_don_vi": so(len(agg.units))}
    names["so_don_vi_bao_cao"] = so(sum(1 for u in agg.units if any(u.ma in agg.reports.get(y, {})
                                                                    for y in agg.years)))
    for y in agg.years:
        owing = agg.owing.get(y, agg.units)
        sent = agg.reported_in.get(y, set()) if y in agg.owing else agg.reports.get(y, {})
        names[f"so_don_vi.{y}"] = so(len(owing))
        names[f"so_don_vi_bao_cao.{y}"] = so(sum(1 for u in owing if u.ma in sent))
    for r in agg.targets:
        key, t = f"kq.{r.target.ma}", r.target
        names[key] = r.total.phrase
        names[f"{key}.gia_tri"] = r.kind.short(t, r.total)
        names[f"{key}.danh_gia"] = WORDS.get(r.total.verdict, "chưa đánh giá")
        names[f"{key}.nhan_xet"] = r.judgement()
        names[f"{key}.cau"] = r.sentence()
        for y, fig in r.years.items():
            names[f"{key}.{y}"] = fig.phrase
    return names


def _sentences(results: list[TargetResult]) -> str:
    return " ".join(r.sentence() + "." for r in results)


def _goal_paragraphs(w: BodyWriter, plan, agg: Aggregate) -> list[Paragraph]:
    """One paragraph per goal of the plan: its targets' results, in sentences."""
    by_ma = {r.target.ma: r for r in agg.targets}
    out = []
    for goal in plan.muc_tieu:
        results = [by_ma[t.ma] for t in goal.chi_tieu if t.ma in by_ma]
        if results:
            out.append(Paragraph(kieu="doan", van_ban=w.bullet + _sentences(results)))
    return out


def _missing_line(agg: Aggregate, noun: str) -> str | None:
    parts = []
    for y in agg.years:
        missing = agg.missing(y)
        if missing:
            parts.append(f"năm {y} có {dem(len(missing))} {noun} chưa báo cáo ({', '.join(u.ten for u in missing)})")
    return cap("; ".join(parts)) + "." if parts else None


def build_report_context(src: ReportSources, profile, *, co_quan: Body, signer: Signer,
                         recipients: list[Recipient], luu: str, only: Unit | None = None,
                         trich_yeu: str | None = None, names: dict[str, str] | None = None,
                         unit_plan=None, plan_issuer: Body | None = None
                         ) -> tuple[ReportContext, list[tuple[tuple, str]]]:
    """Context of the office's report, or of one unit's report when `only` is given (its
    own targets: `unit_plan`, the unit's derived plan; `plan_issuer`, the body that issued
    that plan, under its name on the plan's date)."""
    report, plan = src.report, src.plan
    if only is None:
        agg = src.agg
    else:
        if unit_plan is None:
            unit_plan = own_plan(src, only)
        own = unit_plan.targets()
        agg = aggregate(own, src.collected.infos, report.years, src.collected.reports,
                        src.collected.office, only=[only.info.ma], views=src.views)
    given = names or {}
    names = figure_names(agg)
    if only is not None:
        names |= _unit_names(src, only, co_quan, plan_issuer or co_quan, profile)
    names |= given
    ex = TextExpander({**plan.can_cu, **_parent_ref(src, profile)}, profile, names)
    w = BodyWriter(ex, profile)
    kind = report.loai_bao_cao
    titles = {**{k: (v[kind] if isinstance(v, dict) else v) for k, v in TITLES.items()}, **report.tieu_de_phan}
    noun = UNIT_NOUN[profile.he_thong]

    if only is None:
        sections = _office_sections(w, src, titles, agg, noun)
        opening, closing = report.mo_dau, report.ket_thuc
        opening_loc, closing_loc = ("mo_dau",), ("ket_thuc",)
        number, day = report.so, report.ngay
        draft_round = report.du_thao_lan
    else:
        khung = report.bao_cao_don_vi
        sections = _unit_sections(w, src, only, titles, agg, unit_plan)
        opening, closing = (khung.mo_dau, khung.ket_thuc) if khung else ([], [])
        opening_loc, closing_loc = ("bao_cao_don_vi", "mo_dau"), ("bao_cao_don_vi", "ket_thuc")
        number, day = _unit_number_date(src, only)
        draft_round = None

    body = w.document(
        co_quan=co_quan, loai_van_ban="BC", so=number,
        ngay=day, dia_danh=report.dia_danh or plan.dia_danh,
        trich_yeu=ex.expand(trich_yeu or report.trich_yeu, ("trich_yeu",)),
        mo_dau=w.paras(opening, opening_loc),
        phan=w.sections(sections),
        ket_thuc=w.paras(closing, closing_loc),
        noi_nhan=w.recipients(recipients, luu), nguoi_ky=signer, du_thao_lan=draft_round)
    _no_breaks(body)
    so_hieu = profile.so_ky_hieu.symbol(number, "BC", co_quan.ky_hieu)
    citation = "(Kèm theo " + profile.than_van_ban.cite(
        "Báo cáo", so_hieu.rstrip() or "…", day, co_quan.chu_the or co_quan.ten) + ")"
    unit_appendix = None
    if only is None and report.phu_luc_don_vi is not None:
        unit_appendix, found = _unit_appendix(src, citation, profile)
        ex.problems.extend(found)
    carried_note = []
    if only is not None and src.views is not None and (preds := src.views.predecessors().get(only.info.ma)):
        carried_note = [f"Gồm cả kết quả của {_merged_phrase(preds)}."]
    appendices = [_target_appendix(agg, citation, carried_note), unit_appendix,
                  _list_appendix(src, citation, only) if kind == "tong_ket" and report.phu_luc_danh_sach else None]
    label = profile.danh_so.phu_luc
    for n, appendix in enumerate((a for a in appendices if a is not None), 1):
        appendix.so = label.format(so=n, la_ma=la_ma(n))
    sized = [_unit_widths(profile, unit_appendix)] if unit_appendix is not None else []
    ctx = ReportContext(**body, phu_luc_chi_tieu=appendices[0], phu_luc_don_vi=appendices[1],
                        phu_luc_danh_sach=appendices[2], do_rong_bang=sized)
    return ctx, ex.problems


def own_plan(src: ReportSources, unit: Unit):
    """The unit's own plan (derived from the khung): its targets, with its own values, and
    only those that apply to it."""
    from kehoach_docs.documents.unit import derive_plan

    return derive_plan(src.workbench(), unit.record)[0]


def _no_breaks(body: dict) -> None:
    """Comparison signs and year ranges never break across lines (targets/so_lieu.py)."""
    body["mo_dau"] = [khong_ngat(t) for t in body["mo_dau"]]
    body["ket_thuc"] = [khong_ngat(t) for t in body["ket_thuc"]]
    for section in body["phan"]:
        for p in section.doan:
            p.van_ban = khong_ngat(p.van_ban)


def _parent_ref(src: ReportSources, profile) -> dict:
    """[[ke_hoach_cap_tren]]: the plan reported on, cited like any document."""
    from kehoach_docs.documents.unit import PARENT_REF
    from kehoach_docs.schema.plan import CitedDocument

    plan = src.plan
    return {PARENT_REF: CitedDocument(
        loai="Kế hoạch", so_ky_hieu=profile.so_ky_hieu.symbol(plan.so, "KH", plan.co_quan.ky_hieu) if plan.so else None,
        ngay=plan.ngay, co_quan=plan.co_quan.chu_the or plan.co_quan.ten)}


# ----------------------------------------------------------------------------- office report

def _office_sections(w: BodyWriter, src: ReportSources, titles: dict, agg: Aggregate, noun: str):
    report, plan = src.report, src.plan
    results: list[Paragraph] = w.paras(report.ket_qua, ("ket_qua",))
    results.append(w.heading(1, "Kết quả thực hiện các mục tiêu, chỉ tiêu"))
    results += _goal_paragraphs(w, plan, agg)
    if (line := _missing_line(agg, noun)):
        results.append(Paragraph(kieu="doan", van_ban=line))
    tasks = w.paras(report.ket_qua_nhiem_vu, ("ket_qua_nhiem_vu",))
    tasks += _task_groups(w, src, agg, noun)
    if tasks:
        results.append(w.heading(2, "Kết quả thực hiện các nhiệm vụ, giải pháp"))
        results += tasks
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


def activity_units(src: ReportSources, nguon: str, ma: str | None) -> tuple[list[str], dict[str, int]]:
    """Units that reported an activity in the period (a declared result field, or a timeline
    activity completed), and the totals behind it."""
    field = src.collected.programme.ket_qua.get(nguon)
    units, totals = [], {"buoi": 0, "nguoi": 0, "so": 0, "tap_the": 0, "ca_nhan": 0}
    base, reports = unit_base(src)
    for unit in base:
        did = False
        for y in src.report.years:
            r = reports.get(y, {}).get(unit)
            if r is None:
                continue
            value = getattr(r, nguon, None) if field is not None else None
            if nguon == "hoan_thanh":
                did |= ma in r.hoan_thanh
            elif field is None or not value:
                continue
            elif field.kieu == "buoi":
                did |= value.so_buoi > 0
                totals["buoi"] += value.so_buoi
                totals["nguoi"] += value.so_nguoi_du
            elif field.kieu == "tap_the_ca_nhan":
                did = True
                totals["tap_the"] += sum(1 for k in value if k.loai == "tap_the")
                totals["ca_nhan"] += sum(1 for k in value if k.loai == "ca_nhan")
            else:
                did = True
                totals["so"] += len(value) if isinstance(value, list) else int(value)
        if did:
            units.append(unit)
    return units, totals


def unit_base(src: ReportSources) -> tuple[list[str], dict]:
    """The units a report counts and their results: as they stand at the end of the period
    when units changed (a successor carries its predecessors, organisations.py), so every count
    of units has the report's own number of units beneath it."""
    if src.views is not None:
        view = src.views.at(src.report.years[-1])
        return [u.ma for u in view.units], view.reports
    return [u.info.ma for u in src.collected.units], src.collected.reports


def _activity_sentence(src: ReportSources, a, noun: str) -> str:
    units, t = activity_units(src, a.nguon, a.ma)
    text = f"{phan_so(len(units), len(unit_base(src)[0]))} {noun} đã {a.viec}"
    field = src.collected.programme.ket_qua.get(a.nguon)
    detail = ""
    if field is not None and field.kieu == "buoi":
        detail = f"{dem(t['buoi'])} buổi, {so(t['nguoi'])} lượt người tham dự"
    elif field is not None and field.kieu == "tap_the_ca_nhan":
        detail = f"{dem(t['tap_the'])} tập thể, {dem(t['ca_nhan'])} cá nhân"
    elif field is not None and field.kieu in ("danh_sach", "so"):
        detail = dem(t["so"], field.nhan)
    return text + (f" ({detail})" if detail else "")


def _check_activity(src: ReportSources, a) -> str | None:
    """What is wrong with an activity to count (None: nothing)."""
    known = sorted(f for f, d in src.collected.programme.ket_qua.items() if d.kieu != "doan")
    if a.nguon == "hoan_thanh":
        return None if a.ma else "Với nguon: hoan_thanh, ghi 'ma' của hoạt động trong lộ trình của khung."
    if a.nguon not in known:
        return (f"'{a.nguon}' không phải trường kết quả khai báo ở ket-qua/khung-ket-qua.yaml; dùng: "
                f"{', '.join(known + ['hoan_thanh'])}.")
    return None


def timeline_item(plan, key: str):
    year, index = (int(x) for x in key.split("."))
    block = next((b for b in plan.lo_trinh if b.nam == year), None)
    if block is None or not 1 <= index <= len(block.hoat_dong):
        return None
    return block.hoat_dong[index - 1]


def _timeline_sentence(w: BodyWriter, src: ReportSources, key: str, loc: tuple) -> str:
    act = timeline_item(src.plan, key)
    if act is None:
        w.ex.problems.append((loc, f"Lộ trình của kế hoạch không có mục '{key}' (dạng <năm>.<thứ tự>)."))
        return ""
    text = w.ex.expand(act.noi_dung, loc, {"han": due_text(act.han), "han.dai": due_text(act.han, long=True)}
                       if act.han else {})
    text = text.rstrip(".")
    done = next((d for d in src.report.lo_trinh_da_lam if d.muc == key), None)
    # No deadline of its own: due within its year of the timeline.
    last_day = act.han.last_day() if act.han else date(int(key.split(".")[0]), 12, 31)
    when = due_text(act.han) if act.han else f"năm {key.split('.')[0]}"
    if done is None or done.ngay is None:
        late = last_day < src.report.ngay
        return f"{cap(text)}: chưa thực hiện" + (f" (đã quá thời hạn {when})" if late else "")
    on_time = done.ngay <= last_day
    return (f"{cap(text)}: đã thực hiện ngày {ngay_ngan(done.ngay)}, " +
            ("đúng thời hạn" if on_time else f"chậm so với thời hạn ({when})"))


def _task_groups(w: BodyWriter, src: ReportSources, agg: Aggregate, noun: str) -> list[Paragraph]:
    """For each task group of the plan: the office's words, the activities units reported
    (counted), and the timeline items due in the period, done on time or not."""
    out: list[Paragraph] = []
    plan = src.plan
    for i, tr in enumerate(src.report.nhiem_vu):
        loc = ("nhiem_vu", i)
        if tr.nhiem_vu > len(plan.nhiem_vu):
            w.ex.problems.append((loc + ("nhiem_vu",), f"Kế hoạch chỉ có {len(plan.nhiem_vu)} nhiệm vụ, giải pháp."))
            continue
        task = plan.nhiem_vu[tr.nhiem_vu - 1]
        name = w.ex.expand(task.ten, loc).rstrip(".")
        out.append(Paragraph(kieu="doan", van_ban=f"({tr.nhiem_vu}) {name}."))
        out += w.paras(tr.doan, loc + ("doan",))
        counted = []
        for j, a in enumerate(tr.hoat_dong):
            if (wrong := _check_activity(src, a)) is not None:
                w.ex.problems.append((loc + ("hoat_dong", j, "nguon"), wrong))
            else:
                counted.append(_activity_sentence(src, a, noun))
        if counted:
            out.append(Paragraph(kieu="doan", van_ban=cap("; ".join(counted)) + "."))
        for j, key in enumerate(tr.lo_trinh):
            sentence = _timeline_sentence(w, src, key, loc + ("lo_trinh", j))
            if sentence:
                out.append(Paragraph(kieu="doan", van_ban=w.bullet + sentence + "."))
    return out


# ----------------------------------------------------------------------------- a unit's report

def _unit_names(src: ReportSources, unit: Unit, body: Body, issuer: Body, profile) -> dict[str, str]:
    """[[don_vi]], [[cap_uy]], [[chu_the]], [[ke_hoach_don_vi]] of a unit's report: the
    reporting body under its name on the report's date, its plan cited as it was issued
    (`issuer`: the body's name and symbol on the plan's date, "của Đảng ủy Báo Nghệ An")."""
    p = unit.record
    own = "kế hoạch thực hiện"
    number = profile.so_ky_hieu.symbol(p.so, "KH", issuer.ky_hieu) if p.so else None
    if p.so:
        own = profile.than_van_ban.cite("Kế hoạch", number, p.ngay, issuer.chu_the or issuer.ten)
    short = profile.than_van_ban.cite("Kế hoạch", number, p.ngay) if p.so else own
    return {"don_vi": p.ten, "cap_uy": body.ten, "chu_the": body.chu_the or body.ten, "ke_hoach_don_vi": own,
            "ke_hoach_don_vi_ngan": short, "chu_the_ke_hoach": issuer.chu_the or issuer.ten}


def _unit_number_date(src: ReportSources, unit: Unit):
    """A unit's report is numbered and dated from its own results: the latest results file
    of the period (its so_bao_cao, ngay_bao_cao); else unnumbered, on the office's date."""
    for y in reversed(src.report.years):
        r = src.collected.reports.get(y, {}).get(unit.info.ma)
        if r is not None and r.ngay_bao_cao is not None:
            return r.so_bao_cao, r.ngay_bao_cao
    return None, src.report.ngay


def _unit_sections(w: BodyWriter, src: ReportSources, unit: Unit, titles: dict, agg: Aggregate, unit_plan):
    """A unit's report: its own work, its figures against its own targets, strengths from
    what it met, shortcomings from what it did not, causes, direction, proposals."""
    report, years = src.report, src.report.years
    khung = report.bao_cao_don_vi
    # Everything follows the units like the figures: a successor's report carries its
    # predecessors' sessions, lists and sentences, each naming the predecessor
    # (organisations.carried_results; the figures: aggregate with views).
    carried = carried_results(src.views, unit.info.ma, report.ngay, src.collected.reports, years)
    merged = src.views.predecessors().get(unit.info.ma, []) if src.views is not None else []
    p = unit.record
    lead: list[str] = []
    if p.so and p.ngay:
        # Who issued the plan, under the name it had then (a body renamed or merged since).
        lead.append(f"{w.ex.names['chu_the_ke_hoach']} đã ban hành {w.ex.names['ke_hoach_don_vi_ngan']} "
                    "để triển khai thực hiện")
    programme = src.collected.programme
    for name in programme.fields_of("buoi"):
        # The period's sessions, in the programme's own sentence ("tổ chức 04 buổi quán triệt…").
        sessions = [v for _, _, r in carried if (v := getattr(r, name, None))]
        if sessions:
            total = Sessions(so_buoi=sum(v.so_buoi for v in sessions), so_nguoi_du=sum(v.so_nguoi_du for v in sessions))
            if (text := programme.unit_sentence(name, total)):
                lead.append(text)
    missing = _missing_years(src, unit.info.ma, [y for y in years if src.collected.reports.get(y)])
    if missing:
        lead.append(f"chưa gửi báo cáo kết quả năm {', '.join(missing)}")
    leadership = [Paragraph(kieu="doan", van_ban=cap("; ".join(lead)) + ".")] if lead else []
    if merged:  # said once, before any figure: whose results the report carries
        leadership.insert(0, Paragraph(kieu="doan", van_ban=f"Số liệu của báo cáo gồm cả kết quả của "
                                                            f"{_merged_phrase(merged)}."))

    results = [w.heading(1, "Kết quả thực hiện các mục tiêu, chỉ tiêu")]
    results += [Paragraph(kieu="doan", van_ban=w.bullet + r.sentence() + ".") for r in agg.targets
                if r.total.has_data]
    for name in programme.fields_of("danh_sach"):
        items = [(label, m) for _, label, r in carried for m in getattr(r, name)]
        heading = programme.ket_qua[name].tieu_de_don_vi
        if items and heading:
            results.append(w.heading(len([p for p in results if p.kieu == "cap2"]) + 1, heading))
            results += [Paragraph(kieu="doan", van_ban=f"{w.bullet}{m.ten}" + _item_note(m, label) + ".")
                        for label, m in items]

    met = [r for r in agg.targets if r.total.has_data and r.total.verdict != CHUA_DAT]
    unmet = [r for r in agg.targets if r.total.has_data and r.total.verdict == CHUA_DAT]
    strengths = [f"{r.sentence()}." for r in met] + _said(carried, "ket_qua_noi_bat")
    weaknesses = [f"{r.sentence()}." for r in unmet] + _said(carried, "han_che")
    assessment: list[Paragraph] = []
    n = 0
    for label, texts in (("Ưu điểm", strengths), ("Hạn chế", weaknesses)):
        if texts:
            n += 1
            assessment += [w.heading(n, label), *[Paragraph(kieu="doan", van_ban=w.bullet + t) for t in texts]]
    if weaknesses and khung and khung.nguyen_nhan:
        n += 1
        assessment += [w.heading(n, "Nguyên nhân"),
                       *w.paras(khung.nguyen_nhan, ("bao_cao_don_vi", "nguyen_nhan"), w.bullet)]
    direction = w.paras(khung.phuong_huong, ("bao_cao_don_vi", "phuong_huong"), w.bullet) if khung else []
    proposals = w.paras(khung.de_xuat, ("bao_cao_don_vi", "de_xuat"), w.bullet) if khung else []
    return [
        ("lanh_dao_chi_dao", titles["lanh_dao_chi_dao"], leadership),
        ("ket_qua", titles["ket_qua"], results),
        ("danh_gia", titles["danh_gia"], assessment),
        ("phuong_huong", titles["phuong_huong"], direction),
        ("de_xuat", titles["de_xuat"], proposals),
    ]


# ----------------------------------------------------------------------------- appendices

def _target_appendix(agg: Aggregate, citation: str, notes: list[str] | None = None) -> TargetAppendix:
    rows = []
    for i, r in enumerate(agg.targets, 1):
        t, kind = r.target, r.kind
        rows.append(TargetRow(
            tt=str(i), ten=cap(t.ten), dvt=kind.unit_text(t, r.single),
            chi_tieu=khong_ngat(kind.goal_cell(t, r.single)),
            nam=[r.years[y].cell for y in agg.years], luy_ke=r.total.cell,
            danh_gia=r.total.verdict or "—"))
    span = f"{agg.years[0]}-{agg.years[-1]}"
    title = (f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU GIAI ĐOẠN {khong_ngat(span)}" if len(agg.years) > 1 else
             f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM {agg.years[0]}")
    return TargetAppendix(so="", tieu_de=title, chu_thich=citation,
                          cot_nam=[f"Năm {y}" for y in agg.years], hang=rows, ghi_chu=notes or [])


def _unit_appendix(src: ReportSources, citation: str, profile) -> tuple[UnitAppendix, list[tuple[tuple, str]]]:
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
    reports, infos, notes = src.collected.reports, src.collected.infos, []
    if src.views is not None:
        # Units as they stand at the end of the period; a successor carries its predecessors.
        view = src.views.at(src.report.years[-1])
        reports, infos = view.reports, view.units
        notes = _predecessor_notes(src.views)
    for i, unit in enumerate(infos, 1):
        own = {y: reports.get(y, {}).get(unit.ma) for y in years}
        missing = _missing_years(src, unit.ma, years)
        cells = [("" if problems else
                  ("Đủ" if not missing else "Chưa báo cáo năm " + ", ".join(missing)) if c.lay == "bao_cao" else
                  _plan_cell(src, unit.ma, profile) if c.lay == "ke_hoach" else
                  _cell(c.lay, own, targets, programme)) for c in spec.cot]
        rows.append(UnitRow(tt=str(i), don_vi=unit.ten, o=cells))
    return UnitAppendix(so="", tieu_de=spec.tieu_de, chu_thich=citation,
                        cot=[c.tieu_de for c in spec.cot], hang=rows, ghi_chu=notes), problems


def _unit_widths(profile, appendix: UnitAppendix) -> dict:
    """The units table's columns sized by what they hold (the declared columns differ in kind:
    a plan's number and date, a fraction, a count)."""
    from kehoach_docs.render.column_widths import fit
    from kehoach_docs.templates.generate import CELL_MARGIN_MM, UNIT_HEADER, content_width_mm

    header = ["TT", UNIT_HEADER[profile.he_thong], *appendix.cot]
    rows = [[r.tt, r.don_vi, *r.o] for r in appendix.hang]
    return {"dau": header, "rong": fit(header, rows, content_width_mm(profile, landscape=True),
                                       float(profile.element("bang").co), 2 * CELL_MARGIN_MM)}


def _missing_years(src: ReportSources, ma: str, years: list[int]) -> list[str]:
    """Years the unit, or a predecessor it carries, owed and did not report (naming the predecessor)."""
    members = src.views.succession.members(ma, src.report.ngay) if src.views else [ma]
    out = []
    for y in years:
        # Sets computed once per build (views.owing_ids), not once per unit: linear in the units.
        owing = src.views.owing_ids.get(y) if src.views is not None else None
        absent = [m for m in members if (owing is None or m in owing) and m not in src.collected.reports.get(y, {})]
        if absent:
            names = [_name_of(src, m, y) for m in absent if m != ma]
            out.append(str(y) + (f" ({', '.join(names)})" if names else ""))
    return out


def _name_of(src: ReportSources, ma: str, year: int) -> str:
    from kehoach_docs.organisations import name_on, year_cutoff
    return name_on(src.collected.unit(ma).record, year_cutoff(year))


def _predecessor_notes(views) -> list[str]:
    """"Sở Xây dựng: gồm cả kết quả của Sở Giao thông vận tải (sáp nhập từ 01/03/2025)."""
    day_names = {u.ma: u.ten for u in views.at(views.years[-1]).units}
    order = {m: i for i, m in enumerate(day_names)}
    return [f"{day_names.get(row, row)}: gồm cả kết quả của {_merged_phrase(preds)}."
            for row, preds in sorted(views.predecessors().items(), key=lambda kv: order.get(kv[0], len(order)))]


def _merged_phrase(preds) -> str:
    """"Sở Giao thông vận tải (sáp nhập từ 01/03/2025)" for organisations.PeriodViews.predecessors."""
    return ", ".join(f"{name} (sáp nhập từ {ngay_ngan(day)})" for _, name, day in preds)


def _plan_cell(src: ReportSources, ma: str, profile) -> str:
    """"Số 09-KH/CB, ngày 28/12/2021" from the unit's record (one fact, one place); a draft
    (no number) is not an issued plan."""
    unit = src.collected.unit(ma)
    if unit is None or not unit.record.so:
        return "Chưa ban hành"
    p = unit.record
    kind = src.workbench().khung.loai_to_chuc[p.loai]
    return f"Số {profile.so_ky_hieu.symbol(p.so, 'KH', kind.ky_hieu)}, ngày {ngay_ngan(p.ngay)}"


def _cell(source: str, own: dict[int, Results | None], targets: dict, programme) -> str:
    """One unit's cell: a declared result field added up over its reported years, or its
    figure for a target over the period, by the target's kind (a state is its last year)."""
    reported = [r for r in own.values() if r]
    if not reported:
        return "—"
    kind, _, ref = source.partition(".")
    if kind == "ket_qua":
        values = [getattr(r, ref) for r in reported]
        f = programme.ket_qua[ref]
        if f.kieu == "buoi":
            sessions = [v for v in values if v]
            # Attendances over sessions and years: one person at two sessions is two (lượt).
            return f"{dem(sum(v.so_buoi for v in sessions))} buổi/{so(sum(v.so_nguoi_du for v in sessions))} lượt người"
        if f.kieu == "so":
            return dem(sum(v for v in values if v))
        return dem(sum(len(v) for v in values))
    t = targets[ref]
    if not t.reported_by_units:
        return "—"
    scope = Scope(["_"], sorted(own), {y: {"_": r} for y, r in own.items() if r}, {}, single=True)
    return compute(t, scope).total.cell


def _said(carried, field: str) -> list[str]:
    """A unit's own sentences (kết quả nổi bật, hạn chế) over the period, then (in the same
    order of years) its predecessors', each naming whose it was."""
    return [f"{text.rstrip('.')} (của {label})." if label else text
            for _, label, r in sorted(carried, key=lambda c: c[0] is not None)  # stable: years kept
            for text in getattr(r, field)]


def _item_note(m, who: str | None) -> str:
    """" (lĩnh vực …; của <predecessor>, sáp nhập từ …)" after a listed item."""
    parts = ([f"lĩnh vực {m.linh_vuc[:1].lower()}{m.linh_vuc[1:]}"] if m.linh_vuc else []) + \
        ([f"của {who}"] if who else [])
    return f" ({'; '.join(parts)})" if parts else ""


def _list_appendix(src: ReportSources, citation: str, only: Unit | None) -> ListAppendix | None:
    spec = src.report.phu_luc_danh_sach
    field = spec.truong
    rows = []
    if only is None:
        sources = [(u.info.ten, r) for y in src.report.years for u in src.collected.units
                   if (r := src.collected.reports.get(y, {}).get(u.info.ma))]
    else:  # the unit's own, and its predecessors' named with them
        sources = [(_name_of(src, m, y) if m else only.info.ten, r) for y in src.report.years
                   for m, _, r in carried_results(src.views, only.info.ma, src.report.ngay,
                                                  src.collected.reports, [y])]
    if only is None:
        sources += [("", r) for y in src.report.years if (r := src.collected.office.get(y))]
    for unit_name, r in sources:
        for c in getattr(r, field, None) or []:
            if c.de_nghi:
                # A part of a unit ("Bộ phận Một cửa") is ambiguous across units: name the unit too.
                name = c.ten if not unit_name or unit_name.lower() in c.ten.lower() else f"{c.ten}, {unit_name}"
                rows.append(ListRow(tt=str(len(rows) + 1), ten=name, thanh_tich=khong_ngat(c.thanh_tich or ""),
                                    hinh_thuc=c.hinh_thuc or ""))
    if not rows:
        return None
    return ListAppendix(so="", tieu_de=spec.tieu_de, chu_thich=citation, hang=rows)


# --- preparing a report (the registry's entry, documents/kinds.py) ---------------------
def prepare_report(ws: Workspace, path: Path, loaded: Loaded, template, unit: str | None) -> Prepared:
    """The office's report (unit None) or a unit's own report, ready to render: its data
    validated, every unit and results file it reads valid, its context built, its issuer and
    recipients existing on its date."""
    report = validate(loaded, Report)
    src = gather(report, path, ws)
    plan = src.plan
    from kehoach_docs.results.period import check_report_period  # results of years the plan does not cover

    check_report_period(loaded, report, plan, src.plan_path, ws, src.collected.programme.tep_van_phong)
    profile = profile_for_document(ws, loaded, plan.he_thong, report.ngay)
    collected = src.collected
    names: dict[str, str] = {}
    if unit is None:
        if collected.problems:
            # Invalid data never reaches a report: every invalid unit or results file stops it.
            raise ProblemList(collected.all_problems())
        body = report_issuer(ws, path, loaded, report, plan)
        plan_issuer = None
        signer, recipients, luu = report.nguoi_ky, report.noi_nhan, report.luu
        sources = (src.plan_path, *[u.path for u in collected.units], *collected.files.values())
        only = None
    else:
        only = collected.unit(unit)
        if only is None:
            raise ProblemList(collected.problems_of([ws.unit_file(unit)]) or
                              [Problem(path, 0, 0, "", f"Không có đơn vị '{unit}'.")])
        khung_path = ws.khung_file
        office_file = collected.programme.tep_van_phong
        own_files = [only.path, *(ws.results_file(y, s) for y in (report.tu_nam - 1, *report.years)
                                  for s in (unit, office_file))]
        found = collected.problems_of([*own_files, khung_path, ws.results_dir / PROGRAMME_FILE])
        if found:
            raise ProblemList(found)
        if not exists_on(only.record, report.ngay):
            raise ProblemList.one(path, 0, 0, "", f"Đơn vị '{unit}' không hoạt động vào ngày "
                                  f"{report.ngay:%d/%m/%Y} của báo cáo: không có báo cáo riêng "
                                  "(kết quả của đơn vị được tính cho đơn vị kế tục).")
        bench = load_workbench(khung_path, ws)
        body, signer = unit_identity(bench, only.record, report.ngay)
        plan_issuer = unit_identity(bench, only.record, only.record.ngay)[0] if only.record.ngay else body
        state = unit_state(only.record, report.ngay, bench.bodies, bench.khung.cap_tren)
        names = {"cap_uy_cap_tren": state.cap_uy_cap_tren or state.cap_tren, "don_vi": state.ten}
        opts = report.bao_cao_don_vi
        # The report file's recipients, else the programme's, else the issuing body itself.
        recipients = (opts.noi_nhan if opts and opts.noi_nhan else
                      collected.programme.noi_nhan_bao_cao_don_vi or
                      [Recipient(ten=plan.co_quan.chu_the or plan.co_quan.ten, muc_dich="để b/c")])
        luu = bench.khung.loai_to_chuc[only.record.loai].luu
        sources = (src.plan_path, khung_path, only.path,
                   *[f for y in (report.tu_nam - 1, *report.years) for ma in (unit, office_file)
                     if (f := collected.files.get((y, ma)))])
    context, problems = build_report_context(
        src, profile, co_quan=body, signer=signer, recipients=recipients, luu=luu, only=only,
        trich_yeu=report.bao_cao_don_vi.trich_yeu if only and report.bao_cao_don_vi else None,
        names=names, plan_issuer=plan_issuer)
    if problems:
        raise ProblemList(located(loaded, problems))
    if unit is None:
        check_bodies(ws, path, loaded, report, report.ngay, issuer=isinstance(report.co_quan, Body))
    template_path = template_for(ws, loaded, "BC", plan.he_thong, None, template)
    return Prepared(path, loaded, report, profile, context, template_path, tuple(sources),
                    profile_warnings(path, profile, report.ngay) +
                    (sample_value_warnings(ws, path, body, signer) if unit is None else ()))


def report_issuer(ws: Workspace, path: Path, loaded: Loaded, report, plan) -> Body:
    """Who issues the office's report on its date: the body it names (an id of to-chuc.yaml
    or a full entry), else the plan's body, or the body that took over from it."""
    bodies = load_bodies(path, ws)
    if isinstance(report.co_quan, Body):
        return report.co_quan
    ref = report.co_quan or plan.co_quan.ten
    now = bodies.on(ref, report.ngay)
    if now is None:
        if report.co_quan is not None or bodies.find(ref) is not None:
            why = bodies.stale(bodies.records[bodies.find(ref)].ten, report.ngay) if bodies.find(ref) else \
                f"Không có cơ quan '{ref}' trong {BODIES_FILE}."
            raise ProblemList([loaded.problem(("co_quan",) if report.co_quan else ("ngay",),
                                              f"{why} Ghi co_quan: <mã cơ quan ban hành> trong báo cáo.")])
        return plan.co_quan
    if report.co_quan is None and bodies.find(ref) == now[0]:
        return plan.co_quan  # the plan's own body, still in office: as the plan writes it
    if not now[1].ky_hieu:
        raise ProblemList([loaded.problem(("co_quan",) if report.co_quan else ("ngay",),
                                          f"'{now[1].ten}' chưa có ký hiệu (ky_hieu) trong {BODIES_FILE}.",
                                          field="co_quan")])
    return bodies.as_body(now[0])
