package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

func TestDropoutForward(t *testing.T) {
	x := tensor.New(10000)
	x.Fill(2)
	run := func(seed uint64) *tensor.Tensor {
		return NewInference().Dropout(Const(x), 0.3, true, rand.New(rand.NewPCG(seed, 1))).Value
	}
	a, b, c := run(7), run(7), run(8)
	zeros, same := 0, true
	for i, v := range a.Data {
		if v != b.Data[i] {
			t.Fatal("same seed gave a different mask")
		}
		same = same && v == c.Data[i]
		switch {
		case v == 0:
			zeros++
		case math.Abs(float64(v)-2/0.7) > 1e-6:
			t.Fatalf("kept element %g, want 2/(1-p) = %g", v, 2/0.7)
		}
	}
	if same {
		t.Fatal("different seeds gave the same mask")
	}
	// Binomial(10000, 0.3): standard deviation ≈ 46, so ±250 is > 5σ.
	if zeros < 2750 || zeros > 3250 {
		t.Fatalf("%d of 10000 dropped, want about 3000", zeros)
	}
	in := Const(x)
	if y := NewInference().Dropout(in, 0.3, false, nil); y != in {
		t.Fatal("eval-mode dropout is not the identity")
	}
	for _, v := range NewInference().Dropout(Const(x), 1, true, rand.New(rand.NewPCG(1, 1))).Value.Data {
		if v != 0 {
			t.Fatal("p = 1 kept an element")
		}
	}
}

// Dropout is linear in x once the mask is fixed (f re-seeds its rng on
// every call, as GradCheck requires a deterministic f), so the defaults
// only absorb float32 rounding.
func TestDropoutGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	f := func(tp *Tape, in []*Var) *Var {
		return tp.Dropout(in[0], 0.4, true, rand.New(rand.NewPCG(9, 9)))
	}
	if err := GradCheck(f, []*tensor.Tensor{randTensor(rng, 4, 6)}, GradCheckOptions{}); err != nil {
		t.Fatal(err)
	}
	// The input feeds two ops, so its gradient is written by one
	// backward pass and added to by the other, in both orders.
	for _, dropoutFirst := range []bool{true, false} {
		g := func(tp *Tape, in []*Var) *Var {
			x := in[0]
			if dropoutFirst {
				return tp.Mul(tp.LayerNorm(x, nil, nil, 1e-5), tp.Dropout(x, 0.4, true, rand.New(rand.NewPCG(9, 9))))
			}
			return tp.Mul(tp.Dropout(x, 0.4, true, rand.New(rand.NewPCG(9, 9))), tp.LayerNorm(x, nil, nil, 1e-5))
		}
		if err := GradCheck(g, []*tensor.Tensor{randTensor(rng, 4, 6)}, GradCheckOptions{}); err != nil {
			t.Fatalf("dropout first %v: %v", dropoutFirst, err)
		}
	}
}
