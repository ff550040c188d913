#!/usr/bin/env bash
# Sets everything up (packages, build, the MNIST files) and trains the MLP of examples/mnist_mlp on
# the GPU when one is usable, else on the CPU. Arguments go to mnist_mlp, e.g. --epochs 1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
scripts/fetch_mnist.sh data/mnist
build/examples/mnist_mlp --data data/mnist "$@"
