#!/usr/bin/env bash
# The NaN guard (issue 10): a learning rate of 1e30 drives the loss to NaN or Inf within a few
# steps; the program must stop with a non-zero status and a message naming the step, and write
# neither the model (--save) nor a training state (--checkpoint). The same with --detect-anomaly,
# which may instead stop at the first gradient that is not finite.
# Usage: tests/nan_guard_test.sh PROGRAM DATA_DIR SCRATCH_DIR
set -euo pipefail

program="$1"
data="$2"
scratch="$3"

fail() {
  echo "nan_guard_test: $*" >&2
  exit 1
}

rm -rf "$scratch"
mkdir -p "$scratch"
flags=(--data "$data" --device cpu --train-limit 512 --epochs 2 --batch-size 64 --lr 1e30)

for extra in "" --detect-anomaly; do
  status=0
  # shellcheck disable=SC2086 # $extra is one flag or none
  "$program" "${flags[@]}" $extra --save "$scratch/model.safetensors" \
    --checkpoint "$scratch/run.state" >"$scratch/out.log" 2>"$scratch/err.log" || status=$?
  [ "$status" -eq 1 ] || fail "exit status $status with --lr 1e30 ${extra}, expected 1: $(cat "$scratch/err.log")"
  message=$(cat "$scratch/err.log")
  if [ -z "$extra" ]; then
    echo "$message" | grep -Eq 'the training loss is not finite \(NaN or infinite\) at step [0-9]+ \(epoch 1, batch [0-9]+ of 8\); stopping without saving' ||
      fail "unexpected message: $message"
  else
    echo "$message" | grep -Eq 'step [0-9]+ \(epoch 1, batch [0-9]+ of 8\)' ||
      fail "unexpected message with --detect-anomaly: $message"
  fi
  [ ! -e "$scratch/model.safetensors" ] || fail "--save wrote a model that is not finite ${extra}"
  [ ! -e "$scratch/run.state" ] || fail "--checkpoint wrote a training state that is not finite ${extra}"
  grep -q '^epoch' "$scratch/out.log" && fail "an epoch was reported ${extra}: $(cat "$scratch/out.log")"
  echo "nan_guard_test: ${extra:-without --detect-anomaly}: $message"
done
