"""A workspace: the folder of one programme's documents, built together.

    data/de-an-04/
      ke-hoach-44.yaml        documents of the office (every top-level .yaml)
      khung-don-vi.yaml       the model of unit plans (not a document itself)
      don-vi/*.yaml           one profile per base organisation → its own plan

`build_workspace` renders only what changed (see manifest.py), on all cores, keeps any
output a clerk edited by hand, and reports every failure without stopping the others.
"""

from __future__ import annotations

import io
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from kehoach_docs.layout import BODIES_FILE, MODEL_FILE, REPORTS_DIR, RESULTS_DIR, UNITS_DIR
from kehoach_docs.load import load_yaml
from kehoach_docs.errors import Problem, ProblemList, UserError
from kehoach_docs.lock import output_lock
from kehoach_docs.manifest import Manifest, sha256_bytes, sha256_file
from kehoach_docs.oserrors import InternalProblem, document_failure
from kehoach_docs.publish import (  # noqa: F401 (statuses re-exported)
    FAILED, KEPT, NEW, REBUILT, REPLACED, UNCHANGED, checked_bytes, write_output,
)

DEFAULT_OUTPUT = Path("output")
SPECIAL_FILES = {MODEL_FILE, BODIES_FILE}



@dataclass
class Job:
    source: Path
    name: str
    """Output path relative to the output folder: "don-vi/so-noi-vu.docx"."""
    unit: str | None = None
    """For a unit's own report: the unit (its profile's stem)."""


@dataclass
class Outcome:
    job: Job
    status: str
    reason: str = ""
    problems: list[Problem] = field(default_factory=list)
    backup: Path | None = None


@dataclass
class BuildReport:
    out_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAILED]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    record_problems: list[Problem] = field(default_factory=list)
    """The build's own record (the manifest) could not be saved; the documents are fine."""

    def problems(self) -> list[Problem]:
        return [p for o in self.failed for p in o.problems] + self.record_problems

    @property
    def internal(self) -> list[Problem]:
        """Failures through a fault of kehoach-docs itself (exit 3, see oserrors.py)."""
        return [p for p in self.problems() if isinstance(p, InternalProblem)]

    def lines(self, verbose: bool = False) -> list[str]:
        out = []
        for o in self.outcomes:
            if o.status == UNCHANGED and not verbose:
                continue
            line = f"{o.status}: {self.out_dir / o.job.name}"
            if o.reason:
                line += f" ({o.reason})"
            out.append(line)
        out += self.warning_lines(verbose)
        out.append(self.summary())
        return out

    def warnings(self) -> list[tuple[Problem, list[str]]]:
        """Each warning of the documents made (this build or an earlier one: a build that
        re-renders nothing says them again) once, with the documents it concerns."""
        found: dict[tuple, tuple[Problem, list[str]]] = {}
        for o in self.outcomes:
            if o.status in (FAILED, KEPT):
                continue
            for p in o.problems:
                # The same words for many documents are one warning (the profile past its
                # confirmed date); the document is named in the list, not in the key.
                found.setdefault((p.level, p.field, p.message), (p, []))[1].append(o.job.name)
        return list(found.values())

    def warning_lines(self, verbose: bool = False) -> list[str]:
        out = []
        for p, docs in self.warnings():
            named = ": " + ", ".join(docs) if verbose or len(docs) <= 3 else ""
            out.append(f"{p.level} ({len(docs)} văn bản{named}): {p.message}")
        return out

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in (NEW, REBUILT, UNCHANGED, KEPT, REPLACED, FAILED)
                 if self.count(s)]
        return f"Xong {len(self.outcomes)} văn bản trong {self.seconds:.2f} giây: " + ", ".join(parts) + "."

    def as_dict(self) -> dict:
        return {
            "thu_muc_ket_qua": str(self.out_dir),
            "giay": round(self.seconds, 3),
            "van_ban": [{"nguon": str(o.job.source), "ket_qua": str(self.out_dir / o.job.name),
                         "trang_thai": o.status, "ly_do": o.reason,
                         "ban_sao_luu": str(o.backup) if o.backup else None,
                         "loi": [p.as_dict() for p in o.problems]} for o in self.outcomes],
            "canh_bao": [{**p.as_dict(), "van_ban": docs} for p, docs in self.warnings()],
            "tong_hop": {s: self.count(s) for s in (NEW, REBUILT, UNCHANGED, KEPT, REPLACED, FAILED)},
            "loi_ghi_nhan": [p.as_dict() for p in self.record_problems],
        }


def pdf_targets(report: BuildReport) -> list[Path]:
    """Outputs whose PDF is missing or older than the .docx (so a no-op build converts nothing)."""
    out = []
    for o in report.outcomes:
        if o.status in (FAILED, KEPT):
            continue
        docx = report.out_dir / o.job.name
        pdf = docx.with_suffix(".pdf")
        if docx.exists() and (not pdf.exists() or pdf.stat().st_mtime < docx.stat().st_mtime):
            out.append(docx)
    return out


def document_files(workspace: Path) -> list[Path]:
    """Document files of a workspace: top-level YAML (but the model) and unit profiles."""
    top = [p for p in workspace.glob("*.yaml") if p.name not in SPECIAL_FILES]
    units = list((workspace / UNITS_DIR).glob("*.yaml"))
    return sorted(p for p in top + units if not p.name.startswith((".", "_")))


def jobs_of(workspace: Path) -> list[Job]:
    jobs = [Job(p, str(p.relative_to(workspace).with_suffix(".docx"))) for p in document_files(workspace)]
    for report in sorted((workspace / REPORTS_DIR).glob("*.yaml")):
        jobs.append(Job(report, f"{REPORTS_DIR}/{report.stem}.docx"))
        for unit in _reporting_units(workspace, report):
            jobs.append(Job(report, f"{REPORTS_DIR}/{report.stem}/{UNITS_DIR}/{unit}.docx", unit))
    return jobs


def _reporting_units(workspace: Path, report: Path) -> list[str]:
    """Units that get their own report: those with results in the report's period.
    Read cheaply here; a malformed report is left to its own job to report."""
    try:
        data = load_yaml(report).data
        if not isinstance(data, dict) or not data.get("bao_cao_don_vi") or \
                data["bao_cao_don_vi"].get("tao") is False:
            return []
        years = range(int(data["tu_nam"]), int(data["den_nam"]) + 1)
    except (ProblemList, KeyError, TypeError, ValueError, AttributeError):
        return []
    units = {p.stem for p in (workspace / UNITS_DIR).glob("*.yaml")}
    found = {f.stem for y in years for f in (workspace / RESULTS_DIR / str(y)).glob("*.yaml")}
    from kehoach_docs.organisations import successors_own_reports
    return successors_own_reports(workspace, sorted(units), found, data.get("ngay"))


def default_output(workspace: Path) -> Path:
    return DEFAULT_OUTPUT / workspace.resolve().name


def _render_job(job: Job) -> tuple[bytes | None, list[str], list[Problem]]:
    """Worker: render one document and check it against its profile (in a child process)."""
    from kehoach_docs.document import prepare

    try:
        prepared = prepare(job.source, unit=job.unit)
        data = checked_bytes(prepared)
    except ProblemList as exc:
        return None, [], exc.problems
    except Exception as exc:  # this document fails, the others are made (oserrors.document_failure)
        return None, [], [document_failure(job.source, exc)]
    # Warnings (a profile used past its confirmed date) travel with a rendered document.
    return data, [str(p) for p in prepared.inputs()], list(prepared.warnings)


def name_collisions(jobs: list[Job]) -> dict[str, list[Job]]:
    """Jobs whose output names are the same after NFC normalisation and case folding: on a
    case-insensitive share (SMB, exFAT, macOS) one would overwrite the other."""
    import unicodedata

    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(unicodedata.normalize("NFC", job.name).casefold(), []).append(job)
    return {k: v for k, v in groups.items() if len(v) > 1}


TOOLKIT = Path(__file__).resolve().parent.parent


class _Hashes:
    """Hash each input file once per build. Inputs are named relative to the workspace
    ("@/don-vi/so-noi-vu.yaml") or the toolkit ("kehoach:templates/…"), so a workspace
    that is moved or cloned elsewhere is not rebuilt for nothing."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace.resolve()
        self.cache: dict[str, str | None] = {}

    def key(self, path: str) -> str:
        p = Path(path).resolve()
        for prefix, root in (("@/", self.workspace), ("kehoach:", TOOLKIT)):
            if p.is_relative_to(root):
                return prefix + p.relative_to(root).as_posix()
        return str(p)

    def path(self, key: str) -> Path:
        if key.startswith("@/"):
            return self.workspace / key[2:]
        if key.startswith("kehoach:"):
            return TOOLKIT / key[len("kehoach:"):]
        return Path(key)

    def __call__(self, key: str) -> str | None:
        if key not in self.cache:
            self.cache[key] = sha256_file(self.path(key))
        return self.cache[key]


def build_workspace(workspace: str | Path, out_dir: str | Path | None = None, *,
                    force: bool = False, workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build every document of `workspace` into `out_dir` (default output/<workspace>/)."""
    start = time.perf_counter()
    workspace = Path(workspace)
    out = Path(out_dir) if out_dir else default_output(workspace)
    jobs = jobs_of(workspace)
    if not jobs:
        raise ProblemList([Problem(workspace, 0, 0, "", "Thư mục không có văn bản nào để tạo (tệp .yaml ở "
                                   f"thư mục gốc, trong {UNITS_DIR}/ hay {REPORTS_DIR}/). Có đúng thư mục "
                                   "dữ liệu không?")])
    report = BuildReport(out)
    with output_lock(out, [out / j.name for j in jobs]):
        manifest = Manifest(out)
        hashes = _Hashes(workspace)
        todo: list[tuple[Job, str]] = []
        clashing = {id(j): others for others in name_collisions(jobs).values() for j in others}
        for job in jobs:
            if id(job) in clashing:
                names = " và ".join(f"'{j.source.name}'" for j in clashing[id(job)])
                _done(report, Outcome(job, FAILED, problems=[Problem(
                    job.source, 0, 0, "", f"Hai tệp {names} cho cùng một tên văn bản khi không phân biệt "
                    "chữ hoa/thường hay cách gõ dấu (trên ổ chia sẻ, tệp này sẽ ghi đè tệp kia). "
                    "Hãy đổi tên một tệp.")]), progress, len(jobs))
                continue
            entry = manifest.entries.get(job.name)
            try:
                target_sha = sha256_file(out / job.name, out)
            except (UserError, OSError) as exc:
                _done(report, Outcome(job, FAILED, problems=[_write_problem(out / job.name, exc)]),
                      progress, len(jobs))
                continue
            if entry and not force:
                current = {k: hashes(k) or "" for k in entry.inputs if k != "kehoach-docs"}
                if manifest.up_to_date(job.name, current, target_sha):
                    _done(report, Outcome(job, UNCHANGED, problems=[_warning_of(w) for w in entry.warnings]),
                          progress, len(jobs))
                    continue
            reason = "chưa có" if target_sha is None else ("buộc tạo lại" if force else "dữ liệu đổi")
            todo.append((job, reason))

        skipped = len(jobs) - len(todo)
        tick = (lambda n: progress(skipped + n, len(jobs))) if progress else None
        results = _render_all([j for j, _ in todo], workers, tick)
        pending, warned = [], {}
        for (job, reason), (data, inputs, problems) in zip(todo, results):
            if data is None:
                _done(report, Outcome(job, FAILED, problems=problems), progress, len(jobs))
                continue
            pending.append((job, reason, data, {(k := hashes.key(i)): hashes(k) or "" for i in inputs}))
            warned[job.name] = problems

        before = {job.name: dict(e.inputs) for job, *_ in pending if (e := manifest.entries.get(job.name))}
        # Record the new bytes as ours before writing them (see manifest.py).
        for job, _, data, _ in pending:
            manifest.add_pending(job.name, sha256_bytes(data))
        if pending and (unsaved := _save_record(manifest)):
            # Without the new hashes on record, a written file would look like a hand edit
            # next time: nothing is written, each document says why (a full disk, most often).
            for job, *_ in pending:
                _done(report, Outcome(job, FAILED, problems=[_unrecorded(out / job.name, unsaved)]),
                      progress, len(jobs))
            pending = []
        for job, reason, data, inputs in pending:
            try:
                written = write_output(out, job.name, data, inputs, manifest, force)
            except (UserError, OSError, ProblemList) as exc:
                _done(report, Outcome(job, FAILED, problems=[_write_problem(out / job.name, exc)]),
                      progress, len(jobs))
                continue
            status, backup = written.status, written.backup
            if status == KEPT:
                _done(report, Outcome(job, KEPT, _kept_reason(before.get(job.name), manifest.fingerprint(inputs))),
                      progress, len(jobs))
                continue
            # Said again by the builds that leave this output as it is.
            manifest.entries[job.name].warnings = [p.as_dict() for p in warned.get(job.name, [])]
            _done(report, Outcome(job, status, reason if status != REPLACED else
                                  f"bản sửa tay lưu ở {backup.name}", warned.get(job.name, []), backup=backup),
                  progress, len(jobs))
        for name in list(manifest.entries):
            if name not in {j.name for j in jobs} and not (out / name).exists():
                manifest.forget(name)
        if (unsaved := _save_record(manifest)) and \
                any(o.status in (NEW, REBUILT, REPLACED) for o in report.outcomes):
            report.record_problems.append(Problem(manifest.path, 0, 0, "", f"{unsaved} Các văn bản đã ghi vẫn "
                                                  "nguyên vẹn; lần build sau sẽ ghi nhận lại chúng."))
    order = {j.name: i for i, j in enumerate(jobs)}
    report.outcomes.sort(key=lambda o: order[o.job.name])
    report.seconds = time.perf_counter() - start
    return report


def _warning_of(d: dict) -> Problem:
    """A warning recorded in the manifest (manifest._warnings_ok checked its shape)."""
    return Problem(d["tep"], d["dong"], d["cot"], d["truong"], d["thong_bao"], d["muc_do"])


def _kept_reason(previous: dict[str, str] | None, now: dict[str, str]) -> str:
    """Why a hand-edited output was kept, saying whether its data has changed since."""
    if previous is not None and previous == now:
        return "tệp đã được sửa sau khi tạo; dùng --force để thay"
    return ("dữ liệu đã đổi nhưng chưa áp dụng vì có bản sửa tay; dùng --force để tạo lại "
            "(bản sửa tay được lưu bên cạnh)")


def _done(report: BuildReport, outcome: Outcome, progress, total: int) -> None:
    report.outcomes.append(outcome)


def _save_record(manifest: Manifest) -> str | None:
    """Save the manifest (atomically: the old one stays whole); the reason in words if it
    cannot be saved."""
    from kehoach_docs.oserrors import os_error_message

    try:
        manifest.save()
    except OSError as exc:
        return os_error_message(exc, manifest.path)
    except UserError as exc:
        return str(exc)
    return None


def _unrecorded(target: Path, why: str) -> Problem:
    return Problem(target, 0, 0, "", f"Không ghi được văn bản này vì chưa lưu được tệp ghi nhận của thư "
                                     f"mục kết quả — {why} Văn bản cũ (nếu có) vẫn nguyên.")


def _write_problem(target: Path, exc: BaseException) -> Problem:
    """A document that could not be written, in words (the others are still written)."""
    from kehoach_docs.oserrors import os_error_message

    if isinstance(exc, ProblemList):
        return exc.problems[0]
    if isinstance(exc, OSError):
        return Problem(target, 0, 0, "", os_error_message(exc, target))
    return Problem(target, 0, 0, "", str(exc))


def _render_all(sources: list[Job], workers: int | None, tick=None) -> list:
    """Render on all cores; results in the order of `sources`."""
    workers = workers or os.cpu_count() or 1
    results: list = []
    if workers == 1 or len(sources) < 8:
        for n, s in enumerate(sources, 1):
            results.append(_render_job(s))
            if tick:
                tick(n)
        return results
    # Warm the caches (templates, model, parent plan, a report's results) before forking:
    # children inherit them.
    results: list = [None] * len(sources)
    first_of: dict[tuple, int] = {}
    for i, job in enumerate(sources):
        # One plan per folder warms its model and parent; one job per report file warms its
        # results (the office's report, and one unit's).
        kind = job.source if job.source.parent.name == REPORTS_DIR else job.source.parent
        first_of.setdefault((kind, job.unit is None), i)
    for i in sorted(first_of.values()):
        results[i] = _render_job(sources[i])
    rest = [i for i in range(len(sources)) if results[i] is None]
    broken: list[int] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(_render_job, sources[i]): i for i in rest}
        for n, fut in enumerate(as_completed(futures), len(sources) - len(rest) + 1):
            try:
                results[futures[fut]] = fut.result()
            except BrokenProcessPool:
                broken.append(futures[fut])
            if tick:
                tick(n)
    # A worker was killed (by the machine, most often for memory): every job still running is
    # lost with it. Each is made again alone, so only the one that kills its worker fails.
    for i in sorted(broken):
        results[i] = _render_alone(sources[i])
    return results


def _render_alone(job: Job) -> tuple[bytes | None, list[str], list[Problem]]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
        try:
            return pool.submit(_render_job, job).result()
        except BrokenProcessPool:
            return None, [], [Problem(job.source, 0, 0, "", "Tiến trình tạo văn bản này bị dừng đột ngột "
                                      "(thường do máy hết bộ nhớ: hệ điều hành dừng tiến trình lớn nhất); các "
                                      "văn bản khác vẫn được tạo. Hãy đóng bớt chương trình khác hoặc chạy với "
                                      "-j 1 rồi chạy lại.")]
