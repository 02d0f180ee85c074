"""Benchmark: PDF export batched (many documents per LibreOffice process, one process per
core) against one LibreOffice process per document; and `kehoach check` time per document.

    python benchmarks/bench_pdf.py [--count N]     # N sample documents (default 20)
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    count = ap.parse_args().count

    from kehoach_docs.check import check_docx
    from kehoach_docs.pdf import convert_to_pdf, find_soffice
    from kehoach_docs.workspace.build import build_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(ROOT / "data" / "de-an-04", ws, ignore=shutil.ignore_patterns("bao-cao", "ket-qua"))
        build_workspace(ws, Path(tmp) / "out")
        docs = sorted((Path(tmp) / "out").rglob("*.docx"))[:count]

        start = time.perf_counter()
        for d in docs:
            profile = Path(tmp) / f"profile-{d.stem}"
            subprocess.run([find_soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
                            "--norestore", "--convert-to", "pdf", "--outdir", str(Path(tmp) / "one"), str(d)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        one_by_one = time.perf_counter() - start

        start = time.perf_counter()
        results = convert_to_pdf(docs, out_dir=Path(tmp) / "batch")
        batched = time.perf_counter() - start
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]

        data = [d.read_bytes() for d in docs]
        check_docx(io.BytesIO(data[0]))
        start = time.perf_counter()
        for b in data:
            check_docx(io.BytesIO(b))
        per_check = (time.perf_counter() - start) / len(data)

    print(f"PDF, {len(docs)} văn bản:")
    print(f"  mỗi văn bản một tiến trình LibreOffice: {one_by_one:6.2f} s ({one_by_one / len(docs):.2f} s/văn bản)")
    print(f"  theo lô, một tiến trình mỗi lõi:        {batched:6.2f} s ({batched / len(docs):.2f} s/văn bản)"
          f"  → {one_by_one / batched:.1f}×")
    print(f"kehoach check: {1000 * per_check:.1f} ms/văn bản")


if __name__ == "__main__":
    main()
