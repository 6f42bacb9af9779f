package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
)

// checkTargets validates class targets for a [N, C] input and returns how
// many are not ignoreIndex.
func checkTargets(x *tensor.Tensor, targets []int, ignoreIndex int, op string) (n, c, count int) {
	if x.Dims() != 2 || x.Dim(0) != len(targets) {
		panic(fmt.Sprintf("autograd: %s of %v with %d targets", op, x.Shape, len(targets)))
	}
	n, c = x.Dim(0), x.Dim(1)
	for _, t := range targets {
		if t == ignoreIndex {
			continue
		}
		if t < 0 || t >= c {
			panic(fmt.Sprintf("autograd: %s target %d out of range for %d classes", op, t, c))
		}
		count++
	}
	return n, c, count
}

// crossEntropyForward returns Σ over kept rows of logsumexp(z_r) − z_r[t_r]
// and stores each row's logsumexp in lse for the backward pass.
func crossEntropyForward(lse, z []float32, targets []int, ignoreIndex, c int) float64 {
	var total float64
	var e [expChunk]float64
	for r, t := range targets {
		row := z[r*c : (r+1)*c]
		m := vec.Max(row)
		var s float64
		for k0 := 0; k0 < c; k0 += expChunk {
			part := row[k0:min(k0+expChunk, c)]
			vec.ExpMath64(e[:len(part)], part, m) // math.Exp's bits, summed in order
			for _, v := range e[:len(part)] {
				s += v
			}
		}
		l := math.Log(s) + float64(m)
		lse[r] = float32(l)
		if t != ignoreIndex {
			total += l - float64(row[t])
		}
	}
	return total
}

// crossEntropyBackward accumulates dz += g·(softmax(z_r) − onehot(t_r)) for
// kept rows, where g is the upstream gradient already divided by the count.
func crossEntropyBackward(dz, z, lse []float32, targets []int, ignoreIndex, c int, g float32) {
	var p [expChunk]float32
	for r, t := range targets {
		if t == ignoreIndex {
			continue
		}
		row, d := z[r*c:(r+1)*c], dz[r*c:(r+1)*c]
		for k0 := 0; k0 < c; k0 += expChunk {
			part := row[k0:min(k0+expChunk, c)]
			vec.ExpMath(p[:len(part)], part, lse[r])
			for j, pj := range p[:len(part)] {
				d[k0+j] += g * pj
			}
		}
		d[t] -= g
	}
}

// CrossEntropy returns the mean over rows whose target is not ignoreIndex
// of −log softmax(logits_r)[targets_r], for logits [N, C]
// (torch.nn.functional.cross_entropy with reduction='mean' and
// ignore_index; pass a negative ignoreIndex such as -100, PyTorch's
// default, when no target is ignored). Where PyTorch returns NaN for a
// batch whose targets are all ignored, this returns 0 with zero gradient,
// so a padding-only batch cannot poison training. targets is copied when
// the tape records.
func (tp *Tape) CrossEntropy(logits *Var, targets []int, ignoreIndex int) *Var {
	n, c, count := checkTargets(logits.Value, targets, ignoreIndex, "CrossEntropy")
	lse := tp.Alloc(n)
	out := tp.Alloc(1)
	total := crossEntropyForward(lse.Data, logits.Value.Data, targets, ignoreIndex, c)
	if count > 0 {
		out.Data[0] = float32(total / float64(count))
	}
	y := tp.Result(out, logits)
	if y.RequiresGrad && count > 0 {
		saved := append([]int(nil), targets...)
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g := y.Grad.Data[0] / float32(count)
			crossEntropyBackward(tp.GradOf(logits).Data, logits.Value.Data, lse.Data, saved, ignoreIndex, c, g)
		})
	}
	return y
}

// NLL returns the mean over rows whose target is not ignoreIndex of
// −logProbs[r, targets_r], for log-probabilities [N, C]
// (torch.nn.functional.nll_loss with reduction='mean' and ignore_index).
// As CrossEntropy, an all-ignored batch gives 0. targets is copied when
// the tape records.
func (tp *Tape) NLL(logProbs *Var, targets []int, ignoreIndex int) *Var {
	_, c, count := checkTargets(logProbs.Value, targets, ignoreIndex, "NLL")
	out := tp.Alloc(1)
	if count > 0 {
		out.Data[0] = float32(nllForward(logProbs.Value.Data, targets, ignoreIndex, c) / float64(count))
	}
	y := tp.Result(out, logProbs)
	if y.RequiresGrad && count > 0 {
		saved := append([]int(nil), targets...)
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			nllBackward(tp.GradOf(logProbs).Data, saved, ignoreIndex, c, y.Grad.Data[0]/float32(count))
		})
	}
	return y
}

// nllForward returns −Σ over kept rows of x[r, t_r].
func nllForward(x []float32, targets []int, ignoreIndex, c int) float64 {
	var total float64
	for r, t := range targets {
		if t != ignoreIndex {
			total -= float64(x[r*c+t])
		}
	}
	return total
}

// nllBackward accumulates dx[r, t_r] −= g for kept rows, g being the
// upstream gradient already divided by the count.
func nllBackward(dx []float32, targets []int, ignoreIndex, c int, g float32) {
	for r, t := range targets {
		if t != ignoreIndex {
			dx[r*c+t] -= g
		}
	}
}

// MSE returns the mean of (a − b)² over all elements of two same-shaped
// tensors (torch.nn.functional.mse_loss with reduction='mean'; PyTorch
// would broadcast, this insists on equal shapes because a mismatch there is
// almost always a bug).
func (tp *Tape) MSE(a, b *Var) *Var {
	if !tensor.SameShape(a.Value.Shape, b.Value.Shape) {
		panic(fmt.Sprintf("autograd: MSE of shapes %v and %v", a.Value.Shape, b.Value.Shape))
	}
	out := tp.Alloc(1)
	n := a.Value.Size()
	out.Data[0] = float32(mseForward(a.Value.Data, b.Value.Data) / float64(n))
	y := tp.Result(out, a, b)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g := 2 * y.Grad.Data[0] / float32(n)
			var da, db []float32
			if a.RequiresGrad {
				da = tp.GradOf(a).Data
			}
			if b.RequiresGrad {
				db = tp.GradOf(b).Data
			}
			mseBackward(da, db, a.Value.Data, b.Value.Data, g)
		})
	}
	return y
}

// mseForward returns Σ (a−b)², accumulated in float64.
func mseForward(a, b []float32) float64 {
	var s float64
	for i, v := range a {
		d := float64(v - b[i])
		s += d * d
	}
	return s
}

// mseBackward accumulates da += g·(a−b) and db −= g·(a−b), where g is
// 2/n times the upstream gradient; a nil destination is skipped.
func mseBackward(da, db, a, b []float32, g float32) {
	for i, v := range a {
		d := g * (v - b[i])
		if da != nil {
			da[i] += d
		}
		if db != nil {
			db[i] -= d
		}
	}
}
