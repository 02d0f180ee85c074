#!/usr/bin/env bash
# README command 1: install kehoach-docs into .venv/ and build the sample workspace into output/de-an-04/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
bash scripts/venv.sh
.venv/bin/kehoach build data/de-an-04 "$@"
cat <<'MSG'

kehoach-docs đã được cài vào .venv/. Dùng lệnh kehoach bằng một trong hai cách:
  .venv/bin/kehoach build data/de-an-04            (gọi thẳng)
  source .venv/bin/activate; kehoach --help       (kích hoạt một lần cho cửa sổ dòng lệnh này)
Bắt đầu chương trình của mình: .venv/bin/kehoach init chuong-trinh-moi
MSG
