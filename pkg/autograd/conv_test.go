package autograd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

// The raw kernels are checked against a direct convolution in package conv;
// these tests check the tape wiring. Tolerances: GradCheck's defaults. A
// convolution is linear in each input, so the central difference has no
// truncation error; what remains is float32 rounding of the loss
// (≈1e-6 here) divided by the 2e-2 step, far below the 1e-3 absolute
// tolerance.
func TestConvGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	cases := []struct {
		name   string
		x, w   []int
		p      conv.Params
		noBias bool
	}{
		{"3x3-pad1", []int{2, 3, 5, 5}, []int{4, 3, 3, 3}, conv.Params{PadH: 1, PadW: 1}, false},
		{"stride2", []int{1, 2, 7, 6}, []int{3, 2, 3, 3}, conv.Params{StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, false},
		{"dilation2", []int{1, 2, 7, 7}, []int{2, 2, 3, 3}, conv.Params{DilH: 2, DilW: 2, PadH: 2, PadW: 1}, true},
		{"1x1", []int{2, 4, 3, 3}, []int{3, 4, 1, 1}, conv.Params{}, false},
		{"groups2", []int{1, 4, 4, 5}, []int{4, 2, 3, 3}, conv.Params{PadH: 1, PadW: 1, Groups: 2}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := []*tensor.Tensor{randTensor(rng, c.x...), randTensor(rng, c.w...), randTensor(rng, c.w[0])}
			f := func(tp *Tape, in []*Var) *Var { return tp.Conv2D(in[0], in[1], in[2], c.p) }
			if c.noBias {
				inputs = inputs[:2]
				f = func(tp *Tape, in []*Var) *Var { return tp.Conv2D(in[0], in[1], nil, c.p) }
			}
			if err := GradCheck(f, inputs, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("conv3d", func(t *testing.T) {
		p := conv.Params3D{StrideH: 2, StrideW: 2, PadT: 1, PadH: 1, PadW: 1}
		inputs := []*tensor.Tensor{randTensor(rng, 1, 2, 3, 5, 5), randTensor(rng, 3, 2, 3, 3, 3), randTensor(rng, 3)}
		f := func(tp *Tape, in []*Var) *Var { return tp.Conv3D(in[0], in[1], in[2], p) }
		if err := GradCheck(f, inputs, GradCheckOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConv2DShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tp := NewInference()
	y := tp.Conv2D(Const(randTensor(rng, 2, 3, 9, 8)), Const(randTensor(rng, 5, 3, 3, 3)), nil,
		conv.Params{StrideH: 2, StrideW: 2, PadH: 1, PadW: 1})
	if !tensor.SameShape(y.Value.Shape, []int{2, 5, 5, 4}) {
		t.Fatalf("shape %v, want [2 5 5 4]", y.Value.Shape)
	}
	y3 := tp.Conv3D(Const(randTensor(rng, 1, 2, 4, 6, 6)), Const(randTensor(rng, 3, 2, 3, 1, 1)), nil,
		conv.Params3D{PadT: 1})
	if !tensor.SameShape(y3.Value.Shape, []int{1, 3, 4, 6, 6}) {
		t.Fatalf("shape %v, want [1 3 4 6 6]", y3.Value.Shape)
	}
}

// checkInferenceAllocs runs step on an inference tape until the arena is
// warm and then requires it to allocate nothing.
func checkInferenceAllocs(t *testing.T, name string, step func(tp *Tape)) {
	t.Helper()
	if allocsUnreliable {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	tp := NewInference()
	for range 2 {
		step(tp)
		tp.Reset()
	}
	if a := testing.AllocsPerRun(10, func() { step(tp); tp.Reset() }); a != 0 {
		t.Errorf("%s on an inference tape allocates %v times per step", name, a)
	}
}

func TestConvInferenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := Const(randTensor(rng, 2, 3, 8, 8))
	w := NewParam("w", randTensor(rng, 4, 3, 3, 3))
	w1 := NewParam("w1", randTensor(rng, 4, 4, 1, 1))
	b := NewParam("b", randTensor(rng, 4))
	x3 := Const(randTensor(rng, 1, 2, 3, 4, 4))
	w3 := NewParam("w3", randTensor(rng, 2, 2, 3, 3, 3))
	p := conv.Params{PadH: 1, PadW: 1}
	checkInferenceAllocs(t, "Conv2D", func(tp *Tape) { tp.Conv2D(tp.Conv2D(x, w, b, p), w1, nil, conv.Params{}) })
	checkInferenceAllocs(t, "Conv3D", func(tp *Tape) { tp.Conv3D(x3, w3, nil, conv.Params3D{PadT: 1, PadH: 1, PadW: 1}) })
}

// BenchmarkConv2DTape times a forward and backward pass of one 3x3 pad-1
// convolution on a recording tape at the Learn-to-Pay-Attention VGG sizes.
func BenchmarkConv2DTape(b *testing.B) {
	for _, s := range []struct{ n, c, hw int }{{32, 64, 32}, {32, 128, 16}, {32, 256, 8}} {
		b.Run(fmt.Sprintf("N%d_C%d_%dx%d", s.n, s.c, s.hw, s.hw), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			x := NewParam("x", randTensor(rng, s.n, s.c, s.hw, s.hw))
			w := NewParam("w", randTensor(rng, s.c, s.c, 3, 3))
			bias := NewParam("b", randTensor(rng, s.c))
			seed := randTensor(rng, s.n, s.c, s.hw, s.hw)
			tp := NewTape()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				y := tp.Conv2D(x, w, bias, conv.Params{PadH: 1, PadW: 1})
				tp.BackwardWith(y, seed)
				tp.Reset()
			}
		})
	}
}
