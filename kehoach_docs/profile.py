"""Thể thức as data: versioned profile files read by the template generator, renderer and checker.

A profile is a YAML file in kehoach_docs/profiles/ (or a workspace's `the-thuc/` folder).
It is chosen by regime (dang / nha_nuoc) and by the document's date: the profile whose
validity period covers the date wins. A new rule set is a new file, not new code.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from kehoach_docs.errors import ProblemList
from kehoach_docs.format.vn import ngay_ngan, nfc
from kehoach_docs.load.yaml_source import load_yaml
from kehoach_docs.schema.common import Date, Line, Strict, Text
from kehoach_docs.schema.validate import validate

BUILTIN_DIR = Path(__file__).parent / "profiles"

Align = Literal["trai", "giua", "phai", "deu"]


class Validity(Strict):
    tu: Date
    den: Date | None = None


class Page(Strict):
    rong: float
    cao: float
    le_tren: float
    le_duoi: float
    le_trai: float
    le_phai: float
    dau_trang: float
    chan_trang: float
    # Upper ends where a rule set allows a range (NĐ 30: top 20-25, left 30-35 mm…); the
    # values above are the lower ends, used by the templates. None: a fixed value.
    le_tren_toi_da: float | None = None
    le_duoi_toi_da: float | None = None
    le_trai_toi_da: float | None = None
    le_phai_toi_da: float | None = None

    @model_validator(mode="after")
    def _ranges(self) -> "Page":
        for side in ("le_tren", "le_duoi", "le_trai", "le_phai"):
            hi = getattr(self, f"{side}_toi_da")
            if hi is not None and hi < getattr(self, side):
                raise ValueError(f"{side}_toi_da phải lớn hơn hoặc bằng {side}")
        return self


class BodyText(Strict):
    co: float
    can_le: Align
    thut_dau_dong: float
    gian_doan_truoc: float
    gian_doan_sau: float
    gian_dong: float | None = None
    """Exact line spacing in pt; None for single spacing."""
    boi_so_dong: float | None = None
    """Line spacing as a multiple of single (State documents: 1.0-1.5)."""
    ket_thuc: str = ""
    """Appended to the last body paragraph: "./." in State documents (practice)."""
    mau_trich_dan: str = "{loai} số {so_ky_hieu}, ngày {ngay} của {co_quan}"
    """How [[id]] cites a document; State documents write no comma before "ngày"."""

    def cite(self, loai: str, so_ky_hieu: str | None, ngay: date | None = None, co_quan: str | None = None) -> str:
        """A citation by mau_trich_dan ("Kế hoạch số 44-KH/ĐUK, ngày 10/12/2021 của …"); a part
        not given is left out with the words leading to it (", ngày 10/12/2021", " của …")."""
        values = {"loai": loai, "so_ky_hieu": so_ky_hieu, "ngay": ngay_ngan(ngay) if ngay else None,
                  "co_quan": co_quan}
        out = ""
        for lead, name, _, _ in Formatter().parse(self.mau_trich_dan):
            if name is None:
                out += lead
            elif values.get(name):
                out += lead + values[name]
        return nfc(out)


class NumberSymbol(Strict):
    """How a document's number and symbol are written: the one rule the renderer, the
    checker and every citation read ("Số 44-KH/ĐUK" Party, "Số: 696/KH-UBND" State)."""

    mau: str
    mau_du_thao: str
    dem_so: int = 2

    def line(self, so: int | None, loai: str, co_quan: str) -> str:
        """The header line: "Số 44-KH/ĐUK"; a draft (no number) leaves the number's room."""
        if so is None:
            return self.mau_du_thao.format(loai=loai, co_quan=co_quan)
        return self.mau.format(so=f"{so:0{self.dem_so}d}", loai=loai, co_quan=co_quan)

    def symbol(self, so: int | None, loai: str, co_quan: str) -> str:
        """The number and symbol as a citation writes them, without the line's "Số"/"Số:":
        "44-KH/ĐUK"; a draft's blank number kept as six no-break spaces, to fill in by hand."""
        prefix = self.mau[:self.mau.index("{so}")]
        if so is None:
            rest = self.mau_du_thao.format(loai=loai, co_quan=co_quan).removeprefix(prefix.rstrip()).lstrip(" ")
            return "\u00a0" * 6 + rest
        return self.line(so, loai, co_quan).removeprefix(prefix)


class Numbering(Strict):
    cap1: str
    cap2: str
    cap3: str
    gach_dau_dong: str
    phu_luc: str = "Phụ lục {so}"
    """Appendix label: "Phụ lục {so}" (1, 2…) or "Phụ lục {la_ma}" (I, II… in State documents)."""


class RecipientRules(Strict):
    ket_thuc_dong: str
    ket_thuc_cuoi: str
    mau_luu: str


class Element(Strict):
    """Case, size and style of one header or closing element."""

    noi_dung: str | None = None
    in_hoa: bool = False
    co: float
    dam: bool = False
    nghieng: bool = False
    gach_chan: bool = False
    can_le: Align = "trai"
    duong_ke_duoi: float | None = None
    """Length in mm of a solid line under the text (as long as the text for the Party title)."""
    duong_ke_duoi_ty_le: tuple[float, float] | None = None
    """A line whose length is a share of the text's width: (min, max), e.g. (0.333, 0.5) for
    the State body name and trích yếu (1/3 to 1/2 of the text). The text varies per document,
    so `duong_ke_duoi` stays the length a template draws; this range is the rule itself."""
    chu_dau_thuong: bool = False
    """Starts with a lower-case letter (trích yếu of Party documents)."""
    tu_trang: int | None = None

    @model_validator(mode="after")
    def _share(self) -> "Element":
        if self.duong_ke_duoi_ty_le is not None:
            lo, hi = self.duong_ke_duoi_ty_le
            if not 0 < lo <= hi <= 1:
                raise ValueError("duong_ke_duoi_ty_le: hai tỷ lệ trong (0, 1], số đầu không lớn hơn số sau")
        return self


class LineBreaks(Strict):
    """Where a body name too long for its header column is set on two lines."""

    le_chu: float = 0.0
    """Space (mm) a line keeps from each side of its column; a longer name breaks."""
    loai_co_quan: list[Line] = []
    """Body types, in capitals ("ỦY BAN NHÂN DÂN"): the first line is the type, the second
    its place ("TỈNH NGHỆ AN")."""
    dia_danh: list[Line] = []
    """Words that start a place ("TỈNH", "HUYỆN"): the break goes before, when no body type
    matches."""


class HeaderTable(Strict):
    cot_trai: float
    cot_phai: float
    xuong_dong: LineBreaks = LineBreaks()


class Signing(Strict):
    dong_trong: int = 4
    quyen_han: dict[str, str] = {}
    """Written forms of the signing authorities, by kind: {TM: "T/M", KT: "K/T", TL: "T/L"}."""


Confidence = Literal["cao", "trung_binh", "thap", "chua_xac_nhan"]
CONFIDENCE_WORDS = {"cao": "cao", "trung_binh": "trung bình", "thap": "thấp", "chua_xac_nhan": "chưa xác nhận"}


class ValueSource(Strict):
    """Where one value of the profile comes from, and how sure it is."""

    nguon: Line
    """"Hướng dẫn 36-HD/VPTW, mục 3.1"; an address, or "thực tế văn bản đã ban hành"."""
    do_tin_cay: Confidence
    ghi_chu: Line | None = None


class Profile(Strict):
    ma: Line
    ten: Line
    he_thong: Literal["dang", "nha_nuoc"]
    hieu_luc: Validity
    xac_nhan_den: Date | None = None
    """Last day the rules are confirmed for: a document dated later is rendered with this
    profile and a warning that a newer rule may apply (empty: no known doubt)."""
    ly_do_xac_nhan: Text | None = None
    """Why the rules may not hold after `xac_nhan_den`, in words for the warning."""
    nguon: dict[str, ValueSource] = {}
    """Per value, by its path ("than_van_ban.gian_dong", "phan_tu.tieu_de.co"): source and
    confidence."""
    trang: Page
    phong_chu: Line
    ngon_ngu: Line = "vi-VN"
    than_van_ban: BodyText
    so_ky_hieu: NumberSymbol
    danh_so: Numbering
    noi_nhan: RecipientRules
    ky: Signing = Signing()
    phan_tu: dict[str, Element] = Field(min_length=1)
    bang_dau: HeaderTable
    """Header table: issuing body left, title right (mm)."""
    bang_ky: HeaderTable
    """Closing table: recipients left, signer right (mm)."""
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The file this profile was read from."""
        return self._path

    def element(self, name: str) -> Element:
        return self.phan_tu[name]

    def covers(self, day: date) -> bool:
        return self.hieu_luc.tu <= day and (self.hieu_luc.den is None or day <= self.hieu_luc.den)

    @model_validator(mode="after")
    def _sources_name_values(self) -> "Profile":
        data = self.model_dump()
        for key in self.nguon:
            node = data
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    raise ValueError(f"nguon: '{key}' không phải một giá trị của bộ thể thức")
                node = node[part]
        return self

    def source(self, key: str) -> ValueSource | None:
        return self.nguon.get(key)

    def warning(self, day: date) -> str | None:
        """The Vietnamese warning for a document dated past the confirmed rules, or None."""
        if self.xac_nhan_den is None or day <= self.xac_nhan_den:
            return None
        why = f" {self.ly_do_xac_nhan.strip()}" if self.ly_do_xac_nhan else ""
        # The same words for every late document, so that a build says it once with a count.
        return (f"Văn bản đề ngày sau {self.xac_nhan_den:%d/%m/%Y} dùng bộ thể thức '{self.ma}' "
                f"({self.ten}), chỉ được xác nhận đến ngày đó: có thể đã có quy định mới.{why}")


def load_profile_file(path: Path) -> Profile:
    """One profile file, read and validated (a build keeps them in its Workspace memo)."""
    path = Path(path).resolve()
    profile = validate(load_yaml(path), Profile)
    profile._path = path
    return profile


def all_profiles(extra_dirs: tuple[Path, ...] = ()) -> list[Profile]:
    extra = [f for folder in extra_dirs for f in sorted(Path(folder).glob("*.yaml"))]
    return [*builtin_profiles(), *(load_profile_file(p) for p in extra)]


@lru_cache(maxsize=1)
def builtin_profiles() -> tuple[Profile, ...]:
    """The toolkit's own profiles: part of the installed package, read once per process."""
    return tuple(load_profile_file(p) for p in sorted(BUILTIN_DIR.glob("*.yaml")))


def get_profile(ma: str, extra_dirs: tuple[Path, ...] = ()) -> Profile:
    return profile_named(all_profiles(extra_dirs), ma)


def profile_named(profiles: list[Profile], ma: str) -> Profile:
    for profile in profiles:
        if profile.ma == ma:
            return profile
    known = ", ".join(p.ma for p in profiles)
    raise ProblemList.one("", 0, 0, "the_thuc",
                          f"Không có bộ thể thức '{ma}'. Các bộ hiện có: {known}.")


def choose_profile(regime: str, day: date, extra_dirs: tuple[Path, ...] = ()) -> Profile:
    """The profile of `regime` in force on `day`; the latest one when several overlap."""
    return profile_for(all_profiles(extra_dirs), regime, day)


def profile_for(profiles: list[Profile], regime: str, day: date) -> Profile:
    candidates = [p for p in profiles if p.he_thong == regime and p.covers(day)]
    if not candidates:
        raise ProblemList.one("", 0, 0, "he_thong",
                              f"Không có bộ thể thức nào cho hệ thống '{regime}' vào ngày "
                              f"{day:%d/%m/%Y}.")
    return max(candidates, key=lambda p: p.hieu_luc.tu)
