"""What a unit's form asks for, derived from the plan's declared targets and the khung.

The form is built generically: each target gets a row shaped by its kind (`cach_tinh`) through
the KINDS table, so a new kind of target needs one entry here, not a new form. The fingerprint
covers the plan's identity and everything the form asks for: a form made from another plan (or
before its targets changed) is refused on import.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.collect import Unit
from kehoach_docs.derive import Workbench, applies_to
from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Results
from kehoach_docs.targets import value_text

FORM_VERSION = 1
YES, NO = "Có", "Không"


@dataclass(frozen=True)
class Kind:
    """How a target's result is typed in a form."""

    cells: tuple[str, ...]
    """One input per entry: "yes_no", "count" (whole ≥ 0), "percent" (0-100), "rank" (whole ≥ 1),
    "number" (≥ 0)."""
    hint: str


KINDS: dict[str, Kind] = {
    "ty_le_don_vi": Kind(("yes_no",), "Chọn Có (đơn vị đã đạt) hoặc Không."),
    "ty_le": Kind(("count", "count"), "Cột C: số đạt; cột D: tổng số (số đạt không lớn hơn tổng số)."),
    "trung_binh": Kind(("percent",), "Tỷ lệ phần trăm, từ 0 đến 100 (ví dụ 95,6)."),
    "so_luong": Kind(("count",), "Số nguyên từ 0."),
    "thu_hang": Kind(("rank",), "Thứ hạng, số nguyên từ 1."),
    "tang_bac": Kind(("rank",), "Thứ hạng của năm, số nguyên từ 1."),
}
FALLBACK = Kind(("number",), "Một số không âm.")

COUNTED_BY_MODELS = ("Số lượng thêm, ngoài các mô hình ghi tên ở trang “Mô hình” "
                     "(để trống nếu đã ghi tên đủ).")


def kind_of(t: Target) -> Kind:
    return KINDS.get(str(t.cach_tinh), FALLBACK)


def counted_by_models(t: Target) -> bool:
    """Targets whose models are listed by name (mo_hinh) as well as counted."""
    return t.cach_tinh == "so_luong" and t.pham_vi == "moi_co_so"


@dataclass(frozen=True)
class Row:
    """One row of the results sheet: key (hidden column A), label, cells, the value to reach."""

    key: str
    label: str
    cells: tuple[str, ...]
    unit: str = ""
    goal: str = ""
    hint: str = ""


@dataclass
class FormSpec:
    plan_name: str
    unit: str
    unit_name: str
    year: int
    targets: list[Row]
    other: list[Row]
    activities: list[Row]
    countable: dict[str, str]
    """Targets a named model counts toward: id → label."""
    fingerprint: str = ""

    def rows(self) -> list[Row]:
        return self.targets + self.other + self.activities


OTHER_ROWS = [
    Row("ngay_bao_cao", "Ngày báo cáo", ("date",), hint="Ngày ký báo cáo của đơn vị (ngày/tháng/năm)."),
    # The unit's plan number and date are not asked here: they live in its profile (don-vi/).
    Row("quan_triet.so_buoi", "Quán triệt: số buổi", ("count",)),
    Row("quan_triet.so_nguoi_du", "Quán triệt: số người dự", ("count",)),
    Row("quan_triet.tong_so_nguoi", "Quán triệt: tổng số người phải dự", ("count",)),
    Row("tap_huan.so_buoi", "Tập huấn: số buổi (lớp)", ("count",)),
    Row("tap_huan.so_nguoi_du", "Tập huấn: số người dự", ("count",)),
    Row("tap_huan.tong_so_nguoi", "Tập huấn: tổng số người phải dự", ("count",)),
]


def plan_name(bench: Workbench) -> str:
    plan = bench.parent
    number = f" số {bench.parent_citation.so_ky_hieu}" if bench.parent_citation.so_ky_hieu else " (dự thảo)"
    return f"Kế hoạch{number} của {plan.co_quan.chu_the or plan.co_quan.ten}"


def unit_targets(bench: Workbench, unit: Unit, existing: Results | None = None) -> list[Target]:
    """The unit's own targets: reported by units, carried by a khung goal that applies to it (or
    by no goal at all); and any target it already has a value for."""
    applies = applies_to(unit.profile)
    carried: dict[str, bool] = {}
    for goal in bench.model.muc_tieu:
        for ma in goal.chi_tieu:
            carried[ma] = carried.get(ma, False) or applies(goal)
    have = set(existing.chi_tieu) if existing else set()
    out = []
    for t in bench.parent.targets():
        if t.ma in have or (t.reported_by_units and carried.get(t.ma, True)):
            own = unit.profile.chi_tieu.get(t.ma)
            out.append(t.model_copy(update={"gia_tri": own}) if own is not None else t)
    return out


def form_spec(bench: Workbench, unit: Unit, year: int, existing: Results | None = None) -> FormSpec:
    targets = unit_targets(bench, unit, existing)
    rows = []
    for t in targets:
        kind = kind_of(t)
        hint = COUNTED_BY_MODELS if counted_by_models(t) else kind.hint
        rows.append(Row(f"chi_tieu.{t.ma}", t.ten[:1].upper() + t.ten[1:], kind.cells,
                        "" if t.don_vi == "%" and t.cach_tinh != "trung_binh" else t.don_vi,
                        f"{_comparator(t)} {value_text(t)}".strip(), hint))
    applies = applies_to(unit.profile)
    acts, seen = [], set()
    for y in bench.model.lo_trinh:
        for act in y.hoat_dong:
            if applies(act):
                due = unit.profile.han.get(act.ma, act.han)
                acts.append(Row(f"hoan_thanh.{act.ma}", _short(act.noi_dung), ("yes_no",),
                                goal=f"hạn {due}" if due else "", hint="Có: đã hoàn thành trong năm."))
                seen.add(act.ma)
    for ma in (existing.hoan_thanh if existing else []):
        if ma not in seen:
            acts.append(Row(f"hoan_thanh.{ma}", ma, ("yes_no",)))
    countable = {t.ma: t.ten for t in bench.parent.targets() if counted_by_models(t)}
    return FormSpec(plan_name(bench), unit.info.ma, unit.info.ten, year, rows, list(OTHER_ROWS), acts,
                    countable, fingerprint(bench))


def fingerprint(bench: Workbench) -> str:
    """The plan's identity and what any of its forms may ask (targets and their kinds, the
    khung's activities); not a unit's own values, so one fingerprint serves every unit."""
    plan = bench.parent
    shape = {
        "plan": [Path(bench.parent_path).name, plan.co_quan.ten, plan.co_quan.ky_hieu, plan.ngay.isoformat()],
        "targets": sorted((t.ma, str(t.cach_tinh), t.pham_vi, t.reported_by_units) for t in plan.targets()),
        "activities": sorted(a.ma for y in bench.model.lo_trinh for a in y.hoat_dong),
        "version": FORM_VERSION,
    }
    raw = json.dumps(shape, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


def _comparator(t: Target) -> str:
    return {">=": "ít nhất", ">": "trên", "=": "", "<=": "không quá", "top": "trong nhóm",
            "tang_bac": "tăng"}.get(t.so_sanh, "").strip()


def _short(text: str, words: int = 14) -> str:
    import re

    plain = re.sub(r"\s*\(?\[\[[^\]]*\]\]\)?", "", text).split()
    return " ".join(plain[:words]).rstrip(".,;") + ("…" if len(plain) > words else "")
