"""Chuyển .docx sang PDF bằng LibreOffice (headless) và kiểm tra phông chữ.

LibreOffice luôn thoát với mã 0, kể cả khi không chuyển được, nên kết quả được
xác minh bằng chính tệp PDF sinh ra. Mỗi tiến trình soffice dùng hồ sơ người
dùng (UserInstallation) riêng vì dùng chung một hồ sơ giữa các tiến trình chạy
đồng thời sẽ bị tranh chấp.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Sequence

from kehoach_docs.errors import UserError

INSTALL_CMD = (
    "sudo apt-get install -y --no-install-recommends "
    "libreoffice-writer-nogui fonts-liberation2"
)
FONT_INSTALL_CMD = "sudo apt-get install -y --no-install-recommends fonts-liberation2"
# Bookmarks from the headings' outline levels (the templates' heading styles carry them):
# a reader's sidebar lists I-, II-… and 1., 2.… as in Word's navigation pane.
PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}'
ALLOWED_FONTS = ("LiberationSerif", "TimesNewRoman")

# Khởi động soffice chiếm phần lớn thời gian (~1,3 s); mỗi tài liệu thêm ~0,2 s.
# Giới hạn rộng rãi, chỉ để không treo vô hạn.
_TIMEOUT_BASE = 60.0
_TIMEOUT_PER_DOC = 30.0


class LibreOfficeMissing(UserError):
    """Không tìm thấy LibreOffice trong PATH (lỗi của máy, không phải lỗi nội bộ: lời nhắn nói cách cài)."""


@dataclass
class PdfResult:
    source: Path
    pdf: Path | None = None
    ok: bool = False
    error: str | None = None
    fallback_fonts: list[str] = field(default_factory=list)


@dataclass
class _Job:
    proc: subprocess.Popen
    stderr: IO[bytes]
    outputs: dict[int, Path]  # chỉ số đầu vào -> PDF soffice sẽ ghi trong thư mục tạm


# LibreOffice settings for converting documents that may come from anyone: no linked image,
# frame or OLE link is loaded from a file or the network, no link is updated, no macro runs,
# and any HTTP/FTP request goes to a proxy that does not exist (port 9, "discard", on this
# machine), so a request LibreOffice makes regardless fails at once.
_SAFE_SETTINGS = {
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks"): ("boolean", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution"): ("boolean", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel"): ("int", "3"),
    ("org.openoffice.Office.Writer/Content/Update", "Link"): ("int", "2"),  # never
    ("org.openoffice.Office.Common/Misc", "UseLocking"): ("boolean", "false"),
    ("org.openoffice.Inet/Settings", "ooInetProxyType"): ("int", "1"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyName"): ("string", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyPort"): ("int", "9"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyName"): ("string", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort"): ("int", "9"),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyName"): ("string", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyPort"): ("int", "9"),
    ("org.openoffice.Inet/Settings", "ooInetNoProxy"): ("string", ""),
}


def write_safe_profile(profile: Path) -> None:
    """A fresh LibreOffice user profile with _SAFE_SETTINGS (read at start-up)."""
    items = "".join(
        f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'
        for (path, name), (_kind, value) in _SAFE_SETTINGS.items())
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{items}</oor:items>", encoding="utf-8")


def find_soffice() -> str:
    """Đường dẫn tới soffice/libreoffice, hoặc báo LibreOfficeMissing."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise LibreOfficeMissing(
        "Không tìm thấy LibreOffice (soffice) trong PATH nên không thể xuất PDF. "
        f"Cài đặt bằng lệnh: {INSTALL_CMD}"
    )


def convert_to_pdf(
    docx_paths: Sequence[Path],
    out_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PdfResult]:
    """Chuyển các tệp sang PDF theo lô; trả về một PdfResult cho mỗi đầu vào (cùng thứ tự).

    PDF nằm cạnh tệp nguồn (cùng tên gốc) hoặc trong ``out_dir``. Đầu vào được
    chia thành tối đa ``workers`` nhóm (mặc định os.cpu_count()), mỗi nhóm một
    tiến trình soffice chạy song song.
    """
    sources = [Path(p) for p in docx_paths]
    results = [PdfResult(source=s) for s in sources]
    todo: list[int] = []
    claimed: dict[Path, Path] = {}
    for i, src in enumerate(sources):
        target = _target(src, out_dir).resolve()
        reason = _invalid_reason(src)
        if reason is None and target in claimed:
            # Hai nguồn cùng một PDF đích (cùng out_dir): từ chối thay vì ghi đè lẫn nhau.
            reason = f"Trùng tệp PDF đích {target} với {claimed[target]}"
        if reason:
            results[i].error = reason
            continue
        claimed[target] = src
        todo.append(i)
    if not todo:
        return results

    soffice = find_soffice()
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    groups = [todo[k::n] for k in range(n)]
    timeout = _TIMEOUT_BASE + _TIMEOUT_PER_DOC * max(len(g) for g in groups)

    with tempfile.TemporaryDirectory(prefix="kehoach-pdf-") as tmp:
        started = time.time()
        jobs: list[_Job] = []
        try:
            for k, g in enumerate(groups):
                jobs.append(_start(soffice, Path(tmp, f"g{k}"), g, sources))
            deadline = time.monotonic() + timeout
            if progress is not None:
                _follow(jobs, len(todo), deadline, progress)
            for job in jobs:
                detail = _wait(job, deadline, timeout)
                for i, produced in job.outputs.items():
                    res = results[i]
                    if not _is_fresh_pdf(produced, started):
                        res.error = f"LibreOffice không chuyển được tệp {res.source}: {detail}"
                        continue
                    try:
                        res.pdf = _install(produced, _target(res.source, out_dir))
                    except (OSError, UserError) as exc:
                        # e.g. the .pdf path is a folder: this file fails, the others go on
                        from kehoach_docs.oserrors import os_error_message

                        res.error = os_error_message(exc, _target(res.source, out_dir)) \
                            if isinstance(exc, OSError) else str(exc)
                        continue
                    res.ok = True
                    res.fallback_fonts = check_fonts(res.pdf)
        finally:
            # Khi có ngoại lệ giữa chừng, không để soffice chạy tiếp trong thư mục tạm đã xoá.
            for job in jobs:
                _kill(job)
    return results


def fonts_used(pdf_path: Path) -> dict[str, int]:
    """Số ký tự (glyph) theo tên phông trong PDF, đã bỏ tiền tố tập con "ABCDEF+"."""
    import pdfplumber  # nhập muộn: chỉ cần khi kiểm tra phông

    counts: Counter[str] = Counter()
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            counts.update(re.sub(r"^[A-Z]{6}\+", "", c["fontname"]) for c in page.chars)
            page.close()  # giải phóng bộ nhớ đệm của trang với PDF dài
    return dict(counts)


_BASE_FONT = re.compile(rb"/BaseFont\s*/([^\s/<>\[\]()]+)")


def fonts_embedded(pdf_path: Path) -> set[str]:
    """Names of the fonts the PDF's font dictionaries declare (subset prefix stripped).

    LibreOffice embeds only the fonts it draws with, in uncompressed dictionaries, so this
    is exact and fast (no page parsing, no pdfplumber at run time). A PDF whose dictionaries
    sit in compressed object streams is read glyph by glyph instead."""
    data = Path(pdf_path).read_bytes()
    names = {re.sub(r"^[A-Z]{6}\+", "", m.decode("latin-1")) for m in _BASE_FONT.findall(data)}
    if not names and b"/ObjStm" in data:
        names = set(fonts_used(pdf_path))
    return names


def check_fonts(pdf_path: Path, allowed: Iterable[str] = ALLOWED_FONTS) -> list[str]:
    """Các phông dự phòng (không thuộc họ ``allowed``), theo thứ tự tên.

    So khớp theo tiền tố để "LiberationSerif-Bold", "TimesNewRomanPS-BoldMT"… được chấp nhận.
    """
    allowed = tuple(allowed)
    return sorted(f for f in fonts_embedded(pdf_path) if not f.startswith(allowed))


def fallback_advice(fonts: Sequence[str]) -> str:
    """Lời khuyên tiếng Việt khi PDF dùng phông dự phòng."""
    return (
        f"Chữ trong PDF đã bị thay bằng phông dự phòng ({', '.join(fonts)}) do máy thiếu "
        "phông Times New Roman/Liberation Serif có đủ dấu tiếng Việt. "
        f"Hãy cài fonts-liberation2: {FONT_INSTALL_CMD}"
    )


def _target(src: Path, out_dir: Path | None) -> Path:
    return (out_dir if out_dir is not None else src.parent) / f"{src.stem}.pdf"


def _invalid_reason(src: Path) -> str | None:
    """Lý do từ chối trước khi gọi soffice, hoặc None.

    soffice vẫn "chuyển thành công" tệp 0 byte (ra một trang trắng) và tệp văn
    bản thuần đặt tên .docx (in ra văn bản đó), nên phải kiểm tra gói OOXML trước.
    """
    if not src.is_file():
        return f"Không tìm thấy tệp {src}"
    if src.suffix.lower() != ".docx":
        return None  # định dạng khác: để LibreOffice tự nhận dạng, kết quả vẫn được xác minh
    try:
        with zipfile.ZipFile(src) as z:
            is_package = "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        is_package = False
    if is_package:
        from kehoach_docs.errors import ProblemList
        from kehoach_docs.render.package_safety import package_problems, read_package

        try:  # what LibreOffice would fetch or run is refused before it opens the file
            problems = package_problems(read_package(src), src)
        except ProblemList as exc:
            problems = exc.problems
        return f"{src}: {problems[0].message}" if problems else None
    return f"Tệp {src} không phải tài liệu .docx hợp lệ (không phải gói ZIP Office Open XML)"


def _start(soffice: str, work: Path, indices: list[int], sources: list[Path]) -> _Job:
    indir, outdir = work / "in", work / "out"
    indir.mkdir(parents=True)
    outdir.mkdir()
    links, outputs = [], {}
    for i in indices:
        # Liên kết với tên duy nhất: hai tệp cùng tên gốc ở hai thư mục khác nhau
        # sẽ ghi đè nhau trong cùng một --outdir.
        link = indir / f"{i}_{sources[i].name}"
        link.symlink_to(sources[i].resolve())
        links.append(str(link))
        outputs[i] = outdir / f"{link.stem}.pdf"
    write_safe_profile(work / "profile")
    cmd = [
        soffice,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless", "--norestore", "--convert-to", PDF_FILTER, "--outdir", str(outdir),
        *links,
    ]
    # stderr ghi ra tệp, không dùng pipe, để tiến trình chưa được chờ không bị nghẽn.
    stderr = open(work / "stderr.txt", "w+b")
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        start_new_session=True,  # để kill được cả soffice.bin con khi quá thời gian
    )
    return _Job(proc, stderr, outputs)


def _kill(job: _Job) -> None:
    if job.proc.poll() is None:
        os.killpg(job.proc.pid, signal.SIGKILL)
        job.proc.wait()


def _follow(jobs: list[_Job], total: int, deadline: float, progress: Callable[[int, int], None]) -> None:
    """Report how many PDFs are written while the soffice processes run (for a progress bar)."""
    while time.monotonic() < deadline:
        running = [j for j in jobs if j.proc.poll() is None]
        progress(sum(1 for j in jobs for out in j.outputs.values() if out.exists()), total)
        if not running:
            return
        time.sleep(0.25)


def _wait(job: _Job, deadline: float, timeout: float) -> str:
    """Chờ tiến trình kết thúc; trả về dòng lỗi cuối để đưa vào thông báo."""
    try:
        job.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill(job)
        timed_out = True
    job.stderr.seek(0)
    lines = [ln.strip() for ln in job.stderr.read().decode(errors="replace").splitlines()]
    job.stderr.close()
    if timed_out:
        return f"quá thời gian {timeout:g} giây"
    errors = [ln for ln in lines if "error" in ln.lower()] or [ln for ln in lines if ln]
    return errors[-1] if errors else f"không có thông báo lỗi (mã thoát {job.proc.returncode})"


def _is_fresh_pdf(path: Path, started: float) -> bool:
    try:
        st = path.stat()
        with open(path, "rb") as f:
            head = f.read(5)
            f.seek(max(0, st.st_size - 1024))
            tail = f.read()
    except OSError:
        return False
    # %%EOF ở cuối loại trừ PDF bị cắt dở khi tiến trình bị kill giữa chừng.
    return (
        st.st_size > 0
        and head == b"%PDF-"
        and b"%%EOF" in tail
        and st.st_mtime >= started - 1.0  # dung sai: mtime hệ tệp có độ phân giải thô
    )


def _install(produced: Path, target: Path) -> Path:
    """Đưa PDF vào đích một cách nguyên tử, qua lớp tệp an toàn (safe_file): không đi theo
    liên kết, từ chối đích là thư mục hay tệp đặc biệt, giữ quyền của tệp cũ."""
    from kehoach_docs.safe_file import atomic_write

    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, produced.read_bytes())
    return target
