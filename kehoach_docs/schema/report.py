"""Schema of a report (báo cáo sơ kết / tổng kết): the office's words in YAML; the figures
are computed from the units' results (see aggregate.py) and may be placed in the words as
[[kq.<target>]], [[kq.<target>.gia_tri]], [[kq.<target>.danh_gia]], [[kq.<target>.<year>]],
[[so_don_vi]], [[so_don_vi_bao_cao]]."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from kehoach_docs.schema.common import Date, FoldedText, Line, Model, Text
from kehoach_docs.schema.plan import Recipient, Signer, _recipient


class Assessment(Model):
    """Đánh giá chung."""

    uu_diem: list[Text] = []
    han_che: list[Text] = []
    nguyen_nhan_khach_quan: list[Text] = []
    nguyen_nhan_chu_quan: list[Text] = []
    bai_hoc: list[Text] = []


class UnitReports(Model):
    """Each unit's own report for the same period, derived from its results."""

    tao: bool = True
    trich_yeu: FoldedText | None = None
    """Default: the office report's trích yếu."""
    noi_nhan: list[Annotated[Recipient, BeforeValidator(_recipient)]] = []


class Column(Model):
    """One column of the units appendix: its header and what it shows."""

    tieu_de: Line
    lay: Line
    """ke_hoach (the unit's plan: number, date), bao_cao (reported or not), chi_tieu.<mã>
    (the unit's figure for a target over the period), ket_qua.<trường> (a declared result
    field, added up over the period)."""


class UnitAppendixSpec(Model):
    tieu_de: Line
    cot: list[Column] = Field(min_length=1)


class ListAppendixSpec(Model):
    """A list appendix: the entries of a declared tap_the_ca_nhan field marked de_nghi."""

    tieu_de: Line
    truong: Line


class Report(Model):
    loai_van_ban: Literal["BC"] = "BC"
    loai_bao_cao: Literal["so_ket", "tong_ket"]
    ke_hoach: Line
    """The plan reported on, relative to this file's workspace: "ke-hoach-44.yaml"."""
    tu_nam: int = Field(ge=2000, le=2100)
    den_nam: int = Field(ge=2000, le=2100)
    so: int | None = Field(default=None, ge=1, le=99999)
    ngay: Date
    dia_danh: Line | None = None
    trich_yeu: FoldedText

    mo_dau: list[Text] = []
    dac_diem: list[Text] = []
    lanh_dao_chi_dao: list[Text] = Field(min_length=1)
    ket_qua: list[Text] = []
    """Words before the computed results of the targets."""
    ket_qua_nhiem_vu: list[Text] = []
    """Results of the tasks, in words."""
    danh_gia: Assessment
    phuong_huong: list[Text] = Field(min_length=1)
    de_xuat: list[Text] = []
    ket_thuc: list[Text] = []
    tieu_de_phan: dict[str, Line] = {}

    noi_nhan: list[Annotated[Recipient, BeforeValidator(_recipient)]] = Field(min_length=1)
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
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.tu_nam, self.den_nam + 1))


