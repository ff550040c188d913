#!/usr/bin/env bash
# Sourced by the test scripts: `stage NAME COMMAND...` runs COMMAND between two lines that name the
# stage, the second with its wall time, so a CI log shows where its minutes go.
stage() {
  local name=$1 start status=0
  shift
  start=$(date +%s)
  echo "=== stage: $name"
  "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "=== stage: $name: passed in $(($(date +%s) - start)) s"
  else
    echo "=== stage: $name: FAILED (status $status) after $(($(date +%s) - start)) s"
  fi
  return "$status"
}
