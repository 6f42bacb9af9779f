package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// channelStats returns the float64 mean and biased variance of channel ch
// of x [N, C, ...].
func channelStats(x *tensor.Tensor, ch int) (mean, variance float64) {
	n, c := x.Dim(0), x.Dim(1)
	l := x.Size() / (n * c)
	var vals []float64
	for b := 0; b < n; b++ {
		for _, v := range x.Data[(b*c+ch)*l : (b*c+ch+1)*l] {
			vals = append(vals, float64(v))
		}
	}
	for _, v := range vals {
		mean += v
	}
	mean /= float64(len(vals))
	for _, v := range vals {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(vals))
}

func TestBatchNormTrainingForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	x := randTensor(rng, 3, 2, 4, 5)
	for i := range x.Data {
		x.Data[i] = 3*x.Data[i] + 1 // mean 1, variance 3
	}
	gamma, beta := randTensor(rng, 2), randTensor(rng, 2)
	rm, rv := tensor.FromData([]float32{0.5, -0.5}, 2), tensor.FromData([]float32{2, 0.5}, 2)
	rm0, rv0 := rm.Clone(), rv.Clone()
	const momentum, eps = 0.1, 1e-5
	y := NewInference().BatchNorm2D(Const(x), Const(gamma), Const(beta), rm, rv, true, momentum, eps)
	m := 3 * 4 * 5
	for ch := 0; ch < 2; ch++ {
		mean, variance := channelStats(x, ch)
		for b := 0; b < 3; b++ {
			for i := 0; i < 20; i++ {
				o := (b*2+ch)*20 + i
				want := (float64(x.Data[o])-mean)/math.Sqrt(variance+eps)*float64(gamma.Data[ch]) + float64(beta.Data[ch])
				if math.Abs(float64(y.Value.Data[o])-want) > 1e-5 {
					t.Fatalf("y[%d] = %g, want %g", o, y.Value.Data[o], want)
				}
			}
		}
		// torch: running_var takes the unbiased variance, var·m/(m−1).
		wantRM := (1-momentum)*float64(rm0.Data[ch]) + momentum*mean
		wantRV := (1-momentum)*float64(rv0.Data[ch]) + momentum*variance*float64(m)/float64(m-1)
		if math.Abs(float64(rm.Data[ch])-wantRM) > 1e-6 || math.Abs(float64(rv.Data[ch])-wantRV) > 1e-5 {
			t.Fatalf("channel %d running stats %g, %g; want %g, %g", ch, rm.Data[ch], rv.Data[ch], wantRM, wantRV)
		}
	}
}

func TestBatchNormEvalForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	x := randTensor(rng, 2, 3, 2, 2)
	gamma, beta := randTensor(rng, 3), randTensor(rng, 3)
	rm := randTensor(rng, 3)
	rv := tensor.FromData([]float32{0.5, 1, 2}, 3)
	rm0, rv0 := rm.Clone(), rv.Clone()
	y := NewInference().BatchNorm2D(Const(x), Const(gamma), Const(beta), rm, rv, false, 0.1, 1e-5)
	for i, v := range y.Value.Data {
		ch := (i / 4) % 3
		want := (float64(x.Data[i])-float64(rm.Data[ch]))/math.Sqrt(float64(rv.Data[ch])+1e-5)*float64(gamma.Data[ch]) + float64(beta.Data[ch])
		if math.Abs(float64(v)-want) > 1e-5 {
			t.Fatalf("y[%d] = %g, want %g", i, v, want)
		}
	}
	for i := range rm.Data {
		if rm.Data[i] != rm0.Data[i] || rv.Data[i] != rv0.Data[i] {
			t.Fatal("eval mode changed the running statistics")
		}
	}
}

func TestLayerNormForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	x := randTensor(rng, 2, 3, 8)
	y := NewInference().LayerNorm(Const(x), nil, nil, 1e-5)
	for r := 0; r < 6; r++ {
		var mean, ss float64
		for _, v := range y.Value.Data[r*8 : (r+1)*8] {
			mean += float64(v)
			ss += float64(v) * float64(v)
		}
		if math.Abs(mean/8) > 1e-6 || math.Abs(ss/8-1) > 1e-3 {
			t.Fatalf("row %d: mean %g, mean square %g; want 0 and 1", r, mean/8, ss/8)
		}
	}
}

// Tolerances: normalisation is smooth but not linear, so the central
// difference carries a truncation error of order eps²·f”' relative to the
// gradient. With eps = 1e-2 and inputs of unit-order spread (variance ≈ 1/3
// or more) that is ~1e-4 relative, well inside GradCheck's 1e-2 relative and
// 1e-3 absolute defaults; float32 rounding of the loss adds ~1e-5.
func TestNormGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	running := func(c int) (*tensor.Tensor, *tensor.Tensor) {
		rv := tensor.New(c)
		for i := range rv.Data {
			rv.Data[i] = 0.5 + rng.Float32()
		}
		return randTensor(rng, c), rv
	}
	rm3, rv3 := running(3)
	rm4, rv4 := running(4)
	cases := []struct {
		name   string
		inputs []*tensor.Tensor
		f      func(tp *Tape, in []*Var) *Var
	}{
		// Training without running tensors: GradCheck calls f many times and
		// the update would only be noise here; TestBatchNormTrainingForward
		// checks it.
		{"bn2d train", []*tensor.Tensor{randTensor(rng, 2, 3, 3, 3), randTensor(rng, 3), randTensor(rng, 3)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], in[1], in[2], nil, nil, true, 0.1, 1e-5) }},
		{"bn2d train no affine", []*tensor.Tensor{randTensor(rng, 3, 2, 2, 3)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], nil, nil, nil, nil, true, 0.1, 1e-5) }},
		{"bn2d eval", []*tensor.Tensor{randTensor(rng, 2, 3, 2, 3), randTensor(rng, 3), randTensor(rng, 3)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], in[1], in[2], rm3, rv3, false, 0.1, 1e-5) }},
		// Rows of at least bnVecMin values take the vector kernels.
		{"bn2d train vector rows", []*tensor.Tensor{randTensor(rng, 2, 3, 4, 5), randTensor(rng, 3), randTensor(rng, 3)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], in[1], in[2], nil, nil, true, 0.1, 1e-5) }},
		{"bn2d train vector rows no affine", []*tensor.Tensor{randTensor(rng, 2, 2, 4, 4)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], nil, nil, nil, nil, true, 0.1, 1e-5) }},
		{"bn2d eval vector rows", []*tensor.Tensor{randTensor(rng, 2, 3, 4, 4), randTensor(rng, 3), randTensor(rng, 3)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm2D(in[0], in[1], in[2], rm3, rv3, false, 0.1, 1e-5) }},
		{"bn1d [N,C] train", []*tensor.Tensor{randTensor(rng, 6, 4), randTensor(rng, 4), randTensor(rng, 4)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm1D(in[0], in[1], in[2], nil, nil, true, 0.1, 1e-5) }},
		{"bn1d [N,C,L] train", []*tensor.Tensor{randTensor(rng, 2, 4, 3), randTensor(rng, 4), randTensor(rng, 4)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm1D(in[0], in[1], in[2], nil, nil, true, 0.1, 1e-5) }},
		{"bn1d eval", []*tensor.Tensor{randTensor(rng, 3, 4), randTensor(rng, 4), randTensor(rng, 4)},
			func(tp *Tape, in []*Var) *Var { return tp.BatchNorm1D(in[0], in[1], in[2], rm4, rv4, false, 0.1, 1e-5) }},
		{"layernorm", []*tensor.Tensor{randTensor(rng, 2, 3, 6), randTensor(rng, 6), randTensor(rng, 6)},
			func(tp *Tape, in []*Var) *Var { return tp.LayerNorm(in[0], in[1], in[2], 1e-5) }},
		{"layernorm no affine", []*tensor.Tensor{randTensor(rng, 4, 5)},
			func(tp *Tape, in []*Var) *Var { return tp.LayerNorm(in[0], nil, nil, 1e-5) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := GradCheck(c.f, c.inputs, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNormInferenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := Const(randTensor(rng, 2, 3, 8, 8))
	gamma, beta := NewParam("g", randTensor(rng, 3)), NewParam("b", randTensor(rng, 3))
	rm, rv := randTensor(rng, 3), tensor.FromData([]float32{1, 2, 3}, 3)
	xl := Const(randTensor(rng, 4, 8))
	checkInferenceAllocs(t, "BatchNorm2D eval + LayerNorm", func(tp *Tape) {
		tp.BatchNorm2D(x, gamma, beta, rm, rv, false, 0.1, 1e-5)
		tp.LayerNorm(xl, nil, nil, 1e-5)
	})
}

// TestBatchNormVectorMatchesScalar checks the vector batch-norm kernels
// against the one-value-at-a-time ones on rows shorter than, equal to and
// longer than bnChunk (with a tail), on data far from zero mean (so the
// centring matters), with and without gamma, with batch and running
// statistics, and with some gradients not wanted.
func TestBatchNormVectorMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	for _, sh := range []struct{ n, c, l int }{{2, 3, bnVecMin}, {3, 2, 37}, {2, 2, 2*bnChunk + 77}} {
		for _, affine := range []bool{true, false} {
			for _, batchStats := range []bool{true, false} {
				n, c, l := sh.n, sh.c, sh.l
				size := n * c * l
				x, dy := make([]float32, size), make([]float32, size)
				for i := range x {
					x[i] = 7 + 0.5*float32(rng.NormFloat64())
					dy[i] = float32(rng.NormFloat64())
				}
				var gamma, beta []float32
				if affine {
					gamma, beta = []float32{1.5, -0.5, 2}[:c], []float32{0.25, 1, -3}[:c]
				}
				tmp := make([]float32, bnScratchLen(l))
				stats, want := make([]float32, 3*c), make([]float32, 3*c)
				if batchStats {
					bnBatchStats(stats, x, tmp, n, c, l, 1e-5, 0, c)
					bnBatchStatsScalar(want, x, n, c, l, 1e-5)
					closeSlices(t, "stats", stats, want, 1e-5)
				} else {
					for i := 0; i < c; i++ {
						stats[i], stats[c+i] = 6.5+float32(i), 1.7
					}
				}
				y, wantY := make([]float32, size), make([]float32, size)
				bnForward(y, x, stats, gamma, beta, n, c, l, 0, c)
				bnForwardScalar(wantY, x, stats, gamma, beta, n, c, l)
				closeSlices(t, "y", y, wantY, 1e-6)
				for _, wantDgamma := range []bool{true, false} {
					dx, wantDx := make([]float32, size), make([]float32, size)
					for i := range dx {
						dx[i], wantDx[i] = 1, 1
					}
					var dg, db, wantDg, wantDb []float32
					if wantDgamma {
						dg, db, wantDg, wantDb = make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
					}
					bnBackward(dx, dg, db, dy, x, tmp, stats, gamma, n, c, l, batchStats, 0, c)
					bnBackwardScalar(wantDx, wantDg, wantDb, dy, x, stats, gamma, n, c, l, batchStats)
					closeSlices(t, "dx", dx, wantDx, 1e-4)
					closeSlices(t, "dgamma", dg, wantDg, 1e-4)
					closeSlices(t, "dbeta", db, wantDb, 1e-4)
				}
			}
		}
	}
}

// closeSlices fails unless got and want agree to tol relative to the
// larger of 1 and the largest |want|.
func closeSlices(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*scale || got[i] != got[i] {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}
