package autograd

import "fmt"

// indexSelectForward copies slice idx[j] of x (outer × n × inner) along the
// middle axis to slice j of out (outer × len(idx) × inner).
func indexSelectForward(out, x []float32, idx []int, outer, n, inner int) {
	m := len(idx)
	for j, i := range idx {
		blockCopy(out, j*inner, m*inner, x, i*inner, n*inner, outer, inner)
	}
}

// indexSelectBackward scatter-adds slice j of dy into slice idx[j] of dx;
// an index repeated in idx receives the sum of its slices.
func indexSelectBackward(dx, dy []float32, idx []int, outer, n, inner int) {
	m := len(idx)
	for j, i := range idx {
		blockAdd(dx, i*inner, n*inner, dy, j*inner, m*inner, outer, inner)
	}
}

// IndexSelect returns the slices idx[0], idx[1], … of x along axis
// (torch.index_select); the result has len(idx) along axis. Indices may
// repeat. idx is copied when the tape records, so the caller may reuse it.
func (tp *Tape) IndexSelect(x *Var, axis int, idx []int) *Var {
	nd := x.Value.Dims()
	axis = normAxis(axis, nd)
	outer, n, inner := splitAt(x.Value.Shape, axis)
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("autograd: index %d out of range for axis %d of %v", i, axis, x.Value.Shape))
		}
	}
	var buf [maxDims]int
	s := append(buf[:0], x.Value.Shape...)
	s[axis] = len(idx)
	out := tp.Alloc(s...)
	indexSelectForward(out.Data, x.Value.Data, idx, outer, n, inner)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		saved := append([]int(nil), idx...)
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			indexSelectBackward(tp.GradOf(x).Data, y.Grad.Data, saved, outer, n, inner)
		})
	}
	return y
}

// Embedding returns the rows ids of weight [V, D] as a [len(ids), D]
// tensor (torch.nn.functional.embedding without padding_idx or max_norm).
// Backward scatter-adds into the selected rows of the weight's gradient.
func (tp *Tape) Embedding(weight *Var, ids []int) *Var {
	if weight.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: Embedding weight %v is not 2-D", weight.Value.Shape))
	}
	return tp.IndexSelect(weight, 0, ids)
}

// Pick returns x[..., idx[r]] for each row r of x [..., C]: one element per
// row, shaped like x without its last dimension. It is
// torch.gather(x, -1, idx.unsqueeze(-1)).squeeze(-1), the usual way to
// read the log-probability of a sampled action. idx is copied when the
// tape records.
func (tp *Tape) Pick(x *Var, idx []int) *Var {
	nd := x.Value.Dims()
	if nd == 0 {
		panic("autograd: Pick from a 0-D tensor")
	}
	c := x.Value.Dim(-1)
	rows := x.Value.Size() / max(c, 1)
	if len(idx) != rows {
		panic(fmt.Sprintf("autograd: Pick of %d indices from %v", len(idx), x.Value.Shape))
	}
	for _, i := range idx {
		if i < 0 || i >= c {
			panic(fmt.Sprintf("autograd: Pick index %d out of range for %v", i, x.Value.Shape))
		}
	}
	out := tp.Alloc(x.Value.Shape[:nd-1]...)
	pickForward(out.Data, x.Value.Data, idx, c)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		saved := append([]int(nil), idx...)
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			pickBackward(tp.GradOf(x).Data, y.Grad.Data, saved, c)
		})
	}
	return y
}

func pickForward(out, x []float32, idx []int, c int) {
	for r, i := range idx {
		out[r] = x[r*c+i]
	}
}

func pickBackward(dx, dy []float32, idx []int, c int) {
	for r, i := range idx {
		dx[r*c+i] += dy[r]
	}
}
