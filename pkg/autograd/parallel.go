package autograd

import "github.com/attnkit/attn/pkg/parallel"

// parallelMin is the number of elements below which an elementwise op or
// a batch norm stays on the caller's goroutine even when the tape has
// threads: under it, starting goroutines costs more than it saves.
const parallelMin = 1 << 15

// The functions below are the ops' parallel paths, split by
// parallel.Ranges: each element (or channel) is computed by the same code
// whatever the thread count, so the result does not depend on it. Their
// closures live here so that the one-goroutine paths (every inference
// tape) allocate nothing.

func pointwiseForwardParallel(t int, fwd pointwiseForward, y, x []float32) {
	parallel.Ranges(t, len(y), func(_, lo, hi int) { fwd(y[lo:hi], x[lo:hi]) })
}

func pointwiseBackwardParallel(t int, bwd pointwiseBackward, dx, dy, x, y []float32) {
	parallel.Ranges(t, len(dy), func(_, lo, hi int) { bwd(dx[lo:hi], dy[lo:hi], x[lo:hi], y[lo:hi]) })
}

// flatPlan is the broadcast plan of two operands of n elements each.
func flatPlan(n int) bcastPlan {
	p := bcastPlan{nd: 1, size: n}
	p.shape[0], p.sa[0], p.sb[0] = n, 1, 1
	return p
}

func binaryForwardParallel(t int, op binaryOp, out, a, b []float32) {
	parallel.Ranges(t, len(out), func(_, lo, hi int) {
		p := flatPlan(hi - lo)
		binaryForward(op, out[lo:hi], a[lo:hi], b[lo:hi], &p)
	})
}

func binaryBackwardParallel(t int, op binaryOp, da, db, dy, a, b []float32, setA, setB bool) {
	parallel.Ranges(t, len(dy), func(_, lo, hi int) {
		p := flatPlan(hi - lo)
		var dal, dbl []float32
		if da != nil {
			dal = da[lo:hi]
		}
		if db != nil {
			dbl = db[lo:hi]
		}
		binaryBackward(op, dal, dbl, dy[lo:hi], a[lo:hi], b[lo:hi], &p, setA, setB)
	})
}

// The batch-norm kernels over the channels cut into t runs, each with
// its own bnScratchLen(l) floats of tmp.

func bnBatchStatsParallel(t int, stats, x, tmp []float32, n, c, l int, eps float32) {
	k := bnScratchLen(l)
	parallel.Ranges(t, c, func(w, c0, c1 int) { bnBatchStats(stats, x, tmp[w*k:(w+1)*k], n, c, l, eps, c0, c1) })
}

func bnForwardParallel(t int, y, x, stats, gamma, beta []float32, n, c, l int) {
	parallel.Ranges(t, c, func(_, c0, c1 int) { bnForward(y, x, stats, gamma, beta, n, c, l, c0, c1) })
}

func bnBackwardParallel(t int, dx, dgamma, dbeta, dy, x, tmp, stats, gamma []float32, n, c, l int, batchStats bool) {
	k := bnScratchLen(l)
	parallel.Ranges(t, c, func(w, c0, c1 int) {
		bnBackward(dx, dgamma, dbeta, dy, x, tmp[w*k:(w+1)*k], stats, gamma, n, c, l, batchStats, c0, c1)
	})
}

// The softmax kernels over runs of whole outer slices (each row computed
// by the same code as on one goroutine).

func softmaxForwardParallel(t int, y, x []float32, outer, n, inner int, logOut bool) {
	s := n * inner
	parallel.Ranges(t, outer, func(_, lo, hi int) {
		softmaxForward(y[lo*s:hi*s], x[lo*s:hi*s], hi-lo, n, inner, logOut)
	})
}

func softmaxBackwardParallel(t int, dx, dy, y []float32, outer, n, inner int, logOut bool) {
	s := n * inner
	parallel.Ranges(t, outer, func(_, lo, hi int) {
		softmaxBackward(dx[lo*s:hi*s], dy[lo*s:hi*s], y[lo*s:hi*s], hi-lo, n, inner, logOut)
	})
}
