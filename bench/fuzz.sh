#!/usr/bin/env bash
# bench/fuzz.sh — runs every Go fuzz target of the module (each
# func FuzzXxx in a pkg/ or internal/ test file) for FUZZTIME, one after
# the other with one fuzzing worker (-parallel 1), and prints a table of
# target, package, fuzzing time, wall time, executions and result. A target that finds a
# failing input stops early; go test writes the input to the package's
# testdata/fuzz/<target>/ (check it in as a regression seed once the bug
# is fixed) and the script ends with exit status 1.
#
# Usage: [FUZZTIME=10m] bench/fuzz.sh [TARGET ...]
#   FUZZTIME  time per target, any go test -fuzztime value (default 10m;
#             e.g. 30s, or 5000x for a number of executions)
#   TARGET    only these targets (e.g. FuzzDecode FuzzCIFAR); default all
#   FUZZLOG   folder for the full go test output of each target
#             (default: a temporary folder, removed at the end)
# On a shared machine run it as `nice -n 19 bench/fuzz.sh`; the go
# commands inherit the niceness.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
if [[ -n ${FUZZLOG:-} ]]; then
	logs=$FUZZLOG
	mkdir -p "$logs"
else
	logs=$(mktemp -d)
	trap 'rm -rf "$logs"' EXIT
fi

# Every fuzz target as "package-dir target", in a stable order.
mapfile -t targets < <(grep -H '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' pkg/*/*_test.go internal/*/*_test.go 2>/dev/null |
	sed -E 's|^([^:]*)/[^/:]*:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort)
if (($# > 0)); then
	keep=()
	for t in "${targets[@]}"; do
		for want in "$@"; do
			[[ ${t#* } == "$want" ]] && keep+=("$t")
		done
	done
	targets=("${keep[@]}")
fi
if ((${#targets[@]} == 0)); then
	echo "fuzz.sh: no fuzz target matches: $*" >&2
	exit 2
fi

failed=0
rows=()
for t in "${targets[@]}"; do
	dir=${t% *} name=${t#* }
	log="$logs/$name.log"
	echo "fuzz.sh: $name ($dir) for $fuzztime" >&2
	start=$SECONDS
	result=ok
	if ! go test -run "^$name\$" -fuzz "^$name\$" -fuzztime "$fuzztime" -parallel 1 "./$dir" >"$log" 2>&1; then
		result=FAIL
		failed=1
		if crasher=$(grep -o 'testdata/fuzz/[^ ]*' "$log" | tail -1); then
			result="FAIL $dir/$crasher"
		fi
	fi
	# "fuzzed" is the fuzzing time go test reports; "wall" adds the
	# instrumented build and the run of the seed corpus.
	fuzzed=$(grep -o 'elapsed: [0-9hms.]*' "$log" | tail -1 | cut -d' ' -f2)
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	rows+=("$(printf '%-22s %-14s %8s %7ss %12s  %s' "$name" "$dir" "${fuzzed:--}" $((SECONDS - start)) "${execs:--}" "$result")")
done

printf '%-22s %-14s %8s %8s %12s  %s\n' target package fuzzed wall execs result
printf '%s\n' "${rows[@]}"
exit $failed
