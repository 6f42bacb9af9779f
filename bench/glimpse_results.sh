#!/usr/bin/env bash
# bench/glimpse_results.sh — the glimpse results table of docs/experiments.md: test
# error of each embedded model on the fixed test set (the 10,000 MNIST test
# digits placed with the default seed) and on three other placements, with
# the Monte-Carlo average of 8 sampled paths (--mc 8), and the epoch at
# which the model was saved.
#
# Usage: bench/glimpse_results.sh [TASK ...]   (default: all four tasks)
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=${*:-"mnist translated cluttered60 cluttered100"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/glimpse" ./cmd/glimpse
declare -A paper=([mnist]=1.29 [translated]=1.84 [cluttered60]=5.23 [cluttered100]=10.83)
declare -A must=([mnist]=1.1 [translated]=1.5 [cluttered60]=4.0 [cluttered100]=9.0)
echo "| task | paper | must reach | test error (fixed set) | other placements: seed 1 / 2 / 3 | with --mc 8 | best epoch (val error) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for t in $tasks; do
	if ! "$tmp/glimpse" eval --task "$t" --quiet --json >"$tmp/e.json" 2>"$tmp/err"; then
		echo "| $t | ${paper[$t]}% | ≤ ${must[$t]}% | no embedded model | | | |"
		continue
	fi
	err=$(sed 's/.*"error_pct":\([0-9.]*\).*/\1/' "$tmp/e.json")
	seeds=""
	for s in 1 2 3; do
		e=$("$tmp/glimpse" eval --task "$t" --seed "$s" --quiet --json | sed 's/.*"error_pct":\([0-9.]*\).*/\1/')
		seeds="$seeds${seeds:+ / }$e%"
	done
	mc=$("$tmp/glimpse" eval --task "$t" --mc 8 --quiet --json | sed 's/.*"error_pct":\([0-9.]*\).*/\1/')
	ep=$(go run ./bench/glimpse_results "$t" 2>/dev/null || echo "?")
	echo "| $t | ${paper[$t]}% | ≤ ${must[$t]}% | $err% | $seeds | $mc% | $ep |"
done
