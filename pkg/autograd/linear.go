package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
)

// MatMul returns a·b for 2-D a [m,k] and b [k,n].
func (tp *Tape) MatMul(a, b *Var) *Var {
	m, k := a.Value.Dim(0), a.Value.Dim(1)
	if b.Value.Dims() != 2 || b.Value.Dim(0) != k {
		panic(fmt.Sprintf("autograd: MatMul shapes %v and %v", a.Value.Shape, b.Value.Shape))
	}
	n := b.Value.Dim(1)
	out := tp.Scratch(m, n) // beta = 0: C is written, never read
	gemm.Sgemm(false, false, m, n, k, 1, a.Value.Data, k, b.Value.Data, n, 0, out.Data, n)
	y := tp.Result(out, a, b)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			if a.RequiresGrad { // dA += dY·Bᵀ
				gemm.Sgemm(false, true, m, k, n, 1, y.Grad.Data, n, b.Value.Data, n, 1, tp.GradOf(a).Data, k)
			}
			if b.RequiresGrad { // dB += Aᵀ·dY
				gemm.Sgemm(true, false, k, n, m, 1, a.Value.Data, k, y.Grad.Data, n, 1, tp.GradOf(b).Data, n)
			}
		})
	}
	return y
}

// Linear returns x·wᵀ + b as torch.nn.functional.linear does: x is
// [..., in], w is [out, in], b is [out] or nil.
func (tp *Tape) Linear(x, w, b *Var) *Var {
	in := x.Value.Dim(-1)
	outF := w.Value.Dim(0)
	if w.Value.Dim(1) != in || (b != nil && b.Value.Size() != outF) {
		panic(fmt.Sprintf("autograd: Linear input %v, weight %v", x.Value.Shape, w.Value.Shape))
	}
	rows := x.Value.Size() / in
	var buf [8]int
	shape := append(append(buf[:0], x.Value.Shape[:x.Value.Dims()-1]...), outF)
	out := tp.Scratch(shape...) // linearForward overwrites every element
	linearForward(out.Data, x.Value.Data, w.Value.Data, biasData(b), rows, in, outF)
	y := tp.Result(out, x, w, b)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			var dx, dw, db []float32
			if x.RequiresGrad {
				dx = tp.GradOf(x).Data
			}
			if w.RequiresGrad {
				dw = tp.GradOf(w).Data
			}
			if b != nil && b.RequiresGrad {
				db = tp.GradOf(b).Data
			}
			linearBackward(dx, dw, db, y.Grad.Data, x.Value.Data, w.Value.Data, rows, in, outF)
		})
	}
	return y
}

func biasData(b *Var) []float32 {
	if b == nil {
		return nil
	}
	return b.Value.Data
}

// linearForward computes out[rows,outF] = x[rows,in]·wᵀ + b.
func linearForward(out, x, w, b []float32, rows, in, outF int) {
	if b != nil {
		for r := 0; r < rows; r++ {
			copy(out[r*outF:(r+1)*outF], b)
		}
		gemm.Sgemm(false, true, rows, outF, in, 1, x, in, w, in, 1, out, outF)
		return
	}
	gemm.Sgemm(false, true, rows, outF, in, 1, x, in, w, in, 0, out, outF)
}

// linearBackward accumulates dx += dy·w, dw += dyᵀ·x, db += Σ_rows dy.
// A nil destination is skipped.
func linearBackward(dx, dw, db, dy, x, w []float32, rows, in, outF int) {
	if dx != nil {
		gemm.Sgemm(false, false, rows, in, outF, 1, dy, outF, w, in, 1, dx, in)
	}
	if dw != nil {
		gemm.Sgemm(true, false, outF, in, rows, 1, dy, outF, x, in, 1, dw, in)
	}
	if db != nil {
		for r := 0; r < rows; r++ {
			row := dy[r*outF : (r+1)*outF]
			for j, g := range row {
				db[j] += g
			}
		}
	}
}
