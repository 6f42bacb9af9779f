package autograd

import (
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// additiveScoreComposed is AdditiveScore built from primitive ops.
func additiveScoreComposed(tp *Tape, p, q, w *Var) *Var {
	n, a := q.Value.Dim(0), q.Value.Dim(1)
	t := tp.Tanh(tp.Add(p, tp.Reshape(q, n, 1, a)))
	e := tp.Linear(t, tp.Reshape(w, 1, a), nil) // [n, l, 1]
	return tp.Reshape(e, n, p.Value.Dim(1))
}

// weightedSumComposed is WeightedSum built from primitive ops.
func weightedSumComposed(tp *Tape, alpha, x *Var) *Var {
	n, l := alpha.Value.Dim(0), alpha.Value.Dim(1)
	return tp.SumAxis(tp.Mul(x, tp.Reshape(alpha, n, l, 1)), 1, false)
}

// fusedVsComposed runs f and g on copies of inputs, backpropagates a
// random projection and returns the largest difference of the outputs
// and of every input gradient.
func fusedVsComposed(t *testing.T, inputs []*tensor.Tensor, f, g func(tp *Tape, in []*Var) *Var) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var r *Var
	run := func(fn func(tp *Tape, in []*Var) *Var) (*tensor.Tensor, []*tensor.Tensor) {
		v := make([]*Var, len(inputs))
		for i, x := range inputs {
			v[i] = NewParam("p", x.Clone())
		}
		tp := NewTape()
		y := fn(tp, v)
		if r == nil {
			r = Const(randTensor(rng, y.Value.Shape...))
		}
		tp.Backward(tp.Sum(tp.Mul(y, r)))
		var grads []*tensor.Tensor
		for _, p := range v {
			grads = append(grads, p.Grad)
		}
		return y.Value.Clone(), grads
	}
	fy, fg := run(f)
	cy, cg := run(g)
	d := maxDiff(fy.Data, cy.Data)
	for i := range fg {
		d = max(d, maxDiff(fg[i].Data, cg[i].Data))
	}
	return d
}

// Values and all gradients agree with the composition to float32
// rounding (different summation orders only).
func TestAdditiveScoreMatchesComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := []*tensor.Tensor{randTensor(rng, 3, 5, 4), randTensor(rng, 3, 4), randTensor(rng, 4)}
	d := fusedVsComposed(t, in,
		func(tp *Tape, v []*Var) *Var { return tp.AdditiveScore(v[0], v[1], v[2]) },
		func(tp *Tape, v []*Var) *Var { return additiveScoreComposed(tp, v[0], v[1], v[2]) })
	if d > 1e-5 {
		t.Fatalf("fused and composed differ by %g", d)
	}
}

func TestWeightedSumMatchesComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	in := []*tensor.Tensor{randTensor(rng, 3, 5), randTensor(rng, 3, 5, 6)}
	d := fusedVsComposed(t, in,
		func(tp *Tape, v []*Var) *Var { return tp.WeightedSum(v[0], v[1]) },
		func(tp *Tape, v []*Var) *Var { return weightedSumComposed(tp, v[0], v[1]) })
	if d > 1e-5 {
		t.Fatalf("fused and composed differ by %g", d)
	}
}

func TestGradCheckAttentionOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		name   string
		f      func(tp *Tape, in []*Var) *Var
		inputs []*tensor.Tensor
	}{
		{"AdditiveScore", func(tp *Tape, v []*Var) *Var { return tp.AdditiveScore(v[0], v[1], v[2]) },
			[]*tensor.Tensor{randTensor(rng, 2, 3, 4), randTensor(rng, 2, 4), randTensor(rng, 4)}},
		{"WeightedSum", func(tp *Tape, v []*Var) *Var { return tp.WeightedSum(v[0], v[1]) },
			[]*tensor.Tensor{randTensor(rng, 2, 3), randTensor(rng, 2, 3, 4)}},
	}
	for _, c := range cases {
		if err := GradCheck(c.f, c.inputs, GradCheckOptions{Seed: 1}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
