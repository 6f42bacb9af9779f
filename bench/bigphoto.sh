#!/usr/bin/env bash
# bench/bigphoto.sh — what a photo-sized input costs: wall time and peak
# resident memory of `lpa attend` (and `lpa segment`) on a SIZE×SIZE JPEG
# (16 MP by default), one line per run, measured with GNU time
# (/usr/bin/time -v). The model only ever sees the photo shrunk to its
# 64×64 input (imageio.ToTensorResized); what remains is the decode and the
# pictures written at the photo's size: one heatmap per attention level
# for attend, the mask for segment. BenchmarkLoadResize16MP in
# pkg/imageio times the decode and the shrink alone.
#
# Usage: bench/bigphoto.sh
#        SIZE=8000 ROUNDS=1 bench/bigphoto.sh
#
# Environment:
#   SIZE     width and height of the generated JPEG   default: 4000
#   ROUNDS   runs of each command                     default: 3
#
# Needs GNU time at /usr/bin/time (Debian's package "time").
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-4000}
ROUNDS=${ROUNDS:-3}
if [ ! -x /usr/bin/time ]; then
	echo "bigphoto.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/lpa" ./cmd/lpa
go run ./bench/bigphoto -size "$SIZE" -out "$tmp/photo.jpg"
mp=$(awk -v s="$SIZE" 'BEGIN { printf "%.1f", s * s / 1e6 }')
kb=$(($(stat -c %s "$tmp/photo.jpg") / 1024))

# measure NAME ARGS... runs the lpa command ARGS on the photo and prints one
# line: what ran, wall time, CPU time and peak RSS.
measure() {
	local name=$1
	shift
	rm -rf "$tmp/out"
	/usr/bin/time -v -o "$tmp/time" "$tmp/lpa" "$@" -q -o "$tmp/out" "$tmp/photo.jpg" > /dev/null
	awk -v name="$name" -v mp="$mp" -v kb="$kb" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + t[i] }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%-14s %s MP JPEG (%d KiB)  wall %.2f s  cpu %.2f s  peak RSS %.0f MiB\n", name, mp, kb, wall, user + sys, rss / 1024 }
	' "$tmp/time"
}

for _ in $(seq "$ROUNDS"); do
	measure "lpa attend" attend
done
for _ in $(seq "$ROUNDS"); do
	measure "lpa segment" segment
done
