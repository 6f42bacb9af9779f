package nn

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func randVar(rng *rand.Rand, shape ...int) *autograd.Var {
	t := tensor.New(shape...)
	Normal(rng, t, 0, 1)
	return autograd.Const(t)
}

// stats returns the mean and standard deviation of t.
func stats(t *tensor.Tensor) (mean, std float64) {
	for _, v := range t.Data {
		mean += float64(v)
	}
	mean /= float64(len(t.Data))
	for _, v := range t.Data {
		d := float64(v) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(len(t.Data)))
}

// checkUniform checks that t looks like U(-b, b): inside the bounds, with
// mean 0 and std b/sqrt(3) within 5 standard errors.
func checkUniform(t *testing.T, name string, x *tensor.Tensor, b float64) {
	t.Helper()
	n := float64(x.Size())
	for _, v := range x.Data {
		if math.Abs(float64(v)) > b*(1+1e-6) {
			t.Fatalf("%s: %g outside ±%g", name, v, b)
		}
	}
	mean, std := stats(x)
	sd := b / math.Sqrt(3)
	if math.Abs(mean) > 5*sd/math.Sqrt(n) {
		t.Errorf("%s: mean %g, want 0 ± %g", name, mean, 5*sd/math.Sqrt(n))
	}
	// The sample std of a uniform has relative standard error ≈ 0.45/sqrt(n).
	if math.Abs(std/sd-1) > 5*0.45/math.Sqrt(n) {
		t.Errorf("%s: std %g, want %g", name, std, sd)
	}
}

// checkNormal checks mean and std of samples of N(0, sd²).
func checkNormal(t *testing.T, name string, x *tensor.Tensor, sd float64) {
	t.Helper()
	n := float64(x.Size())
	mean, std := stats(x)
	if math.Abs(mean) > 5*sd/math.Sqrt(n) {
		t.Errorf("%s: mean %g, want 0 ± %g", name, mean, 5*sd/math.Sqrt(n))
	}
	if math.Abs(std/sd-1) > 5/math.Sqrt(2*n) {
		t.Errorf("%s: std %g, want %g", name, std, sd)
	}
}

func TestInitStatistics(t *testing.T) {
	rng := newRNG(1)
	lin := NewLinear(rng, "fc", 100, 300, true)
	checkUniform(t, "linear weight", lin.Weight.Value, 0.1)
	lin2 := NewLinear(rng, "fc2", 16, 4000, true)
	checkUniform(t, "linear bias", lin2.Bias.Value, 0.25)

	c := NewConv2d(rng, "conv", 8, 64, 3, 3, conv.Params{PadH: 1, PadW: 1}, true)
	checkUniform(t, "conv2d weight", c.Weight.Value, 1/math.Sqrt(72))
	cg := NewConv2d(rng, "convg", 8, 64, 3, 3, conv.Params{Groups: 2}, false)
	if !tensor.SameShape(cg.Weight.Value.Shape, []int{64, 4, 3, 3}) || cg.Bias != nil {
		t.Fatalf("grouped conv weight %v", cg.Weight.Value.Shape)
	}
	checkUniform(t, "grouped conv2d weight", cg.Weight.Value, 1/math.Sqrt(36))
	c3 := NewConv3d(rng, "c3", 4, 32, [3]int{3, 3, 3}, conv.Params3D{}, true)
	checkUniform(t, "conv3d weight", c3.Weight.Value, 1/math.Sqrt(108))

	e := NewEmbedding(rng, "emb", 500, 20)
	checkNormal(t, "embedding", e.Weight.Value, 1)

	l := NewLSTMCell(rng, "lstm", 10, 64, true)
	for _, p := range l.Params() {
		checkUniform(t, p.Name, p.Value, 1.0/8)
	}
	r := NewRNNCell(rng, "rnn", 10, 100, true, autograd.RNNTanh)
	for _, p := range r.Params() {
		checkUniform(t, p.Name, p.Value, 0.1)
	}

	m := NewMultiheadAttention(rng, "attn", 64, 4, true)
	checkUniform(t, "in_proj_weight", m.InProjWeight.Value, math.Sqrt(6.0/(64+192)))
	checkUniform(t, "out_proj.weight", m.OutProj.Weight.Value, 1.0/8)
	for _, z := range []*tensor.Tensor{m.InProjBias.Value, m.OutProj.Bias.Value} {
		for _, v := range z.Data {
			if v != 0 {
				t.Fatal("attention biases must start at zero")
			}
		}
	}

	// The generic helpers, on a [256, 128, 3] weight: fan_in 384, fan_out 768.
	w := tensor.New(256, 128, 3)
	KaimingNormal(rng, w, 0, FanIn, ActReLU)
	checkNormal(t, "kaiming normal fan_in relu", w, math.Sqrt(2)/math.Sqrt(384))
	KaimingNormal(rng, w, 0, FanOut, ActTanh)
	checkNormal(t, "kaiming normal fan_out tanh", w, 5.0/3/math.Sqrt(768))
	KaimingUniform(rng, w, 0, FanIn, ActReLU)
	checkUniform(t, "kaiming uniform", w, math.Sqrt(6.0/384))
	XavierNormal(rng, w, 2)
	checkNormal(t, "xavier normal", w, 2*math.Sqrt(2.0/(384+768)))
	XavierUniform(rng, w, 1)
	checkUniform(t, "xavier uniform", w, math.Sqrt(6.0/(384+768)))
	Ones(w)
	if w.Data[17] != 1 {
		t.Fatal("Ones")
	}
	Zeros(w)
	if w.Data[17] != 0 {
		t.Fatal("Zeros")
	}
	if g := Gain(ActLeakyReLU, -1); math.Abs(g-math.Sqrt(2/1.0001)) > 1e-15 {
		t.Fatalf("leaky relu default gain %g", g)
	}
}

func TestInitIsDeterministic(t *testing.T) {
	a := NewLinear(newRNG(3), "fc", 7, 5, true)
	b := NewLinear(newRNG(3), "fc", 7, 5, true)
	for i, v := range a.Weight.Value.Data {
		if v != b.Weight.Value.Data[i] {
			t.Fatal("same seed, different weights")
		}
	}
}

// TestNilRNGDrawsNothing checks that layers built with a nil rng, as a
// model about to be loaded from a file is, hold zero weights and keep
// their non-random defaults (batch-norm weight and running variance 1).
func TestNilRNGDrawsNothing(t *testing.T) {
	mods := List{NewLinear(nil, "fc", 7, 5, true), NewConvBNReLU(nil, "c", 3, 4),
		NewLSTMCell(nil, "lstm", 3, 4, true), NewEmbedding(nil, "emb", 6, 3)}
	for _, p := range mods.Params() {
		want := float32(0)
		if strings.HasSuffix(p.Name, "bn.weight") {
			want = 1
		}
		for _, v := range p.Value.Data {
			if v != want {
				t.Fatalf("%s holds %g, want %g everywhere", p.Name, v, want)
			}
		}
	}
	for _, b := range mods.Buffers() {
		if b.Value != nil && strings.HasSuffix(b.Name, "running_var") && b.Value.Data[0] != 1 {
			t.Fatalf("%s = %g, want 1", b.Name, b.Value.Data[0])
		}
	}
}

func TestNormDefaults(t *testing.T) {
	bn := NewBatchNorm2d("bn", 3)
	ln := NewLayerNorm("ln", 4)
	for _, c := range []struct {
		name string
		t    *tensor.Tensor
		want float32
	}{
		{"bn.weight", bn.Weight.Value, 1}, {"bn.bias", bn.Bias.Value, 0},
		{"running_mean", bn.RunningMean, 0}, {"running_var", bn.RunningVar, 1},
		{"ln.weight", ln.Weight.Value, 1}, {"ln.bias", ln.Bias.Value, 0},
	} {
		for _, v := range c.t.Data {
			if v != c.want {
				t.Fatalf("%s = %v, want all %g", c.name, c.t, c.want)
			}
		}
	}
	if !bn.Training || bn.Momentum != 0.1 || bn.Eps != 1e-5 || ln.Eps != 1e-5 {
		t.Fatal("torch defaults not set")
	}
}

func TestForwardShapes(t *testing.T) {
	rng := newRNG(2)
	tp := autograd.NewTape()
	check := func(name string, v *autograd.Var, want ...int) {
		t.Helper()
		if !tensor.SameShape(v.Value.Shape, want) {
			t.Errorf("%s: shape %v, want %v", name, v.Value.Shape, want)
		}
	}
	check("linear", NewLinear(rng, "", 6, 3, true).Forward(tp, randVar(rng, 2, 5, 6)), 2, 5, 3)
	check("conv2d", NewConv2d(rng, "", 3, 8, 3, 3, conv.Params{StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, true).Forward(tp, randVar(rng, 2, 3, 9, 9)), 2, 8, 5, 5)
	check("conv3d", NewConv3d(rng, "", 2, 4, [3]int{1, 3, 3}, conv.Params3D{PadH: 1, PadW: 1}, true).Forward(tp, randVar(rng, 1, 2, 3, 5, 5)), 1, 4, 3, 5, 5)
	check("batchnorm2d", NewBatchNorm2d("", 3).Forward(tp, randVar(rng, 4, 3, 2, 2)), 4, 3, 2, 2)
	check("batchnorm1d", NewBatchNorm1d("", 5).Forward(tp, randVar(rng, 4, 5)), 4, 5)
	check("layernorm", NewLayerNorm("", 6).Forward(tp, randVar(rng, 2, 3, 6)), 2, 3, 6)
	check("embedding", NewEmbedding(rng, "", 10, 4).Forward(tp, []int{1, 9, 0}), 3, 4)
	lstm := NewLSTMCell(rng, "", 5, 7, true)
	h, c := lstm.Forward(tp, randVar(rng, 3, 5), nil, nil)
	check("lstm h", h, 3, 7)
	check("lstm c", c, 3, 7)
	h, c = lstm.Forward(tp, randVar(rng, 3, 5), h, c)
	check("lstm h2", h, 3, 7)
	rnn := NewRNNCell(rng, "", 5, 6, false, autograd.RNNReLU)
	check("rnn", rnn.Forward(tp, randVar(rng, 3, 5), nil), 3, 6)
	mha := NewMultiheadAttention(rng, "", 8, 2, true)
	q := randVar(rng, 2, 3, 8)
	check("mha self", mha.Forward(tp, q, q, autograd.AttnMask{}), 2, 3, 8)
	check("mha cross", mha.Forward(tp, q, randVar(rng, 2, 5, 8), autograd.AttnMask{}), 2, 3, 8)
}

// TestAttentionGradReachesPackedWeights checks that slicing the packed
// in_proj_weight on the tape sends gradient to all three of its blocks.
func TestAttentionGradReachesPackedWeights(t *testing.T) {
	rng := newRNG(4)
	m := NewMultiheadAttention(rng, "attn", 8, 2, true)
	tp := autograd.NewTape()
	x := randVar(rng, 2, 3, 8)
	tp.Backward(tp.Sum(tp.Square(m.Forward(tp, x, x, autograd.CausalMask()))))
	g := m.InProjWeight.Grad.Data
	for blk := 0; blk < 3; blk++ {
		var s float64
		for _, v := range g[blk*64 : (blk+1)*64] {
			s += math.Abs(float64(v))
		}
		if s == 0 {
			t.Errorf("block %d of in_proj_weight got no gradient", blk)
		}
	}
	// And the layer equals the op fed with the separate projections.
	e := 8
	// sl copies block i of three out of a packed projection.
	sl := func(v *autograd.Var, i int) *autograd.Var {
		n := len(v.Value.Data) / 3
		block := append([]float32(nil), v.Value.Data[i*n:(i+1)*n]...)
		return autograd.Const(tensor.FromData(block, append([]int{e}, v.Value.Shape[1:]...)...))
	}
	inf := autograd.NewInference()
	want := inf.MultiHeadAttention(x, x, sl(m.InProjWeight, 0), sl(m.InProjWeight, 1), sl(m.InProjWeight, 2), m.OutProj.Weight,
		sl(m.InProjBias, 0), sl(m.InProjBias, 1), sl(m.InProjBias, 2), m.OutProj.Bias, 2, autograd.CausalMask())
	got := m.Forward(inf, x, x, autograd.CausalMask())
	for i, v := range got.Value.Data {
		if v != want.Value.Data[i] {
			t.Fatalf("output %d: %g, want %g", i, v, want.Value.Data[i])
		}
	}
}

func TestBatchNormModes(t *testing.T) {
	rng := newRNG(5)
	bn := NewBatchNorm2d("bn", 2)
	x := randVar(rng, 4, 2, 3, 3)
	tp := autograd.NewInference()
	bn.Forward(tp, x)
	bn.Forward(tp, x)
	if bn.NumBatchesTracked != 2 || bn.RunningMean.Data[0] == 0 {
		t.Fatalf("training: tracked %d, running mean %v", bn.NumBatchesTracked, bn.RunningMean)
	}
	m := List{bn}
	SetTraining(false, m)
	before := bn.RunningMean.Clone()
	bn.Forward(tp, x)
	if bn.Training || bn.NumBatchesTracked != 2 || bn.RunningMean.Data[0] != before.Data[0] {
		t.Fatal("evaluation mode changed the running statistics")
	}
}

// model builds a small network with every kind of layer.
func model(seed uint64) List {
	rng := newRNG(seed)
	return List{
		NewConv2d(rng, "features.0", 3, 4, 3, 3, conv.Params{}, true),
		NewBatchNorm2d("features.1", 4),
		NewConv3d(rng, "video", 2, 2, [3]int{1, 1, 1}, conv.Params3D{}, false),
		NewLinear(rng, "classifier", 4, 2, true),
		NewLayerNorm("norm", 4),
		NewEmbedding(rng, "embed", 5, 4),
		NewLSTMCell(rng, "lstm", 4, 3, true),
		NewRNNCell(rng, "rnn", 4, 3, true, autograd.RNNTanh),
		NewMultiheadAttention(rng, "attn", 4, 2, true),
	}
}

func TestStateDictRoundTrip(t *testing.T) {
	src := model(1)
	bn := src[1].(*BatchNorm)
	bn.Forward(autograd.NewInference(), randVar(newRNG(9), 2, 4, 3, 3)) // move the running stats
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := Save(path, src, map[string]string{"arch": "test"}); err != nil {
		t.Fatal(err)
	}

	f, err := ckpt.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	// torch's names and dtypes.
	for name, dt := range map[string]ckpt.DType{
		"features.0.weight": ckpt.F32, "features.1.num_batches_tracked": ckpt.I64,
		"features.1.running_var": ckpt.F32, "attn.in_proj_weight": ckpt.F32, "attn.out_proj.bias": ckpt.F32,
		"lstm.weight_hh": ckpt.F32, "rnn.bias_ih": ckpt.F32, "embed.weight": ckpt.F32, "video.weight": ckpt.F32,
	} {
		if e := f.Tensors[name]; e == nil || e.DType != dt {
			t.Errorf("tensor %q missing or not %s", name, dt)
		}
	}
	if n := len(f.Tensors); n != 25 {
		t.Errorf("%d tensors in the state dict, want 25", n)
	}

	dst := model(2)
	got, err := Load(path, dst)
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata["arch"] != "test" {
		t.Fatal("metadata lost")
	}
	if dst[1].(*BatchNorm).NumBatchesTracked != 1 {
		t.Fatal("num_batches_tracked not restored")
	}
	sa, _ := StateDict(src)
	sb, _ := StateDict(dst)
	for n, a := range sa {
		b := sb[n]
		for i := range a.Float {
			if a.Float[i] != b.Float[i] {
				t.Fatalf("%s[%d] = %g after load, want %g", n, i, b.Float[i], a.Float[i])
			}
		}
	}
}

func TestLoadStateErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	m := List{NewLinear(newRNG(1), "fc", 3, 2, true), NewBatchNorm1d("bn", 2)}
	if err := Save(path, m, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		model Module
		want  []string
	}{
		{"shape", List{NewLinear(newRNG(1), "fc", 4, 2, true), NewBatchNorm1d("bn", 2)}, []string{`tensor "fc.weight": shape [2 3], model expects [2 4]`}},
		{"missing and unexpected", List{NewLinear(newRNG(1), "fc", 3, 2, true), NewLinear(newRNG(1), "head", 2, 2, false)},
			[]string{`m.safetensors: missing tensor "head.weight"`, `unexpected tensors "bn.bias", "bn.num_batches_tracked", "bn.running_mean"`}},
		{"duplicate", List{NewLinear(newRNG(1), "fc", 3, 2, true), NewLinear(newRNG(1), "fc", 3, 2, true)}, []string{`"fc.weight" appears twice`}},
	}
	for _, c := range cases {
		_, err := Load(path, c.model)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	// Extra tensors under an ignored prefix are fine.
	f, _ := ckpt.Read(path)
	f.Tensors["optim.step.fc.weight"] = ckpt.FromInts([]int64{1})
	if err := LoadState(f, m, "optim."); err != nil {
		t.Fatal(err)
	}
	// A num_batches_tracked stored as float is rejected, not truncated.
	f.Tensors["bn.num_batches_tracked"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{}, Float: []float32{1}}
	if err := LoadState(f, m, "optim."); err == nil || !strings.Contains(err.Error(), "num_batches_tracked") {
		t.Fatalf("float count: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

func TestCopyParams(t *testing.T) {
	a, b := model(1), model(2)
	if err := CopyParams(b, a); err != nil {
		t.Fatal(err)
	}
	if a[3].(*Linear).Weight.Value.Data[0] != b[3].(*Linear).Weight.Value.Data[0] {
		t.Fatal("CopyParams did not copy")
	}
}
