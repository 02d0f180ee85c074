"""A body name in the header, on two lines when it does not fit its column.

The width is measured (Times New Roman advance widths, kehoach_docs.render.font_widths) at the
element's size and weight against the profile's header column less `le_chu` on each side.
A name that does not fit breaks where the rules and practice break it: after the body type
("ỦY BAN NHÂN DÂN" / "TỈNH NGHỆ AN"), else before its place ("SỞ GIÁO DỤC VÀ ĐÀO TẠO" /
"TỈNH NGHỆ AN"), else between the words that give the most even lines; a name too long for
two lines has its type on the first line and the rest on as few even lines as fit. The
templates join the lines with "\\n", which the renderer writes as a line break in the one
paragraph (`{{ dong_co_quan_ban_hanh|join('\\n') }}`).
"""

from __future__ import annotations

from kehoach_docs.render.font_widths import text_width_mm
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
    # Too long for two lines: the body type on its own line, the rest on as few even lines
    # as fit (set here, not left to Word, so that every line is known and centred).
    first, rest = candidates[0] if len(candidates[0]) == 2 else ("", name)
    return ([first] if first else []) + _even_lines(rest.split(" "), fits, width)


def _even_lines(words: list[str], fits, width) -> list[str]:
    """The fewest lines that fit (a single word too long stays alone), the widest as narrow
    as possible."""
    n = len(words)
    for count in range(1, n + 1):
        best: dict[tuple[int, int], tuple[float, list[str]] | None] = {}

        def solve(start: int, left: int):
            if (start, left) in best:
                return best[start, left]
            if left == 1:
                line = " ".join(words[start:])
                result = (width(line), [line]) if fits(line) or start == n - 1 else None
            else:
                result = None
                for end in range(start + 1, n - left + 2):
                    line = " ".join(words[start:end])
                    if not fits(line) and end - start > 1:
                        break
                    tail = solve(end, left - 1)
                    if tail is not None:
                        cand = (max(width(line), tail[0]), [line, *tail[1]])
                        if result is None or cand[0] < result[0]:
                            result = cand
            best[start, left] = result
            return result

        found = solve(0, count)
        if found is not None:
            return found[1]
    return [" ".join(words)]

