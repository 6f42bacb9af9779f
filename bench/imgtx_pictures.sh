#!/usr/bin/env bash
# bench/imgtx_pictures.sh — the class-conditional and super-resolution
# pictures of the README, from the embedded models:
#   docs/imgtx/class.png    ten samples of each digit at temperature 1.0,
#                           one row per class (imgtx sample --class all)
#   docs/imgtx/upscale.png  for the first four MNIST test digits: the 7×7
#                           input, its bicubic enlargement and four
#                           samples at temperature 0.9, one row per digit
#
# Usage: bench/imgtx_pictures.sh
#        MODELS=runs bench/imgtx_pictures.sh   # runs/imgtx-class.safetensors and runs/imgtx-upscale.safetensors instead
#
# Environment:
#   MODELS  a folder with imgtx-class.safetensors and imgtx-upscale.safetensors   default: the embedded models
#   OUT     the folder to write the two pictures to                              default: docs/imgtx
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-docs/imgtx}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/imgtx" ./cmd/imgtx
go build -o "$tmp/glimpse" ./cmd/glimpse
class=(--model embedded:class)
up=(--model embedded:upscale)
if [ -n "${MODELS:-}" ]; then
	class=(--model "$MODELS/imgtx-class.safetensors")
	up=(--model "$MODELS/imgtx-upscale.safetensors")
fi

"$tmp/imgtx" sample "${class[@]}" --class all --count 10 --zoom 2 --seed 1 -q -o "$tmp/class" >/dev/null
cp "$tmp/class/grid.png" "$OUT/class.png"

"$tmp/glimpse" render --task mnist --count 4 -q -o "$tmp/digits" >/dev/null
"$tmp/imgtx" upscale "${up[@]}" --count 4 --temperature 0.9 --zoom 3 --seed 1 -q -o "$tmp/up" "$tmp/digits" >/dev/null
go run ./bench/pngstack -o "$OUT/upscale.png" "$tmp"/up/*_upscale.png
echo "$OUT/class.png $OUT/upscale.png"
