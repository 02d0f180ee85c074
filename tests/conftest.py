"""Shared test configuration: markers for the fast inner loop, and shared fixtures
(helpers shared by test modules live in helpers.py; test modules never import each other).

    pytest -m "not libreoffice and not slow"     # the inner loop (README, Kiểm thử), on every core
    pytest                                        # everything (what CI runs)
    pytest -n 0 …                                 # one process (a debugger)

Every core: pytest-xdist (`-n auto --dist loadgroup`, pyproject.toml); the LibreOffice tests share
one group, run one at a time by one worker as in a serial run; the inner loop's tests go a module
at a time (its module fixtures made once), the slow ones one by one.

Keeping the inner loop fast: a test that only reads the sample takes `sample_ws` (loaded once
per session) or `sample_prepared` (its reports prepared once per session); a test that edits a
copy shares one Workspace until its first edit, then makes a new one (a stale one would hide
staleness bugs); a test that builds the whole sample takes `sample_sized` (a few units in the
inner loop, every unit as slow) or helpers.few_or_every (the units it names); a test that needs a new Python, a process pool or a clock to run out
is named in SLOW_TESTS with its reason, and a small test of the same behaviour stays fast.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from kehoach_docs.workspace.workspace import Workspace

from helpers import FEW_UNITS, SAMPLE_WS, STATE_WS, copy_plans, plan_text, sample_subset, write_plan

# Modules whose every test drives LibreOffice (PDF conversion or the second reader).
LIBREOFFICE_MODULES = {"test_all_outputs", "test_pdf", "test_real_readers"}
# Tests named for PDF that run no LibreOffice (the message when it is missing; a scan of pdf.py).
NO_LIBREOFFICE = {"test_pdf_without_libreoffice_says_how_to_install", "test_the_code_names_no_concept_of_one_programme"}
# Modules that kill builds at random or run many generated cases.
SLOW_MODULES = {"test_crash", "test_properties"}
# Single tests that run a whole sample workspace, a new Python or openxml-audit over every
# template: seconds each, they would double the inner loop; the full suite runs them.
SLOW_TESTS = {
    "test_every_file_of_a_sample_workspace_is_valid",       # every document of two workspaces prepared
    "test_build_says_which_profile_and_warns",              # the whole sample built, one process
    "test_same_input_gives_same_bytes_across_processes",    # a new Python per render
    "test_openxml_audit_reports_no_errors_on_the_templates",
    "test_a_real_small_disk_names_each_document_it_could_not_hold",  # 6 new Pythons in a namespace
    # What only a whole process shows (a signal, a pipe, a device, a pool of workers) or a clock
    # must run out; test_cli's smoke run keeps one new Python in the inner loop.
    "test_watch_rebuilds_what_changed_and_stops_on_ctrl_c",  # Ctrl-C to a watching process
    "test_build_into_a_closed_pipe_stops_quietly",
    "test_stdout_to_a_full_device_is_said_in_words",
    "test_a_worker_killed_by_the_machine_fails_its_document_only",  # a process pool, SIGKILL
    "test_parallel_build_gives_the_same_bytes",                      # a process pool
    "test_untrusted_template_is_refused_in_vietnamese[busy loop]",   # waits out the 2 s clock
    "test_every_edit_of_the_property_test_runs",  # the guard of the property test runs with it
    "test_a_worker_killed_in_the_middle_of_a_batch_fails_its_own_document_only",  # a pool, SIGKILL
    "test_a_form_is_the_same_bytes_whenever_it_is_made",     # waits out the zip clock (2 s)
    # A new Python so that a FIFO that blocked would time out rather than hang the run.
    "test_an_output_that_is_a_fifo_does_not_hang_the_build",
    "test_a_unit_file_that_is_a_fifo_is_named_not_skipped",
    "test_a_data_file_that_is_a_fifo_or_a_device_is_refused_without_blocking",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "libreoffice: runs LibreOffice headless (PDF, second reader)")
    config.addinivalue_line("markers", "slow: crash, concurrency and property runs, whole-sample runs, a new Python per test")


def pytest_collection_finish(session):
    # The test process keeps what collection built (modules, a thousand items) and, soon, the
    # sample loaded once per session: each full collection scanned it again, an eighth of the
    # inner loop. Frozen, and with a larger first generation (most objects of a render die
    # young), the collector costs a third of that. The product's build does the same before
    # forking its workers (workspace/build.py).
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in LIBREOFFICE_MODULES or ("pdf" in item.name.lower() and item.originalname not in NO_LIBREOFFICE):
            item.add_marker(pytest.mark.libreoffice)
        if module in SLOW_MODULES or item.originalname in SLOW_TESTS or item.name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        # On every core (pytest-xdist, --dist loadgroup): LibreOffice runs stay on one worker,
        # one at a time, as in a serial run; the inner loop's tests go to the workers a module
        # at a time, so that a module's fixtures (a built workspace, rendered cases) are made
        # once; the slow ones (long, few) one by one, to spread them.
        if item.get_closest_marker("libreoffice"):
            item.add_marker(pytest.mark.xdist_group("libreoffice"))
        elif not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group(module))


# --- Shared fixtures -----------------------------------------------------------------------


@pytest.fixture
def make_plan(tmp_path):
    """make_plan(text=None, name="kh.yaml", **fields) → a plan file in tmp_path: `text` as
    given, else plan_text(**fields)."""
    def make(text: str | bytes | None = None, name: str = "kh.yaml", **fields) -> Path:
        return write_plan(tmp_path, plan_text(**fields) if text is None else text, name)
    return make


def _copy(source: Path, into: Path, skip: tuple[str, ...] = ()) -> Path:
    target = into / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*skip) if skip else None)
    return target


@pytest.fixture(scope="session")
def sample_ws() -> Workspace:
    """data/de-an-04 as one Workspace for the session: what it loads (plan, khung, units,
    results) is loaded once, as one build does, and shared by the tests that only read the
    sample: `prepare(path, ws=sample_ws)`. A test that changes files copies the sample first."""
    return Workspace(SAMPLE_WS)


@pytest.fixture
def sample_workspace(tmp_path) -> Path:
    """A copy of data/de-an-04 (plan, khung, every unit, results, reports) to change freely."""
    return _copy(SAMPLE_WS, tmp_path)


@pytest.fixture(params=[pytest.param("few", id="few-units"),
                        pytest.param("all", id="every-unit", marks=pytest.mark.slow)])
def sample_sized(request, tmp_path) -> Path:
    """A copy of data/de-an-04 to change freely, twice: with FEW_UNITS (the inner loop: a build
    in about a second) and with every unit (slow: a build in about ten)."""
    return sample_subset(tmp_path, None if request.param == "all" else FEW_UNITS)


@pytest.fixture
def sample_plans(tmp_path) -> Path:
    """The sample's plan, khung and every unit file (65 documents), no reports."""
    return copy_plans(tmp_path)


@pytest.fixture
def state_workspace(tmp_path) -> Path:
    """A copy of data/ubnd-nghe-an (a State plan)."""
    return _copy(STATE_WS, tmp_path)


@pytest.fixture(scope="session")
def sample_prepared(sample_ws):
    """sample_prepared(path, unit=None): prepare(path, unit=unit, ws=sample_ws) for a document
    of data/de-an-04, once per session (the office reports and the units' own reports are read
    by several test modules; ~10-40 ms each). Tests only read what it returns."""
    import functools

    from kehoach_docs.documents.pipeline import prepare

    @functools.cache
    def prepared(path: Path, unit: str | None = None):
        return prepare(path, unit=unit, ws=sample_ws)
    return prepared
