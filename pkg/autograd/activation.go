package autograd

// ReLU returns max(x, 0) elementwise.
func (tp *Tape) ReLU(x *Var) *Var {
	out := tp.Alloc(x.Value.Shape...)
	for i, v := range x.Value.Data {
		if v > 0 {
			out.Data[i] = v
		}
	}
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			dx := tp.GradOf(x).Data
			// The output, not the input, decides the mask: it is kept
			// anyway, and y > 0 exactly where x > 0.
			for i, v := range out.Data {
				if v > 0 {
					dx[i] += y.Grad.Data[i]
				}
			}
		})
	}
	return y
}
