#!/usr/bin/env bash
# bench/gemm.sh — SGEMM throughput of pkg/gemm against gonum's blas32 and
# OpenBLAS (through numpy), as a markdown table of GFLOP/s.
#
# Usage: bench/gemm.sh            # full table (a few minutes)
#        SQUARES="256 1024" SHAPES="128x784x256" ROUNDS=2 bench/gemm.sh
#        SMALLM="1 2 4 8 16" bench/gemm.sh   # small-m table only (see below)
#
# Environment:
#   SQUARES   square sizes n (n×n×n)         default: 64 128 256 512 1024 2048
#   SHAPES    model shapes MxNxK             default: 128x784x256 196x512x512 128x256x1024 256x256x64
#   THREADS   thread settings                default: "1 all" (all = nproc)
#   ROUNDS    interleaved rounds; each implementation keeps its best round   default: 3
#   RUNS      timed runs per round (best taken; gonum: at most 3)            default: 15
#   MINTIME   seconds per timed run                                          default: 0.02
#   NOGONUM=1 skip gonum (slow for big squares)
#
# Small products (single images, LSTM steps, beam search): with SMALLM set
# the script prints, instead of the table above, one for every m in SMALLM
# against every n and k in SMALLNK, for op(B) = B (N, numpy's a @ b) and
# op(B) = Bᵀ (T, a @ b.T, a dense layer's x·Wᵀ), ours against OpenBLAS
# only, interleaved as above:
#   SMALLM      rows m                          (e.g. "1 2 4 8 16")
#   SMALLNK     values of n and of k            default: 256 1024
#   SMALLTRANS  op(B): N and/or T               default: N T
#   THREADS                                     default here: 1 2
# For m = 1 numpy is timed both as a matrix product (sgemm) and with a 1-d
# x (x @ b, which numpy sends to sgemv); the faster is kept and named. The
# numpy runs of this table have OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
# unset, so OpenBLAS picks its kernels for itself; the header names the
# kernels it picked (threadpoolctl when installed, else OpenBLAS's own
# report) and warns when that is a generic fallback.
#
# The three implementations are measured interleaved, shape by shape and
# round by round, so that load from other processes hits them alike; the
# ratio ours/OpenBLAS is the figure to read on a shared machine. Every number
# is the best of ROUNDS×RUNS timed runs, each repeating the product for at
# least MINTIME (one call when a call is longer): many short runs give the
# best figure a fair chance to come from a moment when no other process ran. OpenBLAS needs numpy linked to it (Debian: apt-get install python3-numpy
# libopenblas0-pthread); the script prints which BLAS numpy loaded.
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for the numpy runs only,
# unless OpenBLAS does not recognise the CPU (see bench/openblas.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

SMALLM=${SMALLM:-}
SMALLNK=${SMALLNK:-"256 1024"}
SMALLTRANS=${SMALLTRANS:-"N T"}
if [ -n "$SMALLM" ]; then THREADS=${THREADS:-"1 2"}; fi
SQUARES=${SQUARES:-"64 128 256 512 1024 2048"}
SHAPES=${SHAPES:-"128x784x256 196x512x512 128x256x1024 256x256x64"}
THREADS=${THREADS:-"1 all"}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-15}
MINTIME=${MINTIME:-0.02}
NPROC=$(nproc)
PY=/usr/bin/python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gemmbench" ./bench/gemm

cat >"$tmp/np_gemm.py" <<'PYEOF'
# Times C = A @ B on float32 arrays with numpy's BLAS; prints one JSON object.
import json, sys, time
import numpy as np
m, n, k, runs, mintime = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
rng = np.random.default_rng(1)
a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
c = np.empty((m, n), np.float32)
np.matmul(a, b, out=c)
calls, el = 1, 0.0
while True:
    t = time.perf_counter()
    for _ in range(calls):
        np.matmul(a, b, out=c)
    el = time.perf_counter() - t
    if el >= mintime / 4 or calls >= 1 << 20:
        break
    calls *= 4
calls = max(1, int(calls * mintime / max(el, 1e-6)))
best = 0.0
for _ in range(runs):
    t = time.perf_counter()
    for _ in range(calls):
        np.matmul(a, b, out=c)
    per = (time.perf_counter() - t) / calls
    best = max(best, 2.0 * m * n * k / per / 1e9)
print(json.dumps({"impl": "openblas", "gflops": best, "m": m, "n": n, "k": k}))
PYEOF

cat >"$tmp/blasinfo.py" <<'PYEOF'
import ctypes, numpy as np
np.dot(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})
desc = "numpy %s, BLAS libraries: %s" % (np.__version__, ", ".join(libs) or "none found")
for p in libs:
    try:
        f = ctypes.CDLL(p).openblas_get_config
        f.restype = ctypes.c_char_p
        desc += "; " + f().decode()
        break
    except Exception:
        pass
print(desc)
PYEOF

gflops() { "$PY" -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["gflops"])'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
# ratio A B prints A/B, or "-" when B rounded to zero (a starved run).
ratio() { "$PY" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b > 0 else '-')" "$1" "$2"; }

if [ -n "$SMALLM" ]; then
	cat >"$tmp/np_small.py" <<'PYEOF'
# Times C = A @ op(B) on float32 arrays with numpy's BLAS, like np_gemm.py;
# for m = 1 also x @ op(B) with a 1-d x (numpy's sgemv route), keeping the
# faster. Prints "GFLOPS ROUTE".
import sys, time
import numpy as np
m, n, k, trans, runs, mintime = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
rng = np.random.default_rng(1)
a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
if trans == "T":
    b = rng.uniform(-1, 1, (n, k)).astype(np.float32).T
else:
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
c = np.empty((m, n), np.float32)
def rate(f):
    f()
    calls = 1
    while True:
        t = time.perf_counter()
        for _ in range(calls):
            f()
        el = time.perf_counter() - t
        if el >= mintime / 4 or calls >= 1 << 20:
            break
        calls *= 4
    calls = max(1, int(calls * mintime / max(el, 1e-6)))
    best = 0.0
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(calls):
            f()
        per = (time.perf_counter() - t) / calls
        best = max(best, 2.0 * m * n * k / per / 1e9)
    return best
routes = [("sgemm", lambda: np.matmul(a, b, out=c))]
if m == 1:
    x, y = a[0], c[0]
    routes.append(("sgemv", lambda: np.matmul(x, b, out=y)))
print("%.1f %s" % max((rate(f), name) for name, f in routes))
PYEOF
	cat >"$tmp/np_kernel.py" <<'PYEOF'
# Names the BLAS numpy calls and the kernels OpenBLAS picked for this CPU.
import ctypes, numpy as np
np.dot(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))
try:
    from threadpoolctl import threadpool_info
    for i in threadpool_info():
        if i.get("user_api") == "blas":
            print("%s %s (%s), kernels: %s [threadpoolctl]" % (i.get("internal_api"), i.get("version"), i.get("filepath"), i.get("architecture")))
            break
    else:
        print("no BLAS found by threadpoolctl")
except ImportError:
    libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})
    desc = "numpy %s, BLAS libraries: %s" % (np.__version__, ", ".join(libs) or "none found")
    for p in libs:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            desc += "; %s, kernels: %s [OpenBLAS's report]" % (lib.openblas_get_config().decode(), lib.openblas_get_corename().decode())
            break
        except Exception:
            pass
    print(desc)
PYEOF
	# OpenBLAS as it configures itself: no core type or L2 size forced.
	np_env() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$1" "${@:2}"; }
	cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	obk=$(np_env 1 "$PY" "$tmp/np_kernel.py")
	echo "CPU: $cpu ($NPROC cores; $(lscpu 2>/dev/null | grep -E '^L[12]d? cache|^L2|^L3' | tr -s ' ' | paste -sd';' -))"
	echo "Go: $(go version | cut -d' ' -f3-)"
	echo "OpenBLAS: $obk"
	case "$obk" in
	*"kernels: "[Pp]rescott* | *"kernels: "[Nn]ehalem* | *"kernels: "[Cc]ore2* | *"kernels: "[Aa]tom* | *"kernels: "[Uu]nknown*)
		echo "WARNING: OpenBLAS runs generic kernels on this CPU; it is slower than it can be (see bench/openblas.sh)" ;;
	esac
	echo "Kernel (ours): $("$tmp/gemmbench" -m 8 -n 8 -k 8 -runs 1 -mintime 1ms -json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["kernel"])')"
	echo "Command: SMALLM=\"$SMALLM\" SMALLNK=\"$SMALLNK\" SMALLTRANS=\"$SMALLTRANS\" THREADS=\"$THREADS\" ROUNDS=$ROUNDS RUNS=$RUNS MINTIME=$MINTIME bench/gemm.sh"
	echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| m×n×k | op(B) | threads | ours | OpenBLAS (numpy) | OpenBLAS route | ours/OpenBLAS |"
	echo "|---|---|---:|---:|---:|---|---:|"
	for th in $THREADS; do
		[ "$th" = all ] && th=$NPROC
		for tr in $SMALLTRANS; do
			tb=false
			[ "$tr" = T ] && tb=true
			for m in $SMALLM; do
				for n in $SMALLNK; do
					for k in $SMALLNK; do
						o=() b=() route=""
						for ((r = 0; r < ROUNDS; r++)); do
							o+=("$("$tmp/gemmbench" -m "$m" -n "$n" -k "$k" -tb="$tb" -threads "$th" -runs "$RUNS" -mintime "${MINTIME}s" -json | gflops)")
							read -r g rt < <(np_env "$th" "$PY" "$tmp/np_small.py" "$m" "$n" "$k" "$tr" "$RUNS" "$MINTIME")
							b+=("$g")
							if [ "$g" = "$(best "${b[@]}")" ]; then route=$rt; fi
						done
						ob=$(best "${o[@]}")
						bb=$(best "${b[@]}")
						ratio=$(ratio "$ob" "$bb")
						echo "| ${m}×${n}×${k} | $tr | $th | $ob | $bb | $route | $ratio |"
					done
				done
			done
		done
	done
	exit 0
fi

# OpenBLAS's core type (see bench/openblas.sh).
. bench/openblas.sh
numpy_env() { openblas_env "$@"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "CPU: $cpu ($NPROC cores; $(lscpu 2>/dev/null | grep -E '^L[12]d? cache|^L2|^L3' | tr -s ' ' | paste -sd';' -))"
echo "Go: $(go version | cut -d' ' -f3-)"
echo "OpenBLAS: $(numpy_env 1 "$PY" "$tmp/blasinfo.py")"
echo "OpenBLAS core: $OPENBLAS_CORE_NOTE"
echo "Kernel: $("$tmp/gemmbench" -m 8 -n 8 -k 8 -runs 1 -mintime 1ms -json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["kernel"])')"
echo "Command: SQUARES=\"$SQUARES\" SHAPES=\"$SHAPES\" THREADS=\"$THREADS\" ROUNDS=$ROUNDS RUNS=$RUNS MINTIME=$MINTIME bench/gemm.sh"
echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "| shape (m×n×k) | threads | ours | gonum blas32 | OpenBLAS (numpy) | ours/OpenBLAS |"
echo "|---|---:|---:|---:|---:|---:|"
shapes=""
for s in $SQUARES; do shapes="$shapes ${s}x${s}x${s}"; done
shapes="$shapes $SHAPES"
for th in $THREADS; do
	[ "$th" = all ] && th=$NPROC
	for shape in $shapes; do
		IFS=x read -r m n k <<<"$shape"
		o=() g=() b=()
		for ((r = 0; r < ROUNDS; r++)); do
			o+=("$("$tmp/gemmbench" -m "$m" -n "$n" -k "$k" -threads "$th" -runs "$RUNS" -mintime "${MINTIME}s" -json | gflops)")
			b+=("$(numpy_env "$th" "$PY" "$tmp/np_gemm.py" "$m" "$n" "$k" "$RUNS" "$MINTIME" | gflops)")
			if [ -z "${NOGONUM:-}" ]; then
				# gonum is slow on big squares: one round is plenty there.
				if ((r == 0 || m * n * k <= 512 * 512 * 512)); then
					g+=("$("$tmp/gemmbench" -impl gonum -m "$m" -n "$n" -k "$k" -threads "$th" -runs "$((RUNS < 3 ? RUNS : 3))" -mintime "${MINTIME}s" -json | gflops)")
				fi
			fi
		done
		ob=$(best "${o[@]}")
		bb=$(best "${b[@]}")
		gb="-"
		[ ${#g[@]} -gt 0 ] && gb=$(best "${g[@]}")
		ratio=$(ratio "$ob" "$bb")
		echo "| ${m}×${n}×${k} | $th | $ob | $gb | $bb | $ratio |"
	done
done
