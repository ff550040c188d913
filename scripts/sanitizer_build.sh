#!/usr/bin/env bash
# Configures and builds one of the Clang sanitizer builds that scripts/sanitize.sh and
# scripts/fuzz.sh run, CPU-only and without the benchmarks and examples:
#   asan  build-asan/: ASan + UBSan, the fuzz targets too (one library serves the test suite and
#         the fuzzers)
#   tsan  build-tsan/: ThreadSanitizer, for the thread tests only
# They compile at -O1 with line tables: a third of -O3's compile time, and the reports still name
# files and lines. They leave MPI out (NABLA_DISTRIBUTED=OFF): its collectives run as several
# processes under mpirun, which these single-process suites do not start. Extra arguments are the targets to build (default: all).
# Usage: scripts/sanitizer_build.sh asan|tsan [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/sanitizer_build.sh asan|tsan [TARGET...]}
shift
case "$kind" in
  asan) options=("-DNABLA_SANITIZE=address,undefined" -DNABLA_FUZZ=ON) ;;
  tsan) options=(-DNABLA_SANITIZE=thread -DNABLA_FUZZ=OFF) ;;
  *)
    echo "sanitizer_build: unknown build '$kind' (asan or tsan)" >&2
    exit 2
    ;;
esac
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
dir=build-$kind
# The generator is fixed when the directory is first configured.
[ -f "$dir/CMakeCache.txt" ] && generator=()
cmake -S . -B "$dir" ${generator[@]+"${generator[@]}"} -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DNABLA_CUDA=OFF -DNABLA_DISTRIBUTED=OFF -DNABLA_BUILD_BENCH=OFF -DNABLA_BUILD_EXAMPLES=OFF "${options[@]}" >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" ${targets[@]+"${targets[@]}"}
