#!/usr/bin/env bash
# Shared by the README commands: make sure .venv/ exists and holds kehoach-docs (editable).
#   bash scripts/venv.sh [EXTRA]     EXTRA: "test" installs the test packages too.
# Works with the system python3 of Debian/Ubuntu (PEP 668: never pip-installs into it) and with
# pyenv's or any other python3 first on PATH; PYTHON=/path/to/python3 chooses another one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
extra="${1:-}"

if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Không tìm thấy $PY. Cài Python 3.10 trở lên: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "Cần Python 3.10 trở lên; $PY là $("$PY" -V 2>&1)." >&2
  exit 1
fi

# A .venv made by another (or a removed) Python is made again.
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv >/dev/null 2>&1; then
    # Debian/Ubuntu ship venv's pip (ensurepip) in a separate package.
    rm -rf .venv
    ver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "Cài gói hệ thống python3-venv (python$ver-venv) để tạo môi trường .venv"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      python3-venv "python$ver-venv" >/dev/null 2>&1 || \
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    "$PY" -m venv .venv
  fi
fi
target="."
[ -z "$extra" ] || target=".[$extra]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
