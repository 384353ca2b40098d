#!/usr/bin/env bash
# clang-format check of the C++ (src/, binding/, test/native/) against .clang-format; exits 1 listing
# each file that differs. Fix with: clang-format -i src/*.{h,cpp} binding/*.{h,cpp} test/native/*.{h,cpp}
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format-native: clang-format missing (apt-get install -y clang-format)"; exit 1; }
clang-format --dry-run -Werror src/*.h src/*.cpp binding/*.h binding/*.cpp test/native/*.h test/native/*.cpp
