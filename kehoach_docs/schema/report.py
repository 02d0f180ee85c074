"""Schema of a report (báo cáo sơ kết / tổng kết): the office's words in YAML; the figures
are computed from the units' results (see aggregate.py) and may be placed in the words as
[[kq.<target>]] (the figure in words: "62/64 cấp ủy cơ sở (96,9%)"), [[kq.<target>.gia_tri]]
("96,9%", "hạng 16"), [[kq.<target>.danh_gia]] ("đạt", "vượt", "chưa đạt"),
[[kq.<target>.nhan_xet]] ("chưa đạt chỉ tiêu 100%"), [[kq.<target>.cau]] (the whole
sentence), [[kq.<target>.<year>]], [[so_don_vi]], [[so_don_vi_bao_cao]]."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from kehoach_docs.schema.common import Date, FoldedText, Id, Line, Strict, Text
from kehoach_docs.schema.plan import Body, Recipient, Signer, recipient_from_line


class Assessment(Strict):
    """Đánh giá chung."""

    uu_diem: list[Text] = []
    han_che: list[Text] = []
    nguyen_nhan_khach_quan: list[Text] = []
    nguyen_nhan_chu_quan: list[Text] = []
    bai_hoc: list[Text] = []


class UnitReports(Strict):
    """The khung of each unit's own report for the same period (written once by the office;
    the figures come from the unit's results). Text may use [[don_vi]], [[cap_uy]],
    [[chu_the]], [[ke_hoach_don_vi]] (the unit's own plan: "Kế hoạch số 25-KH/ĐU, ngày
    24/12/2021 của …"), [[ke_hoach_cap_tren]] and the plan's cited documents."""

    tao: bool = True
    trich_yeu: FoldedText | None = None
    """Default: the office report's trích yếu."""
    mo_dau: list[Text] = []
    """Opening: "Thực hiện [[ke_hoach_cap_tren]] …, [[chu_the]] báo cáo kết quả … như sau:"."""
    nguyen_nhan: list[Text] = []
    """Causes of the shortcomings (printed only when some target was not met)."""
    phuong_huong: list[Text] = []
    de_xuat: list[Text] = []
    ket_thuc: list[Text] = []
    """Closing: "Trên đây là báo cáo …"."""
    noi_nhan: list[Annotated[Recipient, BeforeValidator(recipient_from_line)]] = []


class ActivityCount(Strict):
    """Units that reported an activity, counted: "58/64 tổ chức cơ sở đảng đã <viec> (…)"."""

    nguon: Id
    """What in the results files counts: a field the programme declares (ket-qua/
    khung-ket-qua.yaml: sessions, a list, groups and persons, a number), or hoan_thanh (timeline
    activities completed, with `ma`)."""
    ma: Id | None = None
    """hoan_thanh: the id of the activity in the khung (khung-don-vi.yaml)."""
    viec: Line
    """What they did: "tổ chức học tập, quán triệt Đề án"."""


class TaskResult(Strict):
    """Results of one task group (nhiệm vụ, giải pháp) of the plan."""

    nhiem_vu: int = Field(ge=1)
    """The task group's number in the plan (1 = the first of nhiem_vu)."""
    doan: list[Text] = []
    """The office's own words on it."""
    hoat_dong: list[ActivityCount] = []
    lo_trinh: list[str] = []
    """Timeline items of the plan done under it, as "<năm>.<thứ tự>" ("2023.1": the first
    activity of 2023); each is reported with its deadline and whether it was done on time."""


class TimelineDone(Strict):
    """A timeline item of the plan and when it was done (empty: not done)."""

    muc: str = Field(pattern=r"^\d{4}\.\d+$")
    """"<năm>.<thứ tự>" of the plan's lo_trinh."""
    ngay: Date | None = None

class Column(Strict):
    """One column of the units appendix: its header and what it shows."""

    tieu_de: Line
    lay: Line
    """ke_hoach (the unit's plan: number, date), bao_cao (reported or not), chi_tieu.<mã>
    (the unit's figure for a target over the period), ket_qua.<trường> (a declared result
    field, added up over the period)."""


class UnitAppendixSpec(Strict):
    tieu_de: Line
    cot: list[Column] = Field(min_length=1)


class ListAppendixSpec(Strict):
    """A list appendix: the entries of a declared tap_the_ca_nhan field marked de_nghi."""

    tieu_de: Line
    truong: Line


class Report(Strict):
    loai_van_ban: Literal["BC"] = "BC"
    loai_bao_cao: Literal["so_ket", "tong_ket"]
    ke_hoach: Line
    """The plan reported on, relative to this file's workspace: "ke-hoach-44.yaml"."""
    tu_nam: int = Field(ge=2000, le=2100)
    den_nam: int = Field(ge=2000, le=2100)
    so: int | None = Field(default=None, ge=1, le=99999)
    du_thao_lan: int | None = Field(default=None, ge=1, le=99)
    """Draft round of an unnumbered report: 2 → "Dự thảo lần 2"; empty → "Dự thảo"."""
    ngay: Date
    co_quan: Body | Id | None = None
    """Who issues the report: an id of to-chuc.yaml or a full body. Empty: the plan's body,
    or the body that took it over by the report's date (to-chuc.yaml, ke_nhiem)."""
    dia_danh: Line | None = None
    trich_yeu: FoldedText

    mo_dau: list[Text] = []
    dac_diem: list[Text] = []
    lanh_dao_chi_dao: list[Text] = Field(min_length=1)
    ket_qua: list[Text] = []
    """Words before the computed results of the targets."""
    ket_qua_nhiem_vu: list[Text] = []
    """Results of the tasks, in words (before the task groups)."""
    nhiem_vu: list[TaskResult] = []
    """Results of each task group of the plan."""
    lo_trinh_da_lam: list[TimelineDone] = []
    """When the plan's timeline items were done."""
    danh_gia: Assessment
    phuong_huong: list[Text] = Field(min_length=1)
    de_xuat: list[Text] = []
    ket_thuc: list[Text] = []
    tieu_de_phan: dict[str, Line] = {}

    noi_nhan: list[Annotated[Recipient, BeforeValidator(recipient_from_line)]] = Field(min_length=1)
    luu: Line
    nguoi_ky: Signer
    bao_cao_don_vi: UnitReports | None = None
    phu_luc_don_vi: UnitAppendixSpec | None = None
    """The units appendix (absent: none) with its declared columns."""
    phu_luc_danh_sach: ListAppendixSpec | None = None
    """The list appendix (tổng kết only; absent: none)."""

    @model_validator(mode="after")
    def _period(self) -> "Report":
        if self.den_nam < self.tu_nam:
            raise ValueError("den_nam phải từ tu_nam trở đi")
        if self.du_thao_lan is not None and self.so is not None:
            raise ValueError("du_thao_lan chỉ ghi cho dự thảo: văn bản đã có số (so) thì bỏ du_thao_lan")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.tu_nam, self.den_nam + 1))


