"""Schema of results: one file per unit per year (ket-qua/<năm>/<đơn vị>.yaml), and the
office's own figures for whole-body targets (ket-qua/<năm>/<tep_van_phong>.yaml).
A unit's plan number and date are not restated here: they live in its unit record (don-vi/).

Each value under `chi_tieu` is tied to a target of the plan by its id; its shape follows
the target's kind of quantity (loai; kehoach_docs/targets/kinds.py):
    ty_le_don_vi   true / false             the unit met it (e.g. issued its plan)
    trang_thai     {dat: 81, tong: 81}      a state that year (procedures published / all)
    cong_don       {dat: 950, tong: 1000}   counted that year (dossiers on time / all), or a count
    binh_quan      93.5                     a percentage
    thu_hang       12                       a rank, office file only
    tang_bac       30                       this year's rank, office file only
A target every unit must reach a count of (pham_vi: moi_co_so) is counted from the declared lists.

Besides these generic fields, a programme declares its own (kehoach_docs.results.programme): the
model of a workspace's results is generated from that declaration, on top of `Results`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from kehoach_docs.schema.common import Date, Id, Line, Strict, Text

class Counts(Strict):
    dat: int = Field(ge=0)
    tong: int = Field(ge=0)

    @model_validator(mode="after")
    def _not_more_than_total(self) -> "Counts":
        if self.dat > self.tong:
            raise ValueError(f"số đạt ({self.dat}) lớn hơn tổng số ({self.tong})")
        return self


Value = bool | Counts | float


class CountedItem(Strict):
    """A named thing built this year that counts toward a per-unit count target."""

    ten: Line
    chi_tieu: Id
    """The target it counts toward."""
    linh_vuc: Line | None = None


class Sessions(Strict):
    """Sessions held: how many, and attendance."""

    so_buoi: int = Field(ge=0)
    so_nguoi_du: int = Field(default=0, ge=0)
    tong_so_nguoi: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _attendance_within_total(self) -> "Sessions":
        if self.tong_so_nguoi is not None and self.so_nguoi_du > self.tong_so_nguoi:
            raise ValueError(f"số người dự ({self.so_nguoi_du}) lớn hơn tổng số người ({self.tong_so_nguoi})")
        return self


class GroupOrPerson(Strict):
    ten: Line
    loai: Literal["tap_the", "ca_nhan"]
    thanh_tich: Line | None = None
    hinh_thuc: Line | None = None
    de_nghi: bool = False
    """Proposed for commendation at the final summary."""


class Results(Strict):
    """One unit's (or the office's) results for one year."""

    nam: int = Field(ge=2000, le=2100)
    so_bao_cao: int | None = Field(default=None, ge=1, le=99999)
    """Number of the unit's report sent with these results (its sơ kết/tổng kết report)."""
    ngay_bao_cao: Date | None = None
    chi_tieu: dict[Id, Value] = {}
    hoan_thanh: list[Id] = []
    """Timeline activities (ids of the khung, e.g. hd_so_ket) completed this year."""
    ket_qua_noi_bat: list[Text] = []
    han_che: list[Text] = []

    counted_fields: ClassVar[tuple[str, ...]] = ()
    """Declared list fields whose items count toward a target (set on a generated model)."""

    def counted(self, target: str) -> list[CountedItem]:
        """Items of the declared lists that count toward `target`."""
        return [item for name in self.counted_fields for item in getattr(self, name)
                if item.chi_tieu == target]
