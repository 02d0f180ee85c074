"""Benchmark: a workspace with results at scale (issue 10 §5: linear at scale).

    python benchmarks/bench_scale.py                 # 128 and 1,024 units, in one run
    python benchmarks/bench_scale.py --units 64 512  # other sizes

For each size, a synthetic workspace is made from the sample (data/de-an-04): N units
cycled from its profiles (new names), each with the results of the unit it copies for
every year, the office's results, the programme's declared results and both reports
(sơ kết 2023, tổng kết 2025) with every reporting unit's own report: about 3N + 3
documents. `kehoach build` runs from a cold start in a fresh process (all cores, the
conformance check and atomic writes included), then a no-op rebuild. Printed: documents,
wall and CPU seconds (the build and its workers), milliseconds per document, and the ratio
of the largest size's cost per document to the smallest's (target: within 1.3x). CPU time
is the steadier measure on a shared machine; wall time is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "de-an-04"


def synthetic(n: int, into: Path) -> Path:
    """A workspace of `n` units with results, cycled from the sample with new names."""
    ws = into / f"ws-{n}"
    (ws / "don-vi").mkdir(parents=True)
    for name in ("ke-hoach-44.yaml", "khung-don-vi.yaml"):
        shutil.copy(SAMPLE / name, ws / name)
    shutil.copytree(SAMPLE / "bao-cao", ws / "bao-cao")
    (ws / "ket-qua").mkdir()
    for f in (SAMPLE / "ket-qua").glob("*.yaml"):  # the programme's declared results
        shutil.copy(f, ws / "ket-qua" / f.name)
    years = sorted(p for p in (SAMPLE / "ket-qua").iterdir() if p.is_dir())
    for year in years:
        (ws / "ket-qua" / year.name).mkdir()
        for office in year.glob("toan-*.yaml"):
            shutil.copy(office, ws / "ket-qua" / year.name / office.name)
    units = sorted((SAMPLE / "don-vi").glob("*.yaml"))
    for i in range(n):
        src = units[i % len(units)]
        stem = f"don-vi-{i + 1:04d}"
        text = src.read_text(encoding="utf-8")
        # Organisation changes name units of the sample, absent here: the copies do not change.
        text = text.split("\nthay_doi:")[0]
        lines = [f"ten: Đơn vị thử nghiệm số {i + 1}" if ln.startswith("ten:") else ln
                 for ln in text.splitlines() if not ln.startswith("# Thay đổi tổ chức")]
        (ws / "don-vi" / f"{stem}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for year in years:
            results = year / src.name
            if results.is_file():
                shutil.copy(results, ws / "ket-qua" / year.name / f"{stem}.yaml")
    return ws


def cli(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the process and its workers, user + system) and peak
    memory (MB) of one CLI run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kehoach_docs", *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"kehoach {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, max(after.ru_maxrss, before.ru_maxrss) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="+", default=[128, 1024])
    sizes = sorted(ap.parse_args().units)
    print(f"Máy: {os.cpu_count()} lõi; Python {sys.version.split()[0]}")
    print("Thư mục tổng hợp có kết quả và báo cáo (kế hoạch, kế hoạch đơn vị, 2 báo cáo, báo cáo đơn vị):")
    wall_doc, cpu_doc = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            ws = synthetic(n, Path(tmp))
            out = Path(tmp) / f"out-{n}"
            wall, cpu, peak = cli(["build", str(ws), "--out", str(out)])
            docs = len(list(out.rglob("*.docx")))
            noop, _, _ = cli(["build", str(ws), "--out", str(out)])
            wall_doc[n], cpu_doc[n] = 1000 * wall / docs, 1000 * cpu / docs
            print(f"   {n:5d} đơn vị, {docs:5d} văn bản: {wall:7.2f} s ({wall_doc[n]:5.1f} ms/văn bản), "
                  f"CPU {cpu:7.2f} s ({cpu_doc[n]:5.1f} ms/văn bản); không đổi gì: {noop:.2f} s; "
                  f"bộ nhớ đỉnh {peak:.0f} MB")
            shutil.rmtree(out)
            shutil.rmtree(ws)
    small, large = sizes[0], sizes[-1]
    for label, per_doc in (("thời gian CPU", cpu_doc), ("thời gian thực", wall_doc)):
        ratio = per_doc[large] / per_doc[small]
        print(f"Chi phí mỗi văn bản ({label}) ở {large} đơn vị / ở {small} đơn vị: {ratio:.2f}× "
              f"(mục tiêu ≤ 1,3×: {'đạt' if ratio <= 1.3 else 'chưa đạt'})")
    print("(Thời gian CPU ít phụ thuộc vào tải của máy; thời gian thực đổi theo việc khác đang chạy.)")


if __name__ == "__main__":
    main()
