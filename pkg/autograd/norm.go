package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
)

// BatchNorm2D normalises each channel of x [N, C, H, W] over the batch and
// the spatial axes, then scales by gamma [C] and shifts by beta [C] (either
// may be nil: no affine part). Output shape = input shape.
//
// Semantics are torch.nn.functional.batch_norm(x, runningMean, runningVar,
// gamma, beta, training, momentum, eps):
//   - training: normalise with the batch mean and the biased batch
//     variance (divide by M = N·H·W), and, when the running tensors are
//     given, update them in place: mean ← (1−momentum)·mean + momentum·μ,
//     var ← (1−momentum)·var + momentum·σ²·M/(M−1) (the unbiased variance).
//     M must exceed 1, as in torch.
//   - eval (training false): normalise with runningMean and runningVar; if
//     they are nil, with the batch statistics (torch's
//     track_running_stats=False).
//
// Running statistics are updated even when the tape does not record, as
// torch does under no_grad. Use momentum 0.1 and eps 1e-5 for torch's
// defaults.
func (tp *Tape) BatchNorm2D(x, gamma, beta *Var, runningMean, runningVar *tensor.Tensor, training bool, momentum, eps float32) *Var {
	if x.Value.Dims() != 4 {
		panic(fmt.Sprintf("autograd: BatchNorm2D input %v: want [N,C,H,W]", x.Value.Shape))
	}
	return tp.batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps)
}

// BatchNorm1D is BatchNorm2D for x [N, C] or [N, C, L]: statistics per
// channel C over N (and L). PyTorch: torch.nn.BatchNorm1d.
func (tp *Tape) BatchNorm1D(x, gamma, beta *Var, runningMean, runningVar *tensor.Tensor, training bool, momentum, eps float32) *Var {
	if d := x.Value.Dims(); d != 2 && d != 3 {
		panic(fmt.Sprintf("autograd: BatchNorm1D input %v: want [N,C] or [N,C,L]", x.Value.Shape))
	}
	return tp.batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps)
}

func (tp *Tape) batchNorm(x, gamma, beta *Var, runningMean, runningVar *tensor.Tensor, training bool, momentum, eps float32) *Var {
	n, c := x.Value.Dim(0), x.Value.Dim(1)
	l := x.Value.Size() / max(n*c, 1)
	for _, p := range []*tensor.Tensor{varValue(gamma), varValue(beta), runningMean, runningVar} {
		if p != nil && p.Size() != c {
			panic(fmt.Sprintf("autograd: batch norm of %v: parameter %v does not have %d channels", x.Value.Shape, p.Shape, c))
		}
	}
	if (runningMean == nil) != (runningVar == nil) {
		panic("autograd: batch norm needs both running statistics or neither")
	}
	batchStats := training || runningMean == nil
	if batchStats && n*l < 2 && training {
		panic(fmt.Sprintf("autograd: batch norm in training needs more than one value per channel, input %v", x.Value.Shape))
	}
	// stats holds the mean, 1/sqrt(var+eps) and biased variance of every
	// channel; backward recomputes the normalised x from the first two. tmp
	// is the vector kernels' scratch, kept for backward too.
	vecRows := l >= bnVecMin
	// A tape with threads splits the channels (vector kernels only), each
	// goroutine with its own scratch; every channel is computed alike.
	workers := 1
	if vecRows && tp.threads > 1 && n*c*l >= parallelMin {
		workers = min(tp.threads, c)
	}
	scratch := 0
	if vecRows {
		scratch = bnScratchLen(l)
	}
	buf := tp.Alloc(3*c + workers*scratch).Data
	stats, tmp := buf[:3*c], buf[3*c:]
	if batchStats {
		if workers > 1 {
			bnBatchStatsParallel(workers, stats, x.Value.Data, tmp, n, c, l, eps)
		} else if vecRows {
			bnBatchStats(stats, x.Value.Data, tmp, n, c, l, eps, 0, c)
		} else {
			bnBatchStatsScalar(stats, x.Value.Data, n, c, l, eps)
		}
		if training && runningMean != nil {
			bnUpdateRunning(runningMean.Data, runningVar.Data, stats, n*l, momentum)
		}
	} else {
		for i := 0; i < c; i++ {
			stats[i] = runningMean.Data[i]
			stats[c+i] = float32(1 / math.Sqrt(float64(runningVar.Data[i])+float64(eps)))
		}
	}
	out := tp.Alloc(x.Value.Shape...)
	if workers > 1 {
		bnForwardParallel(workers, out.Data, x.Value.Data, stats, varData(gamma), varData(beta), n, c, l)
	} else if vecRows {
		bnForward(out.Data, x.Value.Data, stats, varData(gamma), varData(beta), n, c, l, 0, c)
	} else {
		bnForwardScalar(out.Data, x.Value.Data, stats, varData(gamma), varData(beta), n, c, l)
	}
	y := tp.Result(out, x, gamma, beta)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			dx, dgamma, dbeta := gradIfNeeded(tp, x), gradIfNeeded(tp, gamma), gradIfNeeded(tp, beta)
			if workers > 1 {
				bnBackwardParallel(workers, dx, dgamma, dbeta, y.Grad.Data, x.Value.Data, tmp, stats, varData(gamma), n, c, l, batchStats)
			} else if vecRows {
				bnBackward(dx, dgamma, dbeta, y.Grad.Data, x.Value.Data, tmp, stats, varData(gamma), n, c, l, batchStats, 0, c)
			} else {
				bnBackwardScalar(dx, dgamma, dbeta, y.Grad.Data, x.Value.Data, stats, varData(gamma), n, c, l, batchStats)
			}
		})
	}
	return y
}

// varValue and varData return a possibly nil Var's value or data.
func varValue(v *Var) *tensor.Tensor {
	if v == nil {
		return nil
	}
	return v.Value
}

func varData(v *Var) []float32 {
	if v == nil {
		return nil
	}
	return v.Value.Data
}

// gradIfNeeded returns v's gradient buffer, or nil when v is nil or needs
// no gradient.
func gradIfNeeded(tp *Tape, v *Var) []float32 {
	if v == nil || !v.RequiresGrad {
		return nil
	}
	return tp.GradOf(v).Data
}

// bnChunk is the length of the scratch run the batch-norm kernels centre
// x into (x − mean) before a vector reduction or update: short enough to
// stay in L1 between the passes, long enough to amortise the calls.
const bnChunk = 1024

// bnVecMin is the shortest row (values per channel and image) the vector
// kernels take; shorter rows, such as BatchNorm1D's [N, C], go one value at
// a time.
const bnVecMin = 16

// bnScratchLen returns the scratch length the batch-norm kernels need for
// rows of l values.
func bnScratchLen(l int) int { return min(l, bnChunk) }

// bnBatchStats writes the per-channel mean, 1/sqrt(biased var + eps) and
// biased variance of x [n, c, l] into stats[:c], stats[c:2c], stats[2c:].
// Two passes, the second over x − mean: one channel sums up to N·H·W values,
// and E[x²]−E[x]² would cancel badly. vec.Sum and vec.Dot add in float32
// lanes over short blocks and in float64 across blocks, and the rows are
// added in float64. tmp holds bnScratchLen(l) floats. Only the channels
// [c0, c1) are computed (a tape with threads splits them).
func bnBatchStats(stats, x, tmp []float32, n, c, l int, eps float32, c0, c1 int) {
	m := float64(n * l)
	for ch := c0; ch < c1; ch++ {
		var s float64
		for b := 0; b < n; b++ {
			s += float64(vec.Sum(x[(b*c+ch)*l : (b*c+ch+1)*l]))
		}
		mean := float32(s / m)
		var ss float64
		for b := 0; b < n; b++ {
			row := x[(b*c+ch)*l : (b*c+ch+1)*l]
			for i := 0; i < l; i += bnChunk {
				d := tmp[:min(bnChunk, l-i)]
				vec.AddScalar(d, -mean, row[i:i+len(d)])
				ss += float64(vec.Dot(d, d))
			}
		}
		stats[ch] = mean
		stats[c+ch] = float32(1 / math.Sqrt(ss/m+float64(eps)))
		stats[2*c+ch] = float32(ss / m)
	}
}

// bnUpdateRunning folds the batch statistics into the running ones; the
// variance folded in is the unbiased one, var·m/(m−1), as in torch.
func bnUpdateRunning(rm, rv, stats []float32, m int, momentum float32) {
	c := len(rm)
	for ch := 0; ch < c; ch++ {
		unbiased := float64(stats[2*c+ch]) * float64(m) / float64(m-1)
		rm[ch] = (1-momentum)*rm[ch] + momentum*stats[ch]
		rv[ch] = (1-momentum)*rv[ch] + momentum*float32(unbiased)
	}
}

// bnForward writes y = (x − mean)·invstd·gamma + beta per channel as
// x·scale + shift; nil gamma means 1 and nil beta 0.
func bnForward(y, x, stats, gamma, beta []float32, n, c, l int, c0, c1 int) {
	for ch := c0; ch < c1; ch++ {
		scale, shift := stats[c+ch], -stats[ch]*stats[c+ch]
		if gamma != nil {
			scale *= gamma[ch]
			shift *= gamma[ch]
		}
		if beta != nil {
			shift += beta[ch]
		}
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			yo := y[o : o+l]
			vec.Scale(yo, scale, x[o:o+l])
			vec.AddScalar(yo, shift, yo)
		}
	}
}

// bnBackward accumulates the gradients of batch norm; nil destinations are
// skipped. With batch statistics the mean and variance depend on x, which
// adds the two projection terms:
// dx = gamma·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)); with running
// statistics dx = gamma·invstd·dy. tmp holds bnScratchLen(l) floats.
func bnBackward(dx, dgamma, dbeta, dy, x, tmp, stats, gamma []float32, n, c, l int, batchStats bool, c0, c1 int) {
	m := float64(n * l)
	needX := dgamma != nil || (dx != nil && batchStats)
	for ch := c0; ch < c1; ch++ {
		mean, inv := stats[ch], stats[c+ch]
		// sdy = Σ dy and sdyc = Σ dy·(x − mean); Σ dy·x̂ = invstd·sdyc.
		var sdy, sdyc float64
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			dyr, xr := dy[o:o+l], x[o:o+l]
			sdy += float64(vec.Sum(dyr))
			if !needX {
				continue
			}
			for i := 0; i < l; i += bnChunk {
				d := tmp[:min(bnChunk, l-i)]
				vec.AddScalar(d, -mean, xr[i:i+len(d)])
				sdyc += float64(vec.Dot(dyr[i:i+len(d)], d))
			}
		}
		sdyx := sdyc * float64(inv)
		if dgamma != nil {
			dgamma[ch] += float32(sdyx)
		}
		if dbeta != nil {
			dbeta[ch] += float32(sdy)
		}
		if dx == nil {
			continue
		}
		k := inv
		if gamma != nil {
			k *= gamma[ch]
		}
		if !batchStats {
			for b := 0; b < n; b++ {
				o := (b*c + ch) * l
				vec.Axpy(k, dy[o:o+l], dx[o:o+l])
			}
			continue
		}
		// dx += k·(dy − a − x̂·bcoef) = k·dy + cx·(x − mean) + c0 with
		// a = mean(dy), bcoef = mean(dy·x̂), cx = −k·invstd·bcoef, c0 = −k·a.
		cx := -k * inv * float32(sdyx/m)
		c0 := -k * float32(sdy/m)
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			dyr, xr, dxr := dy[o:o+l], x[o:o+l], dx[o:o+l]
			for i := 0; i < l; i += bnChunk {
				d := tmp[:min(bnChunk, l-i)]
				j := i + len(d)
				vec.AddScalar(d, -mean, xr[i:j])
				vec.Scale(d, cx, d)
				vec.Axpy(k, dyr[i:j], d)
				vec.AddScalar(d, c0, d)
				vec.Add(dxr[i:j], dxr[i:j], d)
			}
		}
	}
}

// bnBatchStatsScalar is bnBatchStats one element at a time, for short rows
// (BatchNorm1D over [N, C] has rows of one value), where the vector kernels
// cost more in calls than they save; the tests also use it as the reference.
// It writes the per-channel mean, 1/sqrt(biased var + eps) and
// biased variance of x [n, c, l] into stats[:c], stats[c:2c], stats[2c:]. Two passes in float64: one
// channel sums up to N·H·W values, and E[x²]−E[x]² would cancel badly.
func bnBatchStatsScalar(stats, x []float32, n, c, l int, eps float32) {
	m := float64(n * l)
	for ch := 0; ch < c; ch++ {
		var s float64
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*l : (b*c+ch+1)*l] {
				s += float64(v)
			}
		}
		mean := s / m
		var ss float64
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*l : (b*c+ch+1)*l] {
				d := float64(v) - mean
				ss += d * d
			}
		}
		stats[ch] = float32(mean)
		stats[c+ch] = float32(1 / math.Sqrt(ss/m+float64(eps)))
		stats[2*c+ch] = float32(ss / m)
	}
}

// bnForwardScalar is bnForward one element at a time (see
// bnBatchStatsScalar). It writes y = (x − mean)·invstd·gamma + beta per channel; nil
// gamma means 1 and nil beta 0.
func bnForwardScalar(y, x, stats, gamma, beta []float32, n, c, l int) {
	for ch := 0; ch < c; ch++ {
		scale, shift := stats[c+ch], -stats[ch]*stats[c+ch]
		if gamma != nil {
			scale *= gamma[ch]
			shift *= gamma[ch]
		}
		if beta != nil {
			shift += beta[ch]
		}
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			yo, xo := y[o:o+l], x[o:o+l]
			for i, v := range xo {
				yo[i] = v*scale + shift
			}
		}
	}
}

// bnBackwardScalar is bnBackward one element at a time (see
// bnBatchStatsScalar). It accumulates the gradients of batch norm; nil destinations are
// skipped. With batch statistics the mean and variance depend on x, which
// adds the two projection terms:
// dx = gamma·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)); with running
// statistics dx = gamma·invstd·dy.
func bnBackwardScalar(dx, dgamma, dbeta, dy, x, stats, gamma []float32, n, c, l int, batchStats bool) {
	m := float64(n * l)
	for ch := 0; ch < c; ch++ {
		mean, inv := stats[ch], stats[c+ch]
		var sdy, sdyx float64
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			for i, g := range dy[o : o+l] {
				sdy += float64(g)
				sdyx += float64(g) * float64((x[o+i]-mean)*inv)
			}
		}
		if dgamma != nil {
			dgamma[ch] += float32(sdyx)
		}
		if dbeta != nil {
			dbeta[ch] += float32(sdy)
		}
		if dx == nil {
			continue
		}
		k := inv
		if gamma != nil {
			k *= gamma[ch]
		}
		var a, bcoef float32 // dx = k·(dy − a − x̂·bcoef)
		if batchStats {
			a, bcoef = float32(sdy/m), float32(sdyx/m)
		}
		for b := 0; b < n; b++ {
			o := (b*c + ch) * l
			for i, g := range dy[o : o+l] {
				xh := (x[o+i] - mean) * inv
				dx[o+i] += k * (g - a - xh*bcoef)
			}
		}
	}
}

// LayerNorm normalises x [..., D] over its last axis with the biased
// variance, then scales by gamma [D] and shifts by beta [D] (either may be
// nil). Output shape = input shape.
//
// PyTorch: torch.nn.functional.layer_norm(x, (D,), gamma, beta, eps);
// torch's default eps is 1e-5.
func (tp *Tape) LayerNorm(x, gamma, beta *Var, eps float32) *Var {
	d := x.Value.Dim(-1)
	if (gamma != nil && gamma.Value.Size() != d) || (beta != nil && beta.Value.Size() != d) {
		panic(fmt.Sprintf("autograd: LayerNorm input %v, gamma %v, beta %v", x.Value.Shape, varShape(gamma), varShape(beta)))
	}
	rows := x.Value.Size() / d
	// lnForward writes every element of both.
	stats := tp.Scratch(2 * rows).Data // per row: mean, then 1/sqrt(var+eps)
	out := tp.Scratch(x.Value.Shape...)
	lnForward(out.Data, stats, x.Value.Data, varData(gamma), varData(beta), rows, d, eps)
	y := tp.Result(out, x, gamma, beta)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			var dx []float32
			var setDx bool
			if x.RequiresGrad {
				dx, setDx = tp.gradBuf(x)
			}
			lnBackward(dx, setDx, gradIfNeeded(tp, gamma), gradIfNeeded(tp, beta),
				y.Grad.Data, x.Value.Data, stats, varData(gamma), rows, d)
		})
	}
	return y
}

func varShape(v *Var) []int {
	if v == nil {
		return nil
	}
	return v.Value.Shape
}

// lnForward normalises every row of x [rows, d] and saves its mean and
// inverse standard deviation in stats [2·rows].
func lnForward(y, stats, x, gamma, beta []float32, rows, d int, eps float32) {
	for r := 0; r < rows; r++ {
		xr, yr := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
		var s float64
		for _, v := range xr {
			s += float64(v)
		}
		mean := s / float64(d)
		var ss float64
		for _, v := range xr {
			dv := float64(v) - mean
			ss += dv * dv
		}
		inv := float32(1 / math.Sqrt(ss/float64(d)+float64(eps)))
		m := float32(mean)
		stats[2*r], stats[2*r+1] = m, inv
		for i, v := range xr {
			h := (v - m) * inv
			if gamma != nil {
				h *= gamma[i]
			}
			if beta != nil {
				h += beta[i]
			}
			yr[i] = h
		}
	}
}

// lnBackward accumulates the layer-norm gradients: with g = dy·gamma,
// dx += invstd·(g − mean(g) − x̂·mean(g·x̂)) (written instead with setDx),
// dgamma += dy·x̂, dbeta += dy.
func lnBackward(dx []float32, setDx bool, dgamma, dbeta, dy, x, stats, gamma []float32, rows, d int) {
	for r := 0; r < rows; r++ {
		xr, dyr := x[r*d:(r+1)*d], dy[r*d:(r+1)*d]
		m, inv := stats[2*r], stats[2*r+1]
		var sg, sgx float64
		for i, g := range dyr {
			xh := (xr[i] - m) * inv
			if dgamma != nil {
				dgamma[i] += g * xh
			}
			if dbeta != nil {
				dbeta[i] += g
			}
			if gamma != nil {
				g *= gamma[i]
			}
			sg += float64(g)
			sgx += float64(g) * float64(xh)
		}
		if dx == nil {
			continue
		}
		a, b := float32(sg/float64(d)), float32(sgx/float64(d))
		dxr := dx[r*d : (r+1)*d]
		for i, g := range dyr {
			if gamma != nil {
				g *= gamma[i]
			}
			xh := (xr[i] - m) * inv
			if setDx {
				dxr[i] = inv * (g - a - xh*b)
			} else {
				dxr[i] += inv * (g - a - xh*b)
			}
		}
	}
}
