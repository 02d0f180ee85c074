"""Step 3 — build the template context from validated data and the profile.

Everything a template prints is computed here, as plain text: upper-casing of names,
the number-and-symbol, the date line, heading numbers ("I-", "1.", "- "), citations and
recipient punctuation. Templates only place and style it, so numbering never continues
wrongly and the profile stays the one source of the rules.

The context is described by the models below (`kehoach context` prints it as JSON; the
template linter checks variable names against them).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from kehoach_docs.render.header_lines import header_lines
from kehoach_docs.format import (
    dia_danh_ngay, in_hoa, la_ma, ngay_hanh_chinh, ngay_ngan, quy, viet_thuong_dau,
)
from kehoach_docs.profile import Profile
from kehoach_docs.schema.common import Due
from kehoach_docs.schema.plan import Body, CitedDocument, Plan, Signer

DOC_TYPE_NAMES = {"KH": "Kế hoạch", "BC": "Báo cáo"}

DEFAULT_SECTION_TITLES = {
    "muc_dich_yeu_cau": "Mục đích, yêu cầu",
    "muc_tieu": "Mục tiêu, chỉ tiêu",
    "nhiem_vu": "Nhiệm vụ và giải pháp",
    "lo_trinh": "Lộ trình thực hiện",
    "to_chuc_thuc_hien": "Tổ chức thực hiện",
}

REFERENCE = re.compile(r"\[\[\s*([a-z][a-z0-9_]*)((?:\.[a-z0-9_]+)*)\s*\]\]")
LEFTOVER = re.compile(r"\[\[.*?\]\]")
CITATION_FIELDS = ("ten", "so_ky_hieu", "ngay", "ngay_day_du", "co_quan", "trich_yeu", "loai")


class Paragraph(BaseModel):
    """One body paragraph; `kieu` picks its style: "cap2" (numbered heading) or "doan"."""

    kieu: Literal["cap2", "doan"]
    van_ban: str


class Section(BaseModel):
    ma: str
    so: str
    tieu_de: str
    dong_tieu_de: str
    doan: list[Paragraph]


class SignerContext(BaseModel):
    quyen_han: str
    ky_thay: str
    """Second authority line of State documents ("KT. CHỦ TỊCH"); empty otherwise."""
    chuc_vu: str
    ho_ten: str


class DocumentInfo(BaseModel):
    """Core properties of the .docx, from the document's own data (deterministic)."""

    tieu_de: str
    chu_de: str
    tac_gia: str
    ngay: date
    ngon_ngu: str


class DocumentContext(BaseModel):
    """What a document template sees."""

    du_thao: str = ""
    """Draft mark of an unnumbered document ("Dự thảo", "Dự thảo lần 2"); empty when numbered."""
    tieu_de: str
    tieu_ngu: str
    """State motto ("Độc lập - Tự do - Hạnh phúc"); empty for Party documents."""
    co_quan_cap_tren: str
    co_quan_ban_hanh: str
    dong_co_quan_ban_hanh: list[str]
    """The body name as the header sets it: one line, or its type then its place
    (kehoach_docs.render.header_lines; the templates join them with line breaks)."""
    dau_sao: str
    so_ky_hieu: str
    dia_danh_ngay: str
    ten_loai: str
    trich_yeu: str
    phan_cach: str
    mo_dau: list[str]
    phan: list[Section]
    ket_thuc: list[str]
    nhan_noi_nhan: str
    noi_nhan: list[str]
    nguoi_ky: SignerContext
    tai_lieu: DocumentInfo


class TextExpander:
    """Expands [[id]] / [[id.field]] references in data text; collects unknown ones."""

    def __init__(self, cited: dict[str, CitedDocument], profile: Profile,
                 names: dict[str, str] | None = None) -> None:
        self.cited = cited
        self.profile = profile
        self.names = names or {}
        self.problems: list[tuple[tuple, str]] = []

    def citation_field(self, doc: CitedDocument, name: str | None) -> str | None:
        ten = f"{doc.loai} số {doc.so_ky_hieu}" if doc.so_ky_hieu else doc.loai
        if name is None:
            return self.profile.than_van_ban.cite(doc.loai, doc.so_ky_hieu, doc.ngay, doc.co_quan) \
                if doc.so_ky_hieu else ten
        values = {
            "ten": ten,
            "so_ky_hieu": doc.so_ky_hieu,
            "ngay": ngay_ngan(doc.ngay) if doc.ngay else None,
            "ngay_day_du": ngay_hanh_chinh(doc.ngay) if doc.ngay else None,
            "co_quan": doc.co_quan,
            "trich_yeu": doc.trich_yeu,
            "loai": doc.loai,
        }
        return values.get(name)

    def expand(self, text: str, loc: tuple, extra: dict[str, str] | None = None) -> str:
        if "[[" not in text:
            return text  # no reference, nor anything that looks like one (most texts)
        names = {**self.names, **(extra or {})}
        roots = {k.split(".")[0] for k in names}

        def replace(m: re.Match) -> str:
            ref, field = m.group(1), (m.group(2)[1:] or None)
            if ref in roots:
                key = f"{ref}.{field}" if field else ref
                if key in names:
                    return names[key]
                forms = [f"[[{k}]]" for k in sorted(names) if k.split(".")[0] == ref]
                shown = ", ".join(forms[:6]) + (f"… ({len(forms)} dạng)" if len(forms) > 6 else "")
                self.problems.append((loc, f"'[[{key}]]' không có; các dạng dùng được: {shown}."))
                return m.group(0)
            doc = self.cited.get(ref)
            if doc is None:
                known = ", ".join(sorted(self.cited)) or "(chưa khai báo can_cu)"
                self.problems.append((loc, f"'[[{ref}]]' không có trong can_cu. Các mã có: {known}."))
                return m.group(0)
            if field is not None and field not in CITATION_FIELDS:
                self.problems.append((loc, f"'[[{ref}.{field}]]': trường '{field}' không có; dùng "
                                           f"{', '.join(CITATION_FIELDS)}."))
                return m.group(0)
            value = self.citation_field(doc, field)
            if value is None:
                self.problems.append((loc, f"'[[{ref}.{field}]]': văn bản '{ref}' chưa có '{field}'."))
                return m.group(0)
            return value

        out = REFERENCE.sub(replace, text)
        for bad in LEFTOVER.findall(out):
            if not REFERENCE.fullmatch(bad):
                self.problems.append((loc, f"'{bad}' viết sai dạng tham chiếu; dùng [[ma]] hoặc [[ma.truong]] "
                                           "(chữ thường không dấu, số, '_' và '.')."))
        return out


def number_symbol(profile: Profile, so: int | None, loai: str, co_quan: str) -> str:
    return profile.so_ky_hieu.line(so, loai, co_quan)


def draft_mark(profile: Profile, so: int | None, lan: int | None = None) -> str:
    """The profile's draft mark for an unnumbered document, with its round; "" when numbered."""
    el = profile.phan_tu.get("du_thao")
    if so is not None or el is None or not el.noi_dung:
        return ""
    return f"{el.noi_dung} lần {lan}" if lan else el.noi_dung


def due_text(due: Due, long: bool = False) -> str:
    if due.quy:
        return quy(due.quy, due.nam, dai=long)
    if due.thang:
        return f"tháng {due.thang:02d}/{due.nam}" if not long else f"tháng {due.thang} năm {due.nam}"
    return f"năm {due.nam}"


def _paragraphs(text: str) -> list[str]:
    """A value with line breaks holds several paragraphs: never emit manual line breaks."""
    return [part.strip() for part in text.split("\n") if part.strip()]


class BodyWriter:
    """Turns data text into numbered body paragraphs by the profile's rules."""

    def __init__(self, expander: TextExpander, profile: Profile) -> None:
        self.ex = expander
        self.profile = profile
        self.rules = profile.danh_so
        self.bullet = self.rules.gach_dau_dong

    def paras(self, texts: list[str], loc: tuple, prefix: str = "",
              extra: dict[str, str] | None = None, each: bool = True) -> list[Paragraph]:
        """Body paragraphs; `prefix` ("- ", "1. ") starts each item, or only the first."""
        out = []
        for i, text in enumerate(texts):
            for j, part in enumerate(_paragraphs(self.ex.expand(text, loc + (i,), extra))):
                lead = prefix if j == 0 and (each or i == 0) else ""
                out.append(Paragraph(kieu="doan", van_ban=lead + part))
        return out

    def numbered(self, n: int) -> str:
        return self.rules.cap2.format(so=n) + " "

    def heading(self, n: int, text: str) -> Paragraph:
        return Paragraph(kieu="cap2", van_ban=self.numbered(n) + text)

    def numbered_items(self, texts: list[str], loc: tuple) -> list[Paragraph]:
        out: list[Paragraph] = []
        for i, text in enumerate(texts):
            out += self.paras([text], loc + (i,), self.numbered(i + 1))
        return out

    def sections(self, parts: list[tuple[str, str, list[Paragraph]]]) -> list[Section]:
        """Number the non-empty sections "I-", "II-"… in order."""
        out = []
        for key, title, body in parts:
            if not body:
                continue
            so = self.rules.cap1.format(la_ma=la_ma(len(out) + 1))
            title = in_hoa(title)
            out.append(Section(ma=key, so=so, tieu_de=title, dong_tieu_de=f"{so} {title}", doan=body))
        return out

    def recipients(self, recipients: list, luu: str, loc: tuple = ("noi_nhan",)) -> list[str]:
        rr = self.profile.noi_nhan
        out = []
        for i, r in enumerate(recipients):
            name = self.ex.expand(r.ten, loc + (i,))
            out.append(f"{self.bullet}{name}" + (f" ({r.muc_dich})" if r.muc_dich else "") + rr.ket_thuc_dong)
        out.append(self.bullet + rr.mau_luu.format(noi_luu=luu))
        return out

    def document(self, *, co_quan: Body, loai_van_ban: str, so: int | None, ngay: date,
                 dia_danh: str, trich_yeu: str, mo_dau: list[Paragraph], phan: list[Section],
                 ket_thuc: list[Paragraph], noi_nhan: list[str], nguoi_ky: Signer,
                 du_thao_lan: int | None = None) -> dict[str, Any]:
        """The fields every document shares: header, title, body, recipients, signer."""
        profile = self.profile
        el = profile.phan_tu
        ten_loai = DOC_TYPE_NAMES[loai_van_ban]
        so_ky_hieu = number_symbol(profile, so, loai_van_ban, co_quan.ky_hieu)
        trich_yeu = viet_thuong_dau(trich_yeu) if el["trich_yeu"].chu_dau_thuong else \
            trich_yeu[:1].upper() + trich_yeu[1:]
        ending = profile.than_van_ban.ket_thuc
        if ending:
            # The body's last paragraph carries the ending mark ("./."), replacing its full stop.
            last = ket_thuc[-1] if ket_thuc else (phan[-1].doan[-1] if phan and phan[-1].doan else None)
            if last is not None and not last.van_ban.endswith(ending):
                last.van_ban = last.van_ban.rstrip().removesuffix(".") + ending
        return dict(
            du_thao=draft_mark(profile, so, du_thao_lan),
            tieu_de=el["tieu_de"].noi_dung or "",
            tieu_ngu=_fixed(el, "tieu_ngu"),
            co_quan_cap_tren=in_hoa(co_quan.cap_tren) if co_quan.cap_tren else "",
            co_quan_ban_hanh=in_hoa(co_quan.ten),
            dong_co_quan_ban_hanh=header_lines(in_hoa(co_quan.ten), profile),
            dau_sao=_fixed(el, "dau_sao"),
            so_ky_hieu=so_ky_hieu,
            dia_danh_ngay=dia_danh_ngay(dia_danh, ngay),
            ten_loai=in_hoa(ten_loai),
            trich_yeu=trich_yeu,
            phan_cach=_fixed(el, "phan_cach"),
            mo_dau=[p.van_ban for p in mo_dau],
            phan=phan,
            ket_thuc=[p.van_ban for p in ket_thuc],
            nhan_noi_nhan=el["nhan_noi_nhan"].noi_dung or "",
            noi_nhan=noi_nhan,
            nguoi_ky=SignerContext(quyen_han=nguoi_ky.quyen_han or "", ky_thay=nguoi_ky.ky_thay or "",
                                   chuc_vu=nguoi_ky.chuc_vu, ho_ten=nguoi_ky.ho_ten),
            tai_lieu=DocumentInfo(
                tieu_de=f"{ten_loai} {so_ky_hieu.removeprefix('Số').lstrip(': ')}".strip(),
                chu_de=trich_yeu, tac_gia=co_quan.ten, ngay=ngay, ngon_ngu=profile.ngon_ngu),
        )


def build_plan_context(plan: Plan, profile: Profile, names: dict[str, str] | None = None
                       ) -> tuple[DocumentContext, list[tuple[tuple, str]]]:
    """Context of a plan, and the problems found (field path, message) in the data's text.
    `names` are extra [[name]] placeholders (a unit's name, its target values…)."""
    ex = TextExpander(plan.can_cu, profile, names)
    w = BodyWriter(ex, profile)

    tasks: list[Paragraph] = []
    for i, task in enumerate(plan.nhiem_vu):
        loc = ("nhiem_vu", i)
        tasks.append(w.heading(i + 1, ex.expand(task.ten, loc + ("ten",))))
        tasks += w.paras(task.doan, loc + ("doan",))
        tasks += w.paras(task.y, loc + ("y",), w.bullet)
    timeline: list[Paragraph] = []
    for i, year in enumerate(plan.lo_trinh):
        timeline.append(w.heading(i + 1, f"Năm {year.nam}"))
        for j, act in enumerate(year.hoat_dong):
            extra = {"han": due_text(act.han), "han.dai": due_text(act.han, long=True)} if act.han else {}
            text = act.noi_dung
            if act.han and "[[han" not in text:
                # Deadline not placed by the clerk: append it in brackets before the full stop.
                text = re.sub(r"\.?$", f" ({extra['han']}).", text.rstrip(), count=1)
            timeline += w.paras([text], ("lo_trinh", i, "hoat_dong", j),
                                w.bullet if act.gach_dau_dong else "", extra)
    duties: list[Paragraph] = []
    for i, duty in enumerate(plan.to_chuc_thuc_hien):
        duties += w.paras(duty.doan, ("to_chuc_thuc_hien", i, "doan"), w.numbered(i + 1), each=False)

    titles = {k: v for k, v in plan.tieu_de_phan.model_dump().items() if v}
    title = lambda key: titles.get(key) or DEFAULT_SECTION_TITLES[key]  # noqa: E731
    phan = w.sections([
        ("muc_dich_yeu_cau", title("muc_dich_yeu_cau"), w.numbered_items(plan.muc_dich_yeu_cau, ("muc_dich_yeu_cau",))),
        ("muc_tieu", title("muc_tieu"),
         [p for i, g in enumerate(plan.muc_tieu)
          for p in w.paras([g.noi_dung], ("muc_tieu", i, "noi_dung"), w.numbered(i + 1))]),
        ("nhiem_vu", title("nhiem_vu"), tasks),
        ("lo_trinh", title("lo_trinh"), timeline),
        ("to_chuc_thuc_hien", title("to_chuc_thuc_hien"), duties),
    ])
    ctx = DocumentContext(**w.document(
        co_quan=plan.co_quan, loai_van_ban=plan.loai_van_ban, so=plan.so, ngay=plan.ngay,
        dia_danh=plan.dia_danh, trich_yeu=ex.expand(plan.trich_yeu, ("trich_yeu",)),
        mo_dau=w.paras(plan.mo_dau, ("mo_dau",)), phan=phan,
        ket_thuc=w.paras(plan.ket_thuc, ("ket_thuc",)),
        noi_nhan=w.recipients(plan.noi_nhan, plan.luu), nguoi_ky=plan.nguoi_ky,
        du_thao_lan=plan.du_thao_lan))
    return ctx, ex.problems


def _fixed(elements: dict, name: str) -> str:
    """Fixed text of an element the profile may not have (no "*" in State documents)."""
    el = elements.get(name)
    return (el.noi_dung or "") if el else ""


def context_dict(ctx: BaseModel) -> dict[str, Any]:
    return ctx.model_dump(mode="python")


def known_names(model: type[BaseModel] = DocumentContext) -> tuple[set[str], set[str]]:
    """Top-level variable names and every attribute name reachable in the context models."""
    from kehoach_docs.schema.validate import iter_fields

    return set(model.model_fields), {name for _, name, _ in iter_fields(model)}
