"""Conformance checker: does a .docx follow the thể thức of its profile?

Works on any .docx: our own output (formatting in styles) and documents made by hand in
Word (direct formatting, tab-separated headers, line breaks). Every value is read as the
reader sees it: run → character style → paragraph style (basedOn chain) → table style →
docDefaults; theme fonts are resolved through the theme part.

    detect_profile(path)         → Profile | None  (regime from the header, date from the date line)
    check_docx(path, profile)    → list[Problem] (every finding, in reading order; `rule` its id,
                                   `field` its place: paragraph, table cell)
    check_rendered(parts, profile) → the same for a package given as {part name: bytes}
    check_files(paths, profile)  → {Path: [Problem]} (folders are expanded to their .docx)
    format_violations(findings)  → Vietnamese text, one line per finding

Rule ids. Formatting of an element is "<property>.<element>", the element being the
profile's `phan_tu` key: co_chu (size), dam (bold), nghieng (italic), gach_chan (underline),
in_hoa (upper case), can_le (alignment), duong_ke (line under the element), e.g.
"co_chu.noi_nhan", "dam.tieu_de", "gach_chan.nhan_noi_nhan". Content rules are
"<element>.<rule>":
    page:        kho_giay, huong_giay, le_tren, le_duoi, le_trai, le_phai, dau_trang
    font:        phong_chu
    draft mark:  du_thao.noi_dung ("Dự thảo" / "Dự thảo lần N"; its size, style and alignment
                 as co_chu.du_thao, nghieng.du_thao, can_le.du_thao)
    header:      <element>.thieu (tieu_de, dau_sao, co_quan_ban_hanh, so_ky_hieu…),
                 tieu_de.noi_dung, so_ky_hieu.dau_hai_cham, so_ky_hieu.dem_so, so_ky_hieu.mau,
                 ngay_thang.thieu, ngay_thang.dem_so, ngay_thang.dau_phay, ngay_thang.dia_danh,
                 ngay_thang.khong_co_that, ngay_thang.mau
    title block: ten_loai.thieu, trich_yeu.thieu, trich_yeu.chu_dau_thuong,
                 phan_cach.thieu, phan_cach.noi_dung
    body:        co_chu.doan, can_le.doan, thut_dau_dong.doan (counts, not one per paragraph)
    recipients:  noi_nhan.thieu, nhan_noi_nhan.noi_dung, noi_nhan.gach_dau_dong,
                 noi_nhan.ket_thuc_dong, noi_nhan.ket_thuc_cuoi, noi_nhan.luu
    signer:      quyen_han_ky.mau, chuc_vu_ky.thieu, ho_ten_ky.thieu, ky.thieu
    page number: so_trang.trang_dau, so_trang.thieu, so_trang.vi_tri
    other:       he_thong (no regime found), tep (unreadable file, check_files only)

Rules come from the profile, except (noted in the code): the date padding rule (the same in
both regimes), the names of document types used to find the title, and the forms of the
signing authority (T/M… for Party, TM.… for State), which the profile schema does not hold.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, Iterable, Mapping

from kehoach_docs.check.common import (
    REGIME_TITLES,
    finding,
    finding_text,
    of_template,
    text_key,
)
from kehoach_docs.check.layout import (
    date_line,
    day_of,
)
from kehoach_docs.check.package import Package, docx_files, open_docx
from kehoach_docs.check.reader import (
    DocView,
    read_view,
)
from kehoach_docs.check.rules import (
    Checker,
)
from kehoach_docs.errors import Problem, ProblemList, UserError
from kehoach_docs.profile import Profile, choose_profile

__all__ = ["check_docx", "check_files", "check_rendered", "detect_profile", "docx_files", "finding",
           "format_violations", "of_template",
           "profile_notice"]

# --- Public API --------------------------------------------------------------------------


def _regime_and_date(view: DocView) -> tuple[str | None, date | None]:
    paras = [p for p in view.all_paras[:80] if not p.empty]
    regime, found_date = None, None
    for p in paras:
        key = p.key
        if regime is None:
            for name, title in REGIME_TITLES:
                if text_key(title) in key:
                    regime = name
                    break
        if found_date is None:
            for piece in p.pieces(tabs=True):
                m = date_line(piece.text)
                if m is not None:
                    found_date = day_of(m)
                    break
        if regime and found_date:
            break
    return regime, found_date


def _profile_for(view: DocView) -> Profile | None:
    regime, day = _regime_and_date(view)
    if regime is None:
        return None
    return choose_profile(regime, day or date.today())


def detect_profile(doc_path: str | Path | IO[bytes]) -> Profile | None:
    """The profile for a document: regime from its header title, date from its date line.

    None when neither "ĐẢNG CỘNG SẢN VIỆT NAM" nor "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" is found.
    Raises ProblemList when no profile of the regime covers the date.
    """
    return _profile_for(read_view(open_docx(doc_path)))


def profile_notice(doc_path: str | Path, profile: Profile | None = None) -> str | None:
    """A warning when the document's date lies past the last date its profile is confirmed
    for (the profile detected from the document, or the one given)."""
    try:
        view = read_view(open_docx(doc_path))
        _, day = _regime_and_date(view)
        chosen = profile or _profile_for(view)
    except (ProblemList, UserError):
        return None  # reported by the check itself
    return chosen.warning(day) if chosen is not None and day is not None else None


def check_docx(path: str | Path | IO[bytes], profile: Profile | None = None) -> list[Problem]:
    """Every finding (violation of the thể thức) in one .docx, as Problems of that file; the
    profile is detected when not given.

    Raises UserError when the file is not a readable .docx.
    """
    found = _check(open_docx(path), profile)
    if isinstance(path, (str, Path)):
        found = [replace(p, file=path) for p in found]
    return found


def check_rendered(parts: Mapping[str, bytes], profile: Profile) -> list[Problem]:
    """check_docx on a package given as its parts' bytes by name (what a build has just
    rendered): nothing is zipped, unzipped or read back from disk. The findings have no file
    (of_template names the template that made the document)."""
    return _check(Package(parts, "văn bản vừa tạo"), profile)


def _check(package: Package, profile: Profile | None) -> list[Problem]:
    view = read_view(package)
    checker_profile = profile
    if checker_profile is None:
        checker_profile = _profile_for(view)
        if checker_profile is None:
            return [finding("he_thong", "Tiêu đề văn bản",
                            "“ĐẢNG CỘNG SẢN VIỆT NAM” hoặc “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM” ở đầu văn bản",
                            "không có", "đầu văn bản")]
    return Checker(view, checker_profile).run()


def check_files(paths: Iterable[str | Path], profile: Profile | None = None) -> dict[Path, list[Problem]]:
    """check_docx for each file (folders give their .docx files); unreadable files get a "tep" finding."""
    results: dict[Path, list[Problem]] = {}
    for path in docx_files(paths, must_exist=False):
        try:
            results[path] = check_docx(path, profile)
        except UserError as exc:
            results[path] = [finding("tep", "Tệp", "tệp .docx đọc được", str(exc), str(path), path)]
        except ProblemList as exc:
            results[path] = [finding("he_thong", "Bộ thể thức", "bộ thể thức có hiệu lực vào ngày văn bản",
                                     "; ".join(p.message for p in exc.problems), str(path), path)]
        except FileNotFoundError:
            results[path] = [finding("tep", "Tệp", "tệp có thật", "không tìm thấy tệp", str(path), path)]
    return results


def format_violations(findings: list[Problem]) -> str:
    """Vietnamese report, one line per finding: "<element>: cần <expected>, thấy <found> (<place>)"."""
    if not findings:
        return "Không phát hiện lỗi thể thức."
    return "\n".join(finding_text(p) for p in findings)
