"""What a unit's form asks for, derived from the plan's declared targets and the khung.

The form is built generically: each target gets a row shaped by what its kind asks a unit to
enter (targets.kinds.Kind.entries), so a new kind of target needs no new form. The fingerprint
covers the plan's identity and everything the form asks for: a form made from another plan (or
before its targets changed) is refused on import.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.results.collect import Unit
from kehoach_docs.documents.unit import Workbench, applies_to
from kehoach_docs.results.programme import Programme
from kehoach_docs.schema.plan import Target
from kehoach_docs.schema.results import Results
from kehoach_docs.targets import value_text
from kehoach_docs.targets.kinds import kind_of

FORM_VERSION = 1
YES, NO = "Có", "Không"


HINTS = {
    ("yes_no",): "Chọn Có (đơn vị đã đạt) hoặc Không.",
    ("count", "count"): "Cột C: số đạt; cột D: tổng số (số đạt không lớn hơn tổng số).",
    ("percent",): "Tỷ lệ phần trăm, từ 0 đến 100 (ví dụ 95,6).",
    ("count",): "Số nguyên từ 0.",
    ("rank",): "Thứ hạng, số nguyên từ 1.",
}
"""The words beside a target's inputs, by what its kind asks for (targets.kinds.Kind.entries)."""
YEARLY_RANK_HINT = "Thứ hạng của năm, số nguyên từ 1."


COUNTED_BY_LISTS = "Số lượng thêm, ngoài các mục ghi tên ở trang {pages} (để trống nếu đã ghi tên đủ)."


def entries(t: Target) -> tuple[str, ...]:
    """The inputs of a target's row: what its kind asks a unit to enter."""
    return kind_of(t).entries(t)


def hint(t: Target) -> str:
    return YEARLY_RANK_HINT if t.loai == "tang_bac" else HINTS[entries(t)]


def counted_by_lists(t: Target) -> bool:
    """Per-unit count targets: their items are also listed by name (declared danh_sach fields)."""
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


@dataclass(frozen=True)
class ListSheet:
    """A sheet of rows to add: one declared list field (or the generic highlights and limits)."""

    title: str
    fields: tuple[str, ...]
    """The results field of each column group: one field, or one per column (kind "texts")."""
    kind: str
    """"danh_sach" (ten, chi_tieu, linh_vuc), "tap_the_ca_nhan" (ten, loai, thanh_tich, hinh_thuc,
    de_nghi), "doan" (one text per row), "texts" (one text field per column)."""
    headers: tuple[str, ...]


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
    """Targets a listed item counts toward: id → label."""
    lists: list[ListSheet]
    fingerprint: str = ""

    def rows(self) -> list[Row]:
        return self.targets + self.other + self.activities


GENERIC_ROWS = [
    Row("so_bao_cao", "Số báo cáo của đơn vị", ("rank",),
        hint="Số của báo cáo kết quả năm nay (số nguyên); để trống nếu chưa có số."),
    Row("ngay_bao_cao", "Ngày báo cáo", ("date",), hint="Ngày ký báo cáo của đơn vị (ngày/tháng/năm)."),
    # The unit's plan number and date are not asked here: they live in its unit record (don-vi/).
]
SESSION_PARTS = (("so_buoi", "số buổi"), ("so_nguoi_du", "số lượt người dự"),
                 ("tong_so_nguoi", "tổng số người phải dự"))
LIST_HEADERS = {
    "danh_sach": ("Tên", "Thuộc chỉ tiêu", "Lĩnh vực"),
    "tap_the_ca_nhan": ("Tên tập thể, cá nhân", "Loại", "Thành tích", "Hình thức {nhan}",
                        "Đề nghị {nhan} khi tổng kết"),
    "doan": ("Mỗi ô một ý",),
}
WORDS = ListSheet("Nổi bật, hạn chế", ("ket_qua_noi_bat", "han_che"), "texts",
                  ("Kết quả nổi bật (mỗi ô một ý)", "Hạn chế (mỗi ô một ý)"))
RESERVED = {"Hướng dẫn", "Kết quả", "_kehoach", WORDS.title}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def declared_rows(programme: Programme) -> list[Row]:
    """Rows of the main sheet for the declared single-value fields (sessions, numbers)."""
    rows = list(GENERIC_ROWS)
    for name, f in programme.ket_qua.items():
        if f.kieu == "buoi":
            rows += [Row(f"{name}.{part}", f"{_cap(f.nhan)}: {label}", ("count",)) for part, label in SESSION_PARTS]
        elif f.kieu == "so":
            rows.append(Row(name, _cap(f.nhan), ("count",)))
    return rows


def list_sheets(programme: Programme) -> list[ListSheet]:
    """One sheet per declared list field, titled by its label (unique, Excel's 31 characters)."""
    sheets, taken = [], set(RESERVED)
    for name, f in programme.ket_qua.items():
        if f.kieu not in LIST_HEADERS:
            continue
        base = re.sub(r"[\[\]:*?/\\']", " ", _cap(f.nhan)).strip()[:28] or name[:28]
        title, n = base, 2
        while title in taken:
            title, n = f"{base[:26]} {n}", n + 1
        taken.add(title)
        # Headers name the field by its declared label ("Hình thức <nhan>"), never a programme's word.
        headers = tuple(h.replace("{nhan}", f.nhan) for h in LIST_HEADERS[f.kieu])
        if f.kieu == "danh_sach":
            headers = (f"Tên {f.nhan}",) + headers[1:]
        sheets.append(ListSheet(title, (name,), f.kieu, headers))
    return sheets + [WORDS]


def plan_name(bench: Workbench) -> str:
    plan = bench.parent
    number = f" số {bench.parent_citation.so_ky_hieu}" if bench.parent_citation.so_ky_hieu else " (dự thảo)"
    return f"Kế hoạch{number} của {plan.co_quan.chu_the or plan.co_quan.ten}"


def unit_targets(bench: Workbench, unit: Unit, existing: Results | None = None) -> list[Target]:
    """The unit's own targets: reported by units, carried by a khung goal that applies to it (or
    by no goal at all); and any target it already has a value for."""
    applies = applies_to(unit.record)
    carried: dict[str, bool] = {}
    for goal in bench.khung.muc_tieu:
        for ma in goal.chi_tieu:
            carried[ma] = carried.get(ma, False) or applies(goal)
    have = set(existing.chi_tieu) if existing else set()
    out = []
    for t in bench.parent.targets():
        if t.ma in have or (t.reported_by_units and carried.get(t.ma, True)):
            own = unit.record.chi_tieu.get(t.ma)
            out.append(t.model_copy(update={"gia_tri": own}) if own is not None else t)
    return out


def form_spec(bench: Workbench, programme: Programme, unit: Unit, year: int,
              existing: Results | None = None) -> FormSpec:
    targets = unit_targets(bench, unit, existing)
    rows = []
    for t in targets:
        pages = ", ".join(f"“{sheet.title}”" for sheet in list_sheets(programme) if sheet.kind == "danh_sach")
        words = COUNTED_BY_LISTS.format(pages=pages) if counted_by_lists(t) and pages else hint(t)
        rows.append(Row(f"chi_tieu.{t.ma}", t.ten[:1].upper() + t.ten[1:], entries(t),
                        "" if t.don_vi == "%" and t.cach_tinh != "trung_binh" else t.don_vi,
                        f"{_comparator(t)} {value_text(t)}".strip(), words))
    applies = applies_to(unit.record)
    acts, seen = [], set()
    for y in bench.khung.lo_trinh:
        for act in y.hoat_dong:
            if applies(act):
                due = unit.record.han.get(act.ma, act.han)
                acts.append(Row(f"hoan_thanh.{act.ma}", _short(act.noi_dung), ("yes_no",),
                                goal=f"hạn {due}" if due else "", hint="Có: đã hoàn thành trong năm."))
                seen.add(act.ma)
    for ma in (existing.hoan_thanh if existing else []):
        if ma not in seen:
            acts.append(Row(f"hoan_thanh.{ma}", ma, ("yes_no",)))
    countable = {t.ma: t.ten for t in bench.parent.targets() if counted_by_lists(t)}
    return FormSpec(plan_name(bench), unit.info.ma, unit.info.ten, year, rows, declared_rows(programme), acts,
                    countable, list_sheets(programme), fingerprint(bench, programme))


def fingerprint(bench: Workbench, programme: Programme) -> str:
    """The plan's identity and what any of its forms may ask (targets and their kinds, the
    khung's activities, the declared result fields); not a unit's own values, so one
    fingerprint serves every unit."""
    plan = bench.parent
    shape = {
        "plan": [Path(bench.parent_path).name, plan.co_quan.ten, plan.co_quan.ky_hieu, plan.ngay.isoformat()],
        "targets": sorted((t.ma, str(t.cach_tinh), t.pham_vi, t.reported_by_units) for t in plan.targets()),
        "activities": sorted(a.ma for y in bench.khung.lo_trinh for a in y.hoat_dong),
        "declared": sorted((name, f.kieu) for name, f in programme.ket_qua.items()),
        "version": FORM_VERSION,
    }
    raw = json.dumps(shape, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


def _comparator(t: Target) -> str:
    return {">=": "ít nhất", ">": "trên", "=": "", "<=": "không quá", "top": "trong nhóm",
            "tang_bac": "tăng"}.get(t.so_sanh, "").strip()


def _short(text: str, words: int = 14) -> str:
    plain = re.sub(r"\s*\(?\[\[[^\]]*\]\]\)?", "", text).split()
    return " ".join(plain[:words]).rstrip(".,;") + ("…" if len(plain) > words else "")
