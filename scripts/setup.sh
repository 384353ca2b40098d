#!/usr/bin/env bash
# Installs what convreg needs on a fresh Debian 12 machine (run as root), then the npm
# packages and the native build. Safe to rerun: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(g++ cmake make pkg-config libopenblas-dev liblapacke-dev libsuitesparse-dev clang-format)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
