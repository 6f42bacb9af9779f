package autograd

import (
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// randTensor returns a tensor of uniform values in [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.Float64()*2 - 1)
	}
	return t
}

func TestGradCheckCore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name   string
		f      func(tp *Tape, in []*Var) *Var
		inputs []*tensor.Tensor
	}{
		{"matmul", func(tp *Tape, in []*Var) *Var { return tp.MatMul(in[0], in[1]) },
			[]*tensor.Tensor{randTensor(rng, 3, 4), randTensor(rng, 4, 5)}},
		{"linear", func(tp *Tape, in []*Var) *Var { return tp.Linear(in[0], in[1], in[2]) },
			[]*tensor.Tensor{randTensor(rng, 2, 3, 4), randTensor(rng, 5, 4), randTensor(rng, 5)}},
		{"linear-nobias", func(tp *Tape, in []*Var) *Var { return tp.Linear(in[0], in[1], nil) },
			[]*tensor.Tensor{randTensor(rng, 3, 4), randTensor(rng, 2, 4)}},
		{"linear2", func(tp *Tape, in []*Var) *Var { return tp.Linear2(in[0], in[1], in[2], in[3], in[4], in[5]) },
			[]*tensor.Tensor{randTensor(rng, 2, 3, 4), randTensor(rng, 5, 4), randTensor(rng, 5),
				randTensor(rng, 2, 3, 6), randTensor(rng, 5, 6), randTensor(rng, 5)}},
		{"linear2-nobias", func(tp *Tape, in []*Var) *Var { return tp.Linear2(in[0], in[1], nil, in[2], in[3], nil) },
			[]*tensor.Tensor{randTensor(rng, 3, 4), randTensor(rng, 2, 4), randTensor(rng, 3, 5), randTensor(rng, 2, 5)}},
		{"linear2-shared-input", func(tp *Tape, in []*Var) *Var { return tp.Linear2(in[0], in[1], in[2], in[0], in[3], nil) },
			[]*tensor.Tensor{randTensor(rng, 3, 4), randTensor(rng, 2, 4), randTensor(rng, 2), randTensor(rng, 2, 4)}},
		{"relu", func(tp *Tape, in []*Var) *Var { return tp.ReLU(in[0]) },
			[]*tensor.Tensor{randTensor(rng, 4, 5)}},
		{"sum", func(tp *Tape, in []*Var) *Var { return tp.Sum(in[0]) },
			[]*tensor.Tensor{randTensor(rng, 4, 5)}},
		{"mean", func(tp *Tape, in []*Var) *Var { return tp.Mean(in[0]) },
			[]*tensor.Tensor{randTensor(rng, 4, 5)}},
		{"reuse", func(tp *Tape, in []*Var) *Var { return tp.MatMul(in[0], in[0]) },
			[]*tensor.Tensor{randTensor(rng, 4, 4)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := GradCheck(c.f, c.inputs, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInferenceRecordsNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := NewParam("w", randTensor(rng, 4, 3))
	tp := NewInference()
	x := Const(randTensor(rng, 2, 3))
	for i := 0; i < 3; i++ {
		y := tp.ReLU(tp.Linear(x, w, nil))
		if y.RequiresGrad || len(tp.backward) != 0 {
			t.Fatal("inference tape recorded an op")
		}
		tp.Reset()
	}
	allocs := testing.AllocsPerRun(20, func() {
		tp.ReLU(tp.Linear(x, w, nil))
		tp.Reset()
	})
	if allocs != 0 {
		t.Fatalf("inference step allocates %v times in steady state", allocs)
	}
}

// TestLinear2MatchesAddOfLinears checks the fused op against the two
// Linear layers and the Add it replaces, values and gradients.
func TestLinear2MatchesAddOfLinears(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ins := []*tensor.Tensor{randTensor(rng, 7, 9), randTensor(rng, 11, 9), randTensor(rng, 11),
		randTensor(rng, 7, 5), randTensor(rng, 11, 5), randTensor(rng, 11)}
	run := func(fused bool) ([]float32, [][]float32) {
		tp := NewTape()
		vs := make([]*Var, len(ins))
		for i, x := range ins {
			vs[i] = NewParam("p", x.Clone())
		}
		var y *Var
		if fused {
			y = tp.Linear2(vs[0], vs[1], vs[2], vs[3], vs[4], vs[5])
		} else {
			y = tp.Add(tp.Linear(vs[0], vs[1], vs[2]), tp.Linear(vs[3], vs[4], vs[5]))
		}
		tp.Backward(tp.Sum(tp.Mul(y, y)))
		var gs [][]float32
		for _, v := range vs {
			gs = append(gs, v.Grad.Data)
		}
		return y.Value.Data, gs
	}
	y1, g1 := run(true)
	y2, g2 := run(false)
	close := func(a, b []float32) bool {
		for i := range a {
			if d := a[i] - b[i]; d > 1e-4 || d < -1e-4 {
				return false
			}
		}
		return true
	}
	if !close(y1, y2) {
		t.Fatal("Linear2 value differs from Linear+Add")
	}
	for i := range g1 {
		if !close(g1[i], g2[i]) {
			t.Fatalf("Linear2 gradient of input %d differs from Linear+Add", i)
		}
	}
}
