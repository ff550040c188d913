#!/usr/bin/env bash
# Checks scripts/fetch_fashion_mnist.sh without needing Fashion-MNIST itself: a source directory
# that lacks the files, or holds a file with the wrong header, is refused with a message naming the
# file, and the target directory is left as it was (no partial files, no staging leftovers). Where
# Debian's dataset-fashion-mnist is installed it also fetches the real files and fetches them again
# (which must find them intact and change nothing).
# Arguments: a scratch directory.
set -euo pipefail
scratch=$1
here=$(cd "$(dirname "$0")" && pwd)
fetch="$here/../scripts/fetch_fashion_mnist.sh"
rm -rf "$scratch"
mkdir -p "$scratch/empty"

fail() {
  echo "fetch_fashion_mnist_test: $*" >&2
  exit 1
}

# Runs the fetch script, which must fail with a message containing $1; the rest are its arguments.
expect_refusal() {
  local expected="$1" status=0
  shift
  "$@" >"$scratch/out" 2>&1 || status=$?
  [ $status -eq 1 ] || fail "expected status 1, got $status from: $* ($(cat "$scratch/out"))"
  grep -qF "$expected" "$scratch/out" ||
    fail "expected '$expected' in the output of: $*; got: $(cat "$scratch/out")"
}

# No files in the source: refused, and the target is not even created.
FASHION_MNIST_SOURCE="$scratch/empty" expect_refusal "train-images-idx3-ubyte.gz not found" \
  "$fetch" "$scratch/target"
[ ! -e "$scratch/target" ] || fail "a refused fetch created $scratch/target"

# A source whose training images are 5 images of 1x1 pixels rather than 60000 of 28x28: refused
# after decompression, naming the header, and the target keeps the file it already had (a damaged
# one, which a good source would have replaced).
mkdir -p "$scratch/wrong" "$scratch/target"
printf '\0\0\10\3\0\0\0\5\0\0\0\1\0\0\0\1\1\2\3\4\5' |
  gzip -c >"$scratch/wrong/train-images-idx3-ubyte.gz"
for file in train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  printf '' | gzip -c >"$scratch/wrong/$file.gz"
done
echo "kept" >"$scratch/target/train-labels-idx1-ubyte"
FASHION_MNIST_SOURCE="$scratch/wrong" expect_refusal \
  "does not hold Fashion-MNIST's train-images-idx3-ubyte: its IDX header is '00000803000000050000000100000001'" \
  "$fetch" "$scratch/target"
[ "$(cat "$scratch/target/train-labels-idx1-ubyte")" = "kept" ] ||
  fail "a refused fetch changed a file in the target"
[ "$(ls -A "$scratch/target")" = "train-labels-idx1-ubyte" ] ||
  fail "a refused fetch left files behind: $(ls -A "$scratch/target")"

if [ -d /usr/share/datasets/fashion-mnist ]; then
  "$fetch" "$scratch/real" >/dev/null || fail "fetching from dataset-fashion-mnist failed"
  [ "$(find "$scratch/real" -mindepth 1 | wc -l)" -eq 4 ] ||
    fail "the fetch left $(ls -A "$scratch/real") (expected the four IDX files alone)"
  "$fetch" "$scratch/real" | grep -q "already in" || fail "a second fetch did not find the files"
  echo "fetched Fashion-MNIST from dataset-fashion-mnist, and found it there the second time"
else
  echo "dataset-fashion-mnist is not installed: the real fetch was not checked"
fi
rm -rf "$scratch"
echo "fetch_fashion_mnist.sh refuses bad sources and leaves the target as it was"
