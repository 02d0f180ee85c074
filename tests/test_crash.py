"""Crash safety and concurrency of `kehoach build`, with real processes.

A build of a copy of Đề án 04 (the plan and its 64 unit plans) is started again and again and
killed with SIGKILL at random moments; every .docx left in the output must be whole, and a
normal build afterwards must repair everything, leave no temporary file, and agree with the
manifest (a further build renders nothing). Two builds started together on one output: one
works, the other stops at once with the lock message naming the first.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from helpers import CONCURRENT_BUILDS, ROOT, copy_plans
from helpers import CRASH_KILL_RUNS as KILL_RUNS  # counted in docs/reliability.md

KHUNG_LINE = "định kỳ sơ kết, tổng kết"


def _workspace(tmp_path: Path) -> Path:
    return copy_plans(tmp_path)


def _build(ws: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kehoach_docs", "build", str(ws), "--out", str(out), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _session(sid: int) -> list[int]:
    """Processes of session `sid` (the build started a new session: its workers are in it)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _kill(proc: subprocess.Popen, whole_group: bool) -> None:
    """SIGKILL the build: with its render workers (as a power cut), or alone (as `kill -9 PID`:
    the orphaned workers must then go away by themselves, and must not keep the lock)."""
    try:
        if whole_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 20
    while _session(proc.pid):
        assert time.monotonic() < deadline, f"workers of a killed build still run: {_session(proc.pid)}"
        time.sleep(0.05)


def assert_whole(path: Path) -> None:
    """A .docx that every reader opens: a zip with every member intact, python-docx, strict XML."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None, path
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))  # strict: no recover
        assert "word/document.xml" in zf.namelist()
    assert docx.Document(io.BytesIO(data)).paragraphs, path


def _temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(f.relative_to(out)): f.read_bytes() for f in out.rglob("*.docx")}


def test_builds_killed_at_random_leave_whole_files_and_a_consistent_manifest(tmp_path):
    ws, out = _workspace(tmp_path), tmp_path / "out"
    khung = ws / "khung-don-vi.yaml"
    original = khung.read_text(encoding="utf-8")
    assert KHUNG_LINE in original
    manifest_path = out / ".kehoach-manifest.json"
    rng = random.Random(20240611)
    stats = {"killed": 0, "finished": 0, "killed while writing": 0, "partly written": 0, "temp files left": 0}
    for run in range(KILL_RUNS):
        # Change every unit plan's text, so that the run has files to write.
        khung.write_text(original.replace(KHUNG_LINE, f"{KHUNG_LINE} (lần {run})"), encoding="utf-8")
        before = _snapshot(out)
        manifest_before = manifest_path.stat().st_mtime_ns if manifest_path.exists() else 0
        proc = _build(ws, out, *(["--force"] if run % 3 == 2 else []))
        if run % 3 == 1:
            # Kill inside the write phase: it starts when the manifest gets the pending hashes.
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and \
                    (manifest_path.stat().st_mtime_ns if manifest_path.exists() else 0) == manifest_before:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.015))
            stats["killed while writing"] += proc.poll() is None
        else:
            deadline = time.monotonic() + rng.uniform(0.05, 1.5)
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
        if proc.poll() is None:
            _kill(proc, whole_group=run % 2 == 0)
            stats["killed"] += 1
        else:
            code, _, err = _finish(proc)
            assert code == 0, err
            stats["finished"] += 1
        after = _snapshot(out)
        changed = sum(1 for k, v in after.items() if before.get(k) != v)
        stats["partly written"] += 0 < changed < len(after)
        stats["temp files left"] += len(_temp_files(out))
        for name, data in after.items():
            if before.get(name) != data:  # an unchanged file was checked when it was written
                assert_whole(out / name)
    print("crash:", stats)
    assert stats["killed"] >= KILL_RUNS // 2, stats  # the test did kill builds mid-way
    assert stats["killed while writing"] >= 3, stats

    code, stdout, err = _finish(_build(ws, out))
    assert code == 0, err
    assert "Traceback" not in err and "lỗi" not in err
    assert _temp_files(out) == []
    files = sorted(out.rglob("*.docx"))
    assert len(files) == 65
    for f in files:
        assert_whole(f)
    entries = json.loads(manifest_path.read_text(encoding="utf-8"))["dau_ra"]
    assert set(entries) == {str(f.relative_to(out)) for f in files}
    for f in files:
        assert entries[str(f.relative_to(out))]["da_ghi"] == [hashlib.sha256(f.read_bytes()).hexdigest()]
    # The khung's last text is in every unit plan: the kills lost no change.
    last = f"{KHUNG_LINE} (lần {KILL_RUNS - 1})"
    for f in files:
        if f.parent.name == "don-vi":
            assert any(last in p.text for p in docx.Document(str(f)).paragraphs), f

    code, stdout, err = _finish(_build(ws, out, "--json"))
    assert code == 0, err
    summary = json.loads(stdout)["tong_hop"]
    assert summary["không đổi"] == 65 and sum(summary.values()) == 65, summary


@pytest.mark.parametrize("attempt", range(CONCURRENT_BUILDS))  # counted in docs/reliability.md
def test_two_builds_started_together_one_works_the_other_names_it(tmp_path, attempt):
    """Both started in the same instant on one output: one builds; the other stops at once
    (while the first still runs) with the lock message naming the first's process."""
    ws, out = _workspace(tmp_path), tmp_path / "out"
    procs = [_build(ws, out, "--workers", "1") for _ in range(2)]
    deadline = time.monotonic() + 60
    while all(p.poll() is None for p in procs):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    loser = next(p for p in procs if p.poll() is not None)
    winner = procs[1 - procs.index(loser)]
    assert winner.poll() is None, "both ended together: the test proves nothing"
    code, _, err = _finish(loser)
    assert code == 2 and "Traceback" not in err, err
    assert re.search(rf"đang được một lệnh build khác dùng \(tiến trình {winner.pid} trên máy ", err), err
    code, _, err = _finish(winner)
    assert code == 0 and "Traceback" not in err, err
    files = sorted(out.rglob("*.docx"))
    assert len(files) == 65
    for f in files:
        assert_whole(f)


@pytest.mark.parametrize("alive", [False, True])
def test_cleanup_temp_removes_only_abandoned_files(tmp_path, alive):
    import fcntl

    from kehoach_docs.workspace.write import atomic_write, cleanup_temp

    atomic_write(tmp_path / "a.docx", b"x")
    tmp = tmp_path / "sub" / ".a.docx.kehoach-abcd1234.tmp"
    tmp.parent.mkdir()
    tmp.write_bytes(b"half")
    other = tmp_path / "notes.tmp"  # not ours: never touched
    other.write_bytes(b"")
    foreign = tmp_path / ".a.docx.abcd1234.tmp"  # another program's temporary name: never touched
    foreign.write_bytes(b"")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        if alive:
            fcntl.flock(fd, fcntl.LOCK_EX)  # as atomic_write does while writing
        removed = cleanup_temp(tmp_path)
    finally:
        os.close(fd)
    assert tmp.exists() == alive and removed == ([] if alive else [tmp])
    assert other.exists() and foreign.exists() and (tmp_path / "a.docx").read_bytes() == b"x"
