"""Step 2 — validate: check loaded data against the schema; report every problem at once.

Each problem carries file:line:column, the field's path and a message a clerk understands.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kehoach_docs.errors import Problem, ProblemList
from kehoach_docs.load.yaml_source import Loaded

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "phải là chữ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_type": "phải là số",
    "float_parsing": "phải là số",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách (mỗi mục bắt đầu bằng '- ')",
    "dict_type": "phải là một nhóm trường (tên: giá trị)",
    "model_type": "phải là một nhóm trường (tên: giá trị)",
    "model_attributes_type": "phải là một nhóm trường (tên: giá trị)",
    "date_type": "phải là ngày, dạng 2021-12-10 hoặc 10/12/2021",
    "date_parsing": "phải là ngày, dạng 2021-12-10 hoặc 10/12/2021",
    "date_from_datetime_parsing": "phải là ngày, dạng 2021-12-10 hoặc 10/12/2021",
    "none_required": "phải để trống",
}


def validate(loaded: Loaded, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Return the validated model or raise ProblemList with every problem in the file."""
    if not isinstance(loaded.data, dict):
        raise ProblemList.one(loaded.path, 1, 1, "",
                              "Tệp phải là một nhóm trường (tên: giá trị), không phải danh sách hay chữ.")
    try:
        return model.model_validate(loaded.data, context=context)
    except ValidationError as exc:
        raise ProblemList(problems_from(exc, loaded, model)) from None


def problems_from(exc: ValidationError, loaded: Loaded, model: type[BaseModel]) -> list[Problem]:
    """One problem per place. A value that fits none of a field's kinds (`true`, a group
    {dat, tong} or a number) gets one message from all of them, without pydantic's names
    of the kinds (`function-after[_not_more_than_total(), Counts]`)."""
    by_place: dict[tuple, list[tuple[dict, tuple]]] = {}
    errors = exc.errors(include_url=False)
    misspelt = _misspelt(errors, model)
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in misspelt:
            continue  # one typo, one problem: the misspelt key says which field it should be
        loc = _data_loc(tuple(err["loc"]), loaded.data)
        by_place.setdefault(loc, []).append((err, tuple(err["loc"])))
    problems = []
    for loc, errs in by_place.items():
        own = [e for e in errs if e[0]["type"] in ("value_error", "assertion_error", "missing", "extra_forbidden")]
        chosen = own or errs
        messages = list(dict.fromkeys(_message(err, raw, model) for err, raw in chosen))
        message = messages[0] if len(messages) == 1 else _either(messages)
        problems.append(loaded.problem(loc, message, key=chosen[0][0]["type"] == "extra_forbidden"))
    return problems


def _either(messages: list[str]) -> str:
    kinds = [re.sub(r"^Giá trị phải là ", "", m).rstrip(".") for m in messages]
    if all(m.startswith("Giá trị phải là ") for m in messages):
        return "Giá trị phải là " + " hoặc ".join(kinds) + "."
    return " Hoặc: ".join(messages)


def _data_loc(loc: tuple, data: Any) -> tuple:
    """The part of a pydantic location that names places in the data (a union's member
    names, like 'bool' or 'function-after[…]', are not)."""
    out, current = [], data
    for part in loc:
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif isinstance(part, str) and (part in ("bool", "int", "float", "str", "date", "none") or
                                        "[" in part or part[:1].isupper()):
            continue  # a union member's name
        else:
            out.append(part)  # a missing or unknown field: still its place
            current = None
    return tuple(out)


def _misspelt(errors: list[dict], model: type[BaseModel]) -> set[tuple]:
    """Required fields reported missing because their key is misspelt beside them."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    found = set()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden":
            guess = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=0.6)
            if guess and loc[:-1] + (guess[0],) in missing:
                found.add(loc[:-1] + (guess[0],))
    return found


def _message(err: dict, loc: tuple, model: type[BaseModel]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1])
        known = _fields_at(model, loc[:-1])
        guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Có phải ý bạn là '{guess[0]}'?" if guess else (
            f" Các trường được dùng ở đây: {', '.join(sorted(known))}." if known else "")
        return f"Trường '{name}' không có trong mẫu dữ liệu.{hint}"
    if kind == "missing":
        return f"Thiếu trường bắt buộc '{loc[-1]}'."
    if kind == "string_type" and isinstance(err.get("input"), (bool, int, float, date)):
        # YAML reads yes/no/on/off as true/false, 1.10 as a number, 2021-12-10 as a date.
        value = err["input"]
        read_as = ("đúng/sai (true/false)" if isinstance(value, bool) else
                   "một ngày" if isinstance(value, date) else "một số")
        return f"Giá trị phải là chữ, nhưng ở đây được đọc là {read_as}; hãy đặt nó trong ngoặc kép."
    if kind in _TYPE_NAMES:
        return f"Giá trị {_TYPE_NAMES[kind]}."
    if kind == "literal_error":
        return f"Giá trị không hợp lệ; chỉ được dùng: {ctx.get('expected', '')}."
    if kind == "too_short":
        return "Danh sách không được để trống." if ctx.get("min_length", 1) <= 1 else \
            f"Cần ít nhất {ctx.get('min_length')} mục."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Giá trị phải {'≥' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Giá trị phải {'≤' if kind.endswith('equal') else '<'} {ctx.get('le', ctx.get('lt'))}."
    if kind == "string_pattern_mismatch":
        return "Mã chỉ gồm chữ thường không dấu, số và '_', bắt đầu bằng chữ (ví dụ: ke_hoach_2025)."
    if kind == "string_too_long":
        return f"Quá dài (tối đa {ctx.get('max_length')} ký tự)."
    if kind in ("value_error", "assertion_error"):
        msg = str(ctx.get("error", err["msg"]))
        msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
        return msg[:1].upper() + msg[1:] + ("" if msg.endswith(".") else ".")
    return err["msg"]


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (sub)model found by following `loc` through the schema."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            # dict[Id, Model]: the key is a free id, the value a model
            current = _inner_model(current, part)
            continue
        current = model_of(field.annotation)
    return list(getattr(current, "model_fields", {}).keys()) if current else []


def model_of(annotation: Any) -> Any:
    """The pydantic model inside a field's annotation (list[X], X | None…), if any."""
    from typing import get_args
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_of(arg)
        if found is not None:
            return found
    return None


def _inner_model(current: Any, key: Any) -> Any:
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def iter_fields(model: type[BaseModel]):
    """(owner model, field name, field) for every field reachable from `model`."""
    todo, seen = [model], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for name, field in m.model_fields.items():
            yield m, name, field
            sub = model_of(field.annotation)
            if sub is not None:
                todo.append(sub)
