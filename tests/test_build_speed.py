"""What the build does to be fast keeps its outputs and its failures as they were
(issue 9 step 7): jobs go to the workers in batches, what is the same for every document
is computed once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from kehoach_docs.documents import prepared as prepared_module
from kehoach_docs.workspace import build
from kehoach_docs.workspace.build import FAILED, NEW, build_workspace


def test_a_worker_killed_in_the_middle_of_a_batch_fails_its_own_document_only(sample_plans, tmp_path, monkeypatch):
    """65 documents on 2 workers go in batches of several; the machine kills the worker of
    one: the documents of its batch (and every one still waiting) are made again, each
    alone, and only the killer fails."""
    victim = sorted(p.stem for p in (sample_plans / "don-vi").glob("*.yaml"))[20]
    parent, real = os.getpid(), prepared_module.render_package

    def render(prepared):
        if Path(prepared.path).stem == victim and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(prepared)

    monkeypatch.setattr(prepared_module, "render_package", render)
    report = build_workspace(sample_plans, tmp_path / "out", workers=2)
    failed = [o for o in report.outcomes if o.status == FAILED]
    assert [o.job.source.stem for o in failed] == [victim]
    assert "dừng đột ngột" in failed[0].problems[0].message
    assert report.count(NEW) == 64
    assert {len(b) for b in build._batches(list(range(63)), 2)} == {3}  # several per batch
