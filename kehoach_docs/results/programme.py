"""A programme's own words and results, declared in its workspace (ket-qua/khung-ket-qua.yaml).

Everything a unit reports besides its targets' figures (sessions held, items built,
commendations, numbers…) is declared there with its kind, label and how it reads; the
results schema is generated from the declaration, so a results file is still checked field
by field (file:line:column, Vietnamese message, "có phải ý bạn là…"). No programme's words
live in the code: a workspace without the file gets the generic fields only.

    tep_van_phong: toan-khoi          # the office's own results file in ket-qua/<năm>/
    toan_bo: toàn Khối                # "do Văn phòng báo cáo cho toàn Khối"
    ket_qua:
      quan_triet:
        kieu: buoi                    # so_buoi, so_nguoi_du, tong_so_nguoi
        nhan: quán triệt
        cau_don_vi: "tổ chức {so_buoi} buổi quán triệt, {so_nguoi_du} lượt người tham dự"
      mo_hinh:
        kieu: danh_sach               # ten, chi_tieu (counted toward it), linh_vuc
        nhan: mô hình, điểm sáng
        tieu_de_don_vi: Mô hình, điểm sáng đã xây dựng
      khen_thuong: {kieu: tap_the_ca_nhan, nhan: khen thưởng}
    noi_nhan_bao_cao_don_vi: [...]    # default recipients of each unit's own report
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, create_model

from kehoach_docs.format import so, so_dem
from kehoach_docs.workspace.workspace import PROGRAMME_FILE, RESULTS_DIR
from kehoach_docs.schema.common import Id, Line, Strict, Text
from kehoach_docs.schema.plan import Recipient, recipient_from_line
from kehoach_docs.schema.results import GroupOrPerson, CountedItem, Results, Sessions


FieldKind = Literal["buoi", "danh_sach", "tap_the_ca_nhan", "so", "doan"]
# The type of a declared field in a results file, by kind (None: absent / empty list).
FIELD_TYPES = {
    "buoi": (Sessions | None, None),
    "danh_sach": (list[CountedItem], []),
    "tap_the_ca_nhan": (list[GroupOrPerson], []),
    "so": (int | None, Field(default=None, ge=0)),
    "doan": (list[Text], []),
}


class ResultField(Strict):
    """One declared result field: its kind, its label, how a unit's report says it."""

    kieu: FieldKind
    nhan: Line
    """Label: column headers, messages ("quán triệt", "mô hình, điểm sáng")."""
    cau_don_vi: Line | None = None
    """The unit report's sentence for a year: {so_buoi}, {so_nguoi_du}, {so} placeholders."""
    tieu_de_don_vi: Line | None = None
    """Heading of the list in the unit's report (danh_sach): "Mô hình, điểm sáng đã xây dựng"."""


class Programme(Strict):
    tep_van_phong: Id | Line = "toan-bo"
    """Stem of the office's own results file in ket-qua/<năm>/ (whole-body targets)."""
    toan_bo: Line = "toàn bộ"
    """How the whole body is called in messages: "toàn Khối", "toàn Đảng bộ"."""
    ket_qua: dict[Id, ResultField] = {}
    noi_nhan_bao_cao_don_vi: list[Annotated[Recipient, BeforeValidator(recipient_from_line)]] = []

    def results_model(self) -> type[Results]:
        """The results schema of this programme: the generic fields plus the declared ones."""
        return results_schema(tuple((name, f.kieu) for name, f in self.ket_qua.items()))

    def fields_of(self, kind: str) -> list[str]:
        return [n for n, f in self.ket_qua.items() if f.kieu == kind]

    def unit_sentence(self, name: str, value: object) -> str | None:
        """A declared field's sentence in a unit's report for one year, or None."""
        f = self.ket_qua[name]
        if value in (None, []) or not f.cau_don_vi:
            return None
        if isinstance(value, Sessions):
            return f.cau_don_vi.format(so_buoi=so_dem(value.so_buoi), so_nguoi_du=so(value.so_nguoi_du))
        return f.cau_don_vi.format(so=so_dem(len(value)) if isinstance(value, list) else so(value))


@cache
def results_schema(declared: tuple[tuple[str, FieldKind], ...]) -> type[Results]:
    """The results schema for these declared (name, kind) fields, made once per declaration:
    making a pydantic model costs tens of milliseconds (it reads the docstrings of its
    fields from source), and every unit's results of every year are validated against it."""
    model = create_model("Results", __base__=Results, **{name: FIELD_TYPES[kind] for name, kind in declared})
    model.counted_fields = tuple(name for name, kind in declared if kind == "danh_sach")
    return model


GENERIC = Programme()


def programme_path(workspace: Path) -> Path:
    return workspace / RESULTS_DIR / PROGRAMME_FILE


def load_programme(workspace: Path) -> Programme:
    """The workspace's declaration (validated; errors at their place), or the generic one."""
    from kehoach_docs.load.yaml_source import load_yaml
    from kehoach_docs.schema.validate import validate

    path = programme_path(workspace)
    return validate(load_yaml(path), Programme) if path.is_file() else GENERIC
