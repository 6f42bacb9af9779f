#!/usr/bin/env bash
# bench/bigdenoise.sh — `nonlocal denoise` as a new user runs it on a
# folder of phone photographs: three 4000×3000 (12-megapixel) JPEGs with
# the noise level estimated per photo (--sigma 0) and the default threads.
#
#  1. Under GNU time (/usr/bin/time -v), stdout to a file: wall and CPU
#     time, peak resident memory, and that against the decoded size
#     (W·H·3 bytes, 36 MB at 12 MP). Stderr is no terminal, so it must
#     stay empty (no bar).
#  2. On a pseudo-terminal (util-linux `script`), stdout to a file and
#     stderr on the terminal: the progress bar must show from 0/3 on and
#     end with its summary, stdout must hold one line per photo (path,
#     sigma, h, out), the exit code must be 0 and the PNGs the same bytes
#     as in run 1.
#
# Usage: bench/bigdenoise.sh
#        W=2000 H=1500 bench/bigdenoise.sh
#
# Environment:
#   W, H    size of the generated photos      default: 4000 3000
#
# The photos are scikit-image's astronaut, coffee and chelsea cut to 4:3,
# enlarged, with Gaussian noise σ = 8 and saved at JPEG quality 92
# (bench/bigdenoise/make_photos.py, into a temporary folder): photographic
# content, so that decoding and the noise estimate meet what a camera
# gives. Needs GNU time, util-linux script and Debian's python3-opencv and
# python3-skimage (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."

W=${W:-4000}
H=${H:-3000}
PY=/usr/bin/python3
for tool in /usr/bin/time script; do
	if ! command -v "$tool" > /dev/null; then
		echo "bigdenoise.sh: needs $tool" >&2
		exit 2
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/nonlocal" ./cmd/nonlocal
mkdir -p "$tmp/in"
$PY bench/bigdenoise/make_photos.py "$tmp/in" "$W" "$H" > /dev/null
n=$(find "$tmp/in" -name '*.jpg' | wc -l)
kb=$(($(du -sk "$tmp/in" | cut -f1) / n))
fail=0
check() { # check CONDITION-TEXT STATUS
	if [ "$2" = 0 ]; then echo "  ok: $1"; else echo "  FAILED: $1"; fail=1; fi
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
echo "$n photos of ${W}×${H} ($(awk -v w="$W" -v h="$H" 'BEGIN { printf "%.1f", w * h / 1e6 }') MP JPEG, about $kb KiB each)"
echo
echo "1. nonlocal denoise --sigma 0 -o OUT DIR under /usr/bin/time -v"
/usr/bin/time -v -o "$tmp/time" "$tmp/nonlocal" denoise --sigma 0 -o "$tmp/out1" "$tmp/in" > "$tmp/lines1" 2> "$tmp/err1"
awk -v n="$n" -v decoded=$((W * H * 3)) -F': ' '
	/Elapsed \(wall clock\)/ { k = split($2, t, ":"); wall = 0; for (i = 1; i <= k; i++) wall = wall * 60 + t[i] }
	/User time/ { user = $2 }
	/System time/ { sys = $2 }
	/Maximum resident set size/ { rss = $2 * 1024 }
	END {
		printf "  wall %.1f s (%.1f s a photo), cpu %.1f s, peak RSS %.0f MiB = %.1f× the decoded photo (%.0f MB)\n",
			wall, wall / n, user + sys, rss / 1048576, rss / decoded, decoded / 1e6
	}
' "$tmp/time"
sed 's/^/  stdout: /' "$tmp/lines1"
check "stderr empty when not a terminal" "$([ ! -s "$tmp/err1" ]; echo $?)"

echo
echo "2. the same on a pseudo-terminal (stdout to a file, stderr on the terminal)"
rc=0
script -qec "'$tmp/nonlocal' denoise --sigma 0 -o '$tmp/out2' '$tmp/in' > '$tmp/lines2'" "$tmp/tty" > /dev/null || rc=$?
# What the terminal showed, one line per carriage return or newline
# (without script's own first and last lines).
tr '\r' '\n' < "$tmp/tty" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -v -e '^ *$' -e '^Script started' -e '^Script done' > "$tmp/screen" || true
sed 's/^/  terminal: /' "$tmp/screen"
check "exit code 0 (got $rc)" "$([ "$rc" = 0 ]; echo $?)"
check "a progress bar from 0/$n on" "$(grep -q "(0/$n" "$tmp/screen"; echo $?)"
check "the summary line 'denoise: $n in …'" "$(grep -q "^denoise: $n in " "$tmp/screen"; echo $?)"
check "$n stdout lines of 4 fields, as in run 1" "$(awk -F'\t' -v n="$n" 'NF != 4 { bad = 1 } END { exit bad || NR != n }' "$tmp/lines2" &&
	diff <(sed "s|$tmp/out2|OUT|" "$tmp/lines2") <(sed "s|$tmp/out1|OUT|" "$tmp/lines1") > /dev/null; echo $?)"
check "the PNGs the same bytes as run 1's" "$(diff -r "$tmp/out1" "$tmp/out2" > /dev/null; echo $?)"
exit $fail
