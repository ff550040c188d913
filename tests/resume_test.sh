#!/usr/bin/env bash
# Training that survives a crash (issue 10), on a slice of MNIST: two uninterrupted runs with the
# same seed save byte-identical weights, and runs killed with kill -9 at a random moment after their
# first checkpoint, then resumed with --resume, end with those same bytes.
# Usage: tests/resume_test.sh PROGRAM DATA_DIR SCRATCH_DIR [KILLS]   (KILLS: default 3)
set -euo pipefail

program="$1"
data="$2"
scratch="$3"
kills="${4:-3}"

fail() {
  echo "resume_test: $*" >&2
  exit 1
}

# Bit-identical results need the same thread count in every run.
export OMP_NUM_THREADS=2
rm -rf "$scratch"
mkdir -p "$scratch"
flags=(--data "$data" --device cpu --train-limit 2048 --epochs 2 --batch-size 64 --seed 7)

now() { echo "$EPOCHREALTIME"; }

# (1) Uninterrupted, timing the stretch a kill can land in: from the first checkpoint (step 7) to
# the end. The same run writing checkpoints must not change its result, so it writes them too.
"$program" "${flags[@]}" --save "$scratch/uninterrupted.safetensors" >"$scratch/uninterrupted.log"
"$program" "${flags[@]}" --checkpoint "$scratch/timed.state" --save-every 7 \
  --save "$scratch/again.safetensors" >"$scratch/again.log" &
pid=$!
while [ ! -e "$scratch/timed.state" ]; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.002
done
first_checkpoint=$(now)
wait "$pid" || fail "the timed run failed: $(cat "$scratch/again.log")"
span=$(awk -v a="$first_checkpoint" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }')
# (2) Same seed, same thread count: the same bytes.
cmp "$scratch/uninterrupted.safetensors" "$scratch/again.safetensors" ||
  fail "two runs with the same seed saved different weights"
echo "resume_test: two runs with seed 7 saved identical weights; a run trains for ${span} s after its first checkpoint"

# (3) Killed at a random moment of that stretch, then resumed. A kill that comes after the run
# ended tests nothing (the timed run may have been slowed by a busy machine), so that round is
# tried again with the stretch halved.
killed=0
attempts=0
window="$span"
while [ "$killed" -lt "$kills" ]; do
  attempts=$((attempts + 1))
  [ "$attempts" -le $((kills * 8)) ] || fail "only $killed of $attempts runs were still training when killed"
  state="$scratch/run-$attempts.state"
  "$program" "${flags[@]}" --checkpoint "$state" --save-every 7 >"$scratch/killed-$attempts.log" &
  pid=$!
  while [ ! -e "$state" ]; do
    kill -0 "$pid" 2>/dev/null || fail "run $attempts ended without a checkpoint: $(cat "$scratch/killed-$attempts.log")"
    sleep 0.002
  done
  delay=$(awk -v window="$window" -v r="$RANDOM" 'BEGIN { printf "%.4f", window * r / 32768 }')
  sleep "$delay"
  # A run that has just finished but is not yet reaped still takes the signal without error, and
  # then exits 0: that too is a run that ended before the kill.
  status=0
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" || status=$?
  else
    wait "$pid" || true
  fi
  if [ "$status" -eq 0 ]; then
    echo "resume_test: run $attempts had ended before the kill after ${delay} s; again"
    window=$(awk -v window="$window" 'BEGIN { printf "%.4f", window / 2 }')
    continue
  fi
  [ "$status" -eq 137 ] || fail "run $attempts: exit status $status after kill -9, expected 137"
  killed=$((killed + 1))
  "$program" "${flags[@]}" --resume "$state" --save "$scratch/resumed-$attempts.safetensors" \
    >"$scratch/resumed-$attempts.log" || fail "resuming run $attempts failed: $(cat "$scratch/resumed-$attempts.log")"
  where=$(grep '^resumed from' "$scratch/resumed-$attempts.log") || fail "run $attempts: no 'resumed from' line"
  cmp "$scratch/uninterrupted.safetensors" "$scratch/resumed-$attempts.safetensors" ||
    fail "run $attempts, killed after ${delay} s and ${where#resumed from }, ended with other weights"
  # The resumed run prints the losses of the uninterrupted one (the epoch's partial sums resume).
  diff <(grep '^epoch' "$scratch/uninterrupted.log" | sed 's/  [0-9.]* s .*//') \
    <(grep '^epoch' "$scratch/resumed-$attempts.log" | sed 's/  [0-9.]* s .*//') |
    grep '^>' >"$scratch/loss-diff-$attempts" || true
  [ ! -s "$scratch/loss-diff-$attempts" ] || fail "run $attempts printed other losses: $(cat "$scratch/loss-diff-$attempts")"
  echo "resume_test: killed after ${delay} s, ${where}: identical weights"
done
