"""The rules: each part of the document against the profile."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from datetime import date
from typing import Any, Callable, Iterator

from lxml import etree

from kehoach_docs.check.common import (
    ALIGN_TEXT,
    AUTHORITY_FORMS,
    AUTHORITY_RE,
    HEADER_ELEMENTS,
    INDENT_TOLERANCE,
    LINE_TOLERANCE,
    MAX_PLACES,
    PAGE_TOLERANCE,
    finding,
    text_key,
    element_name,
    num,
    quote,
    tone_norm,
)
from kehoach_docs.ooxml import EMU_PER_MM, MM_PER_UNIT, R, VML, W, WP
from kehoach_docs.check.layout import (
    date_line,
    is_authority,
    is_draft_mark,
    is_number_line,
    is_separator_like,
    Layout,
    find_layout,
)
from kehoach_docs.check.reader import (
    first_of,
    make_para,
    make_run,
    DocView,
    is_on,
    own_runs,
    Para,
    size_text,
)
from kehoach_docs.errors import Problem
from kehoach_docs.format.vn import ngay_hanh_chinh
from kehoach_docs.profile import Element, Profile

# --- The checker -------------------------------------------------------------------------

_ONCE: dict[tuple, tuple] = {}
"""Checks of what a template guarantees, by what they read: (pinned objects, violations)."""


class Checker:
    def __init__(self, view: DocView, profile: Profile) -> None:
        self.profile = profile
        self.view = view
        self.package = view.package
        self.out: list[Problem] = []

    def add(self, rule: str, element: str, expected: str, found: str, place: str) -> None:
        self.out.append(finding(rule, element, expected, found, place))

    def run(self) -> list[Problem]:
        # The page set-up and the page numbers are what a template guarantees (its section
        # properties, headers and footers): checked once for all documents that share them.
        sections = tuple(etree.tostring(s.el) for s in self.view.sections)
        self.once(("page", sections), self.page)
        self.fonts()
        lay = find_layout(self.view, self.profile)
        self.draft_mark(lay)
        self.header(lay)
        self.title_block(lay)
        self.body(lay)
        self.recipients(lay)
        self.signer(lay)
        furniture = tuple(self.package.related_bytes(ref.get(R + "id"))
                          for ref in self.view.sections[0].el.iter(W + "headerReference", W + "footerReference")
                          ) if self.view.sections else ()
        self.once(("page_numbers", sections[:1], furniture), self.page_numbers)
        return self.out

    def once(self, key: tuple, check: Callable[[], None]) -> None:
        """Run `check`, or add what it found before for the same key, profile and styles."""
        pins = (self.profile, self.view.resolver)
        full = (id(self.profile), id(self.view.resolver), *key)
        found = _ONCE.get(full)
        if found is None or any(a is not b for a, b in zip(found[0], pins)):
            saved, self.out = self.out, []
            try:
                check()
                found = (pins, self.out)  # the value keeps the pinned objects alive: ids stay theirs
            finally:
                self.out = saved
            if len(_ONCE) > 256:
                _ONCE.clear()
            _ONCE[full] = found
        self.out.extend(found[1])

    # 1. Page --------------------------------------------------------------------------

    def _range(self, name: str) -> tuple[float, float]:
        lo = float(getattr(self.profile.trang, name))
        hi = getattr(self.profile.trang, f"{name}_toi_da", None)  # a range, when a profile gives one
        return lo, float(hi) if hi is not None else lo

    def page(self) -> None:
        t = self.profile.trang
        sections = self.view.sections
        for n, sec in enumerate(sections, 1):
            place = "thiết lập trang" + (f", phần {n} của văn bản" if len(sections) > 1 else "")
            w, h = sec.page_width or None, sec.page_height or None
            if w is None or h is None:
                self.add("kho_giay", "Khổ giấy", f"{num(t.rong)} × {num(t.cao)} mm", "không đặt", place)
                continue
            portrait = abs(w - t.rong) <= PAGE_TOLERANCE and abs(h - t.cao) <= PAGE_TOLERANCE
            landscape = abs(w - t.cao) <= PAGE_TOLERANCE and abs(h - t.rong) <= PAGE_TOLERANCE
            if not portrait and not landscape:
                self.add("kho_giay", "Khổ giấy", f"{num(t.rong)} × {num(t.cao)} mm",
                         f"{num(w)} × {num(h)} mm", place)
            elif landscape and n == 1:
                self.add("huong_giay", "Hướng giấy", "khổ dọc", "khổ ngang", place)
            if landscape and n > 1:
                continue  # a landscape appendix section: margins follow the rotated page
            for name, attr, label in (("le_tren", "top_margin", "Lề trên"),
                                      ("le_duoi", "bottom_margin", "Lề dưới"),
                                      ("le_trai", "left_margin", "Lề trái"),
                                      ("le_phai", "right_margin", "Lề phải"),
                                      ("dau_trang", "header_distance", "Khoảng cách đầu trang")):
                self._page_value(name, label, getattr(sec, attr), place)

    def _page_value(self, name: str, label: str, value, place: str) -> None:
        lo, hi = self._range(name)
        expected = f"{num(lo)} mm" if lo == hi else f"{num(lo)}–{num(hi)} mm"
        if value is None:
            self.add(name, label, expected, "không đặt", place)
            return
        mm = value
        if not lo - PAGE_TOLERANCE <= mm <= hi + PAGE_TOLERANCE:
            self.add(name, label, expected, f"{num(mm)} mm", place)

    # 2. Fonts ---------------------------------------------------------------------------

    def _header_parts(self) -> Iterator[tuple[str, Any]]:
        """Headers and footers of every section, each part once."""
        seen = set()
        kinds = {"default": "", "first": " của trang đầu", "even": " trang chẵn"}
        for sec in self.view.sections:
            for tag, label in (("headerReference", "đầu trang"), ("footerReference", "chân trang")):
                for ref in sec.el.findall(W + tag):
                    rid = ref.get(R + "id")
                    root = self.package.related(rid)
                    if rid in seen or root is None:
                        continue
                    seen.add(rid)
                    yield label + kinds.get(ref.get(W + "type"), ""), root

    def fonts(self) -> None:
        want = self.profile.phong_chu.casefold()
        paras = list(self.view.all_paras)
        for label, part in self._header_parts():
            for k, p in enumerate(part.iter(W + "p"), 1):
                paras.append(make_para(self.view.resolver, p, f"{label}, đoạn {k}", None, None))
        bad: dict[str, list[str]] = {}
        for para in paras:
            found = para.derived_for(self.profile, ("phong_chu",), lambda: sorted(
                {font or "không khai báo (tùy phần mềm)" for font in para.fonts()
                 if font is None or font.casefold() != want}))
            for font in found:
                bad.setdefault(font, []).append(para.place)
        for font, places in bad.items():
            self.add("phong_chu", "Phông chữ", self.profile.phong_chu,
                     f"{font} ở {len(places)} đoạn", _places(places))

    # Element formatting -----------------------------------------------------------------

    def style(self, name: str, para: Para, *, case: bool = True, align: bool = True,
              label: str | None = None) -> None:
        """Size, weight, slant, underline, case and alignment of an element. What a paragraph
        looks like is checked once for every document sharing it; only the place differs."""
        for rule, label_, expected, found in para.derived_for(
                self.profile, ("style", name, case, align, label, para.align, para.split),
                lambda: self._style(name, para, case, align, label)):
            self.add(rule, label_, expected, found, para.place)

    def _style(self, name: str, para: Para, case: bool, align: bool, label: str | None) -> list[tuple]:
        el: Element | None = self.profile.phan_tu.get(name)
        if el is None:
            return []
        out = []
        label = label or element_name(name)
        sizes = para.sizes()
        if sizes and sizes != [el.co]:
            out.append((f"co_chu.{name}", label, f"cỡ {num(el.co)}", size_text(sizes)))
        for attr, prop, yes, no in (("bold", "dam", "chữ đậm", "chữ không đậm"),
                                    ("italic", "nghieng", "chữ nghiêng", "chữ đứng"),
                                    ("underline", "gach_chan", "có gạch chân", "không gạch chân")):
            want = getattr(el, prop)
            got = para.flag(attr)
            if got is None and not para.text.strip():
                continue
            if got != want:
                found = "chỉ một phần " + yes if got is None else (yes if got else no)
                out.append((f"{prop}.{name}", label, yes if want else no, found))
        if case and el.in_hoa:
            vis = para.visible
            if vis != vis.upper():
                out.append((f"in_hoa.{name}", label, "chữ IN HOA", quote(para.text)))
        if align and not para.split:
            ok = para.align == el.can_le or (el.can_le == "trai" and para.align == "deu")
            if not ok:
                out.append((f"can_le.{name}", label, ALIGN_TEXT[el.can_le], ALIGN_TEXT[para.align]))
        return out

    def line_under(self, name: str, para: Para) -> None:
        el = self.profile.phan_tu.get(name)
        if el is None or el.duong_ke_duoi is None:
            return
        label = element_name(name)
        want = f"đường kẻ liền bên dưới, dài {num(el.duong_ke_duoi)} mm (±{num(LINE_TOLERANCE)})"
        found_line, length = False, None
        levels = self.view.resolver.para_levels(para.el, None)
        bottom = first_of(levels, f"{W}pBdr/{W}bottom")
        if bottom is not None and (bottom.get(W + "val") or "none") not in ("none", "nil"):
            found_line = True
            if (para.ind_left > 0.05 or para.ind_right > 0.05) and para.width:
                length = para.width - para.ind_left - para.ind_right
        if not found_line:
            length_d = _drawing_length(para.el)
            found_line = length_d is not False
            length = length_d if isinstance(length_d, float) else None
        nxt = para.el.getnext()
        while not found_line and nxt is not None and nxt.tag == W + "p":
            levels = self.view.resolver.para_levels(nxt, None)
            top = first_of(levels, f"{W}pBdr/{W}top")
            if top is not None and (top.get(W + "val") or "none") not in ("none", "nil"):
                found_line = True
                nxt_para = make_para(self.view.resolver, nxt, "", None, para.width)
                if (nxt_para.ind_left > 0.05 or nxt_para.ind_right > 0.05) and para.width:
                    length = para.width - nxt_para.ind_left - nxt_para.ind_right
                break
            d = _drawing_length(nxt)
            if d is not False:
                found_line, length = True, (d if isinstance(d, float) else None)
                break
            if "".join(t.text or "" for t in nxt.iter(W + "t")).strip():
                break
            nxt = nxt.getnext()
        if not found_line:
            self.add(f"duong_ke.{name}", label, want, "không có đường kẻ", para.place)
        elif length is not None and abs(length - el.duong_ke_duoi) > LINE_TOLERANCE:
            self.add(f"duong_ke.{name}", label, want, f"đường kẻ dài {num(length)} mm", para.place)

    # 3. Header ----------------------------------------------------------------------------

    def draft_mark(self, lay: Layout) -> None:
        """The "Dự thảo" / "Dự thảo lần N" line, when the document has one."""
        p, el = lay.du_thao, self.profile.phan_tu.get("du_thao")
        if p is None or el is None:
            return
        base = el.noi_dung or "Dự thảo"
        if not re.fullmatch(rf"{re.escape(tone_norm(base))}(?: lần \d+)?", tone_norm(p.clean)):
            self.add("du_thao.noi_dung", element_name("du_thao"), f"{quote(base)} hoặc {quote(base + ' lần 2')}",
                     quote(p.text), p.place)
        self.style("du_thao", p, case=False)

    def header(self, lay: Layout) -> None:
        ph = self.profile.phan_tu
        lines = [ln for ln in lay.header_lines if not ln.empty]
        place0 = "phần đầu văn bản"
        if lay.header_is_table and lines:
            place0 += ", " + lines[0].place.split(", hàng")[0]
        used: set[int] = set()
        # Elements with a fixed text: tiêu đề, dấu sao (Party), tiêu ngữ (State)…
        for name in HEADER_ELEMENTS:
            el = ph.get(name)
            if el is None or not el.noi_dung:
                continue
            hit = next((ln for ln in lines if id(ln) not in used and ln.key == text_key(el.noi_dung)), None)
            if hit is None:
                self.add(f"{name}.thieu", element_name(name), f"có dòng {quote(el.noi_dung)}", "không có", place0)
                continue
            used.add(id(hit))
            if tone_norm(hit.visible) != tone_norm(el.noi_dung):
                self.add(f"{name}.noi_dung", element_name(name), quote(el.noi_dung), quote(hit.text), hit.place)
            self.style(name, hit)
            self.line_under(name, hit)
        # Số, ký hiệu and the place-date line.
        number = next((ln for ln in lines if id(ln) not in used and is_number_line(ln.text)), None)
        if number is None:
            self.add("so_ky_hieu.thieu", element_name("so_ky_hieu"), "dòng số, ký hiệu " +
                     quote(self._number_example("<số>", "<loại>", "<cơ quan>")), "không có", place0)
        else:
            used.add(id(number))
            self.number(number)
            self.style("so_ky_hieu", number)
        dated = next((ln for ln in lines if id(ln) not in used and date_line(ln.text)), None)
        if dated is None:
            self.add("ngay_thang.thieu", element_name("dia_danh_ngay"),
                     "dòng “<Địa danh>, ngày … tháng … năm …”", "không có", place0)
        else:
            used.add(id(dated))
            self.date(dated)
            self.style("dia_danh_ngay", dated)
        # Body names: the left column above the number.
        names = []
        for ln in lines:
            if ln is number or ln is dated:
                break
            if id(ln) in used or ln.column == "phai" or is_separator_like(ln.text) or is_draft_mark(ln.text):
                continue
            if ln.key.startswith(("v/v", "ve viec")) or ln.key in ("khan", "thuong khan", "hoa toc"):
                continue
            if not lay.header_is_table and ln.column is None and ln.align in ("phai",):
                continue
            names.append(ln)
        self.body_names(names, place0)

    def body_names(self, names: list[Para], place0: str) -> None:
        ph = self.profile.phan_tu
        if not names:
            if "co_quan_ban_hanh" in ph:
                self.add("co_quan_ban_hanh.thieu", element_name("co_quan_ban_hanh"),
                         "tên cơ quan ban hành ở cột trái", "không có", place0)
            return
        upper, issuing = [], names
        if "co_quan_cap_tren" in ph and len(names) >= 2:
            bold = [n.flag("bold") for n in names]
            b_up, b_iss = ph["co_quan_cap_tren"].dam, ph.get("co_quan_ban_hanh", ph["co_quan_cap_tren"]).dam
            if len(names) == 2 and b_up != b_iss and bold[0] == bold[1] == b_iss:
                upper, issuing = [], names      # one issuing body written on two lines
            else:
                k = 1
                while k < len(names) - 1 and bold[k] == bold[0]:
                    k += 1
                upper, issuing = names[:k], names[k:]
        for n in upper:
            self.style("co_quan_cap_tren", n)
        for n in issuing:
            self.style("co_quan_ban_hanh", n)
        if issuing:
            self.line_under("co_quan_ban_hanh", issuing[-1])

    def _number_example(self, so: str, loai: str, co_quan: str) -> str:
        mau = self.profile.so_ky_hieu.mau
        return mau.replace("{so}", so).replace("{loai}", loai).replace("{co_quan}", co_quan)

    def number(self, line: Para) -> None:
        rules = self.profile.so_ky_hieu
        text = line.clean
        label = element_name("so_ky_hieu")
        fields = {"so": r"(?P<so>\d+)", "loai": r"(?P<loai>[^\s/:-]+)", "co_quan": r"(?P<co_quan>[^\s/:]+)"}
        strict = _pattern_regex(rules.mau, fields)
        draft = _pattern_regex(rules.mau_du_thao, fields, draft=True)
        prefix = rules.mau.split("{", 1)[0]
        colon_wanted = ":" in prefix
        colon_found = re.match(r"^Số\s*:", text, re.I) is not None
        if colon_wanted != colon_found:
            want = "có dấu hai chấm sau “Số”" if colon_wanted else "không có dấu hai chấm sau “Số”"
            self.add("so_ky_hieu.dau_hai_cham", label, f"{want} ({quote(self._fix_number(text))})",
                     quote(text), line.place)
            text = re.sub(r"^(Số)\s*:?\s*", r"\1: " if colon_wanted else r"\1 ", text, flags=re.I)
        m = strict.match(text)
        if m is None:
            if draft.match(text) or draft.match(line.text.strip()):
                return
            self.add("so_ky_hieu.mau", label, f"dạng {quote(self._fix_number(text))}", quote(line.text),
                     line.place)
            return
        so = m.group("so")
        padded = str(int(so)).zfill(rules.dem_so)
        if so != padded:
            self.add("so_ky_hieu.dem_so", label,
                     f"số dưới {10 ** (rules.dem_so - 1)} thêm số 0 ({quote(self._fix_number(text))})",
                     quote(line.text), line.place)

    def _fix_number(self, text: str) -> str:
        """The number line rewritten in the profile's form, for the expected value."""
        rest = re.sub(r"^Số\s*:?\s*", "", text, flags=re.I)
        so_m = re.search(r"\d+", rest)
        tokens = [t for t in re.split(r"[\s/:-]+", re.sub(r"^\d+", "", rest)) if t]
        if so_m is None or not tokens:
            return self._number_example("<số>", "<loại>", "<cơ quan>")
        so = str(int(so_m.group())).zfill(self.profile.so_ky_hieu.dem_so)
        loai, co_quan = tokens[0], "-".join(tokens[1:]) or "…"
        return self._number_example(so, loai, co_quan)

    def date(self, line: Para) -> None:
        label = element_name("dia_danh_ngay")
        m = date_line(line.text)
        assert m is not None
        place_name = m.group("place").strip()
        if not place_name:
            self.add("ngay_thang.dia_danh", label, "địa danh trước ngày tháng (“Nghệ An, ngày …”)",
                     quote(line.text), line.place)
        elif not m.group("comma"):
            self.add("ngay_thang.dau_phay", label, f"dấu phẩy sau địa danh ({quote(place_name + ', ngày …')})",
                     quote(line.text), line.place)
        wrong_case = (m.group("ngay"), m.group("thang"), m.group("nam")) != ("ngày", "tháng", "năm")
        if m.group("rest").strip() or wrong_case:
            self.add("ngay_thang.mau", label, "“<Địa danh>, ngày DD tháng M năm YYYY”", quote(line.text),
                     line.place)
        d, mo, y = m.group("d"), m.group("m"), int(m.group("y"))
        if d is None or mo is None:
            return  # a draft: day and month are left blank
        try:
            real = date(y, int(mo), int(d))
        except ValueError:
            self.add("ngay_thang.khong_co_that", label, "một ngày có thật",
                     f"ngày {d} tháng {mo} năm {y}", line.place)
            return
        # Padding: day below 10, month 1 and 2 only (same rule in both regimes, the-thuc §3.3).
        want = ngay_hanh_chinh(real)
        want_d = f"{real.day:02d}"
        want_m = f"{real.month:02d}" if real.month < 3 else str(real.month)
        if d != want_d:
            self.add("ngay_thang.dem_so", label, f"“ngày {want_d}” ({want})", f"“ngày {d}”", line.place)
        if mo != want_m:
            self.add("ngay_thang.dem_so", label, f"“tháng {want_m}” ({want})", f"“tháng {mo}”", line.place)

    # 4. Title block ---------------------------------------------------------------------

    def title_block(self, lay: Layout) -> None:
        ph = self.profile.phan_tu
        if lay.ten_loai is None:
            is_letter = any(ln.key.startswith(("v/v", "ve viec")) for ln in lay.header_lines)
            if not is_letter and "ten_loai" in ph:
                self.add("ten_loai.thieu", element_name("ten_loai"), "tên loại văn bản (“KẾ HOẠCH”, “BÁO CÁO”…)",
                         "không có", "sau phần đầu văn bản")
            return
        self.style("ten_loai", lay.ten_loai)
        self.line_under("ten_loai", lay.ten_loai)
        if not lay.trich_yeu:
            if "trich_yeu" in ph:
                self.add("trich_yeu.thieu", element_name("trich_yeu"), "trích yếu ngay dưới tên loại",
                         "không có", lay.ten_loai.place)
        else:
            for p in lay.trich_yeu:
                self.style("trich_yeu", p, case=False)
            el = ph.get("trich_yeu")
            first = lay.trich_yeu[0]
            if el is not None and el.chu_dau_thuong:
                word = first.visible.split()[0] if first.visible.split() else ""
                letters = [c for c in word if c.isalpha()]
                acronym = len(letters) >= 2 and all(c.isupper() for c in letters)
                if letters and letters[0].isupper() and not acronym:
                    k = next(i for i, c in enumerate(first.clean) if c.isalpha())
                    fixed = first.clean[:k] + first.clean[k].lower() + first.clean[k + 1:]
                    self.add("trich_yeu.chu_dau_thuong", element_name("trich_yeu"),
                             f"chữ cái đầu viết thường ({quote(fixed, 40)})", quote(first.text, 40), first.place)
            self.line_under("trich_yeu", lay.trich_yeu[-1])
        sep = ph.get("phan_cach")
        if sep is None or not sep.noi_dung:
            return
        after = (lay.trich_yeu or [lay.ten_loai])[-1].place
        if lay.phan_cach is None:
            found = "không có" if lay.phan_cach_other is None else quote(lay.phan_cach_other.text, 40)
            self.add("phan_cach.thieu", element_name("phan_cach"), f"dòng {quote(sep.noi_dung)} ngay sau trích yếu",
                     found, after)
            return
        if lay.phan_cach.clean != sep.noi_dung.strip():
            self.add("phan_cach.noi_dung", element_name("phan_cach"), quote(sep.noi_dung), quote(lay.phan_cach.text),
                     lay.phan_cach.place)
        self.style("phan_cach", lay.phan_cach, case=False)

    # 5. Body ------------------------------------------------------------------------------

    def body(self, lay: Layout) -> None:
        tv = self.profile.than_van_ban
        ph = self.profile.phan_tu
        heading_sizes = {tv.co} | {ph[n].co for n in ("tieu_de_cap1", "tieu_de_cap2", "tieu_de_cap3") if n in ph}
        by_size: dict[str, list[str]] = {}
        by_align: dict[str, list[str]] = {}
        by_indent: dict[str, list[str]] = {}
        def faults(p: Para) -> tuple[str | None, str | None, str | None]:
            """(wrong size, wrong alignment, wrong indent) of one body paragraph."""
            if p.key.startswith("kinh gui"):
                return None, None, None
            heading = p.flag("bold") is True
            sizes = p.sizes()
            allowed = heading_sizes if heading else {tv.co}
            size = size_text(sizes) if sizes and not set(sizes) <= allowed else None
            if heading or p.flag("italic") is True:
                return size, None, None  # headings and notes: only the size is checked
            align = ALIGN_TEXT[p.align] if p.align != tv.can_le else None
            indent = f"thụt {num(p.first_line)} mm" if not p.numbered and \
                abs(p.first_line - tv.thut_dau_dong) > INDENT_TOLERANCE else None
            return size, align, indent

        for p in lay.body:
            size, align, indent = p.derived_for(self.profile, ("body", p.align, p.first_line, p.numbered),
                                                lambda: faults(p))
            for found, groups in ((size, by_size), (align, by_align), (indent, by_indent)):
                if found is not None:
                    groups.setdefault(found, []).append(p.place)
        label = element_name("doan") + " (thân văn bản)"
        if by_size:
            self.add("co_chu.doan", label, f"cỡ {num(tv.co)}", _counts(by_size), _places(_all(by_size)))
        if by_align:
            self.add("can_le.doan", label, ALIGN_TEXT[tv.can_le], _counts(by_align), _places(_all(by_align)))
        if by_indent:
            self.add("thut_dau_dong.doan", label,
                     f"thụt đầu dòng {num(tv.thut_dau_dong)} mm (±{num(INDENT_TOLERANCE)})",
                     _counts(by_indent), _places(_all(by_indent)))

    # 6. Recipients ----------------------------------------------------------------------

    def recipients(self, lay: Layout) -> None:
        ph = self.profile.phan_tu
        rules = self.profile.noi_nhan
        label = element_name("noi_nhan")
        lines = [ln for ln in (lay.recipients or []) if not ln.empty]
        if not lines:
            self.add("noi_nhan.thieu", label, "khối “Nơi nhận” ở cuối văn bản", "không có", "cuối văn bản")
            return
        head = lines[0]
        lab_el = ph.get("nhan_noi_nhan")
        if lab_el is not None:
            want = lab_el.noi_dung or "Nơi nhận:"
            if head.clean != want.strip():
                self.add("nhan_noi_nhan.noi_dung", element_name("nhan_noi_nhan"), quote(want), quote(head.text),
                         head.place)
            self.style("nhan_noi_nhan", head)
        items: list[Para] = []
        for ln in lines[1:]:
            text = ln.clean
            if items and not text.startswith(("-", "–", "+")) and not items[-1].clean.endswith((",", ";", ".")):
                items[-1] = replace(items[-1], runs=[*items[-1].runs, replace(ln.runs[0], text=" "), *ln.runs])
                continue  # a long item continued on the next line
            items.append(ln)
            if text_key(text.lstrip("-–+ ")).startswith("luu"):
                break  # what follows (typist code, copies) is not part of the list
        if not items:
            self.add("noi_nhan.thieu", label, "các dòng nơi nhận dưới chữ “Nơi nhận”", "không có", head.place)
            return
        dash = self.profile.danh_so.gach_dau_dong
        for k, item in enumerate(items):
            self.style("noi_nhan", item, case=False, align=False)
            text = item.clean
            if not (text + " ").startswith(dash):
                self.add("noi_nhan.gach_dau_dong", label, f"bắt đầu bằng {quote(dash)}", quote(text, 40),
                         item.place)
            last = k == len(items) - 1
            end = rules.ket_thuc_cuoi if last else rules.ket_thuc_dong
            if not text.endswith(end):
                what = "dòng cuối" if last else "mỗi dòng"
                self.add("noi_nhan.ket_thuc_cuoi" if last else "noi_nhan.ket_thuc_dong", label,
                         f"{what} kết thúc bằng {quote(end)}", quote(text, 40), item.place)
        last = items[-1]
        body = last.clean[len(dash.strip()):].strip() if last.clean.startswith(dash.strip()) else last.clean
        luu = _pattern_regex(rules.mau_luu, {"noi_luu": r"(?P<noi_luu>\S.*?)"})
        if luu.match(body) is None:
            if text_key(body).startswith("luu"):
                where = re.sub(r"^Lưu\s*:?\s*", "", body, flags=re.I).rstrip(".,; ") or "…"
                want = dash + rules.mau_luu.replace("{noi_luu}", where)
                self.add("noi_nhan.luu", label, quote(want), quote(last.text), last.place)
            else:
                want = dash + rules.mau_luu.replace("{noi_luu}", "…")
                self.add("noi_nhan.luu", label, f"dòng cuối {quote(want)}", quote(last.text, 40), last.place)

    # 7. Signer --------------------------------------------------------------------------

    def signer(self, lay: Layout) -> None:
        lines = [ln for ln in (lay.signer or []) if not ln.empty and not re.fullmatch(r"\(.*\)", ln.clean)
                 and not ln.key.startswith("da ky")]
        if not lines:
            self.add("ky.thieu", element_name("ky"), "quyền hạn, chức vụ và họ tên người ký", "không có", "cuối văn bản")
            return
        authority = lines[0] if is_authority(lines[0].text) else None
        rest = lines[1:] if authority else lines
        if authority is not None:
            self.authority(authority)
            self.style("quyen_han_ky", authority)
        if len(rest) >= 2:
            titles, name = rest[:-1], rest[-1]
        else:
            titles, name = rest, None
        if not titles:
            self.add("chuc_vu_ky.thieu", element_name("chuc_vu_ky"), "chức vụ người ký", "không có",
                     (authority or lines[0]).place)
        for t in titles:
            self.style("chuc_vu_ky", t)
        if name is None:
            self.add("ho_ten_ky.thieu", element_name("ho_ten_ky"), "họ tên người ký", "không có", lines[-1].place)
        else:
            self.style("ho_ten_ky", name)

    def authority(self, line: Para) -> None:
        forms = self.profile.ky.quyen_han or AUTHORITY_FORMS.get(self.profile.he_thong, {})
        m = AUTHORITY_RE.match(line.clean)
        assert m is not None
        token = re.sub(r"\s+", "", m.group(1))
        canon = re.sub(r"[^A-Za-z]", "", token).upper()
        rest = line.clean[m.end():].strip()
        if forms.get(canon) == token:
            return
        if canon in forms:
            want = quote(f"{forms[canon]} {rest}")
        else:
            want = "một trong " + ", ".join(f"“{f} …”" for f in dict.fromkeys(forms.values()))
        self.add("quyen_han_ky.mau", element_name("quyen_han_ky"), want, quote(line.text), line.place)

    # 8. Page numbers --------------------------------------------------------------------

    def page_numbers(self) -> None:
        el = self.profile.phan_tu.get("so_trang")
        if el is None or not self.view.sections:
            return
        label = element_name("so_trang")
        sect = self.view.sections[0].el
        parts = {}
        for kind, tag in (("header", "headerReference"), ("footer", "footerReference")):
            for ref in sect.findall(W + tag):
                root = self.package.related(ref.get(R + "id"))
                if root is not None:
                    parts[(kind, ref.get(W + "type"))] = root
        title_pg = bool(is_on(sect.find(W + "titlePg")))
        default = parts.get(("header", "default"))
        page_para = _page_field_para(default) if default is not None else None
        place = "đầu trang của các trang từ trang 2"
        if page_para is None:
            footer = parts.get(("footer", "default"))
            if footer is not None and _page_field_para(footer) is not None:
                self.add("so_trang.vi_tri", label, "số trang ở đầu trang, căn giữa", "số trang ở chân trang",
                         "chân trang")
            else:
                self.add("so_trang.thieu", label, "trường số trang (PAGE) ở đầu trang",
                         "không có" if default is None else "đầu trang không có trường PAGE", place)
        else:
            para = make_para(self.view.resolver, page_para, place, None, None)
            if not para.text.strip():  # no cached result: the field's own runs carry the formatting
                para.runs = [make_run(self.view.resolver, r, page_para, None, text="1")
                             for r in own_runs(page_para) if r.find(W + "instrText") is not None] or para.runs
            self.style("so_trang", para, case=False)
        if el.tu_trang is not None and el.tu_trang > 1:
            first = parts.get(("header", "first"))
            if not title_pg:
                found = "trang 1 có số trang" if page_para is not None else "chưa đặt “trang đầu khác”"
                self.add("so_trang.trang_dau", label,
                         f"không đánh số trang 1 (bật “trang đầu khác”), số từ trang {el.tu_trang}",
                         found, "thiết lập trang")
            elif first is not None and _page_field_para(first) is not None:
                self.add("so_trang.trang_dau", label, "không đánh số trang 1", "trang 1 có số trang",
                         "đầu trang của trang đầu")


def _page_field_para(root) -> Any | None:
    for p in root.iter(W + "p"):
        for fs in p.iter(W + "fldSimple"):
            if re.match(r"\s*PAGE\b", fs.get(W + "instr") or ""):
                return p
        for it in p.iter(W + "instrText"):
            if re.match(r"\s*PAGE\b", it.text or ""):
                return p
    return None


def _drawing_length(p) -> float | bool | None:
    """False when the paragraph has no drawing; the length of the drawn line in mm, or None."""
    ext = p.find(f".//{W}drawing//{WP}extent")
    if ext is not None:
        try:
            return int(ext.get("cx")) / EMU_PER_MM
        except (TypeError, ValueError):
            return None
    pict = p.find(f".//{W}pict")
    if pict is None:
        return False if p.find(f".//{W}drawing") is None else None
    line = pict.find(f".//{VML}line")
    if line is not None:
        a, b = _vml_point(line.get("from")), _vml_point(line.get("to"))
        if a is not None and b is not None:
            return abs(b - a)
    for shape in pict.iter():
        m = re.search(r"(?:^|;)\s*width:\s*([\d.]+)(pt|in|cm|mm)", shape.get("style") or "")
        if m:
            return _to_mm(float(m.group(1)), m.group(2))
    return None


def _to_mm(value: float, unit: str) -> float:
    return value * MM_PER_UNIT[unit]


def _vml_point(text: str | None) -> float | None:
    m = re.match(r"\s*(-?[\d.]+)(pt|in|cm|mm)", text or "")
    return _to_mm(float(m.group(1)), m.group(2)) if m else None


def _pattern_regex(mau: str, fields: dict[str, str], draft: bool = False) -> re.Pattern:
    return _compiled_pattern(mau, tuple(fields.items()), draft)


@lru_cache(maxsize=64)
def _compiled_pattern(mau: str, field_items: tuple, draft: bool) -> re.Pattern:
    """A regex from a profile pattern: "Số {so}-{loai}/{co_quan}" → ^Số\\s+(?P<so>\\d+)-…$."""
    out = []
    for part in re.split(r"(\{\w+\})", mau):
        m = re.fullmatch(r"\{(\w+)\}", part)
        if m:
            out.append(dict(field_items).get(m.group(1), rf"(?P<{m.group(1)}>.+?)"))
            continue
        for piece in re.split(r"(\s+)", part):
            if not piece:
                continue
            if piece.isspace():
                out.append(r"[\s._…]+" if draft and len(piece) > 1 else r"\s+")
            else:
                out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "$")


def _all(groups: dict[str, list[str]]) -> list[str]:
    return [p for places in groups.values() for p in places]


def _counts(groups: dict[str, list[str]]) -> str:
    return ", ".join(f"{len(places)} đoạn {what}" for what, places in
                     sorted(groups.items(), key=lambda kv: -len(kv[1])))


def _places(places: list[str]) -> str:
    """"đoạn 6, 7, 9 và 4 đoạn khác"; cells and headers spelled out in full."""
    places = list(dict.fromkeys(places))
    shown, more = places[:MAX_PLACES], len(places) - MAX_PLACES
    if all(re.fullmatch(r"đoạn \d+", p) for p in shown):
        text = "đoạn " + ", ".join(p.split()[1] for p in shown)
    else:
        text = "; ".join(shown)
    return text + (f" và {more} đoạn khác" if more > 0 else "")
