"""Shared test configuration: markers for the fast inner loop.

    pytest -m "not libreoffice and not slow"     # the inner loop (no LibreOffice, no crash/property runs)
    pytest                                        # everything (what CI runs)
"""

from __future__ import annotations

import pytest

# Modules whose every test drives LibreOffice (PDF conversion or the second reader).
LIBREOFFICE_MODULES = {"test_all_outputs", "test_pdf", "test_real_readers"}
# Modules that kill builds at random or run many generated cases.
SLOW_MODULES = {"test_crash", "test_properties"}


def pytest_configure(config):
    config.addinivalue_line("markers", "libreoffice: runs LibreOffice headless (PDF, second reader)")
    config.addinivalue_line("markers", "slow: crash, concurrency and property runs")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in LIBREOFFICE_MODULES or "pdf" in item.name.lower():
            item.add_marker(pytest.mark.libreoffice)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
