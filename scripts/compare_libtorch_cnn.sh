#!/usr/bin/env bash
# Trains the model of PyTorch's C++ MNIST example (conv 1->10 5x5, max-pool 2, ReLU, conv 10->20
# 5x5, max-pool 2, ReLU, Linear 320->50, ReLU, Dropout 0.5, Linear 50->10; Adam, batch 64) in
# nabla (bench/bench_cnn_training) and in Debian's libtorch (bench/libtorch/cnn_training.cpp),
# alternately three times each, and prints both medians and their ratio. Installs libtorch-dev with
# libopenblas-dev (without OpenBLAS, Debian's libtorch falls back to the reference BLAS, which would
# flatter nabla). Not part of the tests or of a normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for package in libtorch-dev libopenblas-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "compare_libtorch_cnn: install ${missing[*]} first (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
scripts/build.sh >/dev/null
g++ -O3 -std=c++17 -w bench/libtorch/cnn_training.cpp -I/usr/include/torch/csrc/api/include \
  -o build/bench/libtorch_cnn_training -ltorch -ltorch_cpu -lc10

nabla_runs=() libtorch_runs=()
for round in 1 2 3; do
  line=$(build/bench/libtorch_cnn_training 300)
  echo "round $round: $line"
  libtorch_runs+=("$(echo "$line" | sed -E 's/.*: ([0-9]+) samples.*/\1/')")
  rate=$(build/bench/bench_cnn_training --benchmark_filter=PytorchExample --benchmark_format=json |
    python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(round(b["items_per_second"]), round(b["peak_rss_MB"]))')
  echo "round $round: nabla: ${rate% *} samples/s, peak RSS ${rate#* } MB"
  nabla_runs+=("${rate% *}")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
nabla=$(median "${nabla_runs[@]}")
libtorch=$(median "${libtorch_runs[@]}")
echo "median samples/s: nabla $nabla, libtorch $libtorch, ratio $(python3 -c "print(round($nabla / $libtorch, 2))")"
