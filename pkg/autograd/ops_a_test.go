package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// randRange returns a tensor of uniform values in [lo, hi).
func randRange(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return t
}

// randAway returns values in ±[margin, 1): kinks at 0 (ReLU, LeakyReLU)
// stay further than the finite-difference step from every element.
// shifted adds d to every value of t (keeping a divisor away from 0).
func shifted(t *tensor.Tensor, d float32) *tensor.Tensor {
	for i := range t.Data {
		t.Data[i] += d
	}
	return t
}

func randAway(rng *rand.Rand, margin float64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		v := margin + (1-margin)*rng.Float64()
		if rng.IntN(2) == 0 {
			v = -v
		}
		t.Data[i] = float32(v)
	}
	return t
}

// randDistinct returns a random permutation of evenly spaced values
// 0.1 apart, so no two elements tie within a step of 1e-2 (MaxAxis).
func randDistinct(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i, p := range rng.Perm(len(t.Data)) {
		t.Data[i] = float32(p)*0.1 - 1
	}
	return t
}

// safeLoc draws glimpse locations in [-1, 1]² whose sample points all lie
// at least 0.1 pixel from a pixel centre, where the bilinear
// interpolation has kinks in the location: the finite-difference step of
// 1e-2 moves a point by 1e-2·extent/2 < 0.1 pixel for extents below 20.
func safeLoc(rng *rand.Rand, n, h, w, size, g int) *tensor.Tensor {
	t := tensor.New(n, 2)
	ok := func(l float32, extent int) bool {
		for k := 0; k < g; k++ {
			_, f := cropGrid(l, extent, size, g, k)
			if f < 0.1 || f > 0.9 {
				return false
			}
		}
		return true
	}
	for s := 0; s < n; s++ {
		for a, extent := range []int{w, h} {
			for {
				l := float32(rng.Float64()*2 - 1)
				if ok(l, extent) {
					t.Data[2*s+a] = l
					break
				}
			}
		}
	}
	return t
}

// TestGradCheckOpsA checks every op of this file set against central
// finite differences.
//
// Tolerances: GradCheck's defaults (step 1e-2, rtol 1e-2, atol 1e-3) are
// used throughout. The truncation error of a central difference is
// step²/6·|f⁽³⁾|, about 2e-5 for the O(1) third derivatives of these ops on
// the chosen input ranges (Log, Sqrt and Div see inputs ≥ 0.5, where
// |f⁽³⁾| ≤ 16, giving ≤ 3e-4); float32 rounding of the projected output
// adds about 1e-7·|L|/step ≈ 1e-5. Both sit well under atol 1e-3, while a
// wrong backward (a missing factor, a wrong sign, a dropped broadcast sum)
// is off by O(1). Ops with kinks (ReLU, LeakyReLU, Clamp, MaxAxis,
// CropResize in the location) get inputs further than the step from them.
func TestGradCheckOpsA(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	type fn = func(tp *Tape, in []*Var) *Var
	in := func(ts ...*tensor.Tensor) []*tensor.Tensor { return ts }
	cases := []struct {
		name   string
		f      fn
		inputs []*tensor.Tensor
	}{
		// elementwise.go
		{"add-same", func(tp *Tape, v []*Var) *Var { return tp.Add(v[0], v[1]) },
			in(randTensor(rng, 3, 4), randTensor(rng, 3, 4))},
		{"add-bias", func(tp *Tape, v []*Var) *Var { return tp.Add(v[0], v[1]) },
			in(randTensor(rng, 2, 3, 4), randTensor(rng, 4))},
		{"add-both-broadcast", func(tp *Tape, v []*Var) *Var { return tp.Add(v[0], v[1]) },
			in(randTensor(rng, 2, 1, 4), randTensor(rng, 3, 1))},
		{"sub-scalar-shaped", func(tp *Tape, v []*Var) *Var { return tp.Sub(v[0], v[1]) },
			in(randTensor(rng, 1), randTensor(rng, 2, 3))},
		{"mul-channel", func(tp *Tape, v []*Var) *Var { return tp.Mul(v[0], v[1]) },
			in(randTensor(rng, 2, 3, 2, 2), randTensor(rng, 1, 3, 1, 1))},
		{"mul-reuse", func(tp *Tape, v []*Var) *Var { return tp.Mul(v[0], v[0]) },
			in(randTensor(rng, 5))},
		{"div", func(tp *Tape, v []*Var) *Var { return tp.Div(v[0], v[1]) },
			in(randTensor(rng, 2, 3), randAway(rng, 0.5, 2, 1))},
		{"add-scalar", func(tp *Tape, v []*Var) *Var { return tp.AddScalar(v[0], 0.7) },
			in(randTensor(rng, 4))},
		{"scale", func(tp *Tape, v []*Var) *Var { return tp.Scale(v[0], -1.5) },
			in(randTensor(rng, 4))},
		{"neg", func(tp *Tape, v []*Var) *Var { return tp.Neg(v[0]) }, in(randTensor(rng, 4))},
		{"exp", func(tp *Tape, v []*Var) *Var { return tp.Exp(v[0]) }, in(randTensor(rng, 3, 3))},
		{"log", func(tp *Tape, v []*Var) *Var { return tp.Log(v[0]) }, in(randRange(rng, 0.5, 2, 3, 3))},
		{"sqrt", func(tp *Tape, v []*Var) *Var { return tp.Sqrt(v[0]) }, in(randRange(rng, 0.5, 2, 3, 3))},
		{"square", func(tp *Tape, v []*Var) *Var { return tp.Square(v[0]) }, in(randTensor(rng, 3, 3))},
		// Values in ±[0.1, 1) against bounds ±0.5 at a distance ≥ 0.02.
		{"clamp", func(tp *Tape, v []*Var) *Var { return tp.Clamp(v[0], -0.5, 0.5) },
			in(tensor.FromData([]float32{-0.9, -0.52, -0.3, 0.1, 0.47, 0.6, 0.95, -0.1}, 2, 4))},
		// activation.go
		{"relu", func(tp *Tape, v []*Var) *Var { return tp.ReLU(v[0]) }, in(randAway(rng, 0.1, 4, 5))},
		{"leaky-relu", func(tp *Tape, v []*Var) *Var { return tp.LeakyReLU(v[0], 0.1) }, in(randAway(rng, 0.1, 4, 5))},
		{"tanh", func(tp *Tape, v []*Var) *Var { return tp.Tanh(v[0]) }, in(randRange(rng, -2, 2, 4, 5))},
		{"sigmoid", func(tp *Tape, v []*Var) *Var { return tp.Sigmoid(v[0]) }, in(randRange(rng, -3, 3, 4, 5))},
		{"gelu", func(tp *Tape, v []*Var) *Var { return tp.GELU(v[0]) }, in(randRange(rng, -3, 3, 4, 5))},
		// shape.go
		{"reshape", func(tp *Tape, v []*Var) *Var { return tp.Mul(tp.Reshape(v[0], -1, 6), v[1]) },
			in(randTensor(rng, 2, 3, 2), randTensor(rng, 2, 6))},
		{"flatten", func(tp *Tape, v []*Var) *Var { return tp.Square(tp.Flatten(v[0], 1, -1)) },
			in(randTensor(rng, 2, 3, 2))},
		{"permute", func(tp *Tape, v []*Var) *Var { return tp.Permute(v[0], 2, 0, 3, 1) },
			in(randTensor(rng, 2, 3, 4, 2))},
		{"transpose", func(tp *Tape, v []*Var) *Var { return tp.Transpose(v[0], 0, -1) },
			in(randTensor(rng, 3, 2, 4))},
		{"slice", func(tp *Tape, v []*Var) *Var { return tp.Slice(v[0], 1, 1, 3) },
			in(randTensor(rng, 2, 4, 3))},
		{"concat", func(tp *Tape, v []*Var) *Var { return tp.Concat(1, v[0], v[1], v[0]) },
			in(randTensor(rng, 2, 2, 3), randTensor(rng, 2, 1, 3))},
		{"stack", func(tp *Tape, v []*Var) *Var { return tp.Stack(1, v[0], v[1]) },
			in(randTensor(rng, 2, 3), randTensor(rng, 2, 3))},
		{"stack-last", func(tp *Tape, v []*Var) *Var { return tp.Stack(-1, v[0], v[1]) },
			in(randTensor(rng, 2, 3), randTensor(rng, 2, 3))},
		// index.go
		{"index-select", func(tp *Tape, v []*Var) *Var { return tp.IndexSelect(v[0], 1, []int{2, 0, 2}) },
			in(randTensor(rng, 2, 3, 2))},
		{"embedding", func(tp *Tape, v []*Var) *Var { return tp.Embedding(v[0], []int{1, 3, 1, 0}) },
			in(randTensor(rng, 4, 3))},
		{"pick", func(tp *Tape, v []*Var) *Var { return tp.Pick(v[0], []int{2, 0, 1, 2}) },
			in(randTensor(rng, 2, 2, 3))},
		// reduce.go
		{"sum-axis", func(tp *Tape, v []*Var) *Var { return tp.SumAxis(v[0], 1, false) },
			in(randTensor(rng, 2, 3, 4))},
		{"mean-axis-keepdim", func(tp *Tape, v []*Var) *Var { return tp.MeanAxis(v[0], -1, true) },
			in(randTensor(rng, 2, 3, 4))},
		{"max-axis", func(tp *Tape, v []*Var) *Var { return tp.MaxAxis(v[0], 0, false) },
			in(randDistinct(rng, 3, 2, 4))},
		// softmax.go
		{"softmax-last", func(tp *Tape, v []*Var) *Var { return tp.Softmax(v[0], -1) },
			in(randRange(rng, -2, 2, 3, 5))},
		{"softmax-middle", func(tp *Tape, v []*Var) *Var { return tp.Softmax(v[0], 1) },
			in(randRange(rng, -2, 2, 2, 3, 4))},
		{"log-softmax", func(tp *Tape, v []*Var) *Var { return tp.LogSoftmax(v[0], 0) },
			in(randRange(rng, -2, 2, 4, 3))},
		// loss.go
		{"cross-entropy", func(tp *Tape, v []*Var) *Var { return tp.CrossEntropy(v[0], []int{2, -100, 0, 3}, -100) },
			in(randRange(rng, -2, 2, 4, 5))},
		{"nll", func(tp *Tape, v []*Var) *Var { return tp.NLL(v[0], []int{1, 1, 7, 0}, 7) },
			in(randTensor(rng, 4, 3))},
		{"mse", func(tp *Tape, v []*Var) *Var { return tp.MSE(v[0], v[1]) },
			in(randTensor(rng, 3, 2), randTensor(rng, 3, 2))},
		// gaussian.go
		{"gaussian-log-prob", func(tp *Tape, v []*Var) *Var { return tp.GaussianLogProb(v[0], v[1], 0.5) },
			in(randTensor(rng, 3, 2), randTensor(rng, 3, 2))},
		// glimpse.go: crops reaching past the border exercise the zero padding.
		{"crop-resize", func(tp *Tape, v []*Var) *Var { return tp.CropResize(v[0], v[1], 4, 3) },
			in(randTensor(rng, 2, 2, 6, 7), safeLoc(rng, 2, 6, 7, 4, 3))},
		{"crop-resize-upsample", func(tp *Tape, v []*Var) *Var { return tp.CropResize(v[0], v[1], 3, 5) },
			in(randTensor(rng, 1, 1, 5, 5), safeLoc(rng, 1, 5, 5, 3, 5))},
		// lstm.go and rnn.go: both outputs, then each alone (the other's
		// gradient stays nil).
		{"lstm-cell", func(tp *Tape, v []*Var) *Var {
			h2, c2 := tp.LSTMCell(v[0], v[1], v[2], v[3], v[4], v[5], v[6])
			return tp.Concat(1, h2, c2)
		}, in(randTensor(rng, 2, 3), randTensor(rng, 2, 4), randTensor(rng, 2, 4),
			randTensor(rng, 16, 3), randTensor(rng, 16, 4), randTensor(rng, 16), randTensor(rng, 16))},
		{"lstm-cell-h-only-nobias", func(tp *Tape, v []*Var) *Var {
			h2, _ := tp.LSTMCell(v[0], v[1], v[2], v[3], v[4], nil, nil)
			return h2
		}, in(randTensor(rng, 2, 3), randTensor(rng, 2, 2), randTensor(rng, 2, 2), randTensor(rng, 8, 3), randTensor(rng, 8, 2))},
		{"lstm-cell-c-only", func(tp *Tape, v []*Var) *Var {
			_, c2 := tp.LSTMCell(v[0], v[1], v[2], v[3], v[4], v[5], v[6])
			return c2
		}, in(randTensor(rng, 1, 2), randTensor(rng, 1, 2), randTensor(rng, 1, 2),
			randTensor(rng, 8, 2), randTensor(rng, 8, 2), randTensor(rng, 8), randTensor(rng, 8))},
		// Gradient buffers are written by their first contribution and
		// added to by the rest (gradBuf): inputs used twice in one op, in
		// several ops, and broadcast.
		{"binary-shared-inputs", func(tp *Tape, v []*Var) *Var {
			x := v[0]
			return tp.Add(tp.Sub(tp.Mul(x, x), tp.Div(x, x)), tp.Div(tp.Add(x, x), tp.Sub(v[1], x)))
		}, in(randAway(rng, 0.2, 2, 3), shifted(randTensor(rng, 2, 3), 3))},
		{"binary-broadcast-reuse", func(tp *Tape, v []*Var) *Var {
			s := tp.Sub(v[1], v[0]) // v[1] broadcast along the rows
			return tp.Mul(tp.Add(v[0], v[1]), s)
		}, in(randTensor(rng, 3, 4), randTensor(rng, 4))},
		{"linear-reused-input", func(tp *Tape, v []*Var) *Var {
			return tp.Mul(tp.Linear(v[0], v[1], nil), tp.Linear(v[0], v[2], v[3]))
		}, in(randTensor(rng, 3, 4), randTensor(rng, 2, 4), randTensor(rng, 2, 4), randTensor(rng, 2))},
		{"rnn-cell-tanh", func(tp *Tape, v []*Var) *Var {
			return tp.RNNCell(v[0], v[1], v[2], v[3], v[4], v[5], RNNTanh)
		}, in(randTensor(rng, 2, 3), randTensor(rng, 2, 4), randTensor(rng, 4, 3), randTensor(rng, 4, 4),
			randTensor(rng, 4), randTensor(rng, 4))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := GradCheck(c.f, c.inputs, GradCheckOptions{Seed: 7}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGradCheckRNNReLU checks the ReLU cell on inputs whose
// pre-activations all sit further than the step's effect from 0: the
// check is retried with fresh inputs until every |pre-activation| ≥ 0.2.
// Each pre-activation moves by at most 1e-2·max|input| ≤ 1e-2 per
// perturbed element, so no kink is crossed.
func TestGradCheckRNNReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for {
		x, h := randTensor(rng, 2, 3), randTensor(rng, 2, 4)
		wi, wh, bi, bh := randTensor(rng, 4, 3), randTensor(rng, 4, 4), randTensor(rng, 4), randTensor(rng, 4)
		pre := tensor.New(2, 4)
		linearForward(pre.Data, x.Data, wi.Data, bi.Data, 2, 3, 4)
		tmp := tensor.New(2, 4)
		linearForward(tmp.Data, h.Data, wh.Data, bh.Data, 2, 4, 4)
		safe := true
		for i := range pre.Data {
			if math.Abs(float64(pre.Data[i]+tmp.Data[i])) < 0.2 {
				safe = false
			}
		}
		if !safe {
			continue
		}
		err := GradCheck(func(tp *Tape, v []*Var) *Var {
			return tp.RNNCell(v[0], v[1], v[2], v[3], v[4], v[5], RNNReLU)
		}, []*tensor.Tensor{x, h, wi, wh, bi, bh}, GradCheckOptions{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
}

// TestDetach checks that gradient stops at a detached value and still
// flows through the other operand: d/da Σ a·detach(b) = b, d/db = 0, the
// REINFORCE pattern of GaussianLogProb(Detach(sample), mean).
func TestDetach(t *testing.T) {
	a := NewParam("a", tensor.FromData([]float32{1, 2, 3}, 3))
	b := NewParam("b", tensor.FromData([]float32{4, 5, 6}, 3))
	tp := NewTape()
	tp.Backward(tp.Sum(tp.Add(tp.Mul(a, tp.Detach(b)), tp.GaussianLogProb(tp.Detach(a), b, 1))))
	for i := range a.Grad.Data {
		// d/db of log N(a; b, 1) is (a − b).
		if a.Grad.Data[i] != b.Value.Data[i] || b.Grad.Data[i] != a.Value.Data[i]-b.Value.Data[i] {
			t.Fatalf("grads a %v b %v", a.Grad.Data, b.Grad.Data)
		}
	}
}

// bcastRef computes a op b by explicit index arithmetic, the reference
// for the merged-dimension broadcasting kernel.
func bcastRef(op binaryOp, a, b *tensor.Tensor) *tensor.Tensor {
	var full [maxDims]int
	nd := broadcastShapes(full[:], a.Shape, b.Shape)
	out := tensor.New(full[:nd]...)
	offset := func(t *tensor.Tensor, idx []int) int {
		off, st := 0, 1
		for d := len(t.Shape) - 1; d >= 0; d-- {
			i := idx[nd-len(t.Shape)+d]
			if t.Shape[d] == 1 {
				i = 0
			}
			off += i * st
			st *= t.Shape[d]
		}
		return off
	}
	idx := make([]int, nd)
	for o := range out.Data {
		r := o
		for d := nd - 1; d >= 0; d-- {
			idx[d] = r % full[d]
			r /= full[d]
		}
		x, y := a.Data[offset(a, idx)], b.Data[offset(b, idx)]
		switch op {
		case opAdd:
			out.Data[o] = x + y
		case opSub:
			out.Data[o] = x - y
		case opMul:
			out.Data[o] = x * y
		case opDiv:
			out.Data[o] = x / y
		}
	}
	return out
}

func TestBroadcastForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	shapes := [][2][]int{
		{{3, 4}, {3, 4}},
		{{2, 3, 4}, {4}},
		{{2, 3, 4}, {3, 1}},
		{{2, 1, 4}, {3, 1}},
		{{1}, {2, 3}},
		{{2, 3, 2, 2}, {1, 3, 1, 1}},
		{{5, 1, 1, 2}, {1, 4, 3, 1}},
		{{}, {2, 2}},
		{{1, 1}, {1}},
	}
	ops := []binaryOp{opAdd, opSub, opMul, opDiv}
	for _, s := range shapes {
		a, b := randAway(rng, 0.2, s[0]...), randAway(rng, 0.2, s[1]...)
		for _, op := range ops {
			tp := NewInference()
			got := tp.binary(op, Const(a), Const(b)).Value
			want := bcastRef(op, a, b)
			if !tensor.SameShape(got.Shape, want.Shape) {
				t.Fatalf("%v op%d %v: shape %v, want %v", s[0], op, s[1], got.Shape, want.Shape)
			}
			for i := range want.Data {
				if got.Data[i] != want.Data[i] {
					t.Fatalf("%v op%d %v: element %d = %g, want %g", s[0], op, s[1], i, got.Data[i], want.Data[i])
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("incompatible shapes did not panic")
		}
	}()
	NewInference().Add(Const(tensor.New(2, 3)), Const(tensor.New(2)))
}

func TestShapeOpsForward(t *testing.T) {
	tp := NewInference()
	x := Const(tensor.FromData([]float32{0, 1, 2, 3, 4, 5}, 2, 3))
	check := func(name string, got *Var, shape []int, want []float32) {
		t.Helper()
		if !tensor.SameShape(got.Value.Shape, shape) {
			t.Fatalf("%s: shape %v, want %v", name, got.Value.Shape, shape)
		}
		for i, w := range want {
			if got.Value.Data[i] != w {
				t.Fatalf("%s: %v, want %v", name, got.Value.Data, want)
			}
		}
	}
	check("transpose", tp.Transpose(x, 0, 1), []int{3, 2}, []float32{0, 3, 1, 4, 2, 5})
	check("permute3", tp.Permute(tp.Reshape(x, 1, 2, 3), 2, 0, 1), []int{3, 1, 2}, []float32{0, 3, 1, 4, 2, 5})
	check("slice", tp.Slice(x, 1, 1, 3), []int{2, 2}, []float32{1, 2, 4, 5})
	check("concat0", tp.Concat(0, x, x), []int{4, 3}, []float32{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5})
	check("concat1", tp.Concat(1, x, tp.Slice(x, 1, 0, 1)), []int{2, 4}, []float32{0, 1, 2, 0, 3, 4, 5, 3})
	check("stack0", tp.Stack(0, x, x), []int{2, 2, 3}, []float32{0, 1, 2, 3, 4, 5, 0, 1, 2})
	check("stack-1", tp.Stack(-1, x, tp.Neg(x)), []int{2, 3, 2}, []float32{0, 0, 1, -1, 2, -2})
	check("index-select", tp.IndexSelect(x, 1, []int{2, 2, 0}), []int{2, 3}, []float32{2, 2, 0, 5, 5, 3})
	check("pick", tp.Pick(x, []int{2, 0}), []int{2}, []float32{2, 3})
	check("flatten", tp.Flatten(tp.Reshape(x, 2, 3, 1), 0, 1), []int{6, 1}, []float32{0, 1, 2, 3, 4, 5})
	check("sum-axis0", tp.SumAxis(x, 0, true), []int{1, 3}, []float32{3, 5, 7})
	check("mean-axis1", tp.MeanAxis(x, 1, false), []int{2}, []float32{1, 4})
	check("max-axis1", tp.MaxAxis(x, -1, false), []int{2}, []float32{2, 5})

	r := tp.Reshape(x, 3, -1)
	if &r.Value.Data[0] != &x.Value.Data[0] {
		t.Fatal("Reshape copied its input")
	}
	d := tp.Detach(x)
	if d.RequiresGrad || d.Value != x.Value {
		t.Fatal("Detach must share the value and need no gradient")
	}
}

func TestSoftmaxAndLossValues(t *testing.T) {
	tp := NewInference()
	// Large logits: a naive exp would overflow.
	z := Const(tensor.FromData([]float32{1000, 1001, 1002, -1, 0, 1}, 2, 3))
	p := tp.Softmax(z, 1).Value.Data
	lp := tp.LogSoftmax(z, 1).Value.Data
	// softmax(0, 1, 2) = e^k / (1 + e + e²).
	den := 1 + math.E + math.E*math.E
	for r := 0; r < 2; r++ {
		for k := 0; k < 3; k++ {
			want := math.Exp(float64(k)) / den
			// Log-softmax tolerance 2e-4: row 0 subtracts two float32
			// numbers near 1000, whose spacing is 6e-5.
			if math.Abs(float64(p[r*3+k])-want) > 1e-6 || math.Abs(float64(lp[r*3+k])-math.Log(want)) > 2e-4 {
				t.Fatalf("row %d class %d: softmax %g log-softmax %g, want %g", r, k, p[r*3+k], lp[r*3+k], want)
			}
		}
	}
	ce := tp.CrossEntropy(z, []int{2, -100}, -100).Value.Data[0]
	if want := -math.Log(math.E * math.E / den); math.Abs(float64(ce)-want) > 1e-5 {
		t.Fatalf("cross-entropy %g, want %g", ce, want)
	}
	nll := tp.NLL(tp.LogSoftmax(z, 1), []int{2, 0}, -100).Value.Data[0]
	if want := (-math.Log(math.E*math.E/den) - math.Log(1/den)) / 2; math.Abs(float64(nll)-want) > 1e-5 {
		t.Fatalf("nll %g, want %g", nll, want)
	}
	if all := tp.CrossEntropy(z, []int{-1, -1}, -1).Value.Data[0]; all != 0 {
		t.Fatalf("all-ignored cross-entropy %g, want 0", all)
	}
	mse := tp.MSE(Const(tensor.FromData([]float32{1, 2}, 2)), Const(tensor.FromData([]float32{0, 4}, 2)))
	if mse.Value.Data[0] != 2.5 {
		t.Fatalf("mse %g, want 2.5", mse.Value.Data[0])
	}
	// log N(1; 0, 2²) = −1/8 − log 2 − ½ log 2π.
	g := tp.GaussianLogProb(Const(tensor.FromData([]float32{1}, 1)), Const(tensor.FromData([]float32{0}, 1)), 2)
	if want := -0.125 - math.Log(2) - 0.5*math.Log(2*math.Pi); math.Abs(float64(g.Value.Data[0])-want) > 1e-6 {
		t.Fatalf("gaussian log-prob %g, want %g", g.Value.Data[0], want)
	}
	// GELU(1) = Φ(1) = 0.8413447460685429.
	if v := tp.GELU(Const(tensor.FromData([]float32{1}, 1))).Value.Data[0]; math.Abs(float64(v)-0.8413447460685429) > 1e-6 {
		t.Fatalf("GELU(1) = %g", v)
	}
}

// TestInferenceOpsDoNotAllocate runs a forward pass through every op on
// an inference tape and checks that, once the arena is warm, nothing
// reaches the heap (Reshape's view headers included).
func TestInferenceOpsDoNotAllocate(t *testing.T) {
	if allocsUnreliable {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	rng := rand.New(rand.NewPCG(12, 13))
	x := Const(randRange(rng, 0.5, 1, 2, 3, 4))
	b := Const(randRange(rng, 0.5, 1, 4))
	emb := Const(randTensor(rng, 5, 4))
	ids := []int{1, 4, 0}
	targets := []int{0, 2}
	picks := []int{1, 3, 0}
	tp := NewInference()
	step := func() {
		y := tp.Div(tp.Mul(tp.Sub(tp.Add(x, b), b), x), b)
		y = tp.Clamp(tp.Square(tp.Sqrt(tp.Log(tp.Exp(tp.Neg(tp.Scale(tp.AddScalar(y, 1), 2)))))), -1, 1)
		y = tp.GELU(tp.LeakyReLU(tp.Sigmoid(tp.Tanh(tp.ReLU(y))), 0.01))
		y = tp.Permute(tp.Transpose(y, 0, 1), 2, 0, 1)
		y = tp.Concat(0, tp.Slice(y, 0, 1, 3), tp.IndexSelect(y, 0, ids[:1]))
		y = tp.Slice(tp.Stack(0, y, y), 0, 0, 1)
		y = tp.Softmax(tp.LogSoftmax(y, 0), -1)
		s := tp.SumAxis(tp.MeanAxis(tp.MaxAxis(y, 1, true), 0, false), 0, false)
		tp.Add(tp.Sum(s), tp.Mean(tp.Detach(s)))
		e := tp.Embedding(emb, ids)
		l := tp.Pick(e, picks)
		tp.GaussianLogProb(l, l, 0.5)
		logits := tp.Slice(e, 0, 0, 2)
		tp.CrossEntropy(logits, targets, -100)
		tp.NLL(logits, targets, -100)
		tp.MSE(logits, logits)
		tp.Reset()
	}
	step()
	if allocs := testing.AllocsPerRun(10, step); allocs != 0 {
		t.Fatalf("inference ops allocate %v times per pass", allocs)
	}
	reshape := func() {
		tp.Flatten(tp.Reshape(x, 6, -1), 0, 1)
		tp.Reset()
	}
	reshape()
	if allocs := testing.AllocsPerRun(10, reshape); allocs != 0 {
		t.Fatalf("two views allocate %v times per pass", allocs)
	}
}
