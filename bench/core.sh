#!/usr/bin/env bash
# bench/core.sh — the differentiable core at the models' sizes: conv2d
# forward+backward (im2col + GEMM), an LSTM step, fused attention
# forward+backward, and the inference paths' allocations, as Go benchmarks
# with -benchmem. Prints the CPU, the command and a markdown table.
#
# Usage: bench/core.sh              (BENCHTIME=2s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-2s}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "CPU: $cpu ($(nproc) cores), $(go version | cut -d' ' -f3), GOMAXPROCS=$(nproc)"
echo "Command: go test -run '^\$' -bench 'Conv2DFwdBwd|Conv2DTape|LSTMCell|Attention' -benchmem -benchtime $BENCHTIME ./pkg/conv ./pkg/autograd"
echo
echo "| benchmark | ms/op | B/op | allocs/op |"
echo "|---|---:|---:|---:|"
go test -run '^$' -bench 'Conv2DFwdBwd|Conv2DTape|LSTMCell|Attention' -benchmem -benchtime "$BENCHTIME" \
	./pkg/conv ./pkg/autograd | awk '/^Benchmark/ {
		name=$1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
		ns=""; bop=""; aop=""
		for (i = 2; i <= NF; i++) {
			if ($i == "ns/op") ns = $(i-1)
			if ($i == "B/op") bop = $(i-1)
			if ($i == "allocs/op") aop = $(i-1)
		}
		printf "| %s | %.2f | %s | %s |\n", name, ns/1e6, bop, aop
	}'
