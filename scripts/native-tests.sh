#!/usr/bin/env bash
# Builds the C++ core and its CTest executable (test/native) under AddressSanitizer and
# UndefinedBehaviorSanitizer in build-native-tests/, then runs it. Any sanitizer report fails.
# Part of `npm test`; incremental after the first build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-native-tests
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g -O0"
cmake -S . -B "$dir" -DCONVREG_NATIVE_TESTS=ON -DCONVREG_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$dir.log" 2>&1 \
  || { cat "$dir.log"; exit 1; }
cmake --build "$dir" -j 2 >>"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
# OpenBLAS is not instrumented and keeps per-thread buffers for the life of the process:
# those (and only those) are suppressed as leaks; everything else is checked.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$PWD/test/native/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Two BLAS threads at most, so the threaded paths run without crowding the shared cores.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
ctest --test-dir "$dir" --output-on-failure --timeout 300
