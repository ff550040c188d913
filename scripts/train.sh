#!/usr/bin/env bash
# Sets everything up (packages, build, the dataset's files) and trains the MLP of examples/mnist_mlp
# on the GPU when one is usable, else on the CPU. Arguments go to mnist_mlp, e.g. --epochs 1 or
# --dataset fashion-mnist; the dataset they name (MNIST by default) is fetched into the directory
# mnist_mlp reads by default, data/mnist or data/fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
dataset=mnist
previous=
for argument in "$@"; do
  [ "$previous" = "--dataset" ] && dataset="$argument"
  previous="$argument"
done
case "$dataset" in
  mnist) scripts/fetch_mnist.sh data/mnist ;;
  fashion-mnist) scripts/fetch_fashion_mnist.sh data/fashion-mnist ;;
  *) ;;  # mnist_mlp names the datasets it knows
esac
build/examples/mnist_mlp "$@"
