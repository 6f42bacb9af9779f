package autograd

import "math"

// softmaxForward writes softmax (or log-softmax when logOut) over the
// middle axis of x (outer × n × inner) into y. The maximum is subtracted
// first so exp never overflows; sums accumulate in float64.
func softmaxForward(y, x []float32, outer, n, inner int, logOut bool) {
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			m := float32(math.Inf(-1))
			for k := 0; k < n; k++ {
				m = max(m, x[base+k*inner])
			}
			var s float64
			for k := 0; k < n; k++ {
				e := math.Exp(float64(x[base+k*inner] - m))
				s += e
				if !logOut {
					y[base+k*inner] = float32(e)
				}
			}
			if logOut {
				lse := float32(math.Log(s)) + m
				for k := 0; k < n; k++ {
					y[base+k*inner] = x[base+k*inner] - lse
				}
			} else {
				inv := float32(1 / s)
				for k := 0; k < n; k++ {
					y[base+k*inner] *= inv
				}
			}
		}
	}
}

// softmaxBackward accumulates dx given y and dy over the middle axis.
// Softmax: dx = y·(dy − Σ dy·y). Log-softmax: dx = dy − eʸ·Σ dy.
func softmaxBackward(dx, dy, y []float32, outer, n, inner int, logOut bool) {
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			var s float64
			for k := 0; k < n; k++ {
				i := base + k*inner
				if logOut {
					s += float64(dy[i])
				} else {
					s += float64(dy[i]) * float64(y[i])
				}
			}
			sf := float32(s)
			for k := 0; k < n; k++ {
				i := base + k*inner
				if logOut {
					dx[i] += dy[i] - float32(math.Exp(float64(y[i])))*sf
				} else {
					dx[i] += y[i] * (dy[i] - sf)
				}
			}
		}
	}
}

// Softmax returns exp(x)/Σ exp(x) over axis (torch.softmax(x, dim=axis)).
func (tp *Tape) Softmax(x *Var, axis int) *Var { return tp.softmax(x, axis, false) }

// LogSoftmax returns x − log Σ exp(x) over axis
// (torch.log_softmax(x, dim=axis)), computed without forming the softmax
// so it stays finite for very negative logits.
func (tp *Tape) LogSoftmax(x *Var, axis int) *Var { return tp.softmax(x, axis, true) }

func (tp *Tape) softmax(x *Var, axis int, logOut bool) *Var {
	axis = normAxis(axis, x.Value.Dims())
	outer, n, inner := splitAt(x.Value.Shape, axis)
	out := tp.Alloc(x.Value.Shape...)
	softmaxForward(out.Data, x.Value.Data, outer, n, inner, logOut)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			softmaxBackward(tp.GradOf(x).Data, y.Grad.Data, out.Data, outer, n, inner, logOut)
		})
	}
	return y
}
