package tensor

import (
	"math"

	"github.com/attnkit/attn/pkg/vec"
)

// Softmax sets dst = exp(src − max) / Σ exp(src − max) along axis, the
// numerically stable softmax (torch.softmax): logits of 1e4 do not
// overflow, −Inf entries (masked positions) get probability 0, and a slice
// along axis that is −Inf everywhere, or holds NaN, gives NaN, as in
// PyTorch. dst may be src.
func Softmax(dst, src *Tensor, axis int) {
	checkSame("Softmax", dst, src)
	a := normAxis("Softmax", axis, len(src.Shape))
	outer, n, inner := split(src.Shape, a)
	if inner == 1 {
		// The last axis (or one followed only by size-1 dimensions): each
		// row is contiguous, so the fused vec kernels do it in two passes.
		for o := range outer {
			vec.Softmax(dst.Data[o*n:(o+1)*n], src.Data[o*n:(o+1)*n])
		}
		return
	}
	// Another axis: the n entries of one softmax are inner apart, so work
	// on whole rows of inner independent softmaxes at a time.
	m := make([]float32, inner)
	s := make([]float32, inner)
	for o := range outer {
		base := o * n * inner
		row := func(t *Tensor, j int) []float32 { return t.Data[base+j*inner:][:inner] }
		stridedMax(m, src, base, n, inner)
		clear(s)
		for j := range n {
			d := row(dst, j)
			vec.Sub(d, row(src, j), m)
			vec.Exp(d, d)
			vec.Add(s, s, d)
		}
		for i, v := range s {
			s[i] = 1 / v
		}
		for j := range n {
			d := row(dst, j)
			vec.Mul(d, d, s)
		}
	}
}

// stridedMax sets m to the elementwise maximum (NaN winning) of the n rows
// of length inner starting at src.Data[base].
func stridedMax(m []float32, src *Tensor, base, n, inner int) {
	if n == 0 {
		return
	}
	copy(m, src.Data[base:base+inner])
	for j := 1; j < n; j++ {
		maxInto(m, src.Data[base+j*inner:][:inner])
	}
}

// LogSoftmax sets dst = src − max − ln Σ exp(src − max) along axis
// (torch.log_softmax), stable for large logits; masked (−Inf) entries give
// −Inf and an all −Inf slice gives NaN, as in PyTorch. dst may be src.
func LogSoftmax(dst, src *Tensor, axis int) {
	checkSame("LogSoftmax", dst, src)
	a := normAxis("LogSoftmax", axis, len(src.Shape))
	outer, n, inner := split(src.Shape, a)
	if inner == 1 {
		tmp := make([]float32, n)
		for o := range outer {
			vec.LogSoftmax(dst.Data[o*n:(o+1)*n], src.Data[o*n:(o+1)*n], tmp)
		}
		return
	}
	m := make([]float32, inner)
	s := make([]float32, inner)
	e := make([]float32, inner)
	for o := range outer {
		base := o * n * inner
		row := func(t *Tensor, j int) []float32 { return t.Data[base+j*inner:][:inner] }
		stridedMax(m, src, base, n, inner)
		clear(s)
		for j := range n {
			vec.Sub(e, row(src, j), m)
			vec.Exp(e, e)
			vec.Add(s, s, e)
		}
		for i, v := range s {
			s[i] = float32(math.Log(float64(v)))
		}
		// (x − m) − ln s, not x − (m + ln s): see vec.LogSoftmax.
		for j := range n {
			d := row(dst, j)
			vec.Sub(d, row(src, j), m)
			vec.Sub(d, d, s)
		}
	}
}

// SoftmaxBackward accumulates the gradient of Softmax along axis:
// dx += y ⊙ (dy − Σ_axis dy ⊙ y), where y is the softmax output and dy
// the gradient with respect to it.
func SoftmaxBackward(dx, dy, y *Tensor, axis int) {
	checkSame("SoftmaxBackward", dx, dy)
	checkSame("SoftmaxBackward", dx, y)
	a := normAxis("SoftmaxBackward", axis, len(y.Shape))
	outer, n, inner := split(y.Shape, a)
	if inner == 1 {
		t := make([]float32, n)
		for o := range outer {
			r := o * n
			yr, gr, dr := y.Data[r:r+n], dy.Data[r:r+n], dx.Data[r:r+n]
			vec.AddScalar(t, -vec.Dot(gr, yr), gr)
			vec.Mul(t, t, yr)
			vec.Add(dr, dr, t)
		}
		return
	}
	s := make([]float32, inner)
	t := make([]float32, inner)
	for o := range outer {
		base := o * n * inner
		row := func(t *Tensor, j int) []float32 { return t.Data[base+j*inner:][:inner] }
		clear(s)
		for j := range n {
			vec.Mul(t, row(dy, j), row(y, j))
			vec.Add(s, s, t)
		}
		for j := range n {
			vec.Sub(t, row(dy, j), s)
			vec.Mul(t, t, row(y, j))
			d := row(dx, j)
			vec.Add(d, d, t)
		}
	}
}

// LogSoftmaxBackward accumulates the gradient of LogSoftmax along axis:
// dx += dy − exp(y) · Σ_axis dy, where y is the log-softmax output.
func LogSoftmaxBackward(dx, dy, y *Tensor, axis int) {
	checkSame("LogSoftmaxBackward", dx, dy)
	checkSame("LogSoftmaxBackward", dx, y)
	a := normAxis("LogSoftmaxBackward", axis, len(y.Shape))
	outer, n, inner := split(y.Shape, a)
	if inner == 1 {
		t := make([]float32, n)
		for o := range outer {
			r := o * n
			yr, gr, dr := y.Data[r:r+n], dy.Data[r:r+n], dx.Data[r:r+n]
			vec.Exp(t, yr)
			vec.Axpy(-vec.Sum(gr), t, dr)
			vec.Add(dr, dr, gr)
		}
		return
	}
	s := make([]float32, inner)
	t := make([]float32, inner)
	for o := range outer {
		base := o * n * inner
		row := func(t *Tensor, j int) []float32 { return t.Data[base+j*inner:][:inner] }
		clear(s)
		for j := range n {
			vec.Add(s, s, row(dy, j))
		}
		for j := range n {
			vec.Exp(t, row(y, j))
			vec.Mul(t, t, s)
			d := row(dx, j)
			vec.Sub(d, d, t)
			vec.Add(d, d, row(dy, j))
		}
	}
}
