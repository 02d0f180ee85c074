#!/usr/bin/env bash
# README command 2: install test needs (LibreOffice, fonts, Python test packages), run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
python3 -m pytest -q "$@"
