package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// blobs returns n points in 4 Gaussian clusters (std 0.5) centred at
// (±2, ±2), labelled by cluster, drawn from a seeded generator.
func blobs(seed uint64, n int) (*tensor.Tensor, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := tensor.New(n, 2)
	y := make([]int, n)
	centres := [4][2]float64{{-2, -2}, {-2, 2}, {2, -2}, {2, 2}}
	for i := range y {
		k := i % 4
		y[i] = k
		x.Data[2*i] = float32(centres[k][0] + 0.5*rng.NormFloat64())
		x.Data[2*i+1] = float32(centres[k][1] + 0.5*rng.NormFloat64())
	}
	return x, y
}

// uniformParam initialises like torch.nn.Linear: U(−1/√fanIn, 1/√fanIn).
func uniformParam(rng *rand.Rand, name string, fanIn int, shape ...int) *Var {
	b := 1 / math.Sqrt(float64(fanIn))
	return NewParam(name, randRange(rng, -b, b, shape...))
}

// trainMLP trains Linear(2,16)-ReLU-Linear(16,4) with cross-entropy and
// full-batch SGD for the given number of steps and returns the parameters
// and the final training accuracy.
func trainMLP(seed uint64, steps int) ([]*Var, float64) {
	x, y := blobs(seed, 200)
	rng := rand.New(rand.NewPCG(seed, 2))
	const hidden, classes = 16, 4
	params := []*Var{
		uniformParam(rng, "fc1.weight", 2, hidden, 2), uniformParam(rng, "fc1.bias", 2, hidden),
		uniformParam(rng, "fc2.weight", hidden, classes, hidden), uniformParam(rng, "fc2.bias", hidden, classes),
	}
	in := Const(x)
	tp := NewTape()
	forward := func() *Var {
		return tp.Linear(tp.ReLU(tp.Linear(in, params[0], params[1])), params[2], params[3])
	}
	const lr = 0.2
	for s := 0; s < steps; s++ {
		ZeroGrad(params)
		tp.Backward(tp.CrossEntropy(forward(), y, -100))
		for _, p := range params {
			for i, g := range p.Grad.Data {
				p.Value.Data[i] -= lr * g
			}
		}
		tp.Reset()
	}
	tp.SetRecording(false)
	logits := forward().Value
	correct := 0
	for i, label := range y {
		row := logits.Data[i*classes : (i+1)*classes]
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		if best == label {
			correct++
		}
	}
	return params, float64(correct) / float64(len(y))
}

// TestMLPEndToEnd trains a small classifier on the tape and checks that it
// fits the toy set and that training is bit-for-bit reproducible.
func TestMLPEndToEnd(t *testing.T) {
	p1, acc := trainMLP(42, 200)
	if acc != 1 {
		t.Fatalf("training accuracy %.3f, want 1", acc)
	}
	p2, _ := trainMLP(42, 200)
	for i := range p1 {
		for j, v := range p1[i].Value.Data {
			if math.Float32bits(v) != math.Float32bits(p2[i].Value.Data[j]) {
				t.Fatalf("%s[%d] differs between runs: %g vs %g", p1[i].Name, j, v, p2[i].Value.Data[j])
			}
		}
	}
}
