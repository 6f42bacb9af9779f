package autograd

import (
	"math"

	"github.com/attnkit/attn/pkg/vec"
)

// expChunk is how many exponentials the softmaxes and the cross-entropy
// take from vec.ExpMath at a time, in buffers on the stack.
const expChunk = 256

// softmaxForward writes softmax (or log-softmax when logOut) over the
// middle axis of x (outer × n × inner) into y. The maximum is subtracted
// first so exp never overflows; sums accumulate in float64.
func softmaxForward(y, x []float32, outer, n, inner int, logOut bool) {
	var col [expChunk]float32
	var e [expChunk]float64
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			m := float32(math.Inf(-1))
			if inner == 1 {
				m = vec.Max(x[base : base+n])
			} else {
				for k := 0; k < n; k++ {
					m = max(m, x[base+k*inner])
				}
			}
			// math.Exp's bits and the sum in order, as the models were
			// trained and measured with a scalar loop; by chunks on the
			// stack, so that an inference step allocates nothing.
			var s float64
			for k0 := 0; k0 < n; k0 += expChunk {
				c := min(expChunk, n-k0)
				xs := x[base+k0 : base+k0+c]
				if inner > 1 {
					for k := range c {
						col[k] = x[base+(k0+k)*inner]
					}
					xs = col[:c]
				}
				vec.ExpMath64(e[:c], xs, m)
				for k, ek := range e[:c] {
					s += ek
					if !logOut {
						y[base+(k0+k)*inner] = float32(ek)
					}
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
	t := tp.threads
	par := t > 1 && outer >= t && len(out.Data) >= parallelMin
	if par {
		softmaxForwardParallel(t, out.Data, x.Value.Data, outer, n, inner, logOut)
	} else {
		softmaxForward(out.Data, x.Value.Data, outer, n, inner, logOut)
	}
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			if par {
				softmaxBackwardParallel(t, tp.GradOf(x).Data, y.Grad.Data, out.Data, outer, n, inner, logOut)
				return
			}
			softmaxBackward(tp.GradOf(x).Data, y.Grad.Data, out.Data, outer, n, inner, logOut)
		})
	}
	return y
}
