"""Template linter: syntax, tags split by Word, variables unknown to the context, and what
breaks silently: text beside a `{%p %}`, `{%tr %}` or `{%tc %}` tag (rendering replaces the
whole paragraph, row or cell with the tag's output, so that text is deleted), and direct
formatting that contradicts the thể thức profile (italic set on the signer's name: every
document would come out wrong, and only `check` after rendering would say so).

Each finding names the part and the paragraph or table cell with its own text, so a clerk
can find it in Word.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path

from jinja2 import nodes

from kehoach_docs.documents.plan import known_names
from kehoach_docs.errors import WARNING, Problem, ProblemList
from kehoach_docs.render.places import paragraph_places, place_at
from kehoach_docs.ooxml import JC, is_on_value
from kehoach_docs.render.engine import MAX_TEMPLATE_BYTES, TEMPLATED, compiled_from, part_label, read_template
from kehoach_docs.render.package_safety import read_package

# A tag whose braces are separated by XML markup: Word split it into several runs.
_SPLIT_OPEN = re.compile(r"\{(?:<[^>]*>)+[{%#]|[}%#](?:<[^>]*>)+\}")
_TAG_WITH_MARKUP = re.compile(r"\{[{%#](?:(?![}%#]\}).)*?<[^>]+>(?:(?![}%#]\}).)*?[}%#]\}", re.DOTALL)


def lint_template(path: str | Path) -> list[Problem]:
    """Every problem of a template; an empty list means it is ready to use."""
    path = Path(path)
    try:
        # Read once, as the renderer reads it: a FIFO or a device refused, bounded.
        identity, data = read_template(path)
        files = {info.filename: body for info, body in read_package(io.BytesIO(data), path, MAX_TEMPLATE_BYTES)}
    except ProblemList as exc:
        return exc.problems
    problems: list[Problem] = []
    problems += _split_tags(path, files)
    problems += _silent_losses(path, files)
    try:
        compiled = compiled_from(identity, data)  # the one the renderer uses, compiled once per content
    except ProblemList as exc:
        return problems + exc.problems
    from kehoach_docs.documents.report import ReportContext  # the widest context: plans' and reports'

    top, attrs = known_names(ReportContext)
    for part in compiled.parts.values():
        ast = compiled.env.parse(part.source)
        declared = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for node in ast.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in declared and node.name not in top \
                    and node.name not in ("loop", "range", "true", "false", "none"):
                problems.append(_unknown(path, part, node.lineno, node.name, top))
        for node in ast.find_all(nodes.Getattr):
            if node.attr not in attrs and not node.attr.startswith("_"):
                problems.append(_unknown(path, part, node.lineno, node.attr, attrs))
    return problems


def _unknown(path: Path, part, lineno: int, name: str, known: set[str]) -> Problem:
    where = part.places[lineno - 1] if 0 < lineno <= len(part.places) else ""
    guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f" Có phải ý bạn là '{guess[0]}'?" if guess else ""
    return Problem(path, 0, 0, f"{part_label(part.name)}, {where}",
                   f"Biến '{name}' không có trong dữ liệu của mẫu.{hint}")


def _split_tags(path: Path, files: dict[str, bytes]) -> list[Problem]:
    problems = []
    try:
        for name, data in files.items():
            if not TEMPLATED.match(name):
                continue
            source = data.decode("utf-8")
            places = paragraph_places(source)
            for m in list(_SPLIT_OPEN.finditer(source)) + list(_TAG_WITH_MARKUP.finditer(source)):
                text = re.sub(r"<[^>]+>", "", m.group())
                problems.append(Problem(
                    path, 0, 0, f"{part_label(name)}, {place_at(places, m.start())}",
                    f"Thẻ '{text[:60]}' bị Word tách thành nhiều đoạn định dạng; hãy xóa và gõ lại "
                    "cả thẻ một lần (không sửa từng phần, tắt tự sửa chính tả cho thẻ).",
                    level=WARNING))
    except UnicodeDecodeError:
        pass  # the compile reports a part that is not text
    # One finding per place is enough.
    unique = {(p.field, p.message): p for p in problems}
    return list(unique.values())


# --------------------------------------------------------------------------- silent losses

# The element each kind of tag replaces whole, and its name for a clerk.
_WHOLE = (("p", "đoạn"), ("tr", "hàng"), ("tc", "ô"))
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def _texts(xml: str) -> str:
    import html

    return html.unescape("".join(_TEXT.findall(xml)))


def _silent_losses(path: Path, files: dict[str, bytes]) -> list[Problem]:
    """Text beside a paragraph, row or cell tag, and direct formatting against the profile."""
    problems: list[Problem] = []
    try:
        styles = files["word/styles.xml"].decode("utf-8") if "word/styles.xml" in files else ""
        parts = {n: data.decode("utf-8") for n, data in files.items() if TEMPLATED.match(n)}
    except UnicodeDecodeError:
        return []  # the compile reports a part that is not text
    profile = _template_profile(styles)
    style_names = dict(re.findall(r'<w:style\b[^>]*w:styleId="([^"]+)"[^>]*>\s*<w:name w:val="([^"]+)"', styles))
    for name, xml in parts.items():
        places = paragraph_places(xml)
        for kind, label in _WHOLE:
            tag = re.compile(r"\{%%-?\s*%s\s.*?%%\}|\{\{-?\s*%s\s.*?\}\}" % (kind, kind), re.DOTALL)
            unit = re.compile(r"<w:%s[ >](?:(?!<w:%s[ >]).)*?</w:%s>" % (kind, kind, kind), re.DOTALL)
            for m in unit.finditer(xml):
                text = _texts(m.group())
                if not tag.search(text):
                    continue
                rest = " ".join(tag.sub(" ", text).split())
                if rest:
                    first = tag.search(text).group()
                    problems.append(Problem(
                        path, 0, 0, f"{part_label(name)}, {place_at(places, m.start())}",
                        f"Chữ «{rest[:60]}» nằm cùng {label} với thẻ {first[:40]}: khi điền mẫu, thẻ "
                        f"{{%{kind} %}} thay cả {label} nên chữ này bị xóa. Hãy đưa chữ đó sang "
                        f"{label} khác hoặc vào trong khối của thẻ."))
        if profile is not None:
            problems += _direct_formatting(path, name, xml, places, profile, style_names)
    return problems


def _template_profile(styles: str):
    """The profile a generated (or re-saved) template was made from, found by its styles:
    the Tiêu ngữ is State only, the "*" Party only. None for other templates."""
    from datetime import date

    from kehoach_docs.profile import choose_profile

    regime = "nha_nuoc" if 'w:val="tieu_ngu"' in styles else "dang" if 'w:val="dau_sao"' in styles else None
    if regime is None:
        return None
    try:
        return choose_profile(regime, date.today())
    except ProblemList:
        return None


def _flag(rpr: str, tag: str) -> bool | None:
    m = re.search(r"<w:%s(?: w:val=\"([^\"]*)\")?\s*/>" % tag, rpr)
    if m is None:
        return None
    return is_on_value(m.group(1))


def _direct_formatting(path: Path, part: str, xml: str, places, profile, style_names) -> list[Problem]:
    from kehoach_docs.check.common import element_name

    problems = []
    for m in re.finditer(r"<w:p[ >](?:(?!<w:p[ >]).)*?</w:p>", xml, re.DOTALL):
        p = m.group()
        style = re.search(r'<w:pStyle w:val="([^"]+)"', p)
        key = style_names.get(style.group(1), style.group(1)) if style else None
        el = profile.phan_tu.get(key) if key else None
        if el is None:
            continue
        found = []
        ppr = re.search(r"<w:pPr>.*?</w:pPr>", p, re.DOTALL)
        jc = re.search(r'<w:jc w:val="([^"]+)"', ppr.group()) if ppr else None
        if jc and JC.get(jc.group(1)) != el.can_le:
            found.append(f"căn lề '{jc.group(1)}' (thể thức: {el.can_le})")
        for r in re.finditer(r"<w:r[ >](?:(?!<w:r[ >]).)*?</w:r>", p, re.DOTALL):
            run = r.group()
            if not _texts(run).strip():
                continue
            rpr = re.search(r"<w:rPr>.*?</w:rPr>", run, re.DOTALL)
            if rpr is None:
                continue
            rpr = rpr.group()
            for tag, want, words in (("b", el.dam, ("chữ đậm", "chữ không đậm")),
                                     ("i", el.nghieng, ("chữ nghiêng", "chữ đứng")),
                                     ("u", el.gach_chan, ("gạch chân", "không gạch chân"))):
                got = _flag(rpr, tag) if tag != "u" else \
                    (None if "<w:u " not in rpr else 'w:val="none"' not in rpr)
                if got is not None and got != want:
                    found.append(f"{words[0] if got else words[1]} (thể thức: {words[0] if want else words[1]})")
            sz = re.search(r'<w:sz w:val="(\d+)"', rpr)
            if sz and abs(int(sz.group(1)) / 2 - el.co) > 0.01:
                found.append(f"cỡ chữ {int(sz.group(1)) / 2:g} (thể thức: {el.co:g})")
            font = re.search(r'<w:rFonts [^>]*w:ascii="([^"]+)"', rpr)
            if font and font.group(1) != profile.phong_chu:
                found.append(f"phông {font.group(1)} (thể thức: {profile.phong_chu})")
        for what in dict.fromkeys(found):
            problems.append(Problem(
                path, 0, 0, f"{part_label(part)}, {place_at(places, m.start())}",
                f"{element_name(key)}: định dạng đặt trực tiếp {what}; mọi văn bản điền từ mẫu sẽ "
                "sai thể thức. Hãy xóa định dạng trực tiếp (chọn chữ, Ctrl+Space trong Word) để "
                f"chữ theo kiểu '{key}'."))
    return problems


def lint_templates(paths) -> tuple[list[Path], list[Problem]]:
    """lint_template for each of `paths` (none given: every template of the package): the
    templates linted and their problems. UserError when a template named does not exist, or
    the package has none (a broken installation)."""
    from kehoach_docs.errors import UserError
    from kehoach_docs.templates import TEMPLATES_DIR

    targets = [Path(p) for p in paths] or sorted(TEMPLATES_DIR.glob("*.docx"))
    if not targets:
        raise UserError(f"Không có mẫu nào để kiểm tra (thư mục mẫu của gói: {TEMPLATES_DIR}); "
                        "bản cài đặt thiếu mẫu, hãy cài lại kehoach-docs.")
    problems: list[Problem] = []
    for p in targets:
        if not p.exists():
            raise UserError(f"Không tìm thấy tệp '{p}'.")
        problems += lint_template(p)
    return targets, problems
