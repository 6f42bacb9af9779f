package autograd

// Sum returns the sum of all elements as a one-element tensor.
func (tp *Tape) Sum(x *Var) *Var {
	out := tp.Alloc(1)
	var s float64
	for _, v := range x.Value.Data {
		s += float64(v)
	}
	out.Data[0] = float32(s)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g := y.Grad.Data[0]
			dx := tp.GradOf(x).Data
			for i := range dx {
				dx[i] += g
			}
		})
	}
	return y
}

// Mean returns the mean of all elements as a one-element tensor.
func (tp *Tape) Mean(x *Var) *Var {
	out := tp.Alloc(1)
	var s float64
	for _, v := range x.Value.Data {
		s += float64(v)
	}
	n := len(x.Value.Data)
	out.Data[0] = float32(s / float64(n))
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g := y.Grad.Data[0] / float32(n)
			dx := tp.GradOf(x).Data
			for i := range dx {
				dx[i] += g
			}
		})
	}
	return y
}
