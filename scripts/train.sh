#!/usr/bin/env bash
# Sets everything up, builds nabla and runs its main example. Until MNIST training lands this is the
# small demo in examples/demo.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/examples/demo "$@"
