#!/usr/bin/env bash
# bench/latency.sh — what a user waits for one small image: the wall time
# of every tool's single-image command with its embedded model, process
# start included, beside 'python3 -c "import torch"' (the start-up alone
# of a PyTorch tool), as a markdown table of the median and the fastest of
# N runs each.
#
# Usage: bench/latency.sh                 # 20 runs of each command
#        N=5 bench/latency.sh
#        REV=55dfda3 bench/latency.sh     # also time the build of an older commit
#
# Environment:
#   N    runs of each command    default: 20
#   REV  a git revision to build and time beside the working tree: each
#        command then gets a second row, measured right after the first
#
# The inputs are each tool's own rendered test images (its 'render'
# command): a 28x28 MNIST digit for glimpse, a 64x64 textured digit for
# lpa, a captioned scene for caption, an 8-frame sum clip (GIF) for
# nonlocal. Pictures go to a fresh folder each run, removed outside the
# clock. imgtx is measured once models/imgtx embeds a model. Without
# python3-torch the reference row is 'python3 -c "import numpy"', and says
# so. On a shared machine the median moves with the load; the fastest run
# is the better figure of the program itself.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/bin/" ./cmd/glimpse ./cmd/lpa ./cmd/caption ./cmd/nonlocal ./cmd/imgtx
bin=$tmp/bin
REV=${REV:-}
if [[ -n $REV ]]; then
	mkdir -p "$tmp/src"
	git archive "$REV" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && go build -o "$tmp/old/" ./cmd/glimpse ./cmd/lpa ./cmd/caption ./cmd/nonlocal ./cmd/imgtx)
fi
"$bin/glimpse" render --task mnist --count 1 -q -o "$tmp/in" >/dev/null
"$bin/lpa" render --count 1 -q -o "$tmp/in" >/dev/null
"$bin/caption" render --count 1 -q -o "$tmp/in" >/dev/null
"$bin/nonlocal" render --task sum --count 1 -q -o "$tmp/in" >/dev/null
in=$tmp/in
out=$tmp/out

# measure LABEL CMD... runs CMD N times and prints a table row: the
# median and the fastest wall time in ms. A failing run stops the script.
measure() {
	measure1 "$@"
	if [[ -n $REV ]]; then
		local label=$1
		shift
		[[ $1 == "$bin"/* ]] || return 0 # python3: nothing to compare
		local cmd=("$@")
		cmd[0]=$tmp/old/$(basename "$1")
		measure1 "$label, $REV" "${cmd[@]}"
	fi
}

measure1() {
	local label=$1
	shift
	local i t0 t1
	for ((i = 0; i < N; i++)); do
		rm -rf "$out"
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk -v label="$label" '
		{ t[NR] = $1 }
		END {
			med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			printf "| %s | %.1f | %.1f |\n", label, med / 1000, t[1] / 1000
		}'
}

echo "Wall time of one small image, process start included; $N runs each, $(nproc) cores, $(go version | cut -d' ' -f3)."
echo
echo "| command | median ms | fastest ms |"
echo "|---|---:|---:|"
measure '`glimpse predict --task mnist` (28x28 digit; PNG and GIF of the path)' \
	"$bin/glimpse" predict --task mnist -q -o "$out" "$in/mnist-0000.png"
measure '`lpa attend` (64x64; 3 heatmaps and 3 raw maps)' \
	"$bin/lpa" attend -q -o "$out" "$in/fragments-0000.png"
measure '`lpa segment` (64x64; one mask)' \
	"$bin/lpa" segment -q -o "$out" "$in/fragments-0000.png"
measure '`caption predict` (one scene)' \
	"$bin/caption" predict -q "$in/scene_00000.png"
measure '`caption attend` (one scene; PNG and GIF of the words)' \
	"$bin/caption" attend -q -o "$out" "$in/scene_00000.png"
measure '`nonlocal predict` (8-frame clip)' \
	"$bin/nonlocal" predict -q "$in/sum-0000.gif"
measure '`nonlocal attend` (8-frame clip; filmstrip and GIF)' \
	"$bin/nonlocal" attend -q -o "$out" "$in/sum-0000.gif"
if compgen -G 'models/imgtx/*.safetensors' >/dev/null; then
	"$bin/glimpse" render --task mnist --count 1 -q -o "$tmp/imgtx" >/dev/null
	measure '`imgtx attend` (28x28 digit)' \
		"$bin/imgtx" attend -q -o "$out" "$tmp/imgtx/mnist-0000.png"
fi

py=/usr/bin/python3
if [ -x "$py" ] && "$py" -c 'import torch' 2>/dev/null; then
	measure '`python3 -c "import torch"`' "$py" -c 'import torch'
elif [ -x "$py" ] && "$py" -c 'import numpy' 2>/dev/null; then
	measure '`python3 -c "import numpy"` (no torch installed: apt-get install python3-torch)' "$py" -c 'import numpy'
else
	echo "| python3 with torch or numpy: not installed | | |"
fi
if ! compgen -G 'models/imgtx/*.safetensors' >/dev/null; then
	echo
	echo "imgtx: no embedded model in models/imgtx yet, not measured."
fi
