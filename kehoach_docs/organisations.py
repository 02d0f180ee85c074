"""Bodies and units over time: renamed, merged, split, moved to another superior, dissolved.

A programme outlives the bodies that run it. Two places say what changed, each once:

    to-chuc.yaml              the bodies a workspace's documents name (issuers, superiors,
                              recipients), each valid from `tu` to `den`, with its successor
    don-vi/<đơn vị>.yaml      a unit's own changes under `thay_doi` (from a date: new name,
                              new superior, new signer; merged into, split into, dissolved)

The small API every document uses:
    Bodies.on(ref, day)            the body (or its successor) in office on `day`
    Bodies.stale(name, day)        why a body's name is not valid on `day` (None when it is)
    unit_state(record, day, …)    a unit's name, kind, superior line and signer on `day`
    Succession                     which unit stands for which on a date; results folded so
                                   that a merged unit's results count toward its successor
"""

from __future__ import annotations

import difflib

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import Field, model_validator

from kehoach_docs.format.vn import nfc
from kehoach_docs.errors import WARNING, Problem, ProblemList
from kehoach_docs.format import ngay_ngan
from kehoach_docs.load.yaml_source import Loaded, dotted, load_yaml
from kehoach_docs.schema.common import Date, Id, Line, Strict, Text
from kehoach_docs.schema.plan import Body
from kehoach_docs.schema.validate import validate
from kehoach_docs.workspace.workspace import BODIES_FILE
from kehoach_docs.profile import Confidence, ValueSource

UNCONFIRMED = "chua_xac_nhan"


class BodySigner(Strict):
    """Who signs for a body during a period."""

    quyen_han: Line | None = None
    chuc_vu: Line
    ho_ten: Line
    tu: Date | None = None
    den: Date | None = None

    def covers(self, day: date) -> bool:
        return (self.tu is None or self.tu <= day) and (self.den is None or day <= self.den)


class BodyRecord(Strict):
    """One body during one period. A renamed or merged body is a new record; the old one
    ends (`den`) and names it as `ke_nhiem`."""

    ten: Line
    """The body as issuer: "Đảng ủy Khối các cơ quan tỉnh"."""
    dang_bo: Line | None = None
    """The party organisation it leads, as its base organisations print it above their own
    name: "Đảng bộ Khối các cơ quan tỉnh"."""
    cap_tren: Line | None = None
    """Its own superior line: "Đảng bộ tỉnh Nghệ An"."""
    ky_hieu: Line | None = None
    """Symbol code ("ĐUK"); leave empty when no source gives it."""
    chu_the: Line | None = None
    """Who acts in its documents: "Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh"."""
    tu: Date | None = None
    """First day in office (empty: before any document of the workspace)."""
    den: Date | None = None
    """Last day in office (empty: still in office)."""
    ke_nhiem: Id | None = None
    """The body that takes over from the day after `den` (an id of this file)."""
    ten_khac: list[Line] = []
    """Short names documents also use ("Đảng ủy Khối"); a recipient that is, or ends with, a
    name of the body ("Ban Thường vụ Đảng ủy Khối") is checked against its period."""
    nguoi_ky: list[BodySigner] = []
    nguon: list[Line] = []
    """Where the facts come from (addresses of the decisions or news reports)."""
    do_tin_cay: Confidence | None = None
    nguon_gia_tri: dict[str, ValueSource] = {}
    """Per value ("ky_hieu", "nguoi_ky.0.ho_ten"): its source and confidence. A value marked
    `chua_xac_nhan` is a sample value: validate, render and build warn wherever it is used."""
    ghi_chu: Text | None = None

    def covers(self, day: date) -> bool:
        return (self.tu is None or self.tu <= day) and (self.den is None or day <= self.den)

    @model_validator(mode="after")
    def _sources_name_values(self) -> "BodyRecord":
        for key in self.nguon_gia_tri:
            if _value_at(self, key) is None:
                raise ValueError(f"nguon_gia_tri: '{key}' không phải một giá trị có ghi của cơ quan này")
        return self

    def unconfirmed(self) -> dict[str, ValueSource]:
        return {k: v for k, v in self.nguon_gia_tri.items() if v.do_tin_cay == UNCONFIRMED}


def _value_at(record, key: str):
    """The value at a dotted path of a record ("nguoi_ky.0.ho_ten"), None when absent."""
    node = record.model_dump()
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


class BodiesFile(Strict):
    """to-chuc.yaml."""

    co_quan: dict[Id, BodyRecord] = Field(min_length=1)


def _key(name: str) -> str:
    return nfc(" ".join(name.split())).casefold()


@dataclass
class Bodies:
    """The bodies of a workspace (empty when it has no to-chuc.yaml)."""

    records: dict[str, BodyRecord] = field(default_factory=dict)
    loaded: Loaded | None = None

    def find(self, ref: str) -> str | None:
        """The id of a body given by id, issuer name or party organisation name."""
        if ref in self.records:
            return ref
        k = _key(ref)
        return next((i for i, r in self.records.items()
                     if _key(r.ten) == k or (r.dang_bo and _key(r.dang_bo) == k)), None)

    def named_in(self, text: str) -> str | None:
        """The body a recipient's words name: the body itself, or a part of it ("Ban Thường
        vụ Đảng ủy Khối" names the Đảng ủy Khối): the longest name it ends with."""
        if (ma := self.find(text)) is not None:
            return ma
        k = _key(text)
        best = None
        for ma, r in self.records.items():
            for name in (r.ten, r.dang_bo, r.chu_the, *r.ten_khac):
                n = _key(name) if name else ""
                if n and k.endswith(" " + n) and (best is None or len(n) > best[1]):
                    best = (ma, len(n))
        return best[0] if best else None

    def on(self, ref: str, day: date) -> tuple[str, BodyRecord] | None:
        """The body `ref` or its successor in office on `day`; None when unknown or gone."""
        ma = self.find(ref)
        seen = set()
        while ma is not None and ma not in seen:
            seen.add(ma)
            rec = self.records[ma]
            if rec.den is None or day <= rec.den:
                return (ma, rec) if rec.tu is None or rec.tu <= day else None
            ma = rec.ke_nhiem
        return None

    def stale(self, name: str, day: date) -> str | None:
        """Why `name` (a body's name) is not valid on `day`, in words; None when it is."""
        ma = self.named_in(name)
        if ma is None:
            return None
        rec = self.records[ma]
        if rec.covers(day):
            return None
        named = f"'{name}'" + (f" (thuộc {rec.ten})" if self.find(name) is None else "")
        if rec.tu is not None and day < rec.tu:
            return (f"Văn bản ngày {ngay_ngan(day)} ghi {named}, nhưng cơ quan này bắt đầu hoạt động "
                    f"từ ngày {ngay_ngan(rec.tu)}.")
        now = self.on(ma, day)
        after = f"; từ ngày {ngay_ngan(rec.den + timedelta(days=1))} là '{now[1].ten}'" if now else ""
        return (f"Văn bản ngày {ngay_ngan(day)} ghi {named}, nhưng cơ quan này đã kết thúc hoạt "
                f"động ngày {ngay_ngan(rec.den)}{after}.")

    def as_body(self, ma: str) -> Body:
        rec = self.records[ma]
        return Body(cap_tren=rec.cap_tren, ten=rec.ten, ky_hieu=rec.ky_hieu or "", chu_the=rec.chu_the)

    def signer(self, ma: str, day: date) -> BodySigner | None:
        return next((s for s in self.records[ma].nguoi_ky if s.covers(day)), None)

    def signer_stale(self, ho_ten: str, day: date) -> str | None:
        """Why a signer recorded in the file may not sign on `day`; None when unknown or valid."""
        k = _key(ho_ten)
        found = [(r, s) for r in self.records.values() for s in r.nguoi_ky if _key(s.ho_ten) == k]
        if not found or any(r.covers(day) and s.covers(day) for r, s in found):
            return None
        r, s = found[-1]
        until = s.den or r.den
        return (f"'{s.ho_ten}' ký cho {r.ten}" + (f" đến ngày {ngay_ngan(until)}" if until else "") +
                f", không còn ký vào ngày {ngay_ngan(day)} của văn bản.")

    def unconfirmed_values(self) -> list[Problem]:
        """A warning for every sample value of the file (marked chua_xac_nhan), at its line."""
        return [self._unconfirmed(ma, key) for ma, r in self.records.items() for key in r.unconfirmed()]

    def unconfirmed_used(self, issuer: Body | None, signer_name: str | None) -> list[Problem]:
        """Warnings for the sample values a document prints: its issuer's name or symbol,
        its signer's name."""
        out = []
        if issuer is not None and (ma := self.find(issuer.ten)) is not None:
            rec = self.records[ma]
            for key in rec.unconfirmed():
                if (key == "ky_hieu" and issuer.ky_hieu == rec.ky_hieu) or key == "ten":
                    out.append(self._unconfirmed(ma, key))
        if signer_name:
            k = _key(signer_name)
            for ma, rec in self.records.items():
                for key in rec.unconfirmed():
                    parts = key.split(".")
                    if parts[0] == "nguoi_ky" and len(parts) > 1 and parts[1].isdigit() and \
                            _key(rec.nguoi_ky[int(parts[1])].ho_ten) == k:
                        out.append(self._unconfirmed(ma, key))
        return list(dict.fromkeys(out))

    def _unconfirmed(self, ma: str, key: str) -> Problem:
        rec, note = self.records[ma], self.records[ma].nguon_gia_tri[key]
        value = _value_at(rec, key)
        shown = value.get("ho_ten", value) if isinstance(value, dict) else value
        loc = ("co_quan", ma, *(int(p) if p.isdigit() else p for p in key.split(".")))
        message = (f"'{shown}' ({rec.ten}) là giá trị mẫu, chưa xác nhận: {note.nguon}"
                   + (f" ({note.ghi_chu})" if note.ghi_chu else "") +
                   ". Thay bằng giá trị thật trước khi ban hành văn bản.")
        if self.loaded is None:
            return Problem("", 0, 0, dotted(loc), message, level=WARNING)
        return self.loaded.problem(loc, message, WARNING)


def bodies_file(near: Path, ws=None) -> Path | None:
    """to-chuc.yaml of the workspace holding `near` (a document or a folder). With `ws` (a
    workspace.Workspace), each place looked at is recorded: a file that appears later counts."""
    near = Path(near)
    folders = [near] if near.is_dir() else []
    folders += [near.parent, near.parent.parent]
    exists = ws.is_file if ws is not None else Path.is_file
    return next((f / BODIES_FILE for f in folders if exists(f / BODIES_FILE)), None)


def load_bodies(near: Path, ws=None) -> Bodies:
    """The bodies of the workspace holding `near`; with `ws`, read once per workspace object."""
    path = bodies_file(near, ws)
    if path is None:
        return Bodies()
    if ws is None:
        return read_bodies(path)
    from kehoach_docs.workspace.workspace import absolute

    return ws.memo(("bodies", absolute(path)), lambda: read_bodies(path))


def read_bodies(path: Path) -> Bodies:
    loaded = load_yaml(path)
    data = validate(loaded, BodiesFile)
    bodies = Bodies(dict(data.co_quan), loaded)
    problems = []
    for ma, rec in bodies.records.items():
        if rec.ke_nhiem is not None and rec.ke_nhiem not in bodies.records:
            problems.append(loaded.problem(("co_quan", ma, "ke_nhiem"),
                                           f"Không có cơ quan '{rec.ke_nhiem}' trong {BODIES_FILE}.",
                                           field=f"co_quan.{ma}.ke_nhiem"))
        if rec.ke_nhiem is not None and rec.den is None:
            problems.append(loaded.problem(("co_quan", ma, "ke_nhiem"),
                                           "Có cơ quan kế nhiệm thì phải ghi ngày kết thúc (den).",
                                           field=f"co_quan.{ma}.den"))
        if rec.tu and rec.den and rec.den < rec.tu:
            problems.append(loaded.problem(("co_quan", ma, "den"), "Ngày kết thúc trước ngày bắt đầu."))
    if problems:
        raise ProblemList(problems)
    return bodies


# ---- units ----------------------------------------------------------------------------

@dataclass
class UnitState:
    """A unit on one day."""

    ten: str
    ten_co_quan: str | None
    loai: str
    cap_tren: str
    """The superior line its documents print."""
    cap_uy_cap_tren: str | None
    """The superior's committee ("Đảng ủy Ủy ban nhân dân tỉnh"), for recipients."""
    nguoi_ky: object
    active: bool


def end_of(record) -> tuple[date, object] | None:
    """(last day, the change) of a unit that was merged, split or dissolved."""
    for change in record.thay_doi:
        if change.ends:
            return change.tu - timedelta(days=1), change
    return None


def exists_on(record, day: date) -> bool:
    end = end_of(record)
    return (record.thanh_lap is None or record.thanh_lap <= day) and (end is None or day <= end[0])


def exists_in(record, year: int) -> bool:
    end = end_of(record)
    return (record.thanh_lap is None or record.thanh_lap.year <= year) and (end is None or year <= end[0].year)


def unit_state(record, day: date, bodies: Bodies, default_superior: str) -> UnitState:
    """The unit's name, kind, superior and signer on `day` (its changes up to that day)."""
    ten, ten_co_quan, loai, superior, signer = (record.ten, record.ten_co_quan, record.loai,
                                                default_superior, record.nguoi_ky)
    for change in sorted(record.thay_doi, key=lambda c: c.tu):
        if change.tu > day:
            break
        ten = change.ten or ten
        ten_co_quan = change.ten_co_quan or (None if change.ten else ten_co_quan)
        loai = change.loai or loai
        superior = change.cap_tren or superior
        signer = change.nguoi_ky or signer
    now = bodies.on(superior, day)
    if now is not None:
        line, committee = now[1].dang_bo or now[1].ten, now[1].ten
    else:
        line, committee = superior, None
    return UnitState(ten, ten_co_quan, loai, line, committee, signer, exists_on(record, day))


def check_units(units: list) -> list[Problem]:
    """Cross-unit checks of the changes: successors exist and are in place on the day."""
    by_id = {u.info.ma: u for u in units}
    problems = []
    for u in units:
        loaded = load_yaml(u.path)
        ended = False
        for i, change in enumerate(sorted(u.record.thay_doi, key=lambda c: c.tu)):
            idx = u.record.thay_doi.index(change)
            if ended:
                problems.append(loaded.problem(("thay_doi", idx, "tu"), "Đơn vị đã kết thúc ở thay đổi trước; "
                                               "không thể có thay đổi sau đó.", field=f"thay_doi[{idx}]"))
            ended = ended or change.ends
            targets = ([("sap_nhap_vao", change.sap_nhap_vao)] if change.sap_nhap_vao else []) + \
                [(("chia_thanh", j), m) for j, m in enumerate(change.chia_thanh)]
            for where, ma in targets:
                loc = ("thay_doi", idx) + (where if isinstance(where, tuple) else (where,))
                other = by_id.get(ma)
                if other is None or ma == u.info.ma:
                    guess = difflib.get_close_matches(ma, sorted(set(by_id) - {u.info.ma}), n=1)
                    problems.append(loaded.problem(loc, f"Không có đơn vị '{ma}' trong don-vi/ để nhận đơn vị "
                                                   "này" + (f"; có phải '{guess[0]}'?" if guess else ".")))
                elif not exists_on(other.record, change.tu):
                    problems.append(loaded.problem(loc, f"Đơn vị '{ma}' không hoạt động vào ngày "
                                                   f"{ngay_ngan(change.tu)}."))
    return problems


def bench_bodies(bench) -> Bodies:
    """The bodies a workbench was loaded with (read once per workspace), else read now."""
    return bench.bodies if bench.bodies is not None else load_bodies(bench.khung_loaded.path)


def unit_plan_names(bench, unit) -> dict[str, str]:
    """[[cap_uy_cap_tren]] of a unit plan: the superior's committee on the plan's date, so
    that one khung serves plans dated before and after a reorganisation."""
    state = unit_state(unit, unit.ngay, bench_bodies(bench), bench.khung.cap_tren)
    return {"cap_uy_cap_tren": state.cap_uy_cap_tren or state.cap_tren}


def check_unit_plan_bodies(bench, unit, loaded: Loaded) -> list[Problem]:
    """A unit plan's recipients must exist on the plan's date, as for the office's documents:
    the khung's (an error at their line of the khung, naming the unit's plan) and the unit's
    own (at their line of its record)."""
    bodies = bench_bodies(bench)
    if not bodies.records:
        return []
    day, problems = unit.ngay, []
    state = unit_state(unit, day, bodies, bench.khung.cap_tren)
    for i, r in enumerate(bench.khung.noi_nhan):  # the recipients unit.derive_plan prints
        if (r.chi_cho is None or unit.loai in r.chi_cho) and (why := bodies.stale(r.ten, day)):
            problems.append(bench.khung_loaded.problem(
                ("noi_nhan", i), f"Nơi nhận của kế hoạch {state.ten} ({loaded.path.name}): {why} Để khung "
                "dùng được cho mọi ngày, ghi nơi nhận theo cấp trên vào ngày của kế hoạch: 'Ban Thường vụ "
                "[[cap_uy_cap_tren]]'.", field=f"noi_nhan.{i}"))
    for i, r in enumerate(unit.noi_nhan_them):
        if why := bodies.stale(r.ten, day):
            problems.append(loaded.problem(("noi_nhan_them", i), "Nơi nhận: " + why, field=f"noi_nhan_them.{i}"))
    return problems


# ---- results follow the units ------------------------------------------------------------

def year_cutoff(year: int, last_day: date | None = None) -> date:
    """The day a year's figures are taken: 31/12, or the report's date in its own year."""
    end = date(year, 12, 31)
    return min(end, last_day) if last_day is not None and last_day.year == year else end


@dataclass
class Succession:
    """Which unit stands for which on a date, from the units' records."""

    records: dict[str, object]
    """Unit id → record, in the workspace's order."""
    _merged: dict = field(default_factory=dict, repr=False, compare=False)
    """Day → {row: the units merged into it by then}, each computed once (one pass)."""

    def standing(self, ma: str, day: date) -> str | None:
        """The unit that stands for `ma` on `day`: itself while it exists, then the unit it was
        merged into (followed further); None once split or dissolved."""
        seen = set()
        while ma not in seen:
            seen.add(ma)
            p = self.records.get(ma)
            if p is None:  # a successor missing from don-vi/: check_units reports it at its line
                return None
            end = end_of(p)
            if end is None or day <= end[0]:
                return ma if p.thanh_lap is None or p.thanh_lap <= day else None
            if not end[1].sap_nhap_vao:
                return None
            ma = end[1].sap_nhap_vao
        return None

    def owner(self, ma: str, day: date) -> str:
        """The row a unit's results count under on `day`: its standing unit, or itself."""
        return self.standing(ma, day) or ma

    def owing(self, year: int, day: date) -> list[str]:
        """Units that owe a report for `year`: in place on `day`."""
        return [m for m, p in self.records.items() if exists_in(p, year) and exists_on(p, day)]

    def rows(self, first: int, day: date) -> list[str]:
        """Units counted in figures up to `day` since `first`: every unit that existed in the
        period, under its standing unit (a merged unit is its successor's)."""
        out: list[str] = []
        for m, p in self.records.items():
            if any(exists_in(p, y) for y in range(first, day.year + 1)):
                o = self.owner(m, day)
                if o not in out:
                    out.append(o)
        order = {m: i for i, m in enumerate(self.records)}
        return sorted(out, key=order.__getitem__)

    def members(self, row: str, day: date) -> list[str]:
        """The unit and its predecessors whose results count toward it on `day` (itself first)."""
        if day not in self._merged:
            merged: dict[str, list[str]] = {}
            for m in self.records:  # one pass over the units, however many rows ask
                if (s := self.standing(m, day)) is not None and s != m:
                    merged.setdefault(s, []).append(m)
            self._merged[day] = merged
        return [row] + self._merged[day].get(row, [])

    def identity(self) -> bool:
        return not any(p.thay_doi or p.thanh_lap for p in self.records.values())


def fold(results: list, targets: dict) -> object:
    """One unit's results for a year from its own and its predecessors' (the first is the
    unit's own, or its first predecessor's): counts add up, "met" holds when any met it,
    a percentage is the mean, lists are joined."""
    if len(results) == 1:
        return results[0]
    from kehoach_docs.schema.results import Counts

    first = results[0]
    values: dict[str, list] = {}
    for r in results:
        for k, v in r.chi_tieu.items():
            values.setdefault(k, []).append(v)
    chi_tieu = {}
    for k, vs in values.items():
        t = targets.get(k)
        if all(isinstance(v, bool) for v in vs):
            chi_tieu[k] = any(vs)
        elif all(isinstance(v, Counts) for v in vs):
            chi_tieu[k] = Counts(dat=sum(v.dat for v in vs), tong=sum(v.tong for v in vs))
        elif t is not None and t.cach_tinh == "trung_binh":
            chi_tieu[k] = float(sum(Decimal(str(v)) for v in vs) / len(vs))
        else:
            chi_tieu[k] = sum(vs)

    dates = [r.ngay_bao_cao for r in results if r.ngay_bao_cao]
    update = {"ngay_bao_cao": max(dates) if dates else None, "chi_tieu": chi_tieu}
    # The other fields are the programme's (ket-qua/khung-ket-qua.yaml): lists are joined,
    # numbers and sessions add up.
    for name in type(first).model_fields:
        if name in update or name == "nam":
            continue
        got = [getattr(r, name) for r in results if getattr(r, name) is not None]
        update[name] = _combine(got) if got else None
    return first.model_copy(update=update)


def _combine(values: list):
    from pydantic import BaseModel

    if all(isinstance(v, list) for v in values):
        joined = [x for v in values for x in v]
        return list(dict.fromkeys(joined)) if all(isinstance(x, str) for x in joined) and \
            all(x.isidentifier() for x in joined) else joined
    if all(isinstance(v, BaseModel) for v in values):
        parts = {}
        for f in type(values[0]).model_fields:
            got = [getattr(v, f) for v in values]
            parts[f] = None if any(x is None for x in got) else sum(got)
        return values[0].model_copy(update=parts)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return sum(values)
    return values[0]


def folded_reports(succession: Succession, reports: dict[int, dict], years: list[int], day: date,
                   targets: dict) -> dict[int, dict]:
    """Each year's results (for `years`) under the units as they stand on `day`."""
    out: dict[int, dict] = {}
    for y in years:
        by_row: dict[str, list] = {}
        for ma, r in reports.get(y, {}).items():
            by_row.setdefault(succession.owner(ma, day), []).append((ma, r))
        out[y] = {row: fold([r for m, r in sorted(items, key=lambda i: i[0] != row)], targets)
                  for row, items in by_row.items()}
    return out


def name_on(record, day: date) -> str:
    """The unit's name on `day`."""
    ten = record.ten
    for change in sorted(record.thay_doi, key=lambda c: c.tu):
        if change.tu <= day and change.ten:
            ten = change.ten
    return ten


@dataclass
class PeriodViews:
    """A period's results seen as the units stood at the end of each year (for aggregate)."""

    succession: Succession
    reports: dict[int, dict]
    years: list[int]
    targets: dict
    last_day: date | None = None
    _cache: dict = field(default_factory=dict)

    def _info(self, ma: str, day: date):
        from kehoach_docs.results.aggregate import UnitInfo
        return UnitInfo(ma, name_on(self.succession.records[ma], day))

    def at(self, year: int, office: dict | None = None):
        """Figures by the end of `year`: units as they stood then, each with its predecessors'
        results for the years up to `year`."""
        from kehoach_docs.results.aggregate import Aggregate

        if year not in self._cache:
            day = year_cutoff(year, self.last_day)
            rows = self.succession.rows(self.years[0], day)
            upto = [y for y in self.years if y <= year]
            self._cache[year] = ([self._info(r, day) for r in rows],
                                 folded_reports(self.succession, self.reports, upto, day, self.targets))
        units, reports = self._cache[year]
        return Aggregate(self.years, units, reports, office or {})

    def yearwise(self, office: dict | None = None):
        """Each year's results under the units of that year (for sums and means of yearly values)."""
        from kehoach_docs.results.aggregate import Aggregate

        units, seen, reports = [], set(), {}
        for y in self.years:
            view = self.at(y)
            reports[y] = view.reports.get(y, {})
            for u in view.units:
                if u.ma not in seen:
                    seen.add(u.ma)
                    units.append(u)
        return Aggregate(self.years, units, reports, office or {})

    @cached_property
    def owing(self) -> dict[int, list]:
        """Units that owed a report for each year (computed once: every report of a build asks)."""
        out = {}
        for y in self.years:
            day = year_cutoff(y, self.last_day)
            out[y] = [self._info(m, day) for m in self.succession.owing(y, day)]
        return out

    @cached_property
    def owing_ids(self) -> dict[int, set[str]]:
        return {y: {u.ma for u in units} for y, units in self.owing.items()}

    @cached_property
    def reported_in(self) -> dict[int, set[str]]:
        """The units that reported for each year, as the year stood (computed once)."""
        return {y: set(self.at(y).reports.get(y, {})) for y in self.years}

    def predecessors(self) -> dict[str, list[tuple[str, str, date]]]:
        """Row unit → [(predecessor id, its name, the day it joined)] at the end of the period
        (computed once: the office report and every successor's own report ask)."""
        if "predecessors" not in self._cache:
            self._cache["predecessors"] = self._predecessors()
        return self._cache["predecessors"]

    def _predecessors(self) -> dict[str, list[tuple[str, str, date]]]:
        day = year_cutoff(self.years[-1], self.last_day)
        out: dict[str, list] = {}
        for m, p in self.succession.records.items():
            end = end_of(p)
            if end is None or not any(exists_in(p, y) for y in self.years):
                continue
            row = self.succession.standing(m, day)
            if row is not None and row != m:
                out.setdefault(row, []).append((m, name_on(p, end[0]), end[1].tu))
        return out


def carried_results(views, ma: str, day: date, reports: dict[int, dict], years: list[int]
                    ) -> list[tuple[str | None, str | None, object]]:
    """A unit's results in its own report, with those of the units merged into it by `day`:
    (predecessor id, words naming it, results) for each year, the unit's own first (None, None)."""
    members = views.succession.members(ma, day) if views is not None else [ma]
    labels: dict[str, str] = {}
    for m in members[1:]:
        p = views.succession.records[m]
        end = end_of(p)
        labels[m] = f"{name_on(p, end[0])}, sáp nhập từ {ngay_ngan(end[1].tu)}" if end else name_on(p, day)
    return [(None if m == ma else m, labels.get(m), r) for y in years for m in members
            if (r := reports.get(y, {}).get(m)) is not None]


def successors_own_reports(workspace: Path, units: list[str], with_results: set[str], day) -> list[str]:
    """Units that issue their own report dated `day`: in place on that day, with results of
    their own or of a predecessor in the period. A malformed record is left to its own job."""
    from kehoach_docs.workspace.workspace import UNITS_DIR
    from kehoach_docs.schema.common import parse_date
    from kehoach_docs.schema.unit import UnitRecord

    day = parse_date(day)
    if not isinstance(day, date):
        return sorted(set(units) & with_results)
    records = {}
    for ma in units:
        try:
            records[ma] = validate(load_yaml(workspace / UNITS_DIR / f"{ma}.yaml"), UnitRecord)
        except ProblemList:
            continue
    succession = Succession(records)
    rows = {succession.owner(m, day) for m in with_results if m in records}
    return sorted(m for m in rows if m in records and exists_on(records[m], day))
