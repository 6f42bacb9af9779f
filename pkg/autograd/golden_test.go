package autograd_test

// Golden tests: every op below is run on the inputs PyTorch used in
// bench/torch/fixtures.py, backward is seeded with the same upstream
// gradient, and the outputs and every gradient must match torch's within
// |got − want| ≤ goldenAtol + goldenRtol·|want|. The fixtures live in
// testdata/golden; regenerate them with
//
//	/usr/bin/python3 bench/torch/fixtures.py
//
// The test sits in package autograd_test because pkg/ckpt, which reads
// the fixtures, imports autograd.

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

// golden is one loaded fixture file.
type golden struct {
	t *testing.T
	f *ckpt.File
}

func loadGolden(t *testing.T, name string) *golden {
	t.Helper()
	f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "golden", name+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return &golden{t: t, f: f}
}

// tensor returns a private copy of the named tensor.
func (g *golden) tensor(name string) *tensor.Tensor {
	g.t.Helper()
	v, err := g.f.Tensor(name)
	if err != nil {
		g.t.Fatal(err)
	}
	return v.Clone()
}

// param returns a leaf that needs a gradient, holding the named tensor.
func (g *golden) param(name string) *autograd.Var {
	g.t.Helper()
	return autograd.NewParam(name, g.tensor(name))
}

func (g *golden) ints(name string) []int {
	g.t.Helper()
	v, err := g.f.Ints(name)
	if err != nil {
		g.t.Fatal(err)
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func (g *golden) metaInt(key string) int {
	g.t.Helper()
	n, err := strconv.Atoi(g.f.Metadata[key])
	if err != nil {
		g.t.Fatalf("%s: metadata %q: %v", g.f.Name, key, err)
	}
	return n
}

func (g *golden) metaFloat(key string) float32 {
	g.t.Helper()
	x, err := strconv.ParseFloat(g.f.Metadata[key], 64)
	if err != nil {
		g.t.Fatalf("%s: metadata %q: %v", g.f.Name, key, err)
	}
	return float32(x)
}

// expect compares got with the named fixture tensor.
func (g *golden) expect(name string, got *tensor.Tensor) {
	g.t.Helper()
	want, err := g.f.Tensor(name)
	if err != nil {
		g.t.Fatal(err)
	}
	if msg := compareGolden(got, want); msg != "" {
		g.t.Errorf("%s: %s", name, msg)
	}
}

// expectGrad compares v's gradient with the fixture's "grad.<name>".
func (g *golden) expectGrad(name string, v *autograd.Var) {
	g.t.Helper()
	if v.Grad == nil {
		g.t.Errorf("grad.%s: no gradient reached it", name)
		return
	}
	g.expect("grad."+name, v.Grad)
}

// compareGolden returns "" when got matches want within tolerance, or a
// description of how many elements differ and of the worst one.
func compareGolden(got, want *tensor.Tensor) string {
	if !tensor.SameShape(got.Shape, want.Shape) {
		return fmt.Sprintf("shape %v, torch %v", got.Shape, want.Shape)
	}
	worst, at, bad := 0.0, -1, 0
	for i, w := range want.Data {
		d := math.Abs(float64(got.Data[i]) - float64(w))
		r := d / (goldenAtol + goldenRtol*math.Abs(float64(w)))
		if math.IsNaN(r) {
			r = math.Inf(1)
		}
		if r > 1 {
			bad++
		}
		if r > worst || at < 0 {
			worst, at = r, i
		}
	}
	if bad == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d elements out of tolerance; worst at %v: got %.7g, torch %.7g (|diff| = %.3g × tolerance)",
		bad, len(want.Data), unravel(at, want.Shape), got.Data[at], want.Data[at], worst)
}

// unravel turns a flat row-major index into a multi-index.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

func TestGoldenConv2D(t *testing.T) {
	for _, name := range []string{"conv2d_s2p1", "conv2d_d2p2"} {
		t.Run(name, func(t *testing.T) {
			g := loadGolden(t, name)
			s, p, d := g.metaInt("stride"), g.metaInt("padding"), g.metaInt("dilation")
			x, w, b := g.param("input"), g.param("weight"), g.param("bias")
			tp := autograd.NewTape()
			y := tp.Conv2D(x, w, b, conv.Params{StrideH: s, StrideW: s, PadH: p, PadW: p, DilH: d, DilW: d})
			g.expect("output", y.Value)
			tp.BackwardWith(y, g.tensor("grad_output"))
			g.expectGrad("input", x)
			g.expectGrad("weight", w)
			g.expectGrad("bias", b)
		})
	}
}

func TestGoldenBatchNorm2D(t *testing.T) {
	for _, c := range []struct {
		name     string
		training bool
	}{{"batchnorm2d_train", true}, {"batchnorm2d_eval", false}} {
		t.Run(c.name, func(t *testing.T) {
			g := loadGolden(t, c.name)
			x, w, b := g.param("input"), g.param("weight"), g.param("bias")
			rm, rv := g.tensor("running_mean"), g.tensor("running_var")
			momentum := float32(0.1)
			if c.training {
				momentum = g.metaFloat("momentum")
			}
			tp := autograd.NewTape()
			y := tp.BatchNorm2D(x, w, b, rm, rv, c.training, momentum, g.metaFloat("eps"))
			g.expect("output", y.Value)
			tp.BackwardWith(y, g.tensor("grad_output"))
			g.expectGrad("input", x)
			g.expectGrad("weight", w)
			g.expectGrad("bias", b)
			if c.training {
				g.expect("running_mean.after", rm)
				g.expect("running_var.after", rv)
			} else {
				g.expect("running_mean", rm)
				g.expect("running_var", rv)
			}
		})
	}
}

func TestGoldenLSTMCell(t *testing.T) {
	g := loadGolden(t, "lstm_cell")
	xs := g.tensor("input") // [T, B, I]
	steps, batch, in := xs.Dim(0), xs.Dim(1), xs.Dim(2)
	h0, c0 := g.param("h0"), g.param("c0")
	wIH, wHH := g.param("weight_ih"), g.param("weight_hh")
	bIH, bHH := g.param("bias_ih"), g.param("bias_hh")

	// One leaf per step so each x_t's gradient can be read back.
	x := make([]*autograd.Var, steps)
	tp := autograd.NewTape()
	h, c := h0, c0
	hs := make([]*autograd.Var, steps)
	cs := make([]*autograd.Var, steps)
	for s := range steps {
		x[s] = autograd.NewParam(fmt.Sprintf("x%d", s), tensor.FromData(xs.Data[s*batch*in:(s+1)*batch*in], batch, in))
		h, c = tp.LSTMCell(x[s], h, c, wIH, wHH, bIH, bHH)
		hs[s], cs[s] = h, c
	}
	out := tp.Stack(0, hs...)
	g.expect("output", out.Value)
	g.expect("c", tp.Stack(0, cs...).Value)
	tp.BackwardWith(out, g.tensor("grad_output"))

	dx := tensor.New(steps, batch, in)
	for s, v := range x {
		copy(dx.Data[s*batch*in:], v.Grad.Data)
	}
	g.expect("grad.input", dx)
	g.expectGrad("h0", h0)
	g.expectGrad("c0", c0)
	g.expectGrad("weight_ih", wIH)
	g.expectGrad("weight_hh", wHH)
	g.expectGrad("bias_ih", bIH)
	g.expectGrad("bias_hh", bHH)
}

// invertMask turns torch's boolean attn_mask (1 = hidden) into a keep
// mask (1 = visible).
func invertMask(m *tensor.Tensor) *tensor.Tensor {
	keep := tensor.New(m.Shape...)
	for i, v := range m.Data {
		if v == 0 {
			keep.Data[i] = 1
		}
	}
	return keep
}

func TestGoldenMultiHeadAttention(t *testing.T) {
	cases := []struct {
		file, name string
		mask       func(g *golden) autograd.AttnMask
	}{
		{"mha_nomask", "none", func(*golden) autograd.AttnMask { return autograd.AttnMask{} }},
		{"mha_causal", "causal", func(*golden) autograd.AttnMask { return autograd.CausalMask() }},
		{"mha_causal", "causal-tensor", func(g *golden) autograd.AttnMask {
			return autograd.KeepMask(invertMask(g.tensor("attn_mask")))
		}},
		{"mha_local", "local", func(*golden) autograd.AttnMask { return autograd.LocalMask(2, 2) }},
		{"mha_local", "local-tensor", func(g *golden) autograd.AttnMask {
			return autograd.KeepMask(invertMask(g.tensor("attn_mask")))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := loadGolden(t, c.file)
			e, heads := g.metaInt("embed_dim"), g.metaInt("num_heads")
			x := g.param("input")
			wIn, bIn := g.param("in_proj_weight"), g.param("in_proj_bias")
			wO, bO := g.param("out_proj.weight"), g.param("out_proj.bias")
			mask := c.mask(g)
			tp := autograd.NewTape()
			// Slicing the packed projections lets their gradients flow back
			// into in_proj_weight and in_proj_bias as torch lays them out.
			w := func(i int) *autograd.Var { return tp.Slice(wIn, 0, i*e, (i+1)*e) }
			b := func(i int) *autograd.Var { return tp.Slice(bIn, 0, i*e, (i+1)*e) }
			y := tp.MultiHeadAttention(x, x, w(0), w(1), w(2), wO, b(0), b(1), b(2), bO, heads, mask)
			g.expect("output", y.Value)
			tp.BackwardWith(y, g.tensor("grad_output"))
			g.expectGrad("input", x)
			g.expectGrad("in_proj_weight", wIn)
			g.expectGrad("in_proj_bias", bIn)
			g.expectGrad("out_proj.weight", wO)
			g.expectGrad("out_proj.bias", bO)

			// The probabilities: attention applied to identity values
			// returns them, [B, heads, Lq, Lk].
			inf := autograd.NewInference()
			bsz, l := x.Value.Dim(0), x.Value.Dim(1)
			split := func(v *autograd.Var) *autograd.Var {
				return inf.Permute(inf.Reshape(v, bsz, l, heads, e/heads), 0, 2, 1, 3)
			}
			eye := tensor.New(bsz, heads, l, l)
			for i := 0; i < bsz*heads; i++ {
				for j := range l {
					eye.Data[(i*l+j)*l+j] = 1
				}
			}
			wv := func(i int) *autograd.Var { return inf.Slice(wIn, 0, i*e, (i+1)*e) }
			bv := func(i int) *autograd.Var { return inf.Slice(bIn, 0, i*e, (i+1)*e) }
			q := split(inf.Linear(x, wv(0), bv(0)))
			k := split(inf.Linear(x, wv(1), bv(1)))
			g.expect("attn_weights", inf.Attention(q, k, autograd.Const(eye), mask).Value)
		})
	}
}

func TestGoldenCrossEntropy(t *testing.T) {
	for _, name := range []string{"cross_entropy", "cross_entropy_pad"} {
		for _, composed := range []bool{false, true} {
			label := name
			if composed {
				label += "/nll-logsoftmax"
			}
			t.Run(label, func(t *testing.T) {
				g := loadGolden(t, name)
				logits := g.param("input")
				targets, ignore := g.ints("target"), g.metaInt("ignore_index")
				tp := autograd.NewTape()
				var loss *autograd.Var
				if composed {
					loss = tp.NLL(tp.LogSoftmax(logits, 1), targets, ignore)
				} else {
					loss = tp.CrossEntropy(logits, targets, ignore)
				}
				g.expect("output", loss.Value)
				tp.BackwardWith(loss, g.tensor("grad_output"))
				g.expectGrad("input", logits)
			})
		}
	}
}

func TestGoldenLogSoftmax(t *testing.T) {
	g := loadGolden(t, "log_softmax")
	x := g.param("input")
	tp := autograd.NewTape()
	y := tp.LogSoftmax(x, g.metaInt("dim"))
	g.expect("output", y.Value)
	tp.BackwardWith(y, g.tensor("grad_output"))
	g.expectGrad("input", x)
}

func TestGoldenGlimpse(t *testing.T) {
	g := loadGolden(t, "glimpse")
	img, loc := g.param("input"), g.param("loc")
	size := g.metaInt("glimpse")
	var scales []int
	for _, f := range strings.Split(g.f.Metadata["scales"], ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("metadata scales %q: %v", g.f.Metadata["scales"], err)
		}
		scales = append(scales, n)
	}
	tp := autograd.NewTape()
	crops := make([]*autograd.Var, len(scales))
	for i, s := range scales {
		crops[i] = tp.CropResize(img, loc, s, size)
	}
	y := tp.Stack(1, crops...) // [N, k, C, g, g]
	g.expect("output", y.Value)
	tp.BackwardWith(y, g.tensor("grad_output"))
	g.expectGrad("input", img)
	g.expectGrad("loc", loc)
}
