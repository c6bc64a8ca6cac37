#!/usr/bin/env bash
# Whole-CLI timings: builds sessctl, generates configurations of N
# partitions with every family set, and times validate, the first plan,
# the first apply, a no-op plan (fast path) and a plan after editing one
# partition (best of three runs each), and validate and plan again with
# one warning in every partition. Usage: scripts/bench-cli.sh [N...]   (default 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sessctl" ./cmd/sessctl
export XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache" NO_COLOR=1

# timeit LABEL COMMAND...: the best of three runs, in seconds.
timeit() {
  local label=$1; shift
  local best="" s e t
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%-12s %8.3f s\n' "$label" "$best"
}

for n in "${sizes[@]}"; do
  for fe in "" "-for-each"; do
    cfg="$work/cfg-$n$fe"
    go run ./internal/benchgen $fe "$cfg" "$n"
    state="$work/state-$n$fe.db"
    echo "== $n partitions ${fe:-literal}"
    timeit "validate" "$work/sessctl" validate "$cfg"
    timeit "first plan" "$work/sessctl" plan --state "$state" "$cfg"
    s=$(date +%s.%N); "$work/sessctl" apply --auto-approve --state "$state" "$cfg" >/dev/null 2>&1; e=$(date +%s.%N)
    printf '%-12s %8.3f s\n' "first apply" "$(echo "$e - $s" | bc)"
    timeit "no-op plan" "$work/sessctl" plan --state "$state" "$cfg"
  done
  # The same literal configuration with one warning in every partition:
  # issue 17's goal is validate and plan within 2x of the rows above.
  cfg="$work/cfg-$n-warn"
  go run ./internal/benchgen -warn "$cfg" "$n"
  echo "== $n partitions literal, one warning each"
  timeit "validate" "$work/sessctl" validate "$cfg"
  timeit "first plan" "$work/sessctl" plan --state "$work/state-$n-warn.db" "$cfg"
done
