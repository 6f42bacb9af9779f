package autograd

import "github.com/attnkit/attn/pkg/tensor"

// Sum returns the sum of all elements as a one-element tensor (torch.sum).
// It accumulates in float64 so long sums do not drift.
func (tp *Tape) Sum(x *Var) *Var {
	out := tp.Alloc(1)
	out.Data[0] = float32(sumAll(x.Value.Data))
	return tp.fillBack(out, x, 1)
}

// Mean returns the mean of all elements as a one-element tensor
// (torch.mean).
func (tp *Tape) Mean(x *Var) *Var {
	out := tp.Alloc(1)
	n := len(x.Value.Data)
	out.Data[0] = float32(sumAll(x.Value.Data) / float64(n))
	return tp.fillBack(out, x, 1/float32(n))
}

func sumAll(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// fillBack wires a full reduction whose gradient is scale·dy in every
// element of x.
func (tp *Tape) fillBack(out *tensor.Tensor, x *Var, scale float32) *Var {
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g := y.Grad.Data[0] * scale
			dx := tp.GradOf(x).Data
			for i := range dx {
				dx[i] += g
			}
		})
	}
	return y
}

// reducedShape writes x's shape with axis removed (or kept as 1) into buf.
func reducedShape(buf []int, shape []int, axis int, keepdim bool) []int {
	s := append(buf[:0], shape[:axis]...)
	if keepdim {
		s = append(s, 1)
	}
	return append(s, shape[axis+1:]...)
}

// sumAxisForward sums x (outer × n × inner) over its middle axis into out
// (outer × inner), scaled by scale (1 for a sum, 1/n for a mean). Each
// output accumulates in float64.
func sumAxisForward(out, x []float32, outer, n, inner int, scale float64) {
	for o := 0; o < outer; o++ {
		base := o * n * inner
		for j := 0; j < inner; j++ {
			var s float64
			for k := 0; k < n; k++ {
				s += float64(x[base+k*inner+j])
			}
			out[o*inner+j] = float32(s * scale)
		}
	}
}

// sumAxisBackward spreads scale·dy (outer × inner) back over the reduced
// axis of dx (outer × n × inner).
func sumAxisBackward(dx, dy []float32, outer, n, inner int, scale float32) {
	for o := 0; o < outer; o++ {
		g := dy[o*inner : (o+1)*inner]
		for k := 0; k < n; k++ {
			d := dx[(o*n+k)*inner : (o*n+k+1)*inner]
			for j, v := range g {
				d[j] += scale * v
			}
		}
	}
}

// SumAxis sums x over one axis (torch.sum(x, dim=axis, keepdim=keepdim)).
func (tp *Tape) SumAxis(x *Var, axis int, keepdim bool) *Var {
	return tp.sumAxis(x, axis, keepdim, false)
}

// MeanAxis averages x over one axis (torch.mean(x, dim=axis,
// keepdim=keepdim)).
func (tp *Tape) MeanAxis(x *Var, axis int, keepdim bool) *Var {
	return tp.sumAxis(x, axis, keepdim, true)
}

func (tp *Tape) sumAxis(x *Var, axis int, keepdim, mean bool) *Var {
	axis = normAxis(axis, x.Value.Dims())
	outer, n, inner := splitAt(x.Value.Shape, axis)
	var buf [maxDims]int
	out := tp.Alloc(reducedShape(buf[:], x.Value.Shape, axis, keepdim)...)
	scale := 1.0
	if mean {
		scale = 1 / float64(n)
	}
	sumAxisForward(out.Data, x.Value.Data, outer, n, inner, scale)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			sumAxisBackward(tp.GradOf(x).Data, y.Grad.Data, outer, n, inner, float32(scale))
		})
	}
	return y
}

// maxAxisForward writes the maximum over the middle axis of x
// (outer × n × inner) into out (outer × inner).
func maxAxisForward(out, x []float32, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		base := o * n * inner
		m := out[o*inner : (o+1)*inner]
		copy(m, x[base:base+inner])
		for k := 1; k < n; k++ {
			for j, v := range x[base+k*inner : base+(k+1)*inner] {
				if v > m[j] {
					m[j] = v
				}
			}
		}
	}
}

// maxAxisBackward routes dy to the first position along the axis that
// holds the maximum, found again by comparing with the saved output
// instead of storing argmax indices.
func maxAxisBackward(dx, dy, x, out []float32, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		base := o * n * inner
		for j := 0; j < inner; j++ {
			m := out[o*inner+j]
			for k := 0; k < n; k++ {
				if x[base+k*inner+j] == m {
					dx[base+k*inner+j] += dy[o*inner+j]
					break
				}
			}
		}
	}
}

// MaxAxis returns the maximum of x over one axis (the values of
// torch.max(x, dim=axis, keepdim=keepdim)). The gradient goes to the first
// maximal element only; PyTorch also picks one element, though which one
// among ties is unspecified there.
func (tp *Tape) MaxAxis(x *Var, axis int, keepdim bool) *Var {
	axis = normAxis(axis, x.Value.Dims())
	outer, n, inner := splitAt(x.Value.Shape, axis)
	if n == 0 {
		panic("autograd: MaxAxis over an empty axis")
	}
	var buf [maxDims]int
	out := tp.Alloc(reducedShape(buf[:], x.Value.Shape, axis, keepdim)...)
	maxAxisForward(out.Data, x.Value.Data, outer, n, inner)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			maxAxisBackward(tp.GradOf(x).Data, y.Grad.Data, x.Value.Data, out.Data, outer, n, inner)
		})
	}
	return y
}
