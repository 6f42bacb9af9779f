#!/usr/bin/env bash
# bench/ram.sh — training throughput and predict latency of the glimpse
# model (pkg/ram) against its PyTorch twin (bench/torch/ram.py), as a
# markdown table.
#
# Usage: bench/ram.sh                       # every task, 1 and 2 threads (~5 min)
#        TASKS=mnist THREADS=1 STEPS=20 ROUNDS=1 bench/ram.sh
#
# Environment:
#   TASKS    tasks (ram.TaskConfig)                 default: mnist translated cluttered60 cluttered100
#   THREADS  thread counts                          default: 1 2
#   BATCH    training batch                         default: 128
#   STEPS    timed training steps (after WARMUP)    default: 50
#   WARMUP   untimed steps first                    default: 5
#   PREDICT  timed batch-1 predictions (median)     default: 200
#   ROUNDS   interleaved rounds; each side keeps its best round   default: 2
#   CORE     recurrent core, rnn (the paper) or lstm          default: rnn
#   LOCATOR_HIDDEN  hidden units in the location network      default: 0 (the paper)
#
# One training step is what pkg/ram.Train does per batch: a forward pass
# with sampled locations, the hybrid loss, backward and an Adam step. Go
# trains on generated task images rendered before the clock starts (the
# rendering is timed apart: the "Go with data" column adds it back); the
# twin trains on random tensors of the same shape. Predict is one greedy
# episode on one image, softmax included. Go runs with GOMAXPROCS=T and
# gemm.SetThreads(T); torch with torch.set_num_threads(T),
# OPENBLAS_NUM_THREADS=T (Debian's torch calls OpenBLAS for matrix
# products) and OMP_WAIT_POLICY=PASSIVE: with libgomp's default spinning,
# idle OpenMP threads fight OpenBLAS's threads for the cores, and on a
# loaded 2-core machine torch at 2 threads fell to ~110-170 samples/s on
# mnist (against ~1500-2800 with PASSIVE). Go and torch alternate round
# by round so load from other processes hits both alike; the ratio is the
# figure to read on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

TASKS=${TASKS:-"mnist translated cluttered60 cluttered100"}
THREADS=${THREADS:-"1 2"}
BATCH=${BATCH:-128}
STEPS=${STEPS:-50}
WARMUP=${WARMUP:-5}
PREDICT=${PREDICT:-200}
ROUNDS=${ROUNDS:-2}
CORE=${CORE:-rnn}
LOCATOR_HIDDEN=${LOCATOR_HIDDEN:-0}
PY=/usr/bin/python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/rambench" ./bench/ram

field() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }
minof() { printf '%s\n' "$@" | sort -g | head -1; }
# OpenBLAS's core type for torch's matrix products (see bench/openblas.sh).
. bench/openblas.sh

fmt() { "$PY" -c 'import sys; print("%.*f" % (int(sys.argv[2]), float(sys.argv[1])))' "$1" "$2"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "CPU: $cpu ($(nproc) cores)"
echo "Go: $(go version | cut -d' ' -f3-); torch $("$PY" -c 'import torch; print(torch.__version__)') (OpenBLAS, OMP_WAIT_POLICY=PASSIVE)"
echo "OpenBLAS core: $OPENBLAS_CORE_NOTE"
echo "Command: TASKS=\"$TASKS\" THREADS=\"$THREADS\" BATCH=$BATCH STEPS=$STEPS WARMUP=$WARMUP PREDICT=$PREDICT ROUNDS=$ROUNDS CORE=$CORE LOCATOR_HIDDEN=$LOCATOR_HIDDEN bench/ram.sh"
echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "| task | threads | batch | Go samples/s | Go with data | torch samples/s | Go/torch | Go predict (ms) | torch predict (ms) | torch/Go |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for task in $TASKS; do
	for th in $THREADS; do
		gs=() gd=() gp=() ts=() tl=()
		for ((r = 0; r < ROUNDS; r++)); do
			g=$("$tmp/rambench" bench -json -tasks "$task" -threads "$th" -batch "$BATCH" -steps "$STEPS" -warmup "$WARMUP" -predict "$PREDICT" -core "$CORE" -locator-hidden "$LOCATOR_HIDDEN")
			gs+=("$(field samples_per_s <<<"$g")")
			gd+=("$(field samples_per_s_with_data <<<"$g")")
			gp+=("$(field predict_us <<<"$g")")
			t=$(openblas_env "$th" OMP_NUM_THREADS="$th" OMP_WAIT_POLICY=PASSIVE \
				"$PY" bench/torch/ram.py --bench --tasks "$task" --threads "$th" --batch "$BATCH" \
				--steps "$STEPS" --warmup "$WARMUP" --predict "$PREDICT" --core "$CORE" --locator-hidden "$LOCATOR_HIDDEN")
			ts+=("$(field samples_per_s <<<"$t")")
			tl+=("$(field predict_us <<<"$t")")
		done
		g=$(maxof "${gs[@]}") d=$(maxof "${gd[@]}") t=$(maxof "${ts[@]}")
		p=$(minof "${gp[@]}") q=$(minof "${tl[@]}")
		echo "| $task | $th | $BATCH | $(fmt "$g" 0) | $(fmt "$d" 0) | $(fmt "$t" 0) | $(fmt "$("$PY" -c "print($g / $t)")" 2) | $(fmt "$("$PY" -c "print($p / 1000)")" 2) | $(fmt "$("$PY" -c "print($q / 1000)")" 2) | $(fmt "$("$PY" -c "print($q / $p)")" 1) |"
	done
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
