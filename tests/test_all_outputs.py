"""Every plan and report of the sample workspaces, read back by LibreOffice: the build is
converted to PDF in one batch, and each PDF is measured (fonts, margins, page numbers).
test_real_readers.py measures a few documents in depth; this one covers them all (the units'
own reports are sampled: one template, and the build checks every one of them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehoach_docs.check import check_docx
from kehoach_docs.pdf import convert_to_pdf
from kehoach_docs.profile import get_profile
from kehoach_docs.workspace.build import build_workspace
from readers import read_pdf

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = [ROOT / "data" / "de-an-04", ROOT / "data" / "ubnd-nghe-an"]
PDF_MM = 0.5


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("all")
    docs = []
    for ws in WORKSPACES:
        report = build_workspace(ws, tmp / ws.name)
        assert not report.failed, [(o.job.name, [str(p) for p in o.problems]) for o in report.failed]
        built = sorted((tmp / ws.name).rglob("*.docx"))
        # Every plan and office report; of the units' own reports (128, one template, checked
        # by the build itself), the first three of each report.
        unit_reports = [d for d in built if "bao-cao" in d.parts and "don-vi" in d.parts]
        keep = {d for report in {d.parent for d in unit_reports}
                for d in sorted(p for p in unit_reports if p.parent == report)[:3]}
        docs += [d for d in built if d not in unit_reports or d in keep]
    results = convert_to_pdf(docs)
    return {r.source: r for r in results}


def test_every_output_converts_without_fallback_fonts(outputs):
    assert len(outputs) >= 66 + 2 + 6
    bad = {p.name: (r.error, r.fallback_fonts) for p, r in outputs.items() if not r.ok or r.fallback_fonts}
    assert bad == {}


def test_every_output_passes_the_checker(outputs):
    bad = {p.name: [str(v) for v in check_docx(p)] for p in outputs}
    assert {k: v for k, v in bad.items() if v} == {}


def test_every_pdf_keeps_margins_and_numbers_pages_from_two(outputs):
    problems = []
    for docx, result in outputs.items():
        pdf = read_pdf(result.pdf)
        profile = get_profile("nha-nuoc-nd30-2020" if "ubnd" in str(docx) else "dang-hd36-2018")
        t = profile.trang
        for page in pdf.pages:
            landscape = page.width > page.height
            left, right = (t.le_trai, t.rong - t.le_phai) if not landscape else (None, None)
            body = [ln for ln in page.lines if ln.baseline > t.le_tren]
            if left is not None and body:
                if min(ln.x0 for ln in body) < left - PDF_MM or max(ln.x1 for ln in body) > right + PDF_MM:
                    problems.append((docx.name, page.number, "lề trái/phải"))
            numbers = [ln.text for ln in page.lines if ln.baseline < t.le_tren]
            expected = [] if page.number == 1 else [str(page.number)]
            if numbers != expected:
                problems.append((docx.name, page.number, numbers))
    assert problems == []
