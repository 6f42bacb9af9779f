#!/usr/bin/env bash
# bench/ddp.sh — the scale-out training path end to end: the Go tools
# export the data, torchrun trains the PyTorch twins with
# DistributedDataParallel, the Go tools load the weights, and the Go
# evaluation must equal the Python one.
#
# Usage: bench/ddp.sh                  # 2 processes (gloo), about 2-3 minutes on 2 free cores
#        NPROC=1 bench/ddp.sh          # the same on one process
#
# Environment:
#   NPROC   processes of torchrun --nproc_per_node   default: 2
#   PY      the interpreter with torch 1.13+ and numpy   default: /usr/bin/python3 (Debian's python3-torch)
#   KEEP    a folder to keep the exports and models in (default: a temporary one, removed)
#
# Two models, each trained for a few hundred steps:
#   glimpse  the mnist task (the paper's model, random first location),
#            2 epochs over 9,600 digits at a global batch of 64 = 300 steps,
#            scored on the 10,000 test digits;
#   lpa      a small (VGG-att3)-concat-pc (widths 8,16,32,32,32, one
#            convolution per block) on the built-in task, 2 epochs over
#            3,200 images at a global batch of 32 = 200 steps, scored on
#            the first 2,000 test images.
# For each, `glimpse eval --json` / `lpa eval --json` (Go, rendering its
# own test set) and `python -m attnkit_torch.evaluate --json` (torch, on
# the exported test split) must report the same n, errors and error_pct;
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

go build -o "$tmp/bin/" ./cmd/glimpse ./cmd/lpa
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
		keys = [k for k in ("task", "variant", "data", "split", "n", "errors", "error_pct") if k in go]
		sys.exit(0 if all(go[k] == py.get(k) for k in keys) else 1)
	EOF
}

echo "== glimpse (mnist): export, train on $NPROC processes, evaluate"
glimpse render --task mnist --format npz --split train --count 9600 -o "$tmp/glimpse-train.npz"
glimpse render --task mnist --format npz --split val --count 1000 -o "$tmp/glimpse-val.npz"
glimpse render --task mnist --format npz -o "$tmp/glimpse-test.npz"
torchrun -m attnkit_torch.train_glimpse --train "$tmp/glimpse-train.npz" --val "$tmp/glimpse-val.npz" \
	--epochs 2 --batch 64 -o "$tmp/glimpse.safetensors"
same glimpse "$(glimpse eval --model "$tmp/glimpse.safetensors" --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/glimpse.safetensors" --data "$tmp/glimpse-test.npz" --json)"

echo "== lpa (built-in task): export, train on $NPROC processes, evaluate"
lpa render --format npz --split train --count 3200 -o "$tmp/lpa-train.npz"
lpa render --format npz --split val --count 500 -o "$tmp/lpa-val.npz"
lpa render --format npz --count 2000 -o "$tmp/lpa-test.npz"
torchrun -m attnkit_torch.train_lpa --train "$tmp/lpa-train.npz" --val "$tmp/lpa-val.npz" \
	--widths 8,16,32,32,32 --convs 1,1,1,1,1 --epochs 2 --batch 32 -o "$tmp/lpa.safetensors"
same lpa "$(lpa eval --model "$tmp/lpa.safetensors" --limit 2000 --json)" \
	"$("$PY" -m attnkit_torch.evaluate --model "$tmp/lpa.safetensors" --data "$tmp/lpa-test.npz" --json)"

exit $status
