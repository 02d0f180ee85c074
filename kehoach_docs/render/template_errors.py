"""Jinja's syntax errors, explained in Vietnamese at the tag that causes them.

Jinja reports an unclosed block where it gives up, which is the next tag (or the end of the
part): a `{%p for %}` left open is blamed on the `{%p endif %}` after it. `explain` finds the
block left open by lexing the part again, and names it, its text and its paragraph.
"""

from __future__ import annotations

import re

from jinja2 import Environment, TemplateSyntaxError

BLOCKS = {"for", "if", "macro", "call", "filter", "with", "autoescape", "block", "raw", "trans"}
"""Tags that open a block closed by end<tag>."""
KIND = {"for": "vòng lặp", "if": "điều kiện", "macro": "macro", "call": "lời gọi", "filter": "bộ lọc",
        "with": "khối with", "autoescape": "khối autoescape", "block": "khối", "raw": "khối raw",
        "trans": "khối dịch"}


def _tag_text(line: str, name: str) -> str:
    m = re.search(r"\{%-?\s*" + re.escape(name) + r"\b.*?%\}", line)
    text = re.sub(r"\s+", " ", m.group(0)) if m else f"{{% {name} %}}"
    return text if len(text) <= 60 else text[:57] + "…%}"


def _open_blocks(env: Environment, source: str) -> tuple[list[tuple[str, int]], tuple[str, int] | None]:
    """The blocks still open where the structure breaks, and the end tag that broke it (if any)."""
    stack: list[tuple[str, int]] = []
    tokens = list(env.lex(source))
    for i, (line, kind, value) in enumerate(tokens):
        if kind != "block_begin":
            continue
        j = i + 1
        while j < len(tokens) and tokens[j][1] == "whitespace":
            j += 1
        if j >= len(tokens) or tokens[j][1] != "name":
            continue
        name = tokens[j][2]
        if name in BLOCKS:
            stack.append((name, line))
        elif name.startswith("end") and name[3:] in BLOCKS:
            if stack and stack[-1][0] == name[3:]:
                stack.pop()
            else:
                return stack, (name, line)
    return stack, None


def explain(exc: TemplateSyntaxError, env: Environment, source: str, places: list[str]) -> tuple[int, str]:
    """(line of the source to place the problem at, Vietnamese message)."""
    lines = source.split("\n")

    def place(n: int) -> str:
        return places[n - 1] if 0 < n <= len(places) else ""

    def text_at(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    message = exc.message or ""
    unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
    if unknown and not (unknown[1].startswith("end") and unknown[1][3:] in BLOCKS):
        return exc.lineno, f"thẻ '{unknown[1]}' không có (viết sai tên thẻ?)."
    try:
        stack, breaker = _open_blocks(env, source)
    except TemplateSyntaxError:
        stack, breaker = [], None
    if stack and (breaker or "end of template" in message or "looking for the following tags" in message):
        name, line = stack[-1]
        tag = _tag_text(text_at(line), name)
        closing = f"{{%p end{name} %}}"
        if breaker:
            found = _tag_text(text_at(breaker[1]), breaker[0])
            elsewhere = place(breaker[1]) if place(breaker[1]) != place(line) else ""
            return line, (f"thẻ {tag} ({KIND[name]}) chưa được đóng: cần {closing} trước thẻ {found}"
                          f"{' ở ' + elsewhere if elsewhere else ''}.")
        return line, f"thẻ {tag} ({KIND[name]}) chưa được đóng: thiếu {closing}."
    if breaker:
        tag = _tag_text(text_at(breaker[1]), breaker[0])
        return breaker[1], f"thẻ đóng {tag} không có thẻ mở {{%p {breaker[0][3:]} … %}} tương ứng."
    m = re.match(r"unexpected char '(.+)' at", message)
    if m:
        return exc.lineno, f"ký tự '{m[1]}' không dùng được trong thẻ mẫu."
    m = re.match(r"expected token '(.+?)', got '(.+?)'", message)
    if m:
        return exc.lineno, f"thẻ viết sai: gặp '{_token(m[2])}' ở chỗ cần '{_token(m[1])}'."
    m = re.match(r"unexpected '(.+?)'", message)
    if m:
        return exc.lineno, f"thẻ viết sai: không chờ '{m[1]}' ở đây."
    if "end of template" in message or "end of print statement" in message:
        return exc.lineno, "thẻ chưa đóng: thiếu '}}' hoặc '%}'."
    return exc.lineno, "thẻ mẫu viết sai cú pháp; gõ lại cả thẻ một lần (Word có thể đã tách thẻ)."


def _token(name: str) -> str:
    return {"end of print statement": "}}", "end of statement block": "%}", "name": "tên biến"}.get(name, name)
