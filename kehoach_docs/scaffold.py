"""Scaffolds: a new unit record filled with the khung's defaults and options."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from kehoach_docs.format.vn import nfc
from kehoach_docs.documents.unit import load_workbench
from kehoach_docs.workspace.workspace import KHUNG_FILE, UNITS_DIR
from kehoach_docs.errors import UserError
from kehoach_docs.targets import value_text
from kehoach_docs.workspace.write import atomic_write


def slug(name: str) -> str:
    """ASCII file name from a Vietnamese name: "Sở Nội vụ" → "so-noi-vu"."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


MAX_SLUG = 80
"""Characters of a file name made from a unit's name (its outputs and backups must fit)."""
_MA = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def check_ma(ma: str) -> str:
    """A unit's file name as given with --ma: lower-case letters without marks, digits and
    '-', never a path ('../x', 'a/b') nor a hidden file (the build reads neither)."""
    if not _MA.fullmatch(ma):
        raise UserError(f"Mã '{ma}' không dùng được làm tên tệp: chỉ gồm chữ thường không dấu, số và '-', "
                        f"bắt đầu bằng chữ hoặc số, tối đa {MAX_SLUG} ký tự (ví dụ: so-noi-vu).")
    return ma


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_unit_file(workspace: Path, ten: str, loai: str, ma: str | None = None) -> Path:
    khung_path = Path(workspace) / KHUNG_FILE
    if not khung_path.is_file():
        raise UserError(f"Thư mục '{workspace}' chưa có tệp khung {KHUNG_FILE}.")
    bench = load_workbench(khung_path)
    name = nfc(ten.strip())
    stem = check_ma(ma) if ma is not None else slug(name)[:MAX_SLUG].rstrip("-")
    if not stem:
        raise UserError(f"Tên '{ten}' không có chữ cái hay chữ số nào để đặt tên tệp; hãy đặt tên tệp bằng "
                        "--ma (ví dụ: --ma so-noi-vu).")
    target = Path(workspace) / UNITS_DIR / f"{stem}.yaml"
    if target.exists():
        raise UserError(f"Tệp '{target}' đã có; không ghi đè. Chọn tên khác bằng --ma.")
    kind = bench.khung.loai_to_chuc[loai]
    co_quan = kind.co_quan.format(ten=name)
    lines = [
        f"# {co_quan} — {kind.ten_loai}",
        f"ten: {_quote(name)}",
        f"loai: {loai}",
        "so:                      # số kế hoạch; để trống khi còn là dự thảo",
        f"ngay: {max(date.today(), bench.parent.ngay).isoformat()}",
        "nguoi_ky:",
        f"  chuc_vu: {bench.khung.chuc_vu_ky}       # hoặc PHÓ BÍ THƯ",
        '  ho_ten: ""             # họ tên người ký',
        "",
        "# Chỉ tiêu riêng (bỏ dấu # để đặt; không đặt thì theo kế hoạch cấp trên):",
        "# chi_tieu:",
    ]
    for t in bench.parent.targets():
        lines.append(f"#   {t.ma}: {t.gia_tri:g}    # {t.ten} ({value_text(t)})")
    lines += ["", "# Mục của khung không áp dụng cho đơn vị (mã):", "# khong_ap_dung: []"]
    for ma_, section in bench.khung.item_ids().items():
        lines.append(f"#   {ma_}  ({section})")
    lines += ["", "# Thời hạn riêng, không muộn hơn của khung:", "# han:"]
    for year in bench.khung.lo_trinh:
        for act in year.hoat_dong:
            if act.han:
                lines.append(f"#   {act.ma}: {act.han}")
    lines += ["", "# Nhiệm vụ riêng của đơn vị:", "# nhiem_vu_rieng:", "#   - ten: …", "#     y: [ … ]",
              "", "# Nơi nhận thêm:", "# noi_nhan_them: []", ""]
    atomic_write(target, "\n".join(lines).encode("utf-8"))
    return target
