#!/usr/bin/env bash
# bench/samebits.sh — checks that training gives the same bits as at an
# earlier commit: builds glimpse and lpa at REF and at the working tree,
# runs the same short training runs with both (glimpse mnist with a
# --resume, cluttered60 with sgd/step/warm-up/clip/LSTM/--full-reinforce,
# translated with the plateau schedule on 2 threads; lpa with sgd/step and
# the narrow baseline with adam/cosine; where REF has them, small imgtx
# local-1D and local-2D, caption soft-attention and nonlocal
# embedded-Gaussian runs, which go through the attention softmax and the
# cross-entropy), resumes REF's epoch-2 state file
# with the new binary, and compares every model and state file tensor by
# tensor (bench/ckptdiff). Exit 1 if any tensor differs.
#
# Usage: bench/samebits.sh [REF]   (default a1abfa2, the commit before the
#        shared training loop)
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-a1abfa2}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/ref" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/ref" "$ref"
cmds=(./cmd/glimpse ./cmd/lpa)
for c in imgtx caption nonlocal; do
	[[ -d $tmp/ref/cmd/$c ]] && cmds+=("./cmd/$c")
done
(cd "$tmp/ref" && go build -o "$tmp/old/" "${cmds[@]}")
go build -o "$tmp/new/" "${cmds[@]}" ./bench/ckptdiff

runs() { # BIN OUT
	local b=$1 o=$2
	mkdir -p "$o"
	(
		cd "$o"
		"$b/glimpse" train -q --task mnist --limit 1000 --epochs 2 --seed 3 --val 1000 --threads 1 -o g1.safetensors >g1.log
		cp g1.state.safetensors g1e2.state.safetensors
		"$b/glimpse" train -q --task mnist --limit 1000 --epochs 3 --seed 3 --val 1000 --threads 1 -o g1.safetensors --resume >>g1.log
		"$b/glimpse" train -q --task cluttered60 --limit 600 --epochs 3 --seed 4 --val 500 --optimizer sgd --schedule step --warmup 1 --clip 1 --core lstm --learned-first --full-reinforce --threads 1 -o g2.safetensors >g2.log
		"$b/glimpse" train -q --task translated --limit 600 --epochs 3 --seed 5 --val 500 --schedule plateau --threads 2 -o g3.safetensors >g3.log
		"$b/lpa" train -q --data builtin --limit 256 --val-limit 128 --epochs 2 --seed 3 --threads 1 -o l1.safetensors >l1.log
		"$b/lpa" train -q --data builtin --limit 256 --val-limit 128 --epochs 2 --seed 3 --no-attention --optimizer adam --schedule cosine --widths 8,16,32,64,64 --threads 1 -o l2.safetensors >l2.log
		if [[ -x $b/imgtx ]]; then
			"$b/imgtx" train -q --layers 1 --embed 32 --heads 2 --ff 64 --limit 64 --val-limit 32 --batch 8 --epochs 2 --seed 3 --threads 1 -o i1.safetensors >i1.log
			"$b/imgtx" train -q --attention local2d --layers 1 --embed 32 --heads 2 --ff 64 --limit 64 --val-limit 32 --batch 8 --epochs 2 --seed 3 --threads 2 -o i2.safetensors >i2.log
		fi
		if [[ -x $b/caption ]]; then
			"$b/caption" train -q --scenes 256 --val-scenes 64 --epochs 2 --batch 32 --seed 3 --threads 1 -o c1.safetensors >c1.log
		fi
		if [[ -x $b/nonlocal ]]; then
			"$b/nonlocal" train -q --blocks 1 --pairwise embedded --limit 64 --val-limit 32 --batch 8 --epochs 2 --seed 3 --threads 1 -o n1.safetensors >n1.log
		fi
	)
}
runs "$tmp/old" "$tmp/out-old"
runs "$tmp/new" "$tmp/out-new"
# The new binary resumes the old binary's epoch-2 state.
mkdir -p "$tmp/resume"
cp "$tmp/out-old/g1e2.state.safetensors" "$tmp/resume/g1.state.safetensors"
(cd "$tmp/resume" && "$tmp/new/glimpse" train -q --task mnist --limit 1000 --epochs 3 --seed 3 --val 1000 --threads 1 -o g1.safetensors --resume >/dev/null)

fail=0
for f in "$tmp"/out-old/*.safetensors; do
	n=$(basename "$f")
	printf '%s: ' "$n"
	"$tmp/new/ckptdiff" "$f" "$tmp/out-new/$n" | tail -1 || fail=1
done
for n in g1.safetensors g1.state.safetensors; do
	printf 'resumed %s: ' "$n"
	"$tmp/new/ckptdiff" "$tmp/out-old/$n" "$tmp/resume/$n" | tail -1 || fail=1
done
exit $fail
