#!/usr/bin/env bash
# bench/nonlocal_train.sh — training throughput of the sum-task network
# (C2D, NL C2D with one embedded-Gaussian block in res4, and with five)
# against its PyTorch twin (bench/torch/nonlocal_net.py --bench), at the
# same network, batch (32 clips of 8x32x32) and thread count, on 1 and 2
# threads. Both time forward, cross-entropy, backward and an SGD step with
# momentum on random clips; neither times data loading.
#
# Usage: ROUNDS=3 bench/nonlocal_train.sh
#
# The rounds interleave Go and torch so that a shared machine's drift hits
# both alike. Output: one line per measurement, "round impl blocks threads
# clips_per_s".
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/nonlocal.test" ./pkg/nonlocal
have_torch=1
"$py" -c 'import torch' 2>/dev/null || { have_torch=0; echo "torch: not installed (apt-get install python3-torch)" >&2; }
for r in $(seq "$rounds"); do
	for blocks in 0 1 5; do
		for th in 1 2; do
			"$tmp/nonlocal.test" -test.run '^$' -test.bench "TrainStep/blocks=$blocks/threads=$th\$" -test.benchtime 10x |
				awk -v r="$r" -v b="$blocks" -v t="$th" '/^BenchmarkTrainStep/ { for (i = 1; i <= NF; i++) if ($(i+1) == "clips/s") print r, "go", b, t, $i }'
			if [ "$have_torch" = 1 ]; then
				env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$th" OPENBLAS_NUM_THREADS="$th" \
					"$py" bench/torch/nonlocal_net.py --bench --blocks "$blocks" --threads "$th" --steps 10 --warmup 2 |
					awk -v r="$r" -v b="$blocks" -v t="$th" '{ print r, "torch", b, t, $(NF-1) }'
			fi
		done
	done
done
