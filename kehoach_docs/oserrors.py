"""What the machine says (an OSError) in words a clerk understands, with the file it hit."""

from __future__ import annotations

import errno
from pathlib import Path

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
