#!/usr/bin/env bash
# Sets everything up, builds nabla and runs the whole test suite (unit tests, the install check and
# the format check). GPU tests report "skipped" on machines without a CUDA device.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh "$@"
cd build
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
