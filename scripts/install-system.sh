#!/usr/bin/env bash
# System packages: LibreOffice (PDF engine and second reader in tests), Liberation fonts v2
# (Times New Roman metrics, with Vietnamese), poppler (pdftoppm). Skipped when present.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi "LiberationSerif-Regular\|Liberation Serif" && \
  [ -e /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "Cài gói hệ thống: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
