"""Schema of the khung of unit plans (written once by the office) and of a unit record
(one short file per base party organisation, holding only what is its own)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from kehoach_docs.schema.common import Date, DueField, FoldedText, Id, Line, Strict, Text
from kehoach_docs.schema.plan import Recipient, SectionTitles, recipient_from_line

UnitKind = Literal["dang_bo_btv", "dang_bo", "chi_bo"]


def _day_month(value: str) -> str:
    """A day of every year, "31/12" (29/02 is refused: not every year has it)."""
    import re
    from datetime import date

    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})\s*", value)
    try:
        if not m:
            raise ValueError
        date(2001, int(m[2]), int(m[1]))
    except ValueError:
        raise ValueError(f"hạn báo cáo '{value}' phải là ngày/tháng có thật, ví dụ 31/12") from None
    return f"{int(m[1])}/{int(m[2])}"


class KindRules(Strict):
    """How a kind of organisation writes its header, symbol and signing authority.
    `{ten}` is the unit's name ("Sở Nội vụ")."""

    ten_loai: Line
    """"đảng bộ cơ sở có Ban Thường vụ"… (for messages and the scaffold)."""
    co_quan: Line
    """Issuing body: "Đảng ủy {ten}" → header "ĐẢNG ỦY SỞ NỘI VỤ"."""
    ky_hieu: Line
    """Body code in the symbol: "ĐU" → "Số 12-KH/ĐU"."""
    chu_the: Line
    """Who acts in the text: "Ban Thường vụ {co_quan}" → "Ban Thường vụ Đảng ủy Sở Nội vụ"."""
    quyen_han: Line
    """Signing authority: "T/M BAN THƯỜNG VỤ"."""
    luu: Line
    """Archive line: "Văn phòng Đảng ủy"."""


DEFAULT_KINDS: dict[str, dict] = {
    "dang_bo_btv": {"ten_loai": "đảng bộ cơ sở có Ban Thường vụ", "co_quan": "Đảng ủy {ten}",
                    "ky_hieu": "ĐU", "chu_the": "Ban Thường vụ {co_quan}",
                    "quyen_han": "T/M BAN THƯỜNG VỤ", "luu": "Văn phòng Đảng ủy"},
    "dang_bo": {"ten_loai": "đảng bộ cơ sở", "co_quan": "Đảng ủy {ten}", "ky_hieu": "ĐU",
                "chu_the": "{co_quan}", "quyen_han": "T/M ĐẢNG ỦY", "luu": "Văn phòng Đảng ủy"},
    "chi_bo": {"ten_loai": "chi bộ cơ sở", "co_quan": "Chi bộ {ten}", "ky_hieu": "CB",
               "chu_the": "{co_quan}", "quyen_han": "T/M CHI BỘ", "luu": "Chi bộ"},
}


KindList = list[UnitKind]


class KhungGoal(Strict):
    """A goal of the khung: text with [[chi_tieu.<ma>]] placeholders, and the parent
    targets it carries (each unit may set its own value)."""

    ma: Id
    chi_cho: KindList | None = None
    """Only for these kinds of organisation (default: every kind)."""
    noi_dung: Text
    chi_tieu: list[Id] = []


class KhungTask(Strict):
    ma: Id
    chi_cho: KindList | None = None
    ten: FoldedText
    doan: list[Text] = []
    y: list[Text] = []


class KhungActivity(Strict):
    ma: Id
    chi_cho: KindList | None = None
    noi_dung: Text
    han: DueField | None = None
    """Latest deadline allowed; a unit may set an earlier one, never a later one."""
    gach_dau_dong: bool = True


class KhungRecipient(Recipient):
    chi_cho: KindList | None = None


class KhungYear(Strict):
    nam: int = Field(ge=1945, le=2100)
    hoat_dong: list[KhungActivity] = Field(min_length=1)


class KhungDuty(Strict):
    ma: Id
    chi_cho: KindList | None = None
    doan: list[Text] = Field(min_length=1)


class Khung(Strict):
    """khung-don-vi.yaml: the unit plan written once. Text may use [[don_vi]], [[cap_uy]],
    [[chu_the]], [[ke_hoach_cap_tren]] (the parent plan's citation), the parent's cited
    documents ([[de_an_04]]…) and [[chi_tieu.<ma>]] (the unit's target value)."""

    ke_hoach_cap_tren: Line
    """The parent plan file, relative to the workspace: "ke-hoach-44.yaml"."""
    cap_tren: Line
    """Superior line of every unit: "Đảng bộ Khối các cơ quan tỉnh"."""
    dia_danh: Line
    trich_yeu: FoldedText
    loai_to_chuc: dict[UnitKind, KindRules] = Field(
        default_factory=lambda: {k: KindRules(**v) for k, v in DEFAULT_KINDS.items()})
    mo_dau: list[Text] = []
    muc_dich_yeu_cau: list[Text] = []
    muc_tieu: list[KhungGoal] = []
    nhiem_vu: list[KhungTask] = []
    lo_trinh: list[KhungYear] = []
    to_chuc_thuc_hien: list[KhungDuty] = []
    ket_thuc: list[Text] = []
    tieu_de_phan: SectionTitles = SectionTitles()
    noi_nhan: list[Annotated[KhungRecipient, BeforeValidator(recipient_from_line)]] = Field(min_length=1)
    chuc_vu_ky: Line = "BÍ THƯ"
    han_bao_cao: Annotated[Line, AfterValidator(_day_month)] = "31/12"
    """Day/month each year's results are due (kehoach status)."""

    def item_ids(self) -> dict[str, str]:
        """Every item id → the section it belongs to."""
        ids = {g.ma: "muc_tieu" for g in self.muc_tieu}
        ids |= {t.ma: "nhiem_vu" for t in self.nhiem_vu}
        ids |= {a.ma: "lo_trinh" for y in self.lo_trinh for a in y.hoat_dong}
        ids |= {d.ma: "to_chuc_thuc_hien" for d in self.to_chuc_thuc_hien}
        return ids


class UnitSigner(Strict):
    quyen_han: Line | None = None
    """Leave empty: it follows from the kind of organisation."""
    chuc_vu: Line | None = None
    """"BÍ THƯ" by default; "PHÓ BÍ THƯ" when the deputy signs."""
    ho_ten: Line


class OwnTask(Strict):
    ten: FoldedText
    doan: list[Text] = []
    y: list[Text] = []


class UnitChange(Strict):
    """A change of the unit from a date (see docs/to-chuc.md): any of a new name, kind,
    superior or signer; or its end: merged into another unit, split, or dissolved."""

    tu: Date
    """The first day the change holds: "01/3/2025"."""
    ten: Line | None = None
    """New name of the agency: "Sở Nông nghiệp và Môi trường"."""
    ten_co_quan: Line | None = None
    loai: UnitKind | None = None
    cap_tren: Line | None = None
    """New superior: an id of to-chuc.yaml or its name ("Đảng bộ các cơ quan Đảng tỉnh")."""
    nguoi_ky: UnitSigner | None = None
    """Who signs from this date."""
    sap_nhap_vao: Line | None = None
    """Merged into this unit (its file name in don-vi/, without .yaml): its results count
    toward that unit from then on."""
    chia_thanh: list[Line] = []
    """Split into these units; its own results stay its own."""
    giai_the: bool = False
    """Dissolved: no successor."""
    nguon: list[Line] = []
    """Where the change is published (decision, news report)."""

    @property
    def ends(self) -> bool:
        return bool(self.sap_nhap_vao or self.chia_thanh or self.giai_the)

    @model_validator(mode="after")
    def _one_end(self) -> "UnitChange":
        if sum((bool(self.sap_nhap_vao), bool(self.chia_thanh), self.giai_the)) > 1:
            raise ValueError("chỉ ghi một trong sap_nhap_vao, chia_thanh, giai_the")
        if self.ends and (self.ten or self.cap_tren or self.nguoi_ky or self.loai or self.ten_co_quan):
            raise ValueError("thay đổi kết thúc đơn vị (sáp nhập, chia, giải thể) không đổi tên, cấp trên "
                             "hay người ký; ghi các thay đổi đó ở một mục riêng")
        return self


class UnitRecord(Strict):
    """don-vi/<ma>.yaml: one base party organisation; the rest comes from the khung."""

    loai_van_ban: Literal["KH"] = "KH"
    ten: Line
    """The agency: "Sở Nội vụ"."""
    loai: UnitKind
    so_cap_uy_vien: int | None = Field(default=None, ge=1, le=99)
    """Members of its cấp ủy; a đảng ủy cơ sở elects a Ban Thường vụ (dang_bo_btv, signing
    "T/M BAN THƯỜNG VỤ") only with at least 9 (Điều lệ Đảng, Điều 22.5)."""
    ten_co_quan: Line | None = None
    """Only when the issuing body's name is not the usual "Đảng ủy <ten>"/"Chi bộ <ten>"."""
    so: int | None = Field(default=None, ge=1, le=99999)
    ngay: Date
    dia_danh: Line | None = None
    chi_tieu: dict[Id, float] = {}
    """The unit's own target values; parent values are inherited where not set."""
    nhiem_vu_rieng: list[OwnTask] = []
    khong_ap_dung: list[Id] = []
    """Ids of khung items that do not apply to this unit."""
    han: dict[Id, DueField] = {}
    """The unit's own deadlines for timeline activities (not after the khung's)."""
    noi_nhan_them: list[Annotated[Recipient, BeforeValidator(recipient_from_line)]] = []
    nguoi_ky: UnitSigner
    thanh_lap: Date | None = None
    """Founded on this day (empty: before the programme began)."""
    thay_doi: list[UnitChange] = []
    """Changes from a date: renamed, moved to another superior, merged, split, dissolved."""

    @model_validator(mode="after")
    def _standing_committee(self) -> "UnitRecord":
        if self.loai == "dang_bo_btv" and self.so_cap_uy_vien is not None and self.so_cap_uy_vien < BTV_MIN:
            raise ValueError(f"đảng ủy có {self.so_cap_uy_vien} cấp ủy viên không bầu Ban Thường vụ (cần từ "
                             f"{BTV_MIN}, Điều lệ Đảng, Điều 22.5): dùng loai: dang_bo (ký T/M ĐẢNG ỦY)")
        return self


BTV_MIN = 9
"""Điều lệ Đảng, Điều 22.5: a đảng ủy cơ sở with at least 9 members may elect a Ban Thường vụ."""
