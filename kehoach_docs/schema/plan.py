"""Schema of a plan (kế hoạch): what a clerk writes in YAML. Documented in docs/schema.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from kehoach_docs.schema.common import (
    Date, DueField, FoldedText, Id, Line, Strict, Text,
)

Regime = Literal["dang", "nha_nuoc"]
Comparator = Literal[">=", ">", "=", "<=", "top", "tang_bac"]
Method = Literal["ty_le_don_vi", "ty_le", "trung_binh", "so_luong", "thu_hang", "tang_bac"]
Kind = Literal["ty_le_don_vi", "trang_thai", "cong_don", "binh_quan", "thu_hang", "tang_bac"]


class Body(Strict):
    """The issuing body (cơ quan ban hành) and its direct superior."""

    cap_tren: Line | None = None
    """Tên cơ quan cấp trên trực tiếp, e.g. "Đảng bộ tỉnh Nghệ An" (printed upper-case)."""
    ten: Line
    """Tên cơ quan ban hành, e.g. "Đảng ủy Khối các cơ quan tỉnh"."""
    ky_hieu: Line = Field(max_length=40)
    """Chữ viết tắt in the symbol: "ĐUK" in "44-KH/ĐUK"."""
    chu_the: Line | None = None
    """Who acts and cites: "Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh"."""


class CitedDocument(Strict):
    """A document the text cites (căn cứ); text cites it as [[id]] or [[id.field]]."""

    loai: Line
    so_ky_hieu: Line | None = None
    ngay: Date | None = None
    co_quan: Line | None = None
    trich_yeu: FoldedText | None = None


class Target(Strict):
    """A measurable target (chỉ tiêu) of a goal, and what kind of quantity it is (docs/bao-cao.md)."""

    ma: Id
    ten: Line
    """What is measured: "cấp ủy cơ sở xây dựng kế hoạch thực hiện Đề án"."""
    loai: Kind | None = None
    """Kind of quantity: ty_le_don_vi (share of units meeting it), trang_thai (a state true
    each year: never added up over years), cong_don (counted each year and added up),
    binh_quan (average over units), thu_hang (a rank), tang_bac (a change of rank).
    Default: top → thu_hang, tang_bac → tang_bac, otherwise ty_le_don_vi for "%" or for
    every unit (moi_co_so), cong_don for a count."""
    so_sanh: Comparator = ">="
    gia_tri: float = Field(ge=0)
    gia_tri_den: float | None = Field(default=None, ge=0)
    """Upper end of a range ("tăng 1-2 bậc")."""
    don_vi: Line = "%"
    ky: Literal["hang_nam", "ca_giai_doan"] | int = "ca_giai_doan"
    """"hang_nam" (each year), "ca_giai_doan" (by the end of the period) or a year."""
    pham_vi: Literal["toan_bo", "moi_co_so"] = "toan_bo"
    """Whole body, or each base unit (each must reach gia_tri: counted from the items it lists)."""
    co_so: Literal["tat_ca", "bao_cao"] = "bao_cao"
    """Base of a share of units: every unit ("62/64"), or the units that reported that year."""
    nguon: Literal["don_vi", "van_phong"] | None = None
    """Who reports it: the units, or the office for the whole body (toan-khoi.yaml).
    Default: the office for ranks and plain counts, the units otherwise."""
    doi_tuong: Line = "đơn vị"
    """What is counted in "58/60 <doi_tuong>": "cấp ủy cơ sở", "hồ sơ thủ tục hành chính"."""
    viec: Line | None = None
    """What the counted ones do, as a report's sentence says it after the figure: "xây dựng
    chương trình, kế hoạch thực hiện Đề án 04" (→ "62/64 cấp ủy cơ sở (96,9%) đã xây dựng…"),
    "được giải quyết đúng hạn", "tổ chức" (a count: "tổ chức 08 lớp …"). Default: `ten`
    without the leading `doi_tuong`."""
    nhom: Line | None = None
    """A rank's group after "top N": "tỉnh, thành phố đứng đầu cả nước"."""
    cach_tinh: Method | None = None
    """Old name of `loai` (ty_le → cong_don, trung_binh → binh_quan, so_luong → cong_don or,
    for every unit, ty_le_don_vi); kept so older workspaces load. Filled from `loai` when
    empty (a state or a flow of items both read as ty_le)."""

    @model_validator(mode="after")
    def _range(self) -> "Target":
        if self.gia_tri_den is not None and self.gia_tri_den < self.gia_tri:
            raise ValueError("gia_tri_den phải lớn hơn hoặc bằng gia_tri")
        if self.so_sanh == "top" and self.don_vi == "%":
            self.don_vi = "hạng"
        if self.loai is None:
            self.loai = _kind_from(self)
        if self.cach_tinh is None:
            self.cach_tinh = _old_method(self)
        if self.nguon is None:
            office = self.loai in ("thu_hang", "tang_bac") or (self.loai == "cong_don" and self.don_vi != "%")
            self.nguon = "van_phong" if office else "don_vi"
        if self.cach_tinh in ("so_luong", "thu_hang", "tang_bac"):
            for value in (self.gia_tri, self.gia_tri_den):
                if value is not None and not float(value).is_integer():
                    # "2,5 mô hình", "hạng 3,5": a count or a rank is a whole number
                    raise ValueError(f"chỉ tiêu đếm hoặc xếp hạng phải là số nguyên, không phải {value:g}")
        return self

    @property
    def reported_by_units(self) -> bool:
        """Units report it (else the office reports it for the whole body)."""
        return self.nguon == "don_vi"

    @property
    def counts_items(self) -> bool:
        """Each unit must reach a count, counted from the items it lists."""
        return self.loai == "ty_le_don_vi" and self.pham_vi == "moi_co_so"

    @property
    def yearly(self) -> bool:
        return self.ky == "hang_nam"

    @property
    def viec_text(self) -> str:
        if self.viec:
            return self.viec
        head = self.doi_tuong.lower()
        return self.ten[len(head):].strip() if self.ten.lower().startswith(head + " ") else self.ten


OLD_METHODS = {"ty_le_don_vi": "ty_le_don_vi", "ty_le": "cong_don", "trung_binh": "binh_quan",
               "thu_hang": "thu_hang", "tang_bac": "tang_bac"}


def _old_method(t: "Target") -> str:
    if t.loai == "ty_le_don_vi":
        return "so_luong" if t.pham_vi == "moi_co_so" else "ty_le_don_vi"
    if t.loai in ("trang_thai", "cong_don"):
        return "ty_le" if t.don_vi == "%" else "so_luong"
    return {"binh_quan": "trung_binh"}.get(t.loai, t.loai)


def _kind_from(t: "Target") -> str:
    if t.cach_tinh == "so_luong":
        return "ty_le_don_vi" if t.pham_vi == "moi_co_so" else "cong_don"
    if t.cach_tinh is not None:
        return OLD_METHODS[t.cach_tinh]
    if t.so_sanh in ("top", "tang_bac"):
        return {"top": "thu_hang", "tang_bac": "tang_bac"}[t.so_sanh]
    return "ty_le_don_vi" if t.don_vi == "%" or t.pham_vi == "moi_co_so" else "cong_don"


class Goal(Strict):
    """A goal (mục tiêu): its text as printed, and its targets as data."""

    noi_dung: Text
    chi_tieu: list[Target] = []


class Task(Strict):
    """A task or solution (nhiệm vụ, giải pháp): a heading with paragraphs and bullets."""

    ten: FoldedText
    doan: list[Text] = []
    y: list[Text] = []
    han: DueField | None = None


class Activity(Strict):
    """One activity of the timeline; [[han]] / [[han.dai]] in the text place its deadline."""

    noi_dung: Text
    han: DueField | None = None
    gach_dau_dong: bool = True


class TimelineYear(Strict):
    nam: int = Field(ge=1945, le=2100)
    hoat_dong: list[Activity] = Field(min_length=1)


class Duty(Strict):
    """Implementation duty of one body (tổ chức thực hiện)."""

    don_vi: Line | None = None
    doan: list[Text] = Field(min_length=1)


class Recipient(Strict):
    ten: Line
    muc_dich: Line | None = None
    """"để b/c", "phối hợp"… printed in brackets after the name."""


def recipient_from_line(value: Any) -> Any:
    # A plain line is the usual way to write a recipient.
    return {"ten": value} if isinstance(value, str) else value


class Signer(Strict):
    quyen_han: Line | None = None
    """"T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN"…; empty when the head signs directly."""
    ky_thay: Line | None = None
    """State documents: a second authority line, "KT. CHỦ TỊCH"."""
    chuc_vu: Line
    ho_ten: Line


class SectionTitles(Strict):
    """Override the default section titles (printed upper-case)."""

    muc_dich_yeu_cau: Line | None = None
    muc_tieu: Line | None = None
    nhiem_vu: Line | None = None
    lo_trinh: Line | None = None
    to_chuc_thuc_hien: Line | None = None


class Plan(Strict):
    """A kế hoạch: header, body sections, recipients and signer."""

    loai_van_ban: Literal["KH"] = "KH"
    he_thong: Regime = "dang"
    the_thuc: Line | None = None
    """Profile id; chosen by regime and date when empty."""
    mau: Line | None = None
    """Template file (relative to the workspace or templates/); default by regime and type."""

    co_quan: Body
    so: int | None = Field(default=None, ge=1, le=99999)
    """Number; empty for a draft (the office fills it in when registering)."""
    du_thao_lan: int | None = Field(default=None, ge=1, le=99)
    """Draft round of an unnumbered plan: 2 → "Dự thảo lần 2"; empty → "Dự thảo"."""
    ngay: Date
    dia_danh: Line
    trich_yeu: FoldedText

    can_cu: dict[Id, CitedDocument] = {}
    mo_dau: list[Text] = []
    muc_dich_yeu_cau: list[Text] = []
    muc_tieu: list[Goal] = []
    nhiem_vu: list[Task] = []
    lo_trinh: list[TimelineYear] = []
    to_chuc_thuc_hien: list[Duty] = []
    ket_thuc: list[Text] = []
    tieu_de_phan: SectionTitles = SectionTitles()

    noi_nhan: list[Annotated[Recipient, BeforeValidator(recipient_from_line)]] = Field(min_length=1)
    luu: Line
    """Archive line after "Lưu": "BTG, VP" → "- Lưu BTG, VP."."""
    nguoi_ky: Signer

    @model_validator(mode="after")
    def _draft_round(self) -> "Plan":
        if self.du_thao_lan is not None and self.so is not None:
            raise ValueError("du_thao_lan chỉ ghi cho dự thảo: văn bản đã có số (so) thì bỏ du_thao_lan")
        return self

    def targets(self) -> list[Target]:
        return [t for goal in self.muc_tieu for t in goal.chi_tieu]
