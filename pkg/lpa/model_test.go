package lpa

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/tensor"
)

// tinyConfig is a model small enough for finite differences: 32×32
// inputs, a handful of channels per block.
func tinyConfig() Config {
	c := DefaultConfig("builtin", 32, 5)
	c.Channels = 3
	c.Widths = []int{3, 4, 4, 6, 5}
	c.Convs = []int{1, 1, 1, 2, 1}
	return c
}

// variants lists every combination the flags can select, plus the
// baseline.
func variants(base Config) []Config {
	out := []Config{base.Baseline()}
	for _, lv := range []int{2, 3} {
		for _, compat := range []string{"pc", "dp"} {
			for _, norm := range []string{"softmax", "sigmoid"} {
				for _, head := range []string{"concat", "indep"} {
					for _, place := range []string{"before", "after"} {
						c := base
						c.Levels, c.Compat, c.Norm, c.Head, c.Placement = lv, compat, norm, head, place
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

func randomImages(n, c, s int, seed uint64) *tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 9))
	x := tensor.New(n, c, s, s)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func TestShapesEveryVariant(t *testing.T) {
	for _, side := range []int{32, 64} {
		base := tinyConfig()
		base.Side = side
		for _, cfg := range variants(base) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatalf("%s: %v", cfg.Name(), err)
			}
			n := 2
			tp := autograd.NewTape()
			out := m.Forward(tp, tp.Const(randomImages(n, 3, side, 1)))
			if !slices.Equal(out.Logits.Shape(), []int{n, cfg.Classes}) {
				t.Fatalf("%s: logits %v", cfg.Name(), out.Logits.Shape())
			}
			if !cfg.Attention {
				if out.Features == nil || len(out.Attn) != 0 {
					t.Fatalf("baseline: features %v, %d maps", out.Features, len(out.Attn))
				}
				want := []int{n, cfg.Widths[Blocks-1], side >> (Blocks - 1), side >> (Blocks - 1)}
				if !slices.Equal(out.Features.Shape(), want) {
					t.Fatalf("baseline features %v, want %v", out.Features.Shape(), want)
				}
				continue
			}
			if len(out.Attn) != cfg.Levels || len(out.Scores) != cfg.Levels {
				t.Fatalf("%s: %d maps", cfg.Name(), len(out.Attn))
			}
			for k, lv := range cfg.AttnLevels() {
				s := cfg.LevelSide(lv)
				if !slices.Equal(out.Attn[k].Shape(), []int{n, s * s}) {
					t.Fatalf("%s level %d: attention %v, want [%d %d]", cfg.Name(), lv, out.Attn[k].Shape(), n, s*s)
				}
				for i := 0; i < n; i++ {
					row := out.Attn[k].Value.Data[i*s*s : (i+1)*s*s]
					var sum float64
					for _, v := range row {
						if !(v >= 0 && v <= 1) {
							t.Fatalf("%s: attention %g outside [0, 1]", cfg.Name(), v)
						}
						sum += float64(v)
					}
					if cfg.Norm == "softmax" && math.Abs(sum-1) > 1e-4 {
						t.Fatalf("%s: softmax attention sums to %g", cfg.Name(), sum)
					}
				}
			}
			maps, err := m.Maps(out, 0, 0)
			if err != nil || len(maps) != cfg.Levels || len(m.MapNames()) != cfg.Levels {
				t.Fatalf("%s: Maps: %d, %v", cfg.Name(), len(maps), err)
			}
			// Gradients reach every parameter, except g's under pc with a
			// softmax: there ⟨u, g⟩ is constant over space and cancels, so
			// the layer that makes g and the projections get nothing but
			// rounding (see attnBlock.forward).
			loss := tp.CrossEntropy(out.Logits, []int{1, 3}, -100)
			nn.SetTraining(true, m)
			tp.Backward(loss)
			var largest float32
			for _, p := range m.Params() {
				for _, v := range p.Grad.Data {
					largest = max(largest, abs32(v))
				}
			}
			for _, p := range m.Params() {
				if cfg.Norm == "softmax" && strings.HasPrefix(p.Name, "attn3.u") && cfg.LevelSide(3) == 1 {
					continue // a softmax over one position is 1 whatever u says
				}
				var most float32
				for _, v := range p.Grad.Data {
					most = max(most, abs32(v))
				}
				dead := cfg.Compat == "pc" && cfg.Norm == "softmax" &&
					(strings.HasPrefix(p.Name, "dense.") || strings.Contains(p.Name, ".proj."))
				switch {
				case dead && most > 1e-4*largest:
					t.Errorf("%s: %s gets gradient %g (largest %g), want none: <u, g> cancels in the softmax", cfg.Name(), p.Name, most, largest)
				case !dead && most == 0:
					t.Errorf("%s: %s gets no gradient", cfg.Name(), p.Name)
				}
			}
		}
	}
}

// The parameter names are the twin's and depend on the variant as
// documented on Model.
func TestParameterNames(t *testing.T) {
	cfg := tinyConfig()
	m, _ := New(cfg, 1)
	shapes := nn.Shapes(m)
	for name, shape := range map[string][]int{
		"block1.0.conv.weight":    {3, 3, 3, 3},
		"block4.1.bn.running_var": {6},
		"dense.weight":            {5, 5, 1, 1},
		"attn1.proj.weight":       {4, 5},
		"attn1.u.weight":          {1, 4, 1, 1},
		"attn2.u.weight":          {1, 6, 1, 1},
		"attn3.u.weight":          {1, 5, 1, 1},
		"classify.weight":         {5, 4 + 6 + 5},
	} {
		if !slices.Equal(shapes[name], shape) {
			t.Errorf("%s: shape %v, want %v", name, shapes[name], shape)
		}
	}
	if _, ok := shapes["attn3.proj.weight"]; ok {
		t.Error("attn3 has a projection although its width is g's")
	}
	cfg.Head, cfg.Compat, cfg.Levels = "indep", "dp", 2
	m, _ = New(cfg, 1)
	shapes = nn.Shapes(m)
	for _, name := range []string{"classify2.weight", "classify3.bias", "attn2.proj.weight"} {
		if _, ok := shapes[name]; !ok {
			t.Errorf("indep dp att2: no %s in %v", name, shapes)
		}
	}
	for name := range shapes {
		if strings.HasPrefix(name, "attn1") || strings.HasSuffix(name, "u.weight") {
			t.Errorf("indep dp att2 has %s", name)
		}
	}
}

// The whole model's gradient agrees with finite differences, on a tiny
// model in training mode, for the parameters of the attention path: the
// last block's batch norm (its gradient flows back through the
// classifier, the attention-weighted sum, the softmax, the compatibility
// and the global feature), the dense layer, the projection, u and the
// classifier. Earlier layers are left out on purpose: thousands of ReLU
// and max-pool kinks between them and the output make float32 finite
// differences disagree with any correct gradient (each op's own gradient
// is checked in package autograd).
func TestGradCheck(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) {},
		func(c *Config) { c.Compat, c.Norm, c.Head = "dp", "sigmoid", "indep" },
		func(c *Config) { c.Levels, c.Placement = 2, "after" },
		func(c *Config) { *c = c.Baseline() },
	} {
		cfg := tinyConfig()
		mod(&cfg)
		m, err := New(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		// The classifier starts at N(0, 0.01): scaled up, the logits and
		// every gradient are large enough for float32 differences.
		for _, l := range m.classify {
			for i := range l.Weight.Value.Data {
				l.Weight.Value.Data[i] *= 50
			}
		}
		x := autograd.Const(randomImages(3, 3, cfg.Side, 5))
		last := m.vgg.Blocks[Blocks-1]
		swap := []**autograd.Var{&last[len(last)-1].BN.Weight}
		if cfg.Attention {
			swap = append(swap, &m.dense.Weight)
			a := &m.attn[0]
			if a.u != nil {
				swap = append(swap, &a.u.Weight)
			}
			if a.proj != nil {
				swap = append(swap, &a.proj.Weight)
			}
		}
		swap = append(swap, &m.classify[0].Weight)
		var inputs []*tensor.Tensor
		for _, p := range swap {
			inputs = append(inputs, (*p).Value.Clone())
		}
		f := func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			saved := make([]*autograd.Var, len(swap))
			for i, p := range swap {
				saved[i], *p = *p, in[i]
			}
			defer func() {
				for i, p := range swap {
					*p = saved[i]
				}
			}()
			return m.Forward(tp, x).Logits
		}
		if err := autograd.GradCheck(f, inputs, autograd.GradCheckOptions{Eps: 1e-2, RTol: 2e-2, ATol: 1e-3, Seed: 1}); err != nil {
			t.Errorf("%s: %v", cfg.Name(), err)
		}
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	cfg := tinyConfig()
	cfg.Compat, cfg.Head, cfg.ClassNames = "dp", "indep", []string{"a", "b", "c", "d", "e"}
	m, _ := New(cfg, 4)
	// Non-default buffers, as after training.
	for _, b := range m.Buffers() {
		if b.Value != nil {
			for i := range b.Value.Data {
				b.Value.Data[i] = 0.5 + float32(i)
			}
		} else {
			*b.Count = 17
		}
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cfg.Equal(cfg) {
		t.Fatalf("config %+v, want %+v", got.Cfg, cfg)
	}
	x := randomImages(2, 3, cfg.Side, 2)
	m.Train(false)
	a := m.Forward(autograd.NewInference(), autograd.Const(x)).Logits.Value.Data
	b := got.Forward(autograd.NewInference(), autograd.Const(x)).Logits.Value.Data
	if !slices.Equal(a, b) {
		t.Fatalf("logits after reload differ: %v vs %v", a, b)
	}

	// Malformed files are refused with a message naming the problem.
	f, _ := m.File()
	f.Metadata["format"] = "attnkit.ram/1"
	if _, err := FromFile(f); err == nil || !strings.Contains(err.Error(), "not an lpa model") {
		t.Errorf("foreign format: %v", err)
	}
	f, _ = m.File()
	delete(f.Tensors, "classify2.weight")
	if _, err := FromFile(f); err == nil || !strings.Contains(err.Error(), "classify2.weight") {
		t.Errorf("missing tensor: %v", err)
	}
	f, _ = m.File()
	f.Metadata["config"] = `{"side": 33}`
	if _, err := FromFile(f); err == nil {
		t.Error("bad config accepted")
	}
	f, _ = m.File()
	f.Tensors["optim.x"] = ckpt.FromTensor(tensor.New(1))
	if _, err := FromFile(f); err != nil {
		t.Errorf("training state refused: %v", err)
	}
	f, _ = m.File() // shares the model's storage: poison it last
	f.Tensors["dense.bias"].Float[0] = float32(math.NaN())
	if _, err := FromFile(f); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN weight: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, edit := range []func(*Config){
		func(c *Config) { c.Side = 48 },
		func(c *Config) { c.Classes = 1 },
		func(c *Config) { c.Widths = c.Widths[:4] },
		func(c *Config) { c.Convs[2] = 0 },
		func(c *Config) { c.Levels = 4 },
		func(c *Config) { c.Compat = "cos" },
		func(c *Config) { c.Norm = "relu" },
		func(c *Config) { c.Head = "sum" },
		func(c *Config) { c.Placement = "inside" },
		func(c *Config) { c.ClassNames = []string{"x"} },
	} {
		c := tinyConfig()
		edit(&c)
		if c.Validate() == nil {
			t.Errorf("accepted %+v", c)
		}
	}
	c := tinyConfig().Baseline()
	c.Compat = "whatever" // ignored without attention
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	if n := DefaultConfig("builtin", 64, 10).Name(); n != "(VGG-att3)-concat-pc" {
		t.Errorf("name %q", n)
	}
}

// The ablation flips one choice of the reference per row, and names rows
// after what they are when the reference already made that choice.
func TestVariants(t *testing.T) {
	ref := tinyConfig()
	var names []string
	for _, v := range Variants(ref) {
		names = append(names, v.Name+"="+v.Cfg.Name())
		if err := v.Cfg.Validate(); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
	want := []string{"baseline=VGG-GAP", "reference=(VGG-att3)-concat-pc", "dp=(VGG-att3)-concat-dp",
		"indep=(VGG-att3)-indep-pc", "att2=(VGG-att2)-concat-pc", "sigmoid=(VGG-att3)-concat-pc-sigmoid"}
	if !slices.Equal(names, want) {
		t.Errorf("variants %v, want %v", names, want)
	}
	ref.Compat, ref.Levels = "dp", 2
	vs := Variants(ref)
	if vs[2].Name != "pc" || vs[2].Cfg.Compat != "pc" || vs[4].Name != "att3" || vs[4].Cfg.Levels != 3 {
		t.Errorf("flipped names: %+v %+v", vs[2], vs[4])
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }
