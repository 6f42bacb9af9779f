package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

// TestTapeThreads runs a residual block (convolution, batch norm, ReLU,
// the input added back, a square) large enough for the parallel paths on
// tapes of 1, 2 and 3 threads: the output and every gradient but the
// convolution weight's come out bit for bit the same, and the weight's
// (summed per worker) agrees to float rounding.
func TestTapeThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	randT := func(shape ...int) *tensor.Tensor {
		v := tensor.New(shape...)
		for i := range v.Data {
			v.Data[i] = float32(rng.NormFloat64())
		}
		return v
	}
	x0, w0 := randT(8, 8, 32, 32), randT(8, 8, 3, 3)
	g0, b0 := randT(8), randT(8)
	type result struct{ y, dx, dw, dg, db []float32 }
	run := func(threads int) result {
		tp := NewTape()
		tp.SetThreads(threads)
		x, w := NewParam("x", x0.Clone()), NewParam("w", w0.Clone())
		g, b := NewParam("g", g0.Clone()), NewParam("b", b0.Clone())
		h := tp.Conv2D(x, w, nil, conv.Params{PadH: 1, PadW: 1})
		h = tp.ReLU(tp.BatchNorm2D(h, g, b, nil, nil, true, 0.1, 1e-5))
		h = tp.Add(h, x)
		y := tp.Sum(tp.Mul(h, h))
		tp.Backward(y)
		return result{slices.Clone(y.Value.Data), slices.Clone(x.Grad.Data), slices.Clone(w.Grad.Data), slices.Clone(g.Grad.Data), slices.Clone(b.Grad.Data)}
	}
	one := run(1)
	for _, threads := range []int{2, 3} {
		t.Run(fmt.Sprint(threads), func(t *testing.T) {
			got := run(threads)
			for _, c := range []struct {
				name      string
				got, want []float32
			}{{"y", got.y, one.y}, {"dx", got.dx, one.dx}, {"dgamma", got.dg, one.dg}, {"dbeta", got.db, one.db}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s differs from one thread's", c.name)
				}
			}
			for i := range got.dw {
				if d := math.Abs(float64(got.dw[i] - one.dw[i])); d > 1e-4*(1+math.Abs(float64(one.dw[i]))) {
					t.Fatalf("dw[%d] = %g, one thread %g", i, got.dw[i], one.dw[i])
				}
			}
		})
	}
}

// TestSoftmaxThreads checks that softmaxes split over rows give the same
// bits as on one thread, forward and backward, over the last axis and a
// middle one, for Softmax and LogSoftmax.
func TestSoftmaxThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	x0, r0 := tensor.New(64, 37, 40), tensor.New(64, 37, 40)
	for i := range x0.Data {
		x0.Data[i], r0.Data[i] = float32(3*rng.NormFloat64()), float32(rng.NormFloat64())
	}
	run := func(threads, axis int, logOut bool) (y, dx []float32) {
		tp := NewTape()
		tp.SetThreads(threads)
		x := NewParam("x", x0.Clone())
		s := tp.Softmax(x, axis)
		if logOut {
			s = tp.LogSoftmax(x, axis)
		}
		tp.Backward(tp.Sum(tp.Mul(s, Const(r0))))
		return slices.Clone(s.Value.Data), slices.Clone(x.Grad.Data)
	}
	for _, axis := range []int{2, 1} {
		for _, logOut := range []bool{false, true} {
			y1, d1 := run(1, axis, logOut)
			for _, threads := range []int{2, 3} {
				y, d := run(threads, axis, logOut)
				if !slices.Equal(y, y1) || !slices.Equal(d, d1) {
					t.Errorf("axis %d log %v, %d threads: differs from one thread's", axis, logOut, threads)
				}
			}
		}
	}
}
