#!/usr/bin/env bash
# README command 2: install test needs (LibreOffice, fonts, Python test packages into .venv/), run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
bash scripts/venv.sh test
.venv/bin/python -m pytest -q "$@"
