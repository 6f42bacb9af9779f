package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/vec"
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
			dxBeta := float32(1)
			if x.RequiresGrad {
				var fresh bool
				if dx, fresh = tp.gradBuf(x); fresh {
					dxBeta = 0 // the product overwrites the new buffer
				}
			}
			if w.RequiresGrad {
				dw = tp.GradOf(w).Data
			}
			if b != nil && b.RequiresGrad {
				db = tp.GradOf(b).Data
			}
			linearBackwardTo(dx, dxBeta, dw, db, y.Grad.Data, x.Value.Data, w.Value.Data, rows, in, outF)
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
	linearBackwardTo(dx, 1, dw, db, dy, x, w, rows, in, outF)
}

// linearBackwardTo is linearBackward with dx = dy·w + dxBeta·dx: dxBeta 0
// writes dx without reading it.
func linearBackwardTo(dx []float32, dxBeta float32, dw, db, dy, x, w []float32, rows, in, outF int) {
	if dx != nil {
		gemm.Sgemm(false, false, rows, in, outF, 1, dy, outF, w, in, dxBeta, dx, in)
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

// Linear2 returns x1·w1ᵀ + b1 + x2·w2ᵀ + b2, the sum of two Linear layers
// over inputs with the same leading dimensions, as one op: the second
// product accumulates into the first's output (GEMM with beta = 1) and the
// backward pass hands the same upstream gradient to both. It computes what
// tp.Add(tp.Linear(x1, w1, b1), tp.Linear(x2, w2, b2)) does without the two
// intermediate outputs, their gradients and the add: the pattern of
// recurrent cores (h_t = f(W_x x_t + W_h h_{t-1})) and of the glimpse
// network, where those passes over [batch, hidden] cost as much as the
// small products themselves. Either bias may be nil.
func (tp *Tape) Linear2(x1, w1, b1, x2, w2, b2 *Var) *Var {
	in1, in2 := x1.Value.Dim(-1), x2.Value.Dim(-1)
	outF := w1.Value.Dim(0)
	rows := x1.Value.Size() / in1
	if w1.Value.Dim(1) != in1 || w2.Value.Dim(1) != in2 || w2.Value.Dim(0) != outF ||
		x2.Value.Size()/in2 != rows || x1.Value.Dims() != x2.Value.Dims() ||
		(b1 != nil && b1.Value.Size() != outF) || (b2 != nil && b2.Value.Size() != outF) {
		panic(fmt.Sprintf("autograd: Linear2 inputs %v, %v, weights %v, %v", x1.Value.Shape, x2.Value.Shape, w1.Value.Shape, w2.Value.Shape))
	}
	var buf [8]int
	shape := append(append(buf[:0], x1.Value.Shape[:x1.Value.Dims()-1]...), outF)
	out := tp.Scratch(shape...) // linearForward overwrites every element
	linearForward(out.Data, x1.Value.Data, w1.Value.Data, biasData(b1), rows, in1, outF)
	gemm.Sgemm(false, true, rows, outF, in2, 1, x2.Value.Data, in2, w2.Value.Data, in2, 1, out.Data, outF)
	if b2 != nil {
		for r := 0; r < rows; r++ {
			vec.Add(out.Data[r*outF:(r+1)*outF], out.Data[r*outF:(r+1)*outF], b2.Value.Data)
		}
	}
	y := tp.Result(out, x1, w1, b1, x2, w2, b2)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			grad := func(v *Var) []float32 {
				if v == nil || !v.RequiresGrad {
					return nil
				}
				return tp.GradOf(v).Data
			}
			linearBackward(grad(x1), grad(w1), grad(b1), y.Grad.Data, x1.Value.Data, w1.Value.Data, rows, in1, outF)
			linearBackward(grad(x2), grad(w2), grad(b2), y.Grad.Data, x2.Value.Data, w2.Value.Data, rows, in2, outF)
		})
	}
	return y
}
