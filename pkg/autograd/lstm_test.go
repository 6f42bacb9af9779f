package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// lstmComposed is the LSTM step built from primitive ops, the reference
// for the fused LSTMCell.
func lstmComposed(tp *Tape, x, h, c, wIH, wHH, bIH, bHH *Var) (h2, c2 *Var) {
	hid := h.Value.Dim(1)
	gates := tp.Add(tp.Linear(x, wIH, bIH), tp.Linear(h, wHH, bHH))
	i := tp.Sigmoid(tp.Slice(gates, 1, 0, hid))
	f := tp.Sigmoid(tp.Slice(gates, 1, hid, 2*hid))
	g := tp.Tanh(tp.Slice(gates, 1, 2*hid, 3*hid))
	o := tp.Sigmoid(tp.Slice(gates, 1, 3*hid, 4*hid))
	c2 = tp.Add(tp.Mul(f, c), tp.Mul(i, g))
	h2 = tp.Mul(o, tp.Tanh(c2))
	return h2, c2
}

// maxDiff returns max |a−b| over two equally long slices.
func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// TestLSTMCellMatchesComposition compares the fused cell with its
// composition: values and every input gradient of L = Σ r₁·h2 + Σ r₂·c2.
// Tolerance 1e-5: both compute the same float32 formulas, differing only
// in summation order inside the GEMMs and the order of gradient
// accumulation, a few ulps on values of order 1.
func TestLSTMCellMatchesComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 21))
	const n, in, hid = 3, 5, 4
	inputs := []*tensor.Tensor{
		randTensor(rng, n, in), randTensor(rng, n, hid), randTensor(rng, n, hid),
		randTensor(rng, 4*hid, in), randTensor(rng, 4*hid, hid), randTensor(rng, 4*hid), randTensor(rng, 4*hid),
	}
	r1, r2 := Const(randTensor(rng, n, hid)), Const(randTensor(rng, n, hid))
	run := func(cell func(tp *Tape, x, h, c, wIH, wHH, bIH, bHH *Var) (*Var, *Var)) (h2, c2 *tensor.Tensor, grads []*tensor.Tensor) {
		v := make([]*Var, len(inputs))
		for i, t := range inputs {
			v[i] = NewParam("p", t.Clone())
		}
		tp := NewTape()
		hv, cv := cell(tp, v[0], v[1], v[2], v[3], v[4], v[5], v[6])
		tp.Backward(tp.Add(tp.Sum(tp.Mul(hv, r1)), tp.Sum(tp.Mul(cv, r2))))
		for _, p := range v {
			grads = append(grads, p.Grad)
		}
		return hv.Value.Clone(), cv.Value.Clone(), grads
	}
	fh, fc, fg := run((*Tape).LSTMCell)
	ch, cc, cg := run(lstmComposed)
	if d := maxDiff(fh.Data, ch.Data); d > 1e-5 {
		t.Fatalf("h2 differs by %g", d)
	}
	if d := maxDiff(fc.Data, cc.Data); d > 1e-5 {
		t.Fatalf("c2 differs by %g", d)
	}
	names := []string{"x", "h", "c", "wIH", "wHH", "bIH", "bHH"}
	for i := range fg {
		if d := maxDiff(fg[i].Data, cg[i].Data); d > 1e-5 {
			t.Fatalf("gradient of %s differs by %g", names[i], d)
		}
	}
}

// TestRNNCellMatchesComposition does the same for the Elman cell with both
// nonlinearities.
func TestRNNCellMatchesComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 23))
	const n, in, hid = 3, 4, 5
	inputs := []*tensor.Tensor{randTensor(rng, n, in), randTensor(rng, n, hid),
		randTensor(rng, hid, in), randTensor(rng, hid, hid), randTensor(rng, hid), randTensor(rng, hid)}
	r := Const(randTensor(rng, n, hid))
	for _, act := range []RNNNonlinearity{RNNTanh, RNNReLU} {
		run := func(fused bool) (out *tensor.Tensor, grads []*tensor.Tensor) {
			v := make([]*Var, len(inputs))
			for i, t := range inputs {
				v[i] = NewParam("p", t.Clone())
			}
			tp := NewTape()
			var y *Var
			if fused {
				y = tp.RNNCell(v[0], v[1], v[2], v[3], v[4], v[5], act)
			} else {
				pre := tp.Add(tp.Linear(v[0], v[2], v[4]), tp.Linear(v[1], v[3], v[5]))
				if act == RNNReLU {
					y = tp.ReLU(pre)
				} else {
					y = tp.Tanh(pre)
				}
			}
			tp.Backward(tp.Sum(tp.Mul(y, r)))
			for _, p := range v {
				grads = append(grads, p.Grad)
			}
			return y.Value.Clone(), grads
		}
		fy, fg := run(true)
		cy, cg := run(false)
		if d := maxDiff(fy.Data, cy.Data); d > 1e-5 {
			t.Fatalf("act %d: output differs by %g", act, d)
		}
		for i := range fg {
			if d := maxDiff(fg[i].Data, cg[i].Data); d > 1e-5 {
				t.Fatalf("act %d: gradient of input %d differs by %g", act, i, d)
			}
		}
	}
}

// TestLSTMStepInferenceNoAlloc checks that a decoder-style step (LSTM cell
// then output projection and softmax) on an inference tape allocates
// nothing once the arena is warm.
func TestLSTMStepInferenceNoAlloc(t *testing.T) {
	if allocsUnreliable {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	rng := rand.New(rand.NewPCG(24, 25))
	const n, in, hid, vocab = 2, 8, 16, 10
	x := Const(randTensor(rng, n, in))
	h, c := Const(tensor.New(n, hid)), Const(tensor.New(n, hid))
	wIH, wHH := NewParam("w_ih", randTensor(rng, 4*hid, in)), NewParam("w_hh", randTensor(rng, 4*hid, hid))
	bIH, bHH := NewParam("b_ih", randTensor(rng, 4*hid)), NewParam("b_hh", randTensor(rng, 4*hid))
	wOut := NewParam("w_out", randTensor(rng, vocab, hid))
	rIH, rHH := NewParam("rnn_ih", randTensor(rng, hid, in)), NewParam("rnn_hh", randTensor(rng, hid, hid))
	tp := NewInference()
	step := func() {
		h2, _ := tp.LSTMCell(x, h, c, wIH, wHH, bIH, bHH)
		tp.Softmax(tp.Linear(h2, wOut, nil), -1)
		tp.RNNCell(x, h, rIH, rHH, nil, nil, RNNReLU)
		tp.Reset()
	}
	step()
	if allocs := testing.AllocsPerRun(20, step); allocs != 0 {
		t.Fatalf("inference LSTM step allocates %v times", allocs)
	}
}
