#!/usr/bin/env bash
# bench/caption.sh — training throughput of the captioner against its
# PyTorch twin (bench/torch/caption.py), at the same model, batch (32
# images, 5 captions each) and thread count, on 1 and 2 threads, for soft,
# hard and no attention; then the latency of 'caption predict' on one
# image, process start included, beside 'python3 -c "import torch"'.
#
# Usage: bench/caption.sh [MODEL]   (MODEL for predict; default embedded:soft)
#
# Go's steps come from BenchmarkTrainStep (real built-in scenes); the twin's
# from random images and captions of the scenes' lengths (3-21 words). Both
# include the forward pass, the loss, backward and an Adam step; neither
# times data loading. Output: one line per measurement, "impl attention
# threads steps_per_s".
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-embedded:soft}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test ./pkg/caption -run '^$' -bench 'BenchmarkTrainStep' -benchtime 10x -count 1 |
	awk '/^BenchmarkTrainStep/ { split($1, a, "/"); sub("threads=", "", a[3]); sub("-[0-9]+$", "", a[3]);
	     for (i = 1; i <= NF; i++) if ($(i+1) == "steps/s") print "go", a[2], a[3], $i }'
if "$py" -c 'import torch' 2>/dev/null; then
	for att in soft hard none; do
		for th in 1 2; do
			"$py" bench/torch/caption.py --bench --attention "$att" --threads "$th" --steps 5 |
				"$py" -c 'import json,sys; r=json.load(sys.stdin); print("torch", r["attention"], r["threads"], r["train_steps_per_s"])'
		done
	done
else
	echo "torch: not installed (apt-get install python3-torch)" >&2
fi

# Predict latency on one rendered scene, process start included.
go build -o "$tmp/caption" ./cmd/caption
"$tmp/caption" render --count 1 -o "$tmp/scenes" --quiet >/dev/null
t0=$(date +%s.%N)
for _ in 1 2 3 4 5; do "$tmp/caption" predict --model "$model" --quiet "$tmp/scenes/scene_00000.png" >/dev/null; done
t1=$(date +%s.%N)
for _ in 1 2 3 4 5; do "$py" -c 'import torch' 2>/dev/null || true; done
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "caption predict (1 image, with process start): %.3f s\n", (b-a)/5;
	printf "python3 -c \"import torch\": %.3f s\n", (c-b)/5 }'
