#!/usr/bin/env bash
# bench/ddp.sh — the scale-out training path end to end: the Go tools
# export the data, torchrun trains the PyTorch twins with
# DistributedDataParallel, the Go tools load the weights, and the Go
# evaluation must equal the Python one.
#
# Usage: bench/ddp.sh [MODEL...]       # 2 processes (gloo); MODEL: glimpse, lpa, nonlocal, imgtx, caption (default: all)
#        NPROC=1 bench/ddp.sh          # the same on one process
#        NPROC=2 bench/ddp.sh nonlocal # one model only
#
# Environment:
#   NPROC   processes of torchrun --nproc_per_node   default: 2
#   PY      the interpreter with torch 1.13+ and numpy   default: /usr/bin/python3 (Debian's python3-torch)
#   KEEP    a folder to keep the exports and models in (default: a temporary one, removed)
#
# The models, each trained for a few hundred steps (glimpse and lpa take
# about 2-3 minutes together on 2 free cores, nonlocal about one, imgtx
# less):
#   glimpse  the mnist task (the paper's model, random first location),
#            2 epochs over 9,600 digits at a global batch of 64 = 300 steps,
#            scored on the 10,000 test digits;
#   lpa      a small (VGG-att3)-concat-pc (widths 8,16,32,32,32, one
#            convolution per block) on the built-in task, 2 epochs over
#            3,200 images at a global batch of 32 = 200 steps, scored on
#            the first 2,000 test images;
#   nonlocal the default network (C2D, one embedded-Gaussian block in res4)
#            on the sum clips, 2 epochs over the 3,200 clips of
#            `nonlocal train --limit 3200` (one export per epoch, as the
#            Go loop draws new clips every epoch) at a global batch of 32
#            = 200 steps, scored on the 1,000 test clips of `nonlocal eval
#            --limit 1000`; then a smaller one on the cluttered60 images
#            (2 epochs over 1,600 images, batch 32 = 100 steps), scored on
#            1,000 test images. From scratch the sum task stays near chance
#            this early (its label needs both digits); on the images the
#            error falls below chance within these steps, so that run also
#            checks a model whose predictions follow its input;
#   imgtx    a small local-1D Image Transformer (2 layers of width 32, 2
#            heads) on MNIST at 14x14, 2 epochs over the first 3,200
#            training digits at a global batch of 32 = 200 steps, scored
#            (bits/dim) on the first 1,000 test digits;
#   caption  a small soft-attention captioner (encoder widths 8,16,32,32,
#            one convolution per block, embedding 32, 64 LSTM units) on
#            the built-in scenes, 2 epochs of 3,200 scenes (one export per
#            epoch, as the Go loop renders new scenes every epoch) at a
#            global batch of 32 scenes with their 5 references = 200
#            steps, scored on the first 1,000 test scenes by the
#            teacher-forced NLL per word (`caption eval --nll`; --beam 1
#            only keeps its decoding short, its scores are not compared).
# For each, `glimpse eval --json` / `lpa eval --json` / `nonlocal eval
# --json` / `imgtx eval --json` / `caption eval --nll --json` (Go, reading
# or rendering its own test set) and `python -m attnkit_torch.evaluate
# --json` (torch, on the exported test split) must report the same n,
# errors and error_pct (and nonlocal's network name; for imgtx
# bits_per_dim and nll_nats_per_image; for caption nll_per_word);
# the script prints both lines and exits 1 when they differ. Not part of
# .ci/run: it needs python3-torch.
#
# torchrun is started as `python3 -m attnkit_torch.torchrun`, which is
# torchrun with a fix for torch 1.13 on Python 3.11 (Debian bookworm);
# see python/attnkit_torch/torchrun.py.
set -euo pipefail
cd "$(dirname "$0")/.."

NPROC=${NPROC:-2}
PY=${PY:-/usr/bin/python3}
if [ -n "${KEEP:-}" ]; then
	tmp=$KEEP
	mkdir -p "$tmp"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
fi

models=("$@")
[ ${#models[@]} -gt 0 ] || models=(glimpse lpa nonlocal imgtx caption)
for m in "${models[@]}"; do
	case $m in
	glimpse | lpa | nonlocal | imgtx | caption) ;;
	*)
		echo "bench/ddp.sh: unknown model $m (want glimpse, lpa, nonlocal, imgtx or caption)" >&2
		exit 2
		;;
	esac
done
want() { [[ " ${models[*]} " == *" $1 "* ]]; }

go build -o "$tmp/bin/" $(printf './cmd/%s ' "${models[@]}")
export PATH="$tmp/bin:$PATH"
export PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
# One thread per process, and idle OpenMP threads must not spin (see
# bench/ram.sh).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE

torchrun() { "$PY" -m attnkit_torch.torchrun --standalone --nproc_per_node "$NPROC" "$@"; }

# same LABEL GO_JSON PY_JSON: print both and compare the figures.
status=0
same() {
	echo "$1 Go:     $2"
	echo "$1 Python: $3"
	if "$PY" - "$2" "$3" <<-'EOF'; then echo "$1: agree"; else echo "$1: DIFFER"; status=1; fi
		import json, sys
		go, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
		keys = [k for k in ("task", "variant", "name", "data", "split", "n", "errors", "error_pct",
		                    "bits_per_dim", "nll_nats_per_image", "nll_per_word") if k in go]
		sys.exit(0 if all(go[k] == py.get(k) for k in keys) else 1)
	EOF
}

if want glimpse; then
echo "== glimpse (mnist): export, train on $NPROC processes, evaluate"
glimpse render --task mnist --format npz --split train --count 9600 -o "$tmp/glimpse-train.npz"
glimpse render --task mnist --format npz --split val --count 1000 -o "$tmp/glimpse-val.npz"
glimpse render --task mnist --format npz -o "$tmp/glimpse-test.npz"
torchrun -m attnkit_torch.train_glimpse --train "$tmp/glimpse-train.npz" --val "$tmp/glimpse-val.npz" \
	--epochs 2 --batch 64 -o "$tmp/glimpse.safetensors"
same glimpse "$(glimpse eval --model "$tmp/glimpse.safetensors" --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/glimpse.safetensors" --data "$tmp/glimpse-test.npz" --json)"
fi

if want lpa; then
echo "== lpa (built-in task): export, train on $NPROC processes, evaluate"
lpa render --format npz --split train --count 3200 -o "$tmp/lpa-train.npz"
lpa render --format npz --split val --count 500 -o "$tmp/lpa-val.npz"
lpa render --format npz --count 2000 -o "$tmp/lpa-test.npz"
torchrun -m attnkit_torch.train_lpa --train "$tmp/lpa-train.npz" --val "$tmp/lpa-val.npz" \
	--widths 8,16,32,32,32 --convs 1,1,1,1,1 --epochs 2 --batch 32 -o "$tmp/lpa.safetensors"
same lpa "$(lpa eval --model "$tmp/lpa.safetensors" --limit 2000 --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/lpa.safetensors" --data "$tmp/lpa-test.npz" --json)"
fi

if want nonlocal; then
echo "== nonlocal (sum clips): export, train on $NPROC processes, evaluate"
# --limit is train's and eval's: it builds the split from its first N
# digits, so the exports hold what those runs see.
for e in 1 2; do
	nonlocal render --format npz --split train --epoch $e --limit 3200 -o "$tmp/nl-train-$e.npz"
done
nonlocal render --format npz --split val --limit 500 -o "$tmp/nl-val.npz"
nonlocal render --format npz --limit 1000 -o "$tmp/nl-test.npz"
torchrun -m attnkit_torch.train_nonlocal --train "$tmp"/nl-train-{1,2}.npz --val "$tmp/nl-val.npz" \
	--epochs 2 --batch 32 -o "$tmp/nl.safetensors"
same nonlocal "$(nonlocal eval --model "$tmp/nl.safetensors" --limit 1000 --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/nl.safetensors" --data "$tmp/nl-test.npz" --json)"

echo "== nonlocal (cluttered60 images): export, train on $NPROC processes, evaluate"
for e in 1 2; do
	nonlocal render --format npz --task cluttered60 --split train --epoch $e --limit 1600 -o "$tmp/nl2d-train-$e.npz"
done
nonlocal render --format npz --task cluttered60 --split val --limit 500 -o "$tmp/nl2d-val.npz"
nonlocal render --format npz --task cluttered60 --limit 1000 -o "$tmp/nl2d-test.npz"
torchrun -m attnkit_torch.train_nonlocal --train "$tmp"/nl2d-train-{1,2}.npz --val "$tmp/nl2d-val.npz" \
	--stage 3 --epochs 2 --batch 32 -o "$tmp/nl2d.safetensors"
same nonlocal-2d "$(nonlocal eval --model "$tmp/nl2d.safetensors" --limit 1000 --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/nl2d.safetensors" --data "$tmp/nl2d-test.npz" --json)"
fi

if want imgtx; then
echo "== imgtx (mnist at 14x14): export, train on $NPROC processes, evaluate"
imgtx render --format npz --size 14 --split train --limit 3200 -o "$tmp/tx-train.npz"
imgtx render --format npz --size 14 --split val --limit 500 -o "$tmp/tx-val.npz"
imgtx render --format npz --size 14 --limit 1000 -o "$tmp/tx-test.npz"
torchrun -m attnkit_torch.train_imgtx --train "$tmp/tx-train.npz" --val "$tmp/tx-val.npz" \
	--layers 2 --embed 32 --heads 2 --ff 64 --epochs 2 --batch 32 -o "$tmp/tx.safetensors"
same imgtx "$(imgtx eval --model "$tmp/tx.safetensors" --limit 1000 --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/tx.safetensors" --data "$tmp/tx-test.npz" --json)"
fi

if want caption; then
echo "== caption (built-in scenes): export, train on $NPROC processes, evaluate"
for e in 1 2; do
	caption render --format npz --split train --epoch $e --count 3200 -o "$tmp/cap-train-$e.npz"
done
caption render --format npz --split val --count 500 -o "$tmp/cap-val.npz"
caption render --format npz --count 1000 -o "$tmp/cap-test.npz"
torchrun -m attnkit_torch.train_caption --train "$tmp"/cap-train-{1,2}.npz --val "$tmp/cap-val.npz" \
	--widths 8,16,32,32 --convs 1,1,1,1 --embed 32 --hidden 64 --attn-dim 32 --epochs 2 --batch 32 \
	-o "$tmp/cap.safetensors"
same caption "$(caption eval --model "$tmp/cap.safetensors" --limit 1000 --beam 1 --nll --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/cap.safetensors" --data "$tmp/cap-test.npz" --json)"
fi

exit $status
