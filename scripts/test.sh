#!/usr/bin/env bash
# Sets everything up, builds nabla and runs the whole test suite (unit tests, the install check,
# the format check and MNIST), then the same suite under ASan and UBSan, each fuzz target for 60 s
# and the thread tests under ThreadSanitizer (scripts/sanitize.sh). GPU tests report "skipped" on
# machines without a CUDA device. Arguments go to CMake for the Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
started=$(date +%s)
release() {
  scripts/build.sh "$@"
  (cd build && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
}
stage "release build and ctest" release "$@"
scripts/sanitize.sh
echo "=== all stages passed in $(($(date +%s) - started)) s"
