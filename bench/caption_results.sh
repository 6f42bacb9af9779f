#!/usr/bin/env bash
# bench/caption_results.sh — the caption results table of the README and
# docs/experiments.md: every figure of `caption eval` (corpus BLEU-1..4,
# CIDEr-D, object F1, relation accuracy with the number of relations
# stated, attention correctness and its uniform-map counterpart) for the
# soft, hard and no-attention models on the fixed built-in test set
# (5,000 scenes from the MNIST test digits), then the beam sweep (1, 3, 5)
# of the soft model. One NDJSON line per evaluation, and a Markdown table.
#
# Usage: bench/caption_results.sh [SOFT HARD BASELINE]   (default: the embedded models)
#        bench/caption_results.sh runs/caption-soft.safetensors runs/caption-hard.safetensors runs/caption-baseline.safetensors
#
# Environment: THREADS (default: nproc), LIMIT (test scenes, default 0: all;
# for a quick look only), BEAMS (the sweep, default "1 3 5").
set -euo pipefail
cd "$(dirname "$0")/.."
soft=${1:-embedded:soft}
hard=${2:-embedded:hard}
base=${3:-embedded:baseline}
threads=${THREADS:-$(nproc)}
limit=${LIMIT:-0}
beams=${BEAMS:-1 3 5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/caption" ./cmd/caption
ev() { "$tmp/caption" eval --threads "$threads" --limit "$limit" --quiet --json "$@"; }

for m in "$soft" "$hard" "$base"; do ev --model "$m"; done | tee "$tmp/main.ndjson"
# Beam 3 is eval's default: the soft model's line above, not evaluated again.
for b in $beams; do
	if [ "$b" = 3 ]; then head -n 1 "$tmp/main.ndjson"; else ev --model "$soft" --beam "$b"; fi | sed "s/^{/{\"beam\":$b,/"
done | tee "$tmp/beam.ndjson"

/usr/bin/env python3 - "$tmp/main.ndjson" "$tmp/beam.ndjson" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
beams = [json.loads(l) for l in open(sys.argv[2])]
f = lambda v: "–" if v is None else f"{v:.3f}"
print("\n| model | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | object F1 | relation acc. (stated) | attn. correctness (uniform) | n |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['model']} | {f(r['bleu1'])} | {f(r['bleu2'])} | {f(r['bleu3'])} | {f(r['bleu4'])} | {f(r['cider'])} | "
          f"{f(r['object_f1'])} | {f(r['relation_acc'])} ({r['relations']}) | {f(r['attn_correctness'])} ({f(r['attn_correctness_uniform'])}) | {r['n']} |")
print("\n| beam | BLEU-4 | CIDEr-D | object F1 | relation acc. (stated) |")
print("|---:|---:|---:|---:|---:|")
for r in beams:
    print(f"| {r['beam']} | {f(r['bleu4'])} | {f(r['cider'])} | {f(r['object_f1'])} | {f(r['relation_acc'])} ({r['relations']}) |")
PY
