#!/usr/bin/env bash
# Configures and builds nabla in build/ (Release; CUDA when nvcc is found). Extra arguments go to
# CMake, e.g. scripts/build.sh -DNABLA_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$jobs"
