"""click's own texts in Vietnamese: usage errors, missing arguments, --help, --version.

click translates through `gettext` names bound in its modules at import; `install()` rebinds them
to this catalogue (independent of the machine's locale, so every clerk reads the same words).
Call it before any command is declared: some texts (the metavar of a path) are taken then.
"""

from __future__ import annotations

import click

VI: dict[str, str] = {
    # Help pages.
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tùy lúc chạy)",
    "required": "bắt buộc",
    "deprecated": "không còn dùng",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Cảnh báo: lệnh {name!r} không còn dùng.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Cảnh báo: {param_type} {name!r} không còn dùng.{extra_message}",
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Xác nhận luôn, không hỏi lại.",
    # Usage errors.
    "Error: {message}": "lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Missing command.": "Thiếu tên lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "argument": "tham số",
    "option": "tùy chọn",
    "parameter": "tham số",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Got unexpected extra arguments ({args})": "Thừa các tham số ({args})",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn {name!r} cần {nargs} giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} nhận {nargs} giá trị.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có 1.",
    "Takes {nargs} values but {len} were given.": "Cần {nargs} giá trị nhưng có {len}.",
    "Invalid start character for option ({option})": "Ký tự đầu của tùy chọn không hợp lệ ({option})",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
    "Aborted!": "Đã dừng.",
    # Values.
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not {choice}.": "{value!r} không phải {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không thuộc các giá trị {choices}.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải giá trị đúng/sai. Các giá trị nhận: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải UUID hợp lệ.",
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} không đúng các dạng {formats}.",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị, nhưng có {len_value}.",
    "{len_type} values are required, but {len_value} were given.": "Cần {len_type} giá trị, nhưng có {len_value}.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "{name} {filename!r} is not readable.": "Không đọc được {name} {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được {name} {filename!r}.",
    "{name} {filename!r} is not executable.": "Không chạy được {name} {filename!r}.",
    "{name} {filename!r} does not exist.": "Không có {name} {filename!r}.",
    # Prompts.
    "Press any key to continue...": "Bấm một phím bất kỳ để tiếp tục…",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "lỗi: hai giá trị vừa nhập không khớp.",
    "Error: invalid input": "lỗi: giá trị không hợp lệ",
}

NUMBER_TYPES = {"integer": "số nguyên", "float": "số", "integer range": "số nguyên", "float range": "số",
                "text": "chữ", "boolean": "đúng/sai"}
"""click's type names, shown in "… is not a valid integer" and as metavars."""

ARGUMENT_NAMES = {"workspace": "THƯ_MỤC", "folder": "THƯ_MỤC", "file": "TỆP", "files": "TỆP…",
                  "path": "ĐƯỜNG_DẪN", "paths": "ĐƯỜNG_DẪN…"}
"""Metavars of arguments declared without one (click would print the English parameter name)."""

OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM_SỐ]..."


def describe_range(number_range) -> str:
    """click's ``2000<=x<=2100`` range hint, in words ("từ 2000 đến 2100")."""
    low, high = number_range.min, number_range.max
    low_words = f"lớn hơn {low}" if number_range.min_open else f"từ {low}"
    high_words = f"nhỏ hơn {high}" if number_range.max_open else f"đến {high}"
    if low is None:
        return f"nhỏ hơn {high}" if number_range.max_open else f"không quá {high}"
    if high is None:
        return low_words if number_range.min_open else f"từ {low} trở lên"
    if number_range.min_open:
        return f"{low_words} và {high_words}" if number_range.max_open else f"{low_words} và không quá {high}"
    return f"{low_words} {high_words}"


def gettext(message: str) -> str:
    return VI.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_installed = False


def install() -> None:
    """Rebind click's translation functions and type names (idempotent)."""
    global _installed
    if _installed:
        return
    from click import core, decorators, exceptions, formatting, parser, termui, types

    for module in (core, decorators, exceptions, formatting, parser, termui, types):
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    for cls in (types.IntParamType, types.FloatParamType, types.IntRange, types.FloatRange,
                types.StringParamType, types.BoolParamType):
        cls.name = NUMBER_TYPES.get(cls.name, cls.name)
    types._NumberRangeBase._describe_range = describe_range
    _installed = True


class Command(click.Command):
    """A command whose usage line is in Vietnamese."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        _name_arguments(self)


def _name_arguments(command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Argument) and param.metavar is None and param.name in ARGUMENT_NAMES:
            param.metavar = ARGUMENT_NAMES[param.name]


class Group(click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)


Group.group_class = Group
