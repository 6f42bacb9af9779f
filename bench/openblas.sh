# bench/openblas.sh — sourced by the bench scripts that run OpenBLAS (numpy,
# and Debian's torch, whose matrix products call it). Sets OPENBLAS_CORE,
# OPENBLAS_CORE_NOTE and the function openblas_env.
#
# OpenBLAS runs its best kernel when it recognises the CPU. A DYNAMIC_ARCH
# build older than the CPU (Debian 12's 0.3.21 on Emerald Rapids, family 6
# model 207) does not, and falls back to its SSE3 "Prescott" kernels at a
# quarter of its real speed, which would flatter anything compared with it.
# Then, and only then, the x86 core types it has kernels for are tried and
# the fastest at 1024³ on one thread is kept; otherwise OPENBLAS_CORETYPE
# and OPENBLAS_L2_SIZE are unset so it picks for itself.
# OPENBLAS_BENCH_CORETYPE forces a core type.
#
# Needs: PY (a python3 with numpy linked to OpenBLAS).

_ob_tmp=$(mktemp -d)
cat >"$_ob_tmp/corename.py" <<'PYEOF'
import ctypes, numpy as np
np.dot(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))
for p in sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l}):
    try:
        f = ctypes.CDLL(p).openblas_get_corename
        f.restype = ctypes.c_char_p
        print(f().decode())
        break
    except Exception:
        pass
PYEOF
cat >"$_ob_tmp/speed.py" <<'PYEOF'
import time, numpy as np
a = np.random.default_rng(1).uniform(-1, 1, (1024, 1024)).astype(np.float32)
a @ a
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    a @ a
    best = min(best, time.perf_counter() - t)
print("%.1f" % (2 * 1024**3 / best / 1e9))
PYEOF
OPENBLAS_CORE=${OPENBLAS_BENCH_CORETYPE:-}
_ob_auto=$(env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 "$PY" "$_ob_tmp/corename.py" 2>/dev/null || true)
if [ -z "$OPENBLAS_CORE" ]; then
	case "$_ob_auto" in
	Prescott | Nehalem | Core2 | Penryn | Dunnington | Atom | Katmai | Coppermine | Banias | Northwood | Barcelona | Opteron* | Athlon | Unknown)
		_ob_best=0
		for _ob_ct in Cooperlake SkylakeX Haswell Zen; do
			_ob_g=$(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$_ob_ct OPENBLAS_NUM_THREADS=1 "$PY" "$_ob_tmp/speed.py")
			if "$PY" -c "import sys; sys.exit(0 if $_ob_g > $_ob_best else 1)"; then _ob_best=$_ob_g OPENBLAS_CORE=$_ob_ct; fi
		done
		;;
	esac
fi
if [ -n "$OPENBLAS_CORE" ]; then
	OPENBLAS_CORE_NOTE="detected $_ob_auto; measured with OPENBLAS_CORETYPE=$OPENBLAS_CORE, its fastest core type here"
else
	OPENBLAS_CORE_NOTE="$_ob_auto (detected)"
fi
rm -rf "$_ob_tmp"

# openblas_env THREADS CMD...: runs CMD with OpenBLAS on THREADS threads and
# the core type chosen above.
openblas_env() {
	if [ -n "$OPENBLAS_CORE" ]; then
		env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$OPENBLAS_CORE" OPENBLAS_NUM_THREADS="$1" "${@:2}"
	else
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$1" "${@:2}"
	fi
}
