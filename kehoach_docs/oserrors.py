"""What the machine says (an OSError) in words a clerk understands, with the file it hit."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from kehoach_docs.errors import Problem, ProblemList, UserError

_WORDS = {
    errno.ENOSPC: "ổ đĩa đã đầy; hãy giải phóng chỗ trống rồi chạy lại",
    errno.EDQUOT: "đã hết hạn mức dung lượng của bạn trên ổ đĩa này",
    errno.EROFS: "ổ đĩa chỉ cho đọc (read-only); hãy chọn thư mục khác bằng --out hoặc -o",
    errno.EACCES: "không có quyền ghi hoặc đọc ở đây; hãy chọn thư mục khác hoặc xin cấp quyền",
    errno.EPERM: "hệ điều hành không cho phép thao tác này",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài; hãy đặt tên ngắn hơn",
    errno.ENOENT: "không có tệp hay thư mục này",
    errno.EEXIST: "đã có tệp hay thư mục cùng tên",
    errno.ELOOP: "đường dẫn đi qua một liên kết (symlink); không đi theo liên kết",
    errno.EIO: "lỗi đọc/ghi của ổ đĩa (ổ hỏng hoặc bị rút ra?)",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.ENXIO: "đây là một thiết bị hoặc đường ống, không phải tệp",
    errno.ETXTBSY: "tệp đang được một chương trình khác dùng",
    errno.EBUSY: "tệp hoặc thư mục đang được dùng",
    errno.EXDEV: "không chuyển được tệp giữa hai ổ đĩa",
    errno.EFBIG: "tệp quá lớn với ổ đĩa này",
    errno.EPIPE: "chương trình nhận kết quả đã đóng đầu vào",
}


def os_error_message(exc: OSError, path: Path | str | None = None) -> str:
    where = path or exc.filename
    words = _WORDS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"Không ghi hoặc đọc được '{where}': {words}." if where else f"Lỗi của máy: {words}."


# ------------------------------------------------------------------ one document's failure
#
# What a user or the machine can cause has a name here, and becomes words: ProblemList and
# UserError (the data, a template, an option: they carry their place), OSError (the disk, a
# permission, a device: os_error_message) and MemoryError (the machine). Anything else that
# escapes while making a document is a fault of kehoach-docs itself, even when a clerk's data
# set it off (that data should have been refused at its place): it is an InternalProblem,
# the document fails, the others are still made, and the command ends with "Lỗi nội bộ"
# (exit 3) and a hint to rerun with --debug for the traceback.

MACHINE_ERRORS = (OSError, MemoryError)

NO_MEMORY = ("máy không đủ bộ nhớ để tạo văn bản này; hãy đóng bớt chương trình khác hoặc chạy "
             "với ít tiến trình hơn (-j 1) rồi chạy lại")


def debug_hint(command: str | None = None) -> str:
    run = f"kehoach --debug {command} …" if command else "kehoach --debug …"
    return (f"Hãy chạy lại lệnh với --debug ({run}) để xem chi tiết, rồi gửi lệnh, kết quả in ra và "
            "tệp dữ liệu cho người bảo trì.")


@dataclass(frozen=True)
class InternalProblem(Problem):
    """A document that failed through a fault of kehoach-docs; `detail` is the traceback."""

    detail: str = ""


def document_failure(source: Path | str, exc: BaseException):
    """The Problem for an exception raised while one document was made (see above)."""
    import traceback

    if isinstance(exc, ProblemList):
        return exc.problems[0]
    if isinstance(exc, UserError):
        return Problem(source, 0, 0, "", str(exc))
    if isinstance(exc, OSError):
        return Problem(source, 0, 0, "", os_error_message(exc))
    if isinstance(exc, MemoryError):
        return Problem(source, 0, 0, "", f"Không tạo được văn bản: {NO_MEMORY}.")
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return InternalProblem(source, 0, 0, "", f"Lỗi nội bộ của kehoach-docs khi tạo văn bản này "
                                             f"({type(exc).__name__}: {exc}); các văn bản khác vẫn được tạo.",
                           detail=detail)
