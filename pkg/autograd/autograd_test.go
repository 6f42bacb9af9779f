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
