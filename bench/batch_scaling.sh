#!/usr/bin/env bash
# bench/batch_scaling.sh — how a batch command scales with --threads: the
# wall time of one command over a folder of rendered test images at each
# thread count, and its speedup over --threads 1, as a markdown table.
# The command's stdout goes to /dev/null, its pictures (lpa attend) to a
# fresh folder each run, removed outside the clock.
#
# Usage: bench/batch_scaling.sh                 # glimpse predict --task cluttered60
#        bench/batch_scaling.sh lpa             # lpa attend
#        REV=HEAD~1 bench/batch_scaling.sh      # also time the build of an older commit
#
# Arguments:
#   glimpse  glimpse predict --task cluttered60 --threads T -q DIR (default)
#   lpa      lpa attend --threads T -q -o OUT DIR
#
# Environment:
#   N        images                          default: 500
#   ROUNDS   timed runs of each setting      default: 3
#   THREADS  thread counts                   default: "1 2"
#   REV      a git revision to build and time beside the working tree,
#            e.g. the commit before a change   default: none
#   GO       the go command of the builds    default: go (e.g. "nice -n 19 go"
#            to build at low priority; the timed runs are not reniced)
#
# The runs are interleaved (round by round, every thread count and build
# in turn), so a change in the machine's load falls on all of them alike.
# The table gives the fastest and the median run; on a shared machine the
# fastest is the better figure of the program itself, and a speedup is
# only meaningful with the cores otherwise idle (check with uptime).
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-glimpse}
N=${N:-500}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1 2}
REV=${REV:-}
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $what in
glimpse) tool=glimpse ;;
lpa) tool=lpa ;;
*)
	echo "usage: $0 [glimpse|lpa]" >&2
	exit 2
	;;
esac

builds=(tree)
$GO build -o "$tmp/tree/" "./cmd/$tool"
if [[ -n $REV ]]; then
	mkdir -p "$tmp/src"
	git archive "$REV" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && $GO build -o "$tmp/rev/" "./cmd/$tool")
	builds+=(rev)
fi

in=$tmp/in
out=$tmp/out
case $what in
glimpse) "$tmp/tree/glimpse" render --task cluttered60 --count "$N" -q -o "$in" >/dev/null ;;
lpa) "$tmp/tree/lpa" render --count "$N" -q -o "$in" >/dev/null ;;
esac

# run BUILD T: one timed run, microseconds on stdout.
run() {
	local bin=$tmp/$1/$tool t=$2 t0 t1
	rm -rf "$out"
	t0=$(date +%s%N)
	case $what in
	glimpse) "$bin" predict --task cluttered60 --threads "$t" -q "$in" >/dev/null ;;
	lpa) "$bin" attend --threads "$t" -q -o "$out" "$in" >/dev/null ;;
	esac
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

for ((r = 0; r < ROUNDS; r++)); do
	for t in $THREADS; do
		for b in "${builds[@]}"; do
			echo "$b $t $(run "$b" "$t")" >>"$tmp/times"
		done
	done
done

case $what in
glimpse) cmd="glimpse predict --task cluttered60 --threads T -q DIR" ;;
lpa) cmd="lpa attend --threads T -q -o OUT DIR" ;;
esac
echo "\`$cmd\` over $N images; $ROUNDS interleaved runs each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), $(go version | cut -d' ' -f3)."
[[ -n $REV ]] && echo "tree: the working tree; rev: $REV ($(git rev-parse --short "$REV"))."
echo
echo "| build | threads | fastest s | median s | speedup (fastest) |"
echo "|---|---:|---:|---:|---:|"
sort -k1,1 -k2,2n -k3,3n "$tmp/times" | awk '
	{ k = $1 " " $2; n[k]++; t[k, n[k]] = $3; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
	END {
		for (i = 1; i <= m; i++) {
			k = order[i]; split(k, f, " ")
			c = n[k]; med = c % 2 ? t[k, (c + 1) / 2] : (t[k, c / 2] + t[k, c / 2 + 1]) / 2
			best[k] = t[k, 1]
			if (!(f[1] in base)) base[f[1]] = best[k]
			printf "| %s | %s | %.2f | %.2f | %.2f× |\n", f[1], f[2], best[k] / 1e6, med / 1e6, base[f[1]] / best[k]
		}
	}'
