#!/usr/bin/env bash
# Puts Fashion-MNIST's four IDX files into DIR (default: data/fashion-mnist under the repository
# root), decompressed from the gzip files of Debian's package dataset-fashion-mnist
# (scripts/setup.sh installs it) in /usr/share/datasets/fashion-mnist. Each file's header is checked
# (IDX magic, 60000 training or 10000 test items, 28x28 images) and then its SHA-256, which also
# tells Fashion-MNIST apart from MNIST: both have the same file names and headers. Does nothing when
# the files are already there and intact. With FASHION_MNIST_SOURCE set to a directory holding the
# four .gz files, it reads them from there instead of from the package.
# Usage: scripts/fetch_fashion_mnist.sh [DIR]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/data/fashion-mnist}"
package="dataset-fashion-mnist"
source_dir="${FASHION_MNIST_SOURCE:-/usr/share/datasets/fashion-mnist}"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# The SHA-256 of each decompressed file. Debian compressed the package's .gz files anew (their
# checksums differ from upstream's), so the decompressed contents are what is pinned.
expected_sha256() {
  case "$1" in
    train-images-idx3-ubyte) echo c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888 ;;
    train-labels-idx1-ubyte) echo bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9 ;;
    t10k-images-idx3-ubyte) echo 5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b ;;
    t10k-labels-idx1-ubyte) echo 0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34 ;;
  esac
}

# The header each file must have, as hex bytes: 0 0, type 0x08 (unsigned byte), the number of dims,
# then one big-endian 32-bit size per dim (60000 = 0xea60, 10000 = 0x2710, 28 = 0x1c).
expected_header() {
  case "$1" in
    train-images-idx3-ubyte) echo "00000803 0000ea60 0000001c 0000001c" ;;
    train-labels-idx1-ubyte) echo "00000801 0000ea60" ;;
    t10k-images-idx3-ubyte) echo "00000803 00002710 0000001c 0000001c" ;;
    t10k-labels-idx1-ubyte) echo "00000801 00002710" ;;
  esac
}

# The whole file's size follows from its header: the header, then one byte per pixel or label.
expected_bytes() {
  case "$1" in
    train-images-idx3-ubyte) echo $((16 + 60000 * 28 * 28)) ;;
    train-labels-idx1-ubyte) echo $((8 + 60000)) ;;
    t10k-images-idx3-ubyte) echo $((16 + 10000 * 28 * 28)) ;;
    t10k-labels-idx1-ubyte) echo $((8 + 10000)) ;;
  esac
}

fail() {
  echo "fetch_fashion_mnist: $*" >&2
  exit 1
}

for tool in gunzip sha256sum od; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool is needed (Debian: apt-get install gzip coreutils)"
done

# Prints nothing when `path` is the intact file `name`, else what is wrong with it.
problem_with() {
  local path="$1" name="$2" words header want
  read -ra words <<<"$(expected_header "$name")"
  want="$(printf '%s' "${words[@]}")"
  header="$(od -An -tx1 -N $((4 * ${#words[@]})) "$path" | tr -d ' \n')"
  if [ "$header" != "$want" ]; then
    echo "its IDX header is '$header', expected '$want'"
  elif [ "$(stat -c %s "$path")" != "$(expected_bytes "$name")" ]; then
    echo "it is $(stat -c %s "$path") bytes, expected $(expected_bytes "$name")"
  elif [ "$(sha256sum "$path" | cut -d' ' -f1)" != "$(expected_sha256 "$name")" ]; then
    echo "its SHA-256 is not Fashion-MNIST's (is it another dataset, e.g. MNIST?)"
  fi
}

# Already there and intact: nothing to do (so training scripts can call this every time).
missing=()
for file in "${files[@]}"; do
  if [ ! -f "$target/$file" ]; then
    missing+=("$file")
  else
    problem="$(problem_with "$target/$file" "$file")"
    if [ -n "$problem" ]; then
      echo "fetch_fashion_mnist: $target/$file is not intact ($problem); replacing it"
      missing+=("$file")
    fi
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch_fashion_mnist: Fashion-MNIST is already in $target (checksums match)"
  exit 0
fi

for file in "${missing[@]}"; do
  if [ ! -f "$source_dir/$file.gz" ]; then
    echo "fetch_fashion_mnist: $source_dir/$file.gz not found." >&2
    if [ -z "${FASHION_MNIST_SOURCE:-}" ]; then
      echo "  Fashion-MNIST comes from Debian's package $package; install it with" >&2
      echo "  sudo apt-get install -y $package (or run scripts/setup.sh as root)," >&2
      echo "  or set FASHION_MNIST_SOURCE to a directory holding the four .gz files." >&2
    fi
    exit 1
  fi
done

# Each file is decompressed into a staging directory beside the target and checked there; mv within
# one filesystem is a rename, so each file appears in the target whole or not at all, and a failed
# or interrupted run leaves the target's files as they were.
created_target=0
[ -d "$target" ] || created_target=1
mkdir -p "$target"
staging="$(mktemp -d "$target/.tmp.XXXXXX")"
cleanup() {
  rm -rf "$staging"
  # A directory this run created and left empty goes too.
  [ $created_target -eq 0 ] || rmdir "$target" 2>/dev/null || true
}
trap cleanup EXIT
for file in "${missing[@]}"; do
  gunzip -c "$source_dir/$file.gz" >"$staging/$file" ||
    fail "cannot decompress $source_dir/$file.gz; nothing in $target was changed"
  problem="$(problem_with "$staging/$file" "$file")"
  [ -z "$problem" ] ||
    fail "$source_dir/$file.gz does not hold Fashion-MNIST's $file: $problem;" \
      "nothing in $target was changed"
done
for file in "${missing[@]}"; do
  mv -f "$staging/$file" "$target/$file"
done
echo "fetch_fashion_mnist: Fashion-MNIST is in $target"
