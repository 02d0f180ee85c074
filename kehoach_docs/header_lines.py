"""A body name in the header, on two lines when it does not fit its column.

The width is measured (Times New Roman advance widths, kehoach_docs.font_widths) at the
element's size and weight against the profile's header column less `le_chu` on each side.
A name that does not fit breaks where the rules and practice break it: after the body type
("ỦY BAN NHÂN DÂN" / "TỈNH NGHỆ AN"), else before its place ("SỞ GIÁO DỤC VÀ ĐÀO TẠO" /
"TỈNH NGHỆ AN"), else between the words that give the most even lines; if no break makes
every line fit, after the body type all the same (the rest wraps). The lines are joined
with "\\n", which the renderer writes as a line break in the one paragraph.
"""

from __future__ import annotations

from kehoach_docs.font_widths import text_width_mm
from kehoach_docs.profile import Profile


def _fits(profile: Profile, key: str, column: float):
    el = profile.phan_tu[key]
    room = column - 2 * profile.bang_dau.xuong_dong.le_chu

    def fits(line: str) -> bool:
        return text_width_mm(line, el.co, el.dam) <= room + 1e-9

    return fits, (lambda line: text_width_mm(line, el.co, el.dam))


def header_lines(name: str, profile: Profile, key: str = "co_quan_ban_hanh") -> list[str]:
    """The lines `name` (already in capitals) is set on in the left header column."""
    if key not in profile.phan_tu or not name:
        return [name]
    fits, width = _fits(profile, key, profile.bang_dau.cot_trai)
    if fits(name):
        return [name]
    rules = profile.bang_dau.xuong_dong
    candidates = []
    for kind in sorted(rules.loai_co_quan, key=len, reverse=True):
        if name.startswith(kind + " "):
            candidates.append([kind, name[len(kind) + 1:]])
            break
    words = name.split(" ")
    for place in rules.dia_danh:
        n = len(place.split(" "))
        at = [i for i in range(1, len(words)) if " ".join(words[i:i + n]) == place]
        if at:
            candidates.append([" ".join(words[:at[0]]), " ".join(words[at[0]:])])
    even = min(([" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))),
               key=lambda lines: max(map(width, lines)), default=[name])
    candidates.append(even)
    for lines in candidates:
        if all(fits(line) for line in lines):
            return lines
    # Still too long: Word wraps the longer line at the column's edge. The body type on its
    # own line is better than an even split, which may cut a word ("ĐẠI" / "HỌC").
    return candidates[0]


def body_name(name: str, profile: Profile, key: str = "co_quan_ban_hanh") -> str:
    """`name` with "\\n" where the header breaks it."""
    return "\n".join(header_lines(name, profile, key))
