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
