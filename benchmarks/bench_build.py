"""Benchmark: `kehoach build` against the naive docxtpl loop, side by side in one run.

    python benchmarks/bench_build.py                # 1,000 unit plans, then the sample workspace
    python benchmarks/bench_build.py --units 200    # a smaller synthetic workspace
    python benchmarks/bench_build.py --no-sample    # the 1,000 unit plans only

Measures (wall clock, this machine, all in the same run so that the ratios hold even when
the machine's speed drifts between runs):
  1. a workspace of 1,000 unit plans (and its plan): the naive docxtpl loop (for each
     document: load the template, render with autoescape, save to memory; no validation, no
     check, no write; contexts prepared beforehand, outside the clock) against `kehoach
     build` from a cold start in a fresh process (load, validate, derive, render, conformance
     check of every output, atomic write, manifest; all cores), then a no-op rebuild;
  2. render throughput on the sample's contexts: the naive loop vs the compiled template;
  3. `kehoach build` of the sample workspace (plans only, then with its reports).
Targets: a build of 1,000 unit plans at >= 3x the naive loop's throughput (issue 9); the
sample's plans built in <= 2 s, no-op <= 0.3 s, peak <= 300 MB (issue 3).
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
    from kehoach_docs.documents.pipeline import prepare
    from kehoach_docs.workspace.build import jobs_of

    out = []
    from kehoach_docs.workspace.workspace import Workspace

    ws = Workspace(workspace)  # the plan and khung loaded once, as a build does
    for job in jobs_of(ws):
        if job.name.startswith("bao-cao"):
            continue
        p = prepare(job.source, unit=job.unit, ws=ws)
        out.append((p.template, p.context_dict(), p.core_properties()))
    return out


def naive(work) -> tuple[float, float]:
    """Wall and processor seconds of the naive loop over `work`."""
    from docxtpl import DocxTemplate

    start, cpu = time.perf_counter(), time.process_time()
    for template, ctx, _ in work:
        doc = DocxTemplate(template)
        doc.render(ctx, autoescape=True)
        doc.save(io.BytesIO())
    return time.perf_counter() - start, time.process_time() - cpu


def compiled(work) -> float:
    from kehoach_docs.render.engine import compile_template

    start = time.perf_counter()
    for template, ctx, core in work:
        compile_template(template).render(ctx, core)
    return time.perf_counter() - start


def cli(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, processor seconds (the process and its workers) and peak memory (MB) of
    one CLI run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kehoach_docs", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, max(after.ru_maxrss, before.ru_maxrss) / 1024


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


def versus_naive(units: int, tmp: Path, rounds: int) -> None:
    ws = synthetic(units, tmp)
    work = contexts(ws)
    n = len(work)
    print(f"\n1. {units} kế hoạch đơn vị và kế hoạch của chúng ({n} văn bản), cùng một lần chạy, "
          f"{rounds} lượt xen kẽ:")
    print("   vòng lặp docxtpl: nạp mẫu, render, lưu vào bộ nhớ (không kiểm tra, không ghi tệp);")
    print("   kehoach build: tiến trình mới; nạp, kiểm tra dữ liệu, điền mẫu, kiểm tra thể thức, ghi nguyên khối")
    totals = [0.0, 0.0, 0.0, 0.0]
    for r in range(1, rounds + 1):
        out = tmp / f"out-{units}-{r}"
        t_naive, c_naive = naive(work)
        t_build, c_build, peak = cli(["build", str(ws), "--out", str(out)])
        built = len(list(out.rglob("*.docx")))
        assert built == n, f"{built} văn bản được tạo, cần {n}"
        for i, v in enumerate((t_naive, c_naive, t_build, c_build)):
            totals[i] += v
        print(f"   lượt {r}: docxtpl {t_naive:6.2f} s ({1000 * t_naive / n:5.2f} ms/văn bản, "
              f"{n / t_naive:6.1f} văn bản/giây); build {t_build:6.2f} s ({1000 * t_build / n:5.2f} ms/văn bản, "
              f"{n / t_build:6.1f} văn bản/giây) → {t_naive / t_build:.2f}×; "
              f"thời gian CPU {1000 * c_naive / n:.2f} so với {1000 * c_build / n:.2f} ms/văn bản; "
              f"bộ nhớ đỉnh {peak:.0f} MB")
    noop, _, _ = cli(["build", str(ws), "--out", str(tmp / f"out-{units}-{rounds}")])
    t_naive, c_naive, t_build, c_build = totals
    print(f"   → tỷ lệ thông lượng cả {rounds} lượt: {t_naive / t_build:.2f}× (mục tiêu ≥ 3×); "
          f"theo thời gian CPU: {c_naive / c_build:.2f}×; build lại không đổi gì: {noop:.2f} s")


def sample() -> None:
    work = contexts(SAMPLE)
    compiled(work[:3])  # compile once, as a build does
    t_naive, t_ours = naive(work)[0], compiled(work)
    n = len(work)
    print(f"\n2. Điền mẫu, cùng {n} ngữ cảnh của thư mục mẫu, tuần tự:")
    print(f"   docxtpl (nạp mẫu + render + lưu mỗi văn bản): {n / t_naive:7.1f} văn bản/giây")
    print(f"   kehoach-docs (mẫu biên dịch một lần):         {n / t_ours:7.1f} văn bản/giây"
          f"   → {t_naive / t_ours:.1f}×")
    with tempfile.TemporaryDirectory() as tmp:
        plans = Path(tmp) / "plans"
        shutil.copytree(SAMPLE, plans, ignore=shutil.ignore_patterns("bao-cao"))
        print("\n3. Lệnh build thư mục mẫu (tiến trình mới, kiểm tra thể thức mọi văn bản):")
        for label, ws in (("kế hoạch + kế hoạch đơn vị", plans), ("cả thư mục mẫu, có báo cáo", SAMPLE)):
            out = Path(tmp) / f"out-{ws.name}"
            full, _, peak = cli(["build", str(ws), "--out", str(out)])
            noop, _, _ = cli(["build", str(ws), "--out", str(out)])
            docs = len(list(out.rglob("*.docx")))
            print(f"   {label}, {docs} văn bản: {full:.2f} s ({docs / full:.1f} văn bản/giây); "
                  f"không đổi gì: {noop:.2f} s; bộ nhớ đỉnh {peak:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2, help="lượt xen kẽ docxtpl / build")
    ap.add_argument("--no-sample", action="store_true")
    args = ap.parse_args()
    print(f"Máy: {os.cpu_count()} lõi; Python {sys.version.split()[0]}; tải hiện tại {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        versus_naive(args.units, Path(tmp), args.rounds)
    if not args.no_sample:
        sample()


if __name__ == "__main__":
    main()
