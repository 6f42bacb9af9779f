package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// distinctTensor returns a tensor whose values are a random permutation of
// a grid spaced 0.05 apart. Max pooling is not differentiable at ties, and
// GradCheck's ±1e-2 steps must never change which element of a window wins;
// a spacing of 0.05 > 2·1e-2 guarantees it.
func distinctTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i, j := range rng.Perm(t.Size()) {
		t.Data[i] = float32(j)*0.05 - float32(t.Size())*0.025
	}
	return t
}

func TestPoolForward(t *testing.T) {
	x := tensor.FromData([]float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}, 1, 1, 3, 3)
	ones := tensor.New(1, 1, 3, 3)
	ones.Fill(1)
	cases := []struct {
		name string
		f    func(tp *Tape) *Var
		want []float32
	}{
		{"max k2 s1", func(tp *Tape) *Var { return tp.MaxPool2D(Const(x), 2, 1, 0) }, []float32{5, 6, 8, 9}},
		{"max k2 default stride", func(tp *Tape) *Var { return tp.MaxPool2D(Const(x), 2, 0, 0) }, []float32{5}},
		// Padding is −∞ for max pooling: the corner window sees only 1.
		{"max k3 s2 pad1", func(tp *Tape) *Var { return tp.MaxPool2D(Const(x), 3, 2, 1) }, []float32{5, 6, 8, 9}},
		{"max k2 s2 pad1 negative", func(tp *Tape) *Var {
			n := x.Clone()
			for i := range n.Data {
				n.Data[i] = -n.Data[i]
			}
			return tp.MaxPool2D(Const(n), 2, 2, 1)
		}, []float32{-1, -2, -4, -5}},
		// count_include_pad: a corner window holds 4 ones out of 9 taps.
		{"avg k3 s1 pad1", func(tp *Tape) *Var { return tp.AvgPool2D(Const(ones), 3, 1, 1) },
			[]float32{4. / 9, 6. / 9, 4. / 9, 6. / 9, 1, 6. / 9, 4. / 9, 6. / 9, 4. / 9}},
		{"avg k2 s1", func(tp *Tape) *Var { return tp.AvgPool2D(Const(x), 2, 1, 0) }, []float32{3, 4, 6, 7}},
		{"global", func(tp *Tape) *Var { return tp.GlobalAvgPool2D(Const(x)) }, []float32{5}},
		{"max3d (1,2,2)", func(tp *Tape) *Var {
			return tp.MaxPool3D(Const(x.Reshape(1, 1, 1, 3, 3)), [3]int{1, 2, 2}, [3]int{1, 2, 2}, [3]int{})
		}, []float32{5}},
		{"max3d over time", func(tp *Tape) *Var {
			v := tensor.FromData([]float32{1, 9, 3, 4, 5, 2, 7, 8}, 1, 1, 2, 2, 2)
			return tp.MaxPool3D(Const(v), [3]int{2, 1, 1}, [3]int{}, [3]int{})
		}, []float32{5, 9, 7, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.f(NewInference()).Value.Data
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if math.Abs(float64(got[i]-c.want[i])) > 1e-6 {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

// Pooling is piecewise linear, so with the ties excluded (distinctTensor)
// GradCheck's default tolerances have only float32 rounding to absorb.
func TestPoolGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	cases := []struct {
		name  string
		shape []int
		f     func(tp *Tape, in []*Var) *Var
	}{
		{"max k2 s2", []int{2, 2, 4, 5}, func(tp *Tape, in []*Var) *Var { return tp.MaxPool2D(in[0], 2, 2, 0) }},
		{"max k3 s2 pad1", []int{1, 2, 7, 6}, func(tp *Tape, in []*Var) *Var { return tp.MaxPool2D(in[0], 3, 2, 1) }},
		{"max k3 s1 overlapping", []int{1, 1, 5, 5}, func(tp *Tape, in []*Var) *Var { return tp.MaxPool2D(in[0], 3, 1, 1) }},
		{"avg k3 s2 pad1", []int{2, 2, 5, 6}, func(tp *Tape, in []*Var) *Var { return tp.AvgPool2D(in[0], 3, 2, 1) }},
		{"avg k2", []int{1, 3, 4, 4}, func(tp *Tape, in []*Var) *Var { return tp.AvgPool2D(in[0], 2, 0, 0) }},
		{"global", []int{2, 3, 3, 4}, func(tp *Tape, in []*Var) *Var { return tp.GlobalAvgPool2D(in[0]) }},
		{"max3d (1,2,2)", []int{1, 2, 3, 4, 4}, func(tp *Tape, in []*Var) *Var {
			return tp.MaxPool3D(in[0], [3]int{1, 2, 2}, [3]int{1, 2, 2}, [3]int{})
		}},
		{"max3d (3,3,3) pad1", []int{1, 1, 4, 5, 5}, func(tp *Tape, in []*Var) *Var {
			return tp.MaxPool3D(in[0], [3]int{3, 3, 3}, [3]int{2, 2, 2}, [3]int{1, 1, 1})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := GradCheck(c.f, []*tensor.Tensor{distinctTensor(rng, c.shape...)}, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPoolInferenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := Const(randTensor(rng, 2, 3, 8, 8))
	x3 := Const(randTensor(rng, 1, 2, 4, 8, 8))
	checkInferenceAllocs(t, "pooling", func(tp *Tape) {
		tp.GlobalAvgPool2D(tp.AvgPool2D(tp.MaxPool2D(x, 2, 2, 0), 3, 1, 1))
		tp.MaxPool3D(x3, [3]int{1, 2, 2}, [3]int{1, 2, 2}, [3]int{})
	})
}

// TestMaxPool2x2MatchesGeneral checks the 2×2 stride-2 fast path against
// the general window loop, values and argmax indices, on inputs full of
// ties, with NaNs in every tap position, odd sizes (a dropped last row and
// column) and a time axis.
func TestMaxPool2x2MatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	nan := float32(math.NaN())
	for _, shape := range [][]int{{2, 3, 8, 8}, {1, 2, 5, 7}, {3, 1, 2, 3}, {1, 2, 3, 4, 6}} {
		x := tensor.New(shape...)
		for i := range x.Data {
			x.Data[i] = float32(rng.IntN(4)) // many ties
			if rng.IntN(13) == 0 {
				x.Data[i] = nan
			}
		}
		k := [3]int{1, 2, 2}
		g := newPoolGeom("test", shape, k, k, [3]int{})
		if !g.is2x2() {
			t.Fatalf("%v: not the 2x2 fast path", shape)
		}
		n := g.planes * g.outPlaneLen
		y, idx := make([]float32, n), make([]float32, n)
		wantY, wantIdx := make([]float32, n), make([]float32, n)
		maxPoolForward(y, idx, x.Data, &g)
		maxPoolForwardGeneral(wantY, wantIdx, x.Data, &g)
		for i := range y {
			same := y[i] == wantY[i] || (y[i] != y[i] && wantY[i] != wantY[i])
			if !same || idx[i] != wantIdx[i] {
				t.Fatalf("%v: output %d = %v at %v, want %v at %v", shape, i, y[i], idx[i], wantY[i], wantIdx[i])
			}
		}
		maxPoolForward(y, nil, x.Data, &g) // no indices: inference
		for i := range y {
			if y[i] != wantY[i] && (y[i] == y[i] || wantY[i] == wantY[i]) {
				t.Fatalf("%v: without indices output %d = %v, want %v", shape, i, y[i], wantY[i])
			}
		}
	}
}
