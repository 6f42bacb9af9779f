#!/usr/bin/env bash
# bench/lpa_results.sh — the lpa results tables of docs/experiments.md, measured on
# the built-in task's fixed test set (10,000 textured digits):
#   1. test error, weak-segmentation mean IoU and error under FGSM at
#      eps = 0.1 of the attention model and of the no-attention baseline
#      (its CAM for segmentation);
#      The mIoU is given at each method's own threshold (the defaults, chosen
#      on the validation split) and at one threshold for both (0.5);
#   2. the segmentation-rule study on the validation split (bench/lpa_segsweep):
#      mean IoU of every map of both models at every threshold, from which
#      the default rules (level-2 scores at 0.30, CAM at 0.85) were chosen
#      without the test set.
#
# Usage: bench/lpa_results.sh [ATT BASELINE]   (default: the embedded models)
#        VAL=1000 bench/lpa_results.sh runs/lpa-att.safetensors runs/lpa-baseline.safetensors
#
# Environment: THREADS (default: nproc), VAL (validation images for the
# rule study, default 1000; 0 skips it), LIMIT (test images, default 0:
# all; for a quick look only).
set -euo pipefail
cd "$(dirname "$0")/.."
att=${1:-att}
base=${2:-baseline}
threads=${THREADS:-$(nproc)}
val=${VAL:-1000}
limit=${LIMIT:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/lpa" ./cmd/lpa
lpa() { "$tmp/lpa" "$@" --threads "$threads" --quiet --json; }
key() { sed -n "s/.*\"$1\":\([-0-9.e]*\).*/\1/p"; }

echo "Models: attention $att, baseline $base; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $threads threads"
echo
echo "| model | variant | test error | mIoU (segmentation) | threshold | mIoU at threshold 0.5 | error under FGSM ε = 0.1 |"
echo "|---|---|---:|---:|---:|---:|---:|"
declare -A err miou fgsm thr half
for m in "$att" "$base"; do
	# --segment classifies the test set too: one pass gives error and mIoU.
	lpa eval --model "$m" --segment --limit "$limit" >"$tmp/e.json"
	variant=$(sed -n 's/.*"variant":"\([^"]*\)".*/\1/p' "$tmp/e.json")
	err[$m]=$(key error_pct <"$tmp/e.json")
	miou[$m]=$(key miou <"$tmp/e.json")
	thr[$m]=$(key threshold <"$tmp/e.json")
	half[$m]=$(lpa eval --model "$m" --segment --threshold 0.5 --limit "$limit" | key miou)
	fgsm[$m]=$(lpa eval --model "$m" --fgsm 0.1 --limit "$limit" | key error_pct)
	echo "| $m | $variant | ${err[$m]}% | ${miou[$m]} | ${thr[$m]} | ${half[$m]} | ${fgsm[$m]}% |"
done
python3 - "${err[$att]}" "${err[$base]}" "${miou[$att]}" "${miou[$base]}" "${fgsm[$att]}" "${fgsm[$base]}" <<'PY'
import sys
ea, eb, ma, mb, fa, fb = map(float, sys.argv[1:])
print()
print("- error ratio attention/baseline: %.2f (target <= 0.80)" % (ea / eb if eb else float('nan')))
print("- mIoU attention %.3f vs CAM %.3f: difference %+.3f (target: >= 0.5 and >= CAM + 0.10)" % (ma, mb, ma - mb))
print("- FGSM error attention %.2f%% vs baseline %.2f%% (target: attention <= baseline)" % (fa, fb))
PY

if [ "$val" != 0 ]; then
	echo
	echo "Segmentation-rule study: mean IoU on the first $val validation images (go run ./bench/lpa_segsweep -att $att -baseline $base -n $val)"
	echo
	GOMAXPROCS=$threads go run ./bench/lpa_segsweep -att "$att" -baseline "$base" -n "$val"
fi
