#!/usr/bin/env bash
# README command 1: install kehoach-docs and build the sample workspace into output/de-an-04/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
python3 -m pip install -q --disable-pip-version-check -e .
kehoach build data/de-an-04 "$@"
