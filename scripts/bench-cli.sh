#!/usr/bin/env bash
# Whole-CLI timings and memory (issue 17): builds sessctl, generates
# configurations of N partitions with every family set (one literal block
# per partition in one file, and one for_each over N hosts), and measures
# validate, the first plan, the first apply, a no-op plan, a one-edit plan
# (one partition attribute changed after the apply), and validate and
# plan again with one warning in every partition. Each row is the best of
# three runs by wall-clock time (the first apply: three fresh copies), with that run's CPU time
# (user + system) and peak resident memory (GNU time's %M; "-" without
# /usr/bin/time). Usage: scripts/bench-cli.sh [N...]   (default 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sessctl" ./cmd/sessctl
export XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache" NO_COLOR=1
gnutime=""
if /usr/bin/time -f '%e' true 2>/dev/null; then gnutime=/usr/bin/time; fi

# run1 COMMAND...: one run; prints "wall cpu rss_kb".
run1() {
  if [ -n "$gnutime" ]; then
    "$gnutime" -o "$work/time" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
    awk '{printf "%.3f %.3f %d\n", $1, $2 + $3, $4}' "$work/time"
  else
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    printf '%.3f - -\n' "$(echo "$e - $s" | bc)"
  fi
}

# row LABEL TIMES COMMAND...: the best of TIMES runs, as a table row.
row() {
  local label=$1 times=$2; shift 2
  local best="" line
  for ((i = 0; i < times; i++)); do
    line=$(run1 "$@")
    if [ -z "$best" ] || [ "$(echo "${line%% *} < ${best%% *}" | bc)" = 1 ]; then best=$line; fi
  done
  read -r wall cpu rss <<<"$best"
  if [ "$rss" != "-" ]; then rss=$((rss / 1024)); fi
  printf '| %-28s | %8s | %8s | %8s |\n' "$label" "$wall" "$cpu" "$rss"
}

header() {
  echo
  echo "### $1"
  echo
  printf '| %-28s | %8s | %8s | %8s |\n' step "wall s" "CPU s" "RSS MiB"
  printf '|%s|%s|%s|%s|\n' "------------------------------" "---------:" "---------:" "---------:"
}

for n in "${sizes[@]}"; do
  for fe in "" "-for-each"; do
    cfg="$work/cfg-$n$fe"
    go run ./internal/benchgen $fe "$cfg" "$n"
    state="$work/state-$n$fe.db"
    shape=literal
    [ -z "$fe" ] || shape=for_each
    header "$n partitions, $shape"
    row "validate" 3 "$work/sessctl" validate "$cfg"
    row "first plan" 3 "$work/sessctl" plan --state "$state" "$cfg"
    # The first apply, best of three: each run on its own copy of the
    # configuration (own output directory, own state), generated before
    # any is timed, so that no run follows the deletion of another's
    # 20,000 files (ext4 without a journal skips recently freed inodes
    # when it allocates, which made file creation several times slower).
    for i in 2 3; do go run ./internal/benchgen $fe "$cfg-apply$i" "$n"; done
    best=""
    for i in 1 2 3; do
      c="$cfg" st="$state"
      [ "$i" = 1 ] || { c="$cfg-apply$i" st="$work/state-$n$fe-apply$i.db"; }
      line=$(run1 "$work/sessctl" apply --auto-approve --state "$st" "$c")
      if [ -z "$best" ] || [ "$(echo "${line%% *} < ${best%% *}" | bc)" = 1 ]; then best=$line; fi
    done
    read -r wall cpu rss <<<"$best"
    if [ "$rss" != "-" ]; then rss=$((rss / 1024)); fi
    printf '| %-28s | %8s | %8s | %8s |\n' "first apply (best of 3)" "$wall" "$cpu" "$rss"
    row "no-op plan" 3 "$work/sessctl" plan --state "$state" "$cfg"
    # One attribute of one partition changed after the apply (literal: its
    # user_agent; for_each: one host's value in the map).
    k=p$((n / 2))
    if [ -z "$fe" ]; then
      sed -i "s|\"BenchApp/1.0 ($k)\"|\"BenchApp/1.0 ($k) edited\"|" "$cfg/main.hcl"
    else
      sed -i "s|^    $k = \"[^\"]*\"|    $k = \"edited.corp.example:8080\"|" "$cfg/main.hcl"
    fi
    row "one-edit plan" 3 "$work/sessctl" plan --state "$state" "$cfg"
  done
  # The same literal configuration with one warning in every partition:
  # issue 17's goal is validate and plan within 2x of the rows above.
  cfg="$work/cfg-$n-warn"
  go run ./internal/benchgen -warn "$cfg" "$n"
  header "$n partitions, literal, one warning each"
  row "validate" 3 "$work/sessctl" validate "$cfg"
  row "first plan" 3 "$work/sessctl" plan --state "$work/state-$n-warn.db" "$cfg"
done
