#!/usr/bin/env bash
# Installs the built nabla into a scratch prefix, builds tests/consumer against it, runs it.
# Arguments: the build tree, a scratch directory.
set -euo pipefail
build=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$here" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/build" >/dev/null
out=$("$scratch/build/consumer")
if [ "$out" != "134" ]; then
  echo "consumer printed '$out', expected 134" >&2
  exit 1
fi
# The installed tree must not refer back to the source or build tree.
if grep -rq "$(cd "$here/../.." && pwd)" "$scratch/prefix/lib" --include='*.cmake'; then
  echo "installed CMake files refer to the source tree" >&2
  exit 1
fi
echo "consumer built against the installed nabla and printed 134"
