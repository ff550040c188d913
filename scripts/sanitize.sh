#!/usr/bin/env bash
# The sanitizer stages of CI, after the Release build's tests (scripts/test.sh runs this last):
#   1. build-asan/: the library, the unit suite and the fuzz targets under ASan + UBSan (Clang);
#   2. the whole unit suite, the thread tests and the fuzz regressions there; a sanitizer report
#      fails the run (-fno-sanitize-recover);
#   3. each fuzz target for SECONDS (default 60), two at a time on two cores (scripts/fuzz.sh);
#   4. build-tsan/: the library and the thread tests under ThreadSanitizer, and those tests.
# The MNIST training tests are left to the Release stage: under ASan they would take many minutes
# and exercise no code the unit suite does not.
# Usage: scripts/sanitize.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
seconds=${1:-60}

# Runs a gtest binary in one process (not one per test, as ctest would). Skipped tests' messages
# (the CUDA cases, without a device) would fill the log: it is kept whole in the build directory
# and shown only when the run fails.
run_suite() {
  local binary=$1 log=$1.log
  if "$binary" --gtest_brief=1 >"$log" 2>&1; then
    grep -E "^\[  (PASSED|SKIPPED) +\]|tests from .* ran" "$log"
  else
    grep -vE "device_test.h:[0-9]+: Skipped|^no usable CUDA device" "$log" | tail -n 80
    return 1
  fi
}

asan_suite() {
  run_suite build-asan/tests/nabla_tests
  run_suite build-asan/tests/nabla_thread_tests
  (cd build-asan && ctest -L fuzz --output-on-failure --no-tests=ignore)
}

# libomp (and oneDNN's libgomp) are not built with ThreadSanitizer, so it cannot see the
# synchronization inside an OpenMP team and reports races inside the runtime (a parallel fill in
# one thread and a parallel exp in another do). With one OpenMP thread, parallel loops run on
# the calling thread, and what is checked is what the thread tests are about: nabla's own state,
# shared between the user's threads. Even then the runtimes recycle memory between threads with
# memset (1 run in 8 reported it): tests/threads/tsan.supp names those two libraries' C library
# calls, nothing else.
tsan_suite() {
  OMP_NUM_THREADS=1 \
    TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/threads/tsan.supp ${TSAN_OPTIONS:-}" \
    run_suite build-tsan/tests/nabla_thread_tests
}

export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
stage "asan+ubsan build" scripts/sanitizer_build.sh asan
stage "asan+ubsan unit suite, thread tests, fuzz regressions" asan_suite
stage "fuzzing, $seconds s per target" scripts/fuzz.sh "$seconds"
stage "tsan build" scripts/sanitizer_build.sh tsan nabla_thread_tests
stage "tsan thread tests" tsan_suite
