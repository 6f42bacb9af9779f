#!/usr/bin/env bash
# bench/nlmeans_picture.sh — the denoising picture of the README
# (docs/nonlocal/denoise.png): for scikit-image's camera (grey) and
# astronaut (colour) with Gaussian noise σ, a row of crops
# [clean | noisy | OpenCV | ours], each captioned with the PSNR of the
# whole picture.
#
# Usage: bench/nlmeans_picture.sh
#        SIGMA=30 OUT=/tmp/denoise.png bench/nlmeans_picture.sh
#
# Environment:
#   SIGMA   noise level on the 8-bit scale        default: 20
#   OUT     the picture to write                  default: docs/nonlocal/denoise.png
#
# The setup is bench/nlmeans.sh's: make_images.py writes the clean and
# noisy PNGs (fixed seeds), OpenCV's fastNlMeansDenoising(Colored) runs
# with h = hColor = σ, ours is `nonlocal denoise --sigma σ`, both with 7×7
# patches and a 21×21 search window. bench/nlmeans/picture crops 192×192
# (the cameraman's face and camera, the astronaut's face and flag),
# enlarges 2× with nearest neighbour, captions and assembles with pkg/viz,
# and prints the PSNR figures. Needs Debian's python3-opencv and
# python3-skimage (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."

SIGMA=${SIGMA:-20}
OUT=${OUT:-docs/nonlocal/denoise.png}
PY=/usr/bin/python3
export PYTHONWARNINGS=ignore

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/nonlocal" ./cmd/nonlocal
mkdir -p "$tmp/img" "$tmp/ours" "$tmp/cv"
$PY bench/nlmeans/make_images.py "$tmp/img" "$SIGMA" > /dev/null

args=()
# name, top-left corner of the crop
for row in "camera 176 40" "astronaut 160 16"; do
	read -r name x y <<< "$row"
	noisy="$tmp/img/${name}_s$SIGMA.png"
	$PY bench/nlmeans/opencv_denoise.py "$noisy" "$tmp/cv/$name.png" "$SIGMA" > /dev/null
	"$tmp/nonlocal" denoise -q --sigma "$SIGMA" -o "$tmp/ours" "$noisy" > /dev/null
	args+=("$name" "$x" "$y" "$tmp/img/$name.png" "$noisy" "$tmp/cv/$name.png" "$tmp/ours/${name}_s${SIGMA}_denoised.png")
done
go run ./bench/nlmeans/picture -o "$OUT" -size 192 -zoom 2 -sigma "$SIGMA" "${args[@]}"
echo "wrote $OUT ($(($(stat -c %s "$OUT") / 1024)) KiB)"
