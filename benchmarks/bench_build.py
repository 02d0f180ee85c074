"""Benchmark: kehoach-docs against the naive docxtpl loop on the same work.

    python benchmarks/bench_build.py            # sample workspace + synthetic 1,000 units
    python benchmarks/bench_build.py --quick    # sample workspace only

Measures (wall clock, this machine):
  1. render throughput on the same contexts: naive (for each document: load the docxtpl
     template, render with autoescape, save) vs the compiled template, serial;
  2. the CLI, from a cold start in a fresh process: a full build of the sample workspace
     (render + conformance check of every output, all cores), a no-op rebuild, peak memory;
  3. the same for synthetic workspaces of 250, 500 and 1,000 units (cost per unit: linear?).
Targets (issue 3): full build ≤ 2 s, ≥ 4× the naive loop, no-op ≤ 0.3 s, peak ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import io
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
sys.path.insert(0, str(ROOT))


def contexts(workspace: Path):
    """The contexts of the plan and the unit plans (the naive loop renders the same)."""
    from kehoach_docs.document import prepare
    from kehoach_docs.workspace import jobs_of

    out = []
    for job in jobs_of(workspace):
        if job.name.startswith("bao-cao"):
            continue
        p = prepare(job.source, unit=job.unit)
        out.append((p.template, p.context_dict(), p.core_properties()))
    return out


def naive(work) -> float:
    from docxtpl import DocxTemplate

    start = time.perf_counter()
    for template, ctx, _ in work:
        doc = DocxTemplate(template)
        doc.render(ctx, autoescape=True)
        doc.save(io.BytesIO())
    return time.perf_counter() - start


def compiled(work) -> float:
    from kehoach_docs.render import compile_template

    start = time.perf_counter()
    for template, ctx, core in work:
        compile_template(template).render(ctx, core)
    return time.perf_counter() - start


def cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one CLI run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kehoach_docs", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def synthetic(n: int, into: Path) -> Path:
    """A workspace with `n` units, cycled from the sample's profiles with new names."""
    ws = into / f"ws-{n}"
    (ws / "don-vi").mkdir(parents=True)
    for name in ("ke-hoach-44.yaml", "khung-don-vi.yaml"):
        shutil.copy(SAMPLE / name, ws / name)
    units = sorted((SAMPLE / "don-vi").glob("*.yaml"))
    for i in range(n):
        src = units[i % len(units)]
        text = src.read_text(encoding="utf-8")
        lines = [f"ten: Đơn vị thử nghiệm số {i + 1}" if ln.startswith("ten:") else ln
                 for ln in text.splitlines()]
        (ws / "don-vi" / f"don-vi-{i + 1:04d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    quick = ap.parse_args().quick
    print(f"Máy: {os.cpu_count()} lõi; Python {sys.version.split()[0]}")
    work = contexts(SAMPLE)
    compiled(work[:3])  # compile once, as a build does
    t_naive, t_ours = naive(work), compiled(work)
    n = len(work)
    print(f"\n1. Điền mẫu, cùng {n} ngữ cảnh, tuần tự:")
    print(f"   docxtpl (nạp mẫu + render + lưu mỗi văn bản): {n / t_naive:7.1f} văn bản/giây")
    print(f"   kehoach-docs (mẫu biên dịch một lần):         {n / t_ours:7.1f} văn bản/giây"
          f"   → {t_naive / t_ours:.1f}×")

    with tempfile.TemporaryDirectory() as tmp:
        plans = Path(tmp) / "plans"
        shutil.copytree(SAMPLE, plans, ignore=shutil.ignore_patterns("bao-cao"))
        print("\n2. Lệnh build (tiến trình mới, gồm khởi động Python, kiểm tra thể thức mọi văn bản):")
        for label, ws in (("kế hoạch + kế hoạch đơn vị", plans), ("cả thư mục mẫu, có báo cáo", SAMPLE)):
            out = Path(tmp) / f"out-{ws.name}"
            full, peak = cli(["build", str(ws), "--out", str(out)])
            noop, _ = cli(["build", str(ws), "--out", str(out)])
            docs = len(list(out.rglob("*.docx")))
            print(f"   {label}, {docs} văn bản: {full:.2f} s ({docs / full:.1f} văn bản/giây, "
                  f"{docs / full / (n / t_naive):.1f}× vòng lặp docxtpl); không đổi gì: {noop:.2f} s; "
                  f"bộ nhớ đỉnh {peak:.0f} MB")
        if quick:
            return
        print("\n3. Thư mục tổng hợp (tuyến tính theo số đơn vị?):")
        for units in (250, 500, 1000):
            ws = synthetic(units, Path(tmp))
            o = Path(tmp) / f"out-{units}"
            wall, peak = cli(["build", str(ws), "--out", str(o)])
            noop, _ = cli(["build", str(ws), "--out", str(o)])
            print(f"   {units:5d} đơn vị: {wall:6.2f} s, {1000 * wall / (units + 1):5.1f} ms/văn bản, "
                  f"không đổi {noop:.2f} s, bộ nhớ đỉnh {peak:.0f} MB")


if __name__ == "__main__":
    main()
