#!/usr/bin/env bash
# Trains the same models on the same MNIST data in nabla and in Debian's libtorch, side by side:
# mnist_mlp's MLP, PyTorch's C++ MNIST example CNN and mnist_cnn's CNN, with Adam, cross entropy
# and the same batch sizes and epochs (bench/compare_libtorch). Each configuration runs five
# rounds (mnist_cnn's, which take minutes, three), the two frameworks alternately, and the report
# gives medians and their ratios, with:
#   - samples/s, test accuracy and peak RSS of each, and the fraction of the machine's float32
#     GEMM peak (measured first) that nabla's FLOP/s reach;
#   - nabla's per-step breakdown (phases, kernels by kind, host work);
#   - both on a busy machine: a busy loop pinned to one CPU beside the MLP at batch 64;
#   - host overhead per op, and the time to compile a program that includes each one's header.
# Each framework runs with its own default thread count, as its users get it; OPENBLAS_CORETYPE
# stays as the environment sets it. Installs libtorch-dev with libopenblas-dev (without OpenBLAS,
# Debian's libtorch falls back to the reference BLAS, about 8x slower, which would flatter nabla).
# Not part of the tests or of a normal build.
#
# Usage: scripts/compare_libtorch.sh [--readme]   (--readme: also rewrite README.md's speed table)
set -euo pipefail
cd "$(dirname "$0")/.."
update_readme=0
for arg in "$@"; do
  case "$arg" in
    --readme) update_readme=1 ;;
    *) echo "usage: scripts/compare_libtorch.sh [--readme]" >&2; exit 2 ;;
  esac
done

missing=()
for package in libtorch-dev libopenblas-dev python3 util-linux; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "compare_libtorch: install ${missing[*]} first (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
scripts/fetch_mnist.sh >/dev/null
echo "compare_libtorch: building (libtorch's headers take about half a minute per file)" >&2
scripts/build.sh -DNABLA_COMPARE_LIBTORCH=ON >/dev/null

bin=build/bench/compare_libtorch
results=$(mktemp)
busy_pid=""
trap 'rm -f "$results"; [ -z "$busy_pid" ] || kill "$busy_pid" 2>/dev/null || true' EXIT
# Appends {"tag": ..., "result": <the program's JSON line>} to the results.
record() {
  local tag=$1
  shift
  echo "{\"tag\":\"$tag\",\"result\":$("$@")}" >>"$results"
}

echo "compare_libtorch: measuring the sgemm peak" >&2
record peak "$bin/compare_sgemm_peak"

# model, batch size, training images (0: all 60000), epochs, rounds
configs=("mlp 32 0 1 5" "mlp 64 0 1 5" "mlp 256 0 1 5"
  "pytorch-cnn 32 19200 1 5" "pytorch-cnn 64 19200 1 5" "pytorch-cnn 256 19200 1 5"
  "cnn 64 6400 1 3")
for config in "${configs[@]}"; do
  read -r model batch limit epochs rounds <<<"$config"
  echo "compare_libtorch: $model, batch $batch" >&2
  for round in $(seq "$rounds"); do
    for framework in libtorch nabla; do
      record "train $framework $model $batch idle" "$bin/compare_train_$framework" \
        --model "$model" --batch-size "$batch" --train-limit "$limit" --epochs "$epochs"
    done
  done
done

# A busy loop on the last CPU this process may use, as another process on a shared machine.
last_cpu=$(taskset -pc $$ | sed -E 's/.*[,:-] *([0-9]+)$/\1/')
echo "compare_libtorch: mlp, batch 64, with a busy loop on CPU $last_cpu" >&2
taskset -c "$last_cpu" sh -c 'while :; do :; done' &
busy_pid=$!
sleep 1
for round in 1 2 3 4 5; do
  for framework in libtorch nabla; do
    record "train $framework mlp 64 busy" "$bin/compare_train_$framework" --model mlp --batch-size 64
  done
done
kill "$busy_pid"
wait "$busy_pid" 2>/dev/null || true
busy_pid=""

echo "compare_libtorch: host overhead per op" >&2
for round in 1 2 3; do
  for framework in libtorch nabla; do
    record "overhead $framework" "$bin/compare_overhead_$framework"
  done
done

echo "compare_libtorch: compile times" >&2
compile_seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
for round in 1 2 3; do
  seconds=$(compile_seconds g++ -O2 -std=c++17 -w -I/usr/include/torch/csrc/api/include \
    -c bench/compare_libtorch/hello_libtorch.cpp -o /dev/null)
  echo "{\"tag\":\"compile libtorch\",\"result\":{\"seconds\":$seconds}}" >>"$results"
  seconds=$(compile_seconds g++ -O2 -std=c++17 -fopenmp -Ibuild/include \
    -c bench/compare_libtorch/hello_nabla.cpp -o /dev/null)
  echo "{\"tag\":\"compile nabla\",\"result\":{\"seconds\":$seconds}}" >>"$results"
done

python3 bench/compare_libtorch/report.py "$results" "$update_readme"
