package nonlocal

// Golden tests against the PyTorch twin
// (python/attnkit_torch/nonlocal_block.py; bench/torch/nonlocal.py writes
// the fixtures): each testdata/nonlocal/<case>.safetensors holds the twin's
// block state (with random batch-norm affine and running statistics), an
// input, the output and attention weights in evaluation mode, and the
// output, weights, input and parameter gradients (for a stored upstream
// gradient) and the updated running statistics of one training-mode pass.
// The Go block loads the state and must agree within |got − want| ≤ 1e-5 +
// 1e-4·|want|, plus, for gradients, 1e-6 times the fixture's largest
// gradient (gradScaleTol); gradients that are zero in exact arithmetic are
// checked against zero on both sides (zeroGradients). Regenerate with `go
// generate ./pkg/nonlocal`, which runs
//
//	/usr/bin/python3 bench/torch/nonlocal.py --golden
//
// and also checks the other direction through TestTwinWritesGoFixtures
// (fixtures made with Go's initialisation, rerun by the twin).

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
	// gradScaleTol widens the tolerance of every gradient by this fraction
	// of the fixture's largest gradient, S. With batch statistics the batch
	// norm removes each channel's mean and its projection on the normalised
	// values, so some gradients are cancellations of terms as large as S
	// (θ's bias, for one); float32 summation leaves a residue of about 1e-7
	// of those terms on both sides, which no tolerance relative to the
	// result itself can absorb.
	gradScaleTol = 1e-6
	// zeroGradTol bounds, as a fraction of S, the gradients that are zero
	// in exact arithmetic (zeroGradients): both sides hold only rounding
	// there, so they are checked against zero, not against each other.
	zeroGradTol = 1e-4
)

// sharpen scales θ, φ, g and w_f by 3, as the twin's fixtures do: at the
// default initialisation the attention is nearly uniform, W_z y hardly
// varies within a channel, and the batch norm's 1/σ amplifies float32
// rounding in every gradient beyond the tolerance.
func sharpen(b *Block) {
	for _, p := range []*pointwise{b.theta, b.phi, b.g} {
		if p != nil {
			scaleData(p.params()[0].Value.Data, 3)
		}
	}
	if b.concat != nil {
		scaleData(b.concat.Value.Data, 3)
	}
}

func scaleData(v []float32, s float32) {
	for i := range v {
		v[i] *= s
	}
}

// goldenCases are the fixtures bench/torch/nonlocal.py writes.
var goldenCases = []string{
	"gaussian_2d", "embedded_2d", "dot_2d", "concat_2d",
	"gaussian_3d", "embedded_3d", "dot_3d", "concat_3d",
	"gaussian_2d_sub_scale", "embedded_2d_sub_scale", "dot_3d_sub_inner4", "embedded_3d_sub_scale", "concat_3d_sub",
}

func TestGoldenTwin(t *testing.T) {
	for _, name := range goldenCases {
		t.Run(name, func(t *testing.T) {
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "nonlocal", name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			want := splitGolden(f)
			var cfg BlockConfig
			if err := ckpt.GetJSON(f.Metadata, "config", &cfg); err != nil {
				t.Fatal(err)
			}
			b, err := NewBlock(rand.New(rand.NewPCG(1, 1)), "", cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := nn.LoadState(f, b); err != nil {
				t.Fatal(err)
			}
			got := runGolden(b, want["golden.input"].Tensor(), want["golden.grad_output"].Tensor())
			var gradScale float64
			for k, w := range want {
				if strings.HasPrefix(k, "grad.") {
					for _, v := range w.Float {
						gradScale = max(gradScale, math.Abs(float64(v)))
					}
				}
			}
			n := 0
			var worst, used float64
			for k, g := range got {
				w, ok := want[k]
				if !ok {
					t.Fatalf("the fixture has no %s", k)
				}
				if !tensor.SameShape(g.Shape, w.Shape) {
					t.Fatalf("%s: shape %v, want %v", k, g.Shape, w.Shape)
				}
				if slices.Contains(zeroGradients(cfg.Pairwise), k) {
					for side, v := range [][]float32{g.Data, w.Float} {
						for i, x := range v {
							if math.Abs(float64(x)) > zeroGradTol*gradScale {
								t.Errorf("%s[%d] = %g on the %s side, want 0 (within %g)", k, i, x, []string{"Go", "twin"}[side], zeroGradTol*gradScale)
							}
						}
					}
					n++
					continue
				}
				atol := goldenAtol
				if strings.HasPrefix(k, "grad.") {
					atol += gradScaleTol * gradScale
				}
				d, u := compare(t, k, g.Data, w.Float, atol)
				worst, used = max(worst, d), max(used, u)
				n++
			}
			if n != len(want)-2 { // all but the input and the upstream gradient
				t.Errorf("compared %d tensors of the fixture's %d", n, len(want)-2)
			}
			t.Logf("max |diff| %.2e, %.2f of the tolerance (largest gradient %.3g)", worst, used, gradScale)
		})
	}
}

// zeroGradients names the gradients of a training-mode pass that are zero
// in exact arithmetic: the batch norm removes any per-channel constant
// added to W_z y, so W_z's bias gets none; for the softmax forms, whose
// weights sum to one over j, a constant added to g shifts y_i by that
// constant, so g's bias gets none either, and a constant added to φ shifts
// row i of θᵀφ by a constant the softmax ignores, so φ's bias gets none.
func zeroGradients(p Pairwise) []string {
	z := []string{"grad.w.bias"}
	switch p {
	case Gaussian:
		z = append(z, "grad.g.bias")
	case Embedded:
		z = append(z, "grad.g.bias", "grad.phi.bias")
	}
	return z
}

// splitGolden removes the golden.* and grad.* tensors from f and returns
// them, leaving the block's state.
func splitGolden(f *ckpt.File) map[string]*ckpt.Entry {
	want := map[string]*ckpt.Entry{}
	for _, n := range f.Names() {
		if strings.HasPrefix(n, "golden.") || strings.HasPrefix(n, "grad.") {
			want[n] = f.Tensors[n]
			delete(f.Tensors, n)
		}
	}
	return want
}

// runGolden is the twin's run_block: an evaluation pass, then a training
// pass seeded with gradOut, keyed by fixture names. The block's running
// statistics are restored afterwards.
func runGolden(b *Block, x, gradOut *tensor.Tensor) map[string]*tensor.Tensor {
	rm, rv := b.bn.RunningMean.Clone(), b.bn.RunningVar.Clone()
	count := b.bn.NumBatchesTracked
	out := map[string]*tensor.Tensor{}

	b.Train(false)
	inf := autograd.NewInference()
	z, w := b.Attend(inf, inf.Const(x))
	out["golden.eval.output"], out["golden.eval.weights"] = z.Value.Clone(), w.Value.Clone()

	b.Train(true)
	autograd.ZeroGrad(b.Params())
	tp := autograd.NewTape()
	xv := autograd.NewParam("input", x.Clone())
	z, w = b.Attend(tp, xv)
	tp.BackwardWith(z, gradOut)
	out["golden.output"], out["golden.weights"] = z.Value.Clone(), w.Value.Clone()
	out["grad.input"] = xv.Grad.Clone()
	for _, p := range b.Params() {
		out["grad."+p.Name] = p.Grad.Clone()
	}
	out["golden.after.bn.running_mean"] = b.bn.RunningMean.Clone()
	out["golden.after.bn.running_var"] = b.bn.RunningVar.Clone()

	copy(b.bn.RunningMean.Data, rm.Data)
	copy(b.bn.RunningVar.Data, rv.Data)
	b.bn.NumBatchesTracked = count
	return out
}

// compare checks |got − want| ≤ atol + goldenRtol·|want| elementwise and
// returns the largest difference and the largest difference / tolerance.
func compare(t *testing.T, what string, got, want []float32, atol float64) (worst, used float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		tol := atol + goldenRtol*math.Abs(float64(want[i]))
		worst, used = max(worst, d), max(used, d/tol)
		if d > tol || math.IsNaN(float64(got[i])) {
			if bad < 3 {
				t.Errorf("%s[%d] = %g, want %g (diff %.3g)", what, i, got[i], want[i], d)
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
	return worst, used
}

// goTwinCase is one fixture TestTwinWritesGoFixtures makes.
type goTwinCase struct {
	name  string
	cfg   BlockConfig
	shape []int
}

// goTwinCases are every pairwise function in 2-D and 3-D, plain and
// subsampled with θᵀφ scaled, in a fixed order (each case's seed is its
// index).
func goTwinCases() []goTwinCase {
	var cases []goTwinCase
	for _, pw := range PairwiseNames {
		for _, dims := range []int{2, 3} {
			for _, sub := range []bool{false, true} {
				cfg := BlockConfig{Channels: 6, Pairwise: pw, Dims: dims, Subsample: sub, Scale: sub && pw != Concat}
				shape := []int{2, 6, 4, 6}
				if dims == 3 {
					shape = []int{2, 6, 2, 4, 6}
				}
				name := fmt.Sprintf("go_%s_%dd", pw, dims)
				if sub {
					name += "_sub"
				}
				cases = append(cases, goTwinCase{name, cfg, shape})
			}
		}
	}
	return cases
}

// TestTwinWritesGoFixtures is the twin's way to get Go-made blocks: with
// NONLOCAL_TWIN_OUT set to a directory it writes one fixture per case of
// goTwinCases, in the format of the twin's (Go's own initialisation, then
// random batch-norm affine and running statistics so the block is not the
// identity, and sharpen). Without the variable it does nothing.
func TestTwinWritesGoFixtures(t *testing.T) {
	dir := os.Getenv("NONLOCAL_TWIN_OUT")
	if dir == "" {
		t.Skip("NONLOCAL_TWIN_OUT not set (bench/torch/nonlocal.py --golden sets it)")
	}
	for i, c := range goTwinCases() {
		seed := uint64(i + 1)
		b, err := NewBlock(rand.New(rand.NewPCG(seed, 0x4e4c)), "", c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 2))
		for i := range b.bn.Weight.Value.Data {
			b.bn.Weight.Value.Data[i] = 0.5 + rng.Float32()
			b.bn.Bias.Value.Data[i] = 0.4*rng.Float32() - 0.2
			b.bn.RunningMean.Data[i] = 0.6*rng.Float32() - 0.3
			b.bn.RunningVar.Data[i] = 0.5 + 1.5*rng.Float32()
		}
		sharpen(b)
		x, gradOut := tensor.New(c.shape...), tensor.New(c.shape...)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
			gradOut.Data[i] = float32(rng.NormFloat64())
		}
		f := ckpt.NewFile()
		if err := nn.PutState(f, b); err != nil {
			t.Fatal(err)
		}
		// PutState shares the live buffers: copy the state before the
		// training pass moves the running statistics.
		for k, e := range f.Tensors {
			if e.Float != nil {
				f.Tensors[k] = ckpt.FromTensor(e.Tensor().Clone())
			}
		}
		for k, v := range runGolden(b, x, gradOut) {
			f.Tensors[k] = ckpt.FromTensor(v)
		}
		f.Tensors["golden.input"] = ckpt.FromTensor(x)
		f.Tensors["golden.grad_output"] = ckpt.FromTensor(gradOut)
		cfg, err := json.Marshal(b.Cfg)
		if err != nil {
			t.Fatal(err)
		}
		f.Metadata["config"] = string(cfg)
		f.Metadata["description"] = "pkg/nonlocal.Block with Go's initialisation (TestTwinWritesGoFixtures), case " + c.name
		if err := ckpt.WriteFile(filepath.Join(dir, c.name+".safetensors"), f); err != nil {
			t.Fatal(err)
		}
	}
}
