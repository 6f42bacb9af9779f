#!/usr/bin/env bash
# bench/nlmeans.sh — non-local means of this project (`nonlocal denoise`)
# against OpenCV (cv2.fastNlMeansDenoising / fastNlMeansDenoisingColored)
# and scikit-image (denoise_nl_means, fast mode), as a markdown table of
# PSNR and time on grey and colour photographs with Gaussian noise.
#
# Usage: bench/nlmeans.sh
#        SIGMAS="20" ROUNDS=1 NOSKIMAGE=1 bench/nlmeans.sh
#
# Environment:
#   SIGMAS     noise levels on the 8-bit scale      default: 10 20 30
#   THREADS    threads of ours and OpenCV           default: 1
#   ROUNDS     timed runs of ours and OpenCV, interleaved; the best is kept   default: 3
#   NOSKIMAGE=1  skip scikit-image (about 1 s a picture; timed once)
#
# Needs Debian's python3-opencv and python3-skimage (/usr/bin/python3). The
# photographs are scikit-image's camera, moon, coins (grey) and astronaut,
# coffee, chelsea (colour); bench/nlmeans/make_images.py writes them and
# their noisy versions (fixed seeds, rounded to 8 bits) into a temporary
# folder. Every method reads the noisy PNG and writes an 8-bit PNG, and
# psnr.py scores that file against the clean one, so all three are judged
# on the same quantised output.
#
# Settings: 7×7 patches and a 21×21 search window for all. Ours: --sigma σ
# and the default h (nlmeans.DefaultH: 0.8σ at σ = 10, 0.6σ from σ = 20;
# the 2σ² of noise is discounted from patch distances). OpenCV: h = σ (and hColor = σ). scikit-image: h = 0.8σ with
# sigma = σ, patch_distance 10, as its documentation suggests.
#
# Columns: "s" is the whole process (start, PNG in, denoise, PNG out) by
# bash's `time`; "kernel" is the denoising call alone, timed inside the
# process (ours: bench/nlmeans/kernel). "σ est" is what `--sigma 0`
# would use (nlmeans.EstimateSigma on the noisy picture).
set -euo pipefail
cd "$(dirname "$0")/.."

SIGMAS=${SIGMAS:-"10 20 30"}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
NOSKIMAGE=${NOSKIMAGE:-}
PY=/usr/bin/python3
export PYTHONWARNINGS=ignore

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/nonlocal" ./cmd/nonlocal
go build -o "$tmp/kernel" ./bench/nlmeans/kernel
mkdir -p "$tmp/img" "$tmp/ours" "$tmp/cv" "$tmp/sk"
# shellcheck disable=SC2086
$PY bench/nlmeans/make_images.py "$tmp/img" $SIGMAS > "$tmp/list"

# wall CMD... prints the wall time of CMD in seconds; CMD's stdout goes to
# $tmp/last.
wall() {
	local TIMEFORMAT=%R
	{ time "$@" > "$tmp/last" 2>/dev/null; } 2>&1
}
best() { printf '%s\n' "$@" | sort -g | head -1; }
psnr() { $PY bench/nlmeans/psnr.py "$1" "$2"; }

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), threads: $THREADS, best of $ROUNDS runs"
echo
echo "| image | σ | σ est | noisy dB | ours dB | OpenCV dB | skimage dB | ours s | OpenCV s | skimage s | ours kernel s | OpenCV kernel s | skimage kernel s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
while read -r name sigma c path; do
	clean="$tmp/img/$name.png"
	ours=() cv=() cvk=()
	for _ in $(seq "$ROUNDS"); do
		ours+=("$(wall "$tmp/nonlocal" denoise --sigma "$sigma" --threads "$THREADS" -o "$tmp/ours" "$path")")
		cv+=("$(wall $PY bench/nlmeans/opencv_denoise.py "$path" "$tmp/cv/$name.png" "$sigma" "$THREADS")")
		cvk+=("$(cat "$tmp/last")")
	done
	read -r ok est < <("$tmp/kernel" "$path" "$sigma" "$THREADS" "$ROUNDS")
	out="$tmp/ours/${name}_s${sigma}_denoised.png"
	row="| $name ($([ "$c" = 1 ] && echo grey || echo colour)) | $sigma | $est | $(psnr "$clean" "$path") | $(psnr "$clean" "$out") | $(psnr "$clean" "$tmp/cv/$name.png")"
	if [ -z "$NOSKIMAGE" ]; then
		sk=$(wall $PY bench/nlmeans/skimage_denoise.py "$path" "$tmp/sk/$name.png" "$sigma")
		skk=$(cat "$tmp/last")
		row="$row | $(psnr "$clean" "$tmp/sk/$name.png")"
	else
		sk=- skk=-
		row="$row | -"
	fi
	echo "$row | $(best "${ours[@]}") | $(best "${cv[@]}") | $sk | $ok | $(best "${cvk[@]}") | $skk |"
done < "$tmp/list"
