#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for SECONDS (default 60), as many at once as there are
# cores, under ASan and UBSan. Builds build-asan/ first when needed (scripts/sanitizer_build.sh)
# and seeds the corpus with what make_corpus writes. Each target's corpus grows in
# build-asan/fuzz/corpus/TARGET across runs; an input that fails lands in
# build-asan/fuzz/findings/TARGET/ and the run fails. Once the bug is fixed, copy the input into
# tests/fuzz/regressions/TARGET/, where ctest replays it in every fuzzing build.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS]" >&2
    exit 2
    ;;
esac
targets=(fuzz_idx fuzz_json fuzz_safetensors_module fuzz_safetensors_optimizer)
scripts/sanitizer_build.sh asan make_corpus "${targets[@]}" >/dev/null

work=build-asan/fuzz
rm -rf "$work/seeds"
build-asan/tests/fuzz/make_corpus "$work/seeds" >/dev/null

# Counted before OMP_NUM_THREADS is set: nproc obeys it.
parallel=$(nproc 2>/dev/null || echo 2)
# The inputs are tiny: one OpenMP thread per fuzzer keeps each on its own core.
export OMP_NUM_THREADS=1
run_one() {
  local target=$1
  mkdir -p "$work/corpus/$target" "$work/findings/$target"
  "build-asan/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/findings/$target/" "$work/corpus/$target" "$work/seeds/$target" \
    >"$work/$target.log" 2>&1
}
report() {
  local target=$1 status=$2
  local runs
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$work/$target.log" | grep -oE "[0-9]+$" ||
    echo "?")
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $target: ${seconds} s, $runs inputs, no finding"
  else
    echo "fuzz: $target FAILED (status $status); the input is in $work/findings/$target/; the log's end:"
    tail -n 40 "$work/$target.log"
  fi
}

failed=0
pids=() names=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=($!) names+=("$target")
  if [ ${#pids[@]} -ge "$parallel" ]; then
    status=0
    wait "${pids[0]}" || status=$?
    report "${names[0]}" "$status"
    [ "$status" -eq 0 ] || failed=1
    pids=("${pids[@]:1}") names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  status=0
  wait "${pids[$i]}" || status=$?
  report "${names[$i]}" "$status"
  [ "$status" -eq 0 ] || failed=1
done
exit $failed
