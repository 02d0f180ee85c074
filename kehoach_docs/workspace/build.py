"""Build a workspace: every document of one programme's folder, rendered together.

`build_workspace` renders only what changed (see manifest.py), on all cores, keeps any
output a clerk edited by hand, and reports every failure without stopping the others.
What a workspace holds and where is workspace.py (Workspace); which documents it gives is
kinds.py.

Never stale: each output's manifest entry records everything its document read, through
the Workspace: the files (a file that did not exist is recorded too, so its appearing
counts), the folders whose set of files it depends on (don-vi/, ket-qua/<năm>/,
the-thuc/…), and $KEHOACH_TEMPLATES. An incremental build therefore equals a clean
build. An output whose source is gone is removed (moved aside when a clerk edited it).
A document whose data is invalid is not written: its old version stays, marked stale.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from kehoach_docs.format.vn import nfc
from kehoach_docs.errors import Problem, ProblemList, UserError
from kehoach_docs.documents.kinds import Job, jobs
from kehoach_docs.workspace.workspace import REPORTS_DIR, UNITS_DIR, Workspace, absolute, listed, subfolders
from kehoach_docs.workspace.lock import output_lock
from kehoach_docs.oserrors import InternalProblem, document_failure
from kehoach_docs.workspace.manifest import Manifest, sha256_bytes, sha256_file, sha256_input
from kehoach_docs.safe_file import remove_regular
from kehoach_docs.safe_file import sync_folders
from kehoach_docs.workspace.publish import (  # noqa: F401 (statuses re-exported)
    FAILED, KEPT, MOVED, NEW, REBUILT, REMOVED, REPLACED, STATUSES, UNCHANGED, backup_edit, checked_bytes,
    write_output,
)

DEFAULT_OUTPUT = Path("output")

STALE = "bản cũ giữ nguyên nhưng đã cũ, chưa cập nhật được vì dữ liệu có lỗi"
GONE = "không còn tệp nguồn"


@dataclass
class Outcome:
    job: Job
    status: str
    reason: str = ""
    problems: list[Problem] = field(default_factory=list)
    backup: Path | None = None


@dataclass
class BuildSummary:
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
        """Every problem once (one bad file can stop many documents)."""
        return list(dict.fromkeys([*(p for o in self.failed for p in o.problems), *self.record_problems]))

    @property
    def internal(self) -> list[Problem]:
        """Failures through a fault of kehoach-docs itself (exit 3, see oserrors.py)."""
        return [p for p in self.problems() if isinstance(p, InternalProblem)]

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

    def totals(self) -> str:
        """The last line: how many documents, of each status, in how long."""
        parts = [f"{self.count(s)} {s}" for s in STATUSES if self.count(s)]
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
            "tong_hop": {s: self.count(s) for s in STATUSES},
            "loi_ghi_nhan": [p.as_dict() for p in self.record_problems],
        }


def pdf_targets(summary: BuildSummary) -> list[Path]:
    """Outputs whose PDF must be made: every .docx this build wrote (whatever the clock says:
    two writes within a coarse file time look the same age), and an unchanged one whose PDF is
    missing or older (a conversion that failed last time). A no-op build converts nothing."""
    out = []
    for o in summary.outcomes:
        if o.status in (FAILED, KEPT, REMOVED, MOVED):
            continue
        docx = summary.out_dir / o.job.name
        pdf = docx.with_suffix(".pdf")
        if docx.exists() and (o.status in (NEW, REBUILT, REPLACED) or not pdf.exists()
                              or pdf.stat().st_mtime < docx.stat().st_mtime):
            out.append(docx)
    return out


def jobs_of(workspace: str | Path | Workspace) -> list[Job]:
    """Every output of a workspace's build, in order."""
    return jobs(workspace if isinstance(workspace, Workspace) else Workspace(workspace))



def default_output(workspace: Path) -> Path:
    return DEFAULT_OUTPUT / workspace.resolve().name


_WS: Workspace | None = None
"""The workspace of the build running in this process (set before workers fork; each
worker inherits its memo of loaded data)."""
_NAMES: _Inputs | None = None
"""Names the records of what a document read as manifest keys (in the worker: the parent
receives a few short strings, not paths to rebuild)."""


def _use(ws: Workspace | None, names: _Inputs | None = None) -> None:
    global _WS, _NAMES
    _WS, _NAMES = ws, names


def _render_job(job: Job) -> tuple[bytes | None, list[str], list[Problem]]:
    """Worker: render one document and check it against its profile; the manifest keys of
    what it read."""
    from kehoach_docs.documents.pipeline import prepare

    ws = _WS
    with ws.recording() as deps:
        try:
            prepared = prepare(job.source, unit=job.unit, ws=ws)
            data = checked_bytes(prepared, ws)
        except ProblemList as exc:
            return None, [], exc.problems
        except Exception as exc:  # this document fails, the others are made (oserrors.document_failure)
            return None, [], [document_failure(job.source, exc)]
    # Warnings (a profile used past its confirmed date) travel with a rendered document.
    return data, sorted({_NAMES.key(d) for d in deps}), list(prepared.warnings)


def name_collisions(jobs: list[Job]) -> dict[str, list[Job]]:
    """Jobs whose output names are the same after NFC normalisation and case folding: on a
    case-insensitive share (SMB, exFAT, macOS) one would overwrite the other."""
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(nfc(job.name).casefold(), []).append(job)
    return {k: v for k, v in groups.items() if len(v) > 1}




TOOLKIT = absolute(__file__).parent.parent


class _Inputs:
    """What documents read, as manifest keys, each valued once per build. Files are named
    relative to the workspace ("@/don-vi/so-noi-vu.yaml") or the toolkit ("kehoach:…"), so
    a workspace that is moved or cloned elsewhere is not rebuilt for nothing.

        @/don-vi/x.yaml           a file: its sha256, "" when absent
        ls:@/ket-qua/2023/*.yaml  the names of a folder's files
        dirs:@/ket-qua            the names of its subfolders
        dir:@/don-vi/*.yaml       their names and contents
        env:KEHOACH_TEMPLATES     an environment variable
    """

    def __init__(self, workspace: Path) -> None:
        self.workspace = absolute(workspace)
        self.cache: dict[str, str] = {}
        self.keys: dict = {}
        # (prefix, root, root with its separator): names are made with string operations
        # (each document names a file of its own; pathlib's cost several times more).
        self._roots = [(prefix, str(root), str(root).rstrip("/") + "/")
                       for prefix, root in (("@/", self.workspace), ("kehoach:", TOOLKIT))]

    def name(self, p: Path) -> str:
        """The file's name in the manifest: below the workspace "@/…", below the toolkit
        "kehoach:…", else its absolute path (POSIX paths: see test_build_speed)."""
        s = os.path.abspath(p)
        for prefix, root, below in self._roots:
            if s == root:
                return prefix + "."
            if s.startswith(below):
                return prefix + s[len(below):]
        return s

    def path(self, name: str) -> Path:
        if name.startswith("@/"):
            return self.workspace / name[2:]
        if name.startswith("kehoach:"):
            return TOOLKIT / name[len("kehoach:"):]
        return Path(name)

    def key(self, dep) -> str:
        # A thousand documents name the same few inputs (the plan, the khung, the
        # template…): each record is turned into its name once.
        found = self.keys.get(dep)
        if found is None:
            found = self.keys[dep] = self._key(dep)
        return found

    def _key(self, dep) -> str:
        if isinstance(dep, (str, Path)):
            return self.name(Path(dep))
        kind = dep[0]
        if kind == "file":
            return self.name(dep[1])
        if kind in ("ls", "dir"):
            return f"{kind}:{self.name(dep[1])}/{dep[2]}"
        if kind == "dirs":
            return f"dirs:{self.name(dep[1])}"
        return f"{kind}:{dep[1]}"

    def __call__(self, key: str) -> str:
        if key not in self.cache:
            self.cache[key] = self._value(key)
        return self.cache[key]

    def _value(self, key: str) -> str:
        kind, _, rest = key.partition(":")
        if kind in ("ls", "dir"):
            folder, _, pattern = rest.rpartition("/")
            return self._folder(self.path(folder), pattern, kind == "dir")
        if kind == "dirs":
            return self._folder(self.path(rest), "", False)
        if kind == "env":
            return os.environ.get(rest, "")
        return sha256_input(self.path(key)) or ""

    def _folder(self, folder: Path, pattern: str, contents: bool) -> str:
        # The workspace's own rule of what a folder holds (a FIFO or a broken link counts).
        names = subfolders(folder) if not pattern else [p.name for p in listed(folder, pattern)]
        if not names:
            return ""
        h = hashlib.sha256()
        for n in names:
            h.update(n.encode("utf-8") + b"\0")
            if contents:
                h.update((self(self.name(folder / n)) or "-").encode("ascii") + b"\n")
        return h.hexdigest()


def build_workspace(workspace: str | Path, out_dir: str | Path | None = None, *,
                    force: bool = False, workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> BuildSummary:
    """Build every document of `workspace` into `out_dir` (default output/<workspace>/)."""
    start = time.perf_counter()
    workspace = Path(workspace)
    ws = Workspace(workspace)
    out = Path(out_dir) if out_dir else default_output(workspace)
    jobs = jobs_of(ws)
    if not jobs:
        raise ProblemList.one(workspace, 0, 0, "", "Thư mục không có văn bản nào để tạo (tệp .yaml ở "
                              f"thư mục gốc, trong {UNITS_DIR}/ hay {REPORTS_DIR}/). Có đúng thư mục "
                              "dữ liệu không?")
    summary = BuildSummary(out)
    with output_lock(out, [out / j.name for j in jobs]):
        manifest = Manifest(out)
        inputs = _Inputs(workspace)
        todo: list[tuple[Job, str]] = []
        clashing = {id(j): others for others in name_collisions(jobs).values() for j in others}
        for job in jobs:
            if id(job) in clashing:
                names = " và ".join(f"'{j.source.name}'" for j in clashing[id(job)])
                _done(summary, Outcome(job, FAILED, problems=[Problem(
                    job.source, 0, 0, "", f"Hai tệp {names} cho cùng một tên văn bản khi không phân biệt "
                    "chữ hoa/thường hay cách gõ dấu (trên ổ chia sẻ, tệp này sẽ ghi đè tệp kia). "
                    "Hãy đổi tên một tệp.")]), progress, len(jobs))
                continue
            entry = manifest.entries.get(job.name)
            try:
                target_sha = sha256_file(out / job.name, out)
            except (UserError, OSError) as exc:
                _done(summary, Outcome(job, FAILED, problems=[_write_problem(out / job.name, exc)]),
                      progress, len(jobs))
                continue
            if entry and not force:
                current = {k: inputs(k) for k in entry.inputs if k != "kehoach-docs"}
                if manifest.up_to_date(job.name, current, target_sha):
                    kept = [_warning_of(w, inputs, workspace) for w in entry.warnings]
                    _done(summary, Outcome(job, UNCHANGED, problems=kept),
                          progress, len(jobs))
                    continue
            reason = "chưa có" if target_sha is None else ("buộc tạo lại" if force else "dữ liệu đổi")
            todo.append((job, reason))

        skipped = len(jobs) - len(todo)
        tick = (lambda n: progress(skipped + n, len(jobs))) if progress else None
        results = _render_all(ws, inputs, [j for j, _ in todo], workers, tick)
        pending, warned = [], {}
        for (job, reason), (data, deps, problems) in zip(todo, results):
            if data is None:
                # Invalid data never reaches a document: the old version stays, said stale.
                stale = STALE if (out / job.name).exists() else ""
                _done(summary, Outcome(job, FAILED, stale, problems=problems), progress, len(jobs))
                continue
            pending.append((job, reason, data, {k: inputs(k) for k in deps}))
            warned[job.name] = problems

        before = {job.name: dict(e.inputs) for job, *_ in pending if (e := manifest.entries.get(job.name))}
        # Record the new bytes as ours before writing them (see manifest.py).
        shas = {job.name: sha256_bytes(data) for job, _, data, _ in pending}
        for job, *_ in pending:
            manifest.add_pending(job.name, shas[job.name])
        if pending and (unsaved := _save_record(manifest)):
            # Without the new hashes on record, a written file would look like a hand edit
            # next time: nothing is written, each document says why (a full disk, most often).
            for job, *_ in pending:
                _done(summary, Outcome(job, FAILED, problems=[_unrecorded(out / job.name, unsaved)]),
                      progress, len(jobs))
            pending = []
        written_all = _write_all(out, [(job.name, data, shas[job.name], recorded)
                                       for job, _, data, recorded in pending],
                                 manifest, force)
        for (job, reason, data, recorded), written in zip(pending, written_all):
            if isinstance(written, Exception):
                _done(summary, Outcome(job, FAILED, problems=[_write_problem(out / job.name, written)]),
                      progress, len(jobs))
                continue
            status, backup = written.status, written.backup
            if status == KEPT:
                _done(summary, Outcome(job, KEPT, _kept_reason(before.get(job.name), manifest.fingerprint(recorded))),
                      progress, len(jobs))
                continue
            # Said again by the builds that leave this output as it is.
            manifest.entries[job.name].warnings = [_recorded(p, inputs) for p in warned.get(job.name, [])]
            _done(summary, Outcome(job, status, reason if status != REPLACED else
                                  f"bản sửa tay lưu ở {backup.name}", warned.get(job.name, []), backup=backup),
                  progress, len(jobs))
        # A report that could not be read does not say which units have their own report:
        # theirs stay, stale, rather than being taken for outputs whose source is gone.
        unreadable = {o.job.name.removesuffix(".docx") + "/": o.problems for o in summary.outcomes
                      if o.status == FAILED and o.job.unit is None and o.job.name.startswith(f"{REPORTS_DIR}/")}
        summary.outcomes += _remove_orphans(out, manifest, {j.name for j in jobs}, unreadable)
        if (unsaved := _save_record(manifest)) and \
                any(o.status in (NEW, REBUILT, REPLACED) for o in summary.outcomes):
            summary.record_problems.append(Problem(manifest.path, 0, 0, "", f"{unsaved} Các văn bản đã ghi vẫn "
                                                  "nguyên vẹn; lần build sau sẽ ghi nhận lại chúng."))
    order = {j.name: i for i, j in enumerate(jobs)}
    summary.outcomes.sort(key=lambda o: order.get(o.job.name, len(order)))
    summary.seconds = time.perf_counter() - start
    return summary


WRITERS = 8
"""Outputs written at the same time. A write waits on the disk (its fsync), not on the
processor, and the file system commits concurrent ones together: on a busy disk, 1,000
outputs are written several times faster than one after the other."""


def _write_all(out: Path, items: list[tuple[str, bytes, str, dict[str, str]]], manifest: Manifest,
               force: bool) -> list:
    """write_output for each (name, data, its sha256, inputs), WRITERS at a time: each result
    in order, a Written or the exception that stopped that one document. Each touches only
    its own name, in the manifest too (its entry already exists: see add_pending). Each
    folder is synced once at the end (the renames made durable before the manifest records
    the new inputs: a crash before leaves files the manifest knows, as a crash mid-write does)."""
    def one(item):
        name, data, sha, inputs = item
        try:
            return write_output(out, name, data, inputs, manifest, force, sha, sync_folder=False)
        except (UserError, OSError, ProblemList) as exc:
            return exc

    if len(items) < 2:
        results = [one(item) for item in items]
    else:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            results = list(pool.map(one, items))
    sync_folders(out, [out / name for (name, *_), r in zip(items, results) if not isinstance(r, Exception)])
    return results


def _remove_orphans(out: Path, manifest: Manifest, current: set[str],
                    unreadable: dict[str, list[Problem]] | None = None) -> list[Outcome]:
    """Outputs whose source is gone (a unit removed or renamed, a report with no results
    left for a unit…): ours are removed, with their PDF; a clerk's edited one is moved
    aside, never deleted. Each is listed in the summary. Outputs below a report that could
    not be read are kept, said stale (`unreadable`: folder prefix → the report's problems)."""
    outcomes = []
    for name in sorted(set(manifest.entries) - current):
        held = next((problems for prefix, problems in (unreadable or {}).items() if name.startswith(prefix)), None)
        if held is not None:
            if (out / name).exists():
                outcomes.append(Outcome(Job(Path(name), name), FAILED, STALE, problems=held))
            continue
        target = out / name
        try:
            sha = sha256_file(target, out)
        except (UserError, OSError):
            continue  # not a regular file (a link, a folder…): never touched
        if sha is None:
            manifest.forget(name)
            continue
        job = Job(Path(name), name)
        # Deleted through descriptors from `out` (remove_regular): a folder swapped for a
        # link since the hash above cannot redirect the deletion outside the output.
        try:
            if manifest.written_by_us(name, sha):
                remove_regular(target, out)
                try:
                    remove_regular(target.with_suffix(".pdf"), out)
                except UserError:
                    pass  # not a regular file: never touched
                outcomes.append(Outcome(job, REMOVED, GONE))
            else:
                aside = backup_edit(target, out)
                remove_regular(target, out)
                outcomes.append(Outcome(job, MOVED, f"{GONE}; bản sửa tay chuyển sang {aside}", backup=aside))
        except (UserError, OSError):
            continue  # changed under us: left as it is, its manifest entry kept
        manifest.forget(name)
        _prune(target.parent, out)
    return outcomes


def _prune(folder: Path, out: Path) -> None:
    """Remove folders left empty below `out` (a clean build would not have them)."""
    out = out.resolve()
    folder = folder.resolve()
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _recorded(p: Problem, inputs: _Inputs) -> dict:
    """A warning as the manifest keeps it: its file named like the inputs ("@/to-chuc.yaml"),
    the same whether the workspace was given as an absolute or a relative path."""
    d = p.as_dict()
    if p.file not in ("", None):
        d["tep"] = inputs.name(Path(p.file))
    return d


def _warning_of(d: dict, inputs: _Inputs, workspace: Path) -> Problem:
    """A warning recorded in the manifest (manifest._warnings_ok checked its shape), its file
    shown under the workspace as the user named it."""
    tep = d["tep"]
    if tep.startswith("@/"):
        tep = Path(workspace) / tep[2:]
    elif tep.startswith("kehoach:"):
        tep = inputs.path(tep)
    return Problem(tep, d["dong"], d["cot"], d["truong"], d["thong_bao"], d["muc_do"])


def _kept_reason(previous: dict[str, str] | None, now: dict[str, str]) -> str:
    """Why a hand-edited output was kept, saying whether its data has changed since."""
    if previous is not None and previous == now:
        return "tệp đã được sửa sau khi tạo; dùng --force để thay"
    return ("dữ liệu đã đổi nhưng chưa áp dụng vì có bản sửa tay; dùng --force để tạo lại "
            "(bản sửa tay được lưu bên cạnh)")


def _done(summary: BuildSummary, outcome: Outcome, progress, total: int) -> None:
    summary.outcomes.append(outcome)


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
    # A refused folder is the problem of every document below it: named once, by the folder.
    return Problem(getattr(exc, "path", None) or target, 0, 0, "", str(exc))


def _render_all(ws: Workspace, names: _Inputs, sources: list[Job], workers: int | None, tick=None) -> list:
    """Render on all cores; results in the order of `sources`."""
    workers = workers or os.cpu_count() or 1
    _use(ws, names)
    try:
        return _render_in(ws, names, sources, workers, tick)
    finally:
        _use(None)


def _render_in(ws: Workspace, names: _Inputs, sources: list[Job], workers: int, tick) -> list:
    results: list = []
    if workers == 1 or len(sources) < 8:
        for n, s in enumerate(sources, 1):
            results.append(_render_job(s))
            if tick:
                tick(n)
        return results
    # Load once, then fork: the first job of each group fills the workspace's memo (the
    # plan, the khung and its parent, a report's units, results and aggregate, the
    # compiled template), which every worker inherits.
    results = [None] * len(sources)
    first_of: dict[tuple, int] = {}
    for i, job in enumerate(sources):
        place = ws.where(job.source)
        group = job.source if place == "reports" else job.source.parent
        first_of.setdefault((place, group, job.unit is None), i)
    for i in sorted(first_of.values()):
        results[i] = _render_job(sources[i])
    rest = [i for i in range(len(sources)) if results[i] is None]
    # What is loaded now lives as long as the workers: frozen, the collector never scans it
    # in them (nor copies its pages, which a scan would touch).
    gc.collect()
    gc.freeze()
    batches = _batches(rest, workers)
    broken: list[int] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                                 initializer=_use, initargs=(ws, names)) as pool:
            futures = {pool.submit(_render_batch, [sources[i] for i in b]): b for b in batches}
            n = len(sources) - len(rest)
            for fut in as_completed(futures):
                batch = futures[fut]
                try:
                    for i, result in zip(batch, fut.result()):
                        results[i] = result
                except BrokenProcessPool:
                    broken += batch
                n += len(batch)
                if tick:
                    tick(n)
    finally:
        gc.unfreeze()
    # A worker was killed (by the machine, most often for memory): every job still running or
    # waiting is lost with it. Each is made again alone, so only the one that kills its worker
    # fails.
    for i in sorted(broken):
        results[i] = _render_alone(ws, names, sources[i])
    return results


BATCH = 16
"""Documents sent to a worker in one message, at most."""


def _batches(jobs: list[int], workers: int) -> list[list[int]]:
    """A few documents per message: the parent's share of each job (pickling it, waking up
    for its result) is paid once per batch. Small enough that every worker gets several."""
    size = max(1, min(BATCH, len(jobs) // (workers * 8)))
    return [jobs[k:k + size] for k in range(0, len(jobs), size)]


def _render_batch(jobs: list[Job]) -> list:
    return [_render_job(job) for job in jobs]


def _render_alone(ws: Workspace, names: _Inputs, job: Job) -> tuple[bytes | None, list[str], list[Problem]]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork"), initializer=_use,
                             initargs=(ws, names)) as pool:
        try:
            return pool.submit(_render_job, job).result()
        except BrokenProcessPool:
            return None, [], [Problem(job.source, 0, 0, "", "Tiến trình tạo văn bản này bị dừng đột ngột "
                                      "(thường do máy hết bộ nhớ: hệ điều hành dừng tiến trình lớn nhất); các "
                                      "văn bản khác vẫn được tạo. Hãy đóng bớt chương trình khác hoặc chạy với "
                                      "-j 1 rồi chạy lại.")]
