package nonlocal

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// tinyConfig is a clip model small enough for finite differences.
func tinyConfig(blocks int, extent string) Config {
	return Config{Mode: "3d", Task: "sum", Frames: 3, Side: 8, Channels: 1, Classes: 4,
		Widths: []int{2, 2, 4, 4, 4}, Depths: []int{1, 2, 3, 1},
		Blocks: blocks, Stage: 4, Pairwise: Embedded, Extent: extent}
}

func modelCases() map[string]Config {
	img := tinyConfig(1, "")
	img.Mode, img.Frames, img.Stage = "2d", 0, 3
	i3d := tinyConfig(1, SpaceTime)
	i3d.Inflate = true
	five := tinyConfig(5, SpaceTime)
	five.Pairwise = Dot
	space := tinyConfig(1, Space)
	space.Stage = 3
	return map[string]Config{
		"c2d": tinyConfig(0, SpaceTime), "nl": tinyConfig(1, SpaceTime), "i3d": i3d, "five": five,
		"space": space, "time": tinyConfig(1, Time), "image": img,
	}
}

func randInput(cfg Config, n int, seed uint64) *tensor.Tensor {
	m := &Model{Cfg: cfg}
	x := tensor.New(m.inputShape(n)...)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

// TestModelShapes runs every variant and checks the logits, the sites and
// that a fresh model's blocks are the identity.
func TestModelShapes(t *testing.T) {
	for name, cfg := range modelCases() {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			m.Train(false)
			tp := autograd.NewInference()
			out := m.Forward(tp, tp.Const(randInput(cfg, 2, 3)))
			if !slices.Equal(out.Logits.Value.Shape, []int{2, cfg.Classes}) {
				t.Fatalf("logits %v", out.Logits.Value.Shape)
			}
			if len(out.Sites) != cfg.Blocks {
				t.Fatalf("%d sites, want %d", len(out.Sites), cfg.Blocks)
			}
			for _, s := range out.Sites {
				if !slices.Equal(s.In.Value.Shape, s.Out.Value.Shape) || maxDiff(s.In.Value.Data, s.Out.Value.Data) != 0 {
					t.Fatalf("site res%d.%d: a new block is not the identity", s.Stage, s.Index)
				}
				if s.Weights.Value.Dims() != 3 {
					t.Fatalf("weights %v", s.Weights.Value.Shape)
				}
			}
			if cfg.FLOPs() <= 0 {
				t.Fatal("no FLOPs")
			}
		})
	}
}

// TestModelGradients compares the gradient of the whole model's loss along
// random unit directions in parameter space with central finite
// differences. Batch norm uses running statistics (an affine map): with
// batch statistics of a few values per channel the loss curves too
// sharply for a float32 difference (the block's own tests check that
// mode). The blocks' γ is set away from zero so every block parameter
// matters.
func TestModelGradients(t *testing.T) {
	for name, cfg := range modelCases() {
		if name == "five" || name == "time" {
			continue // the same code paths as nl and space, at more cost
		}
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 2)
			if err != nil {
				t.Fatal(err)
			}
			// Batch-norm shifts are drawn away from zero too: with a zero
			// shift, a channel whose input died gives a ReLU exactly 0,
			// its kink, where a central difference sees half the slope.
			brng := rand.New(rand.NewPCG(3, 3))
			for _, p := range m.Params() {
				switch {
				case strings.HasSuffix(p.Name, "bn.weight"):
					p.Value.Fill(0.7)
				case strings.HasSuffix(p.Name, "bn.bias"):
					for i := range p.Value.Data {
						p.Value.Data[i] = 0.05 + 0.2*brng.Float32()
					}
				}
			}
			m.Train(false)
			x := randInput(cfg, 3, 5)
			labels := []int{0, 1, 3}
			loss := func() float64 {
				tp := autograd.NewTape()
				out := m.Forward(tp, tp.Const(x))
				return float64(tp.CrossEntropy(out.Logits, labels, -100).Value.Data[0])
			}
			params := m.Params()
			tp := autograd.NewTape()
			out := m.Forward(tp, tp.Const(x))
			l := tp.CrossEntropy(out.Logits, labels, -100)
			for _, p := range params {
				p.Grad = tensor.New(p.Value.Shape...)
			}
			tp.Backward(l)
			grads := make([][]float32, len(params))
			for i, p := range params {
				grads[i] = slices.Clone(p.Grad.Data)
			}
			rng := rand.New(rand.NewPCG(9, 9))
			const eps = 1e-3
			for dir := 0; dir < 3; dir++ {
				v := make([][]float32, len(params))
				var analytic, norm float64
				for i, p := range params {
					v[i] = make([]float32, p.Value.Size())
					for k := range v[i] {
						v[i][k] = float32(rng.NormFloat64())
						norm += float64(v[i][k]) * float64(v[i][k])
					}
				}
				for i := range v {
					for k := range v[i] {
						v[i][k] /= float32(math.Sqrt(norm))
						analytic += float64(v[i][k]) * float64(grads[i][k])
					}
				}
				shift := func(s float32) {
					for i, p := range params {
						for k := range v[i] {
							p.Value.Data[k] += s * v[i][k]
						}
					}
				}
				shift(eps)
				up := loss()
				shift(-2 * eps)
				down := loss()
				shift(eps)
				numeric := (up - down) / (2 * eps)
				if math.Abs(numeric-analytic) > 1e-3+1e-2*math.Abs(analytic) {
					t.Errorf("direction %d: analytic %.5f, finite differences %.5f", dir, analytic, numeric)
				}
			}
		})
	}
}

func TestModelFileRoundTrip(t *testing.T) {
	cfg := tinyConfig(1, SpaceTime)
	m, err := New(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	m.Train(false)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Cfg.Equal(cfg) {
		t.Fatalf("config %+v", back.Cfg)
	}
	x := randInput(cfg, 2, 1)
	a, _ := m.Predict(x.Data, 2)
	b, _ := back.Predict(x.Data, 2)
	if !slices.Equal(a, b) {
		t.Fatal("reloaded model predicts otherwise")
	}
}

// The counted FLOPs of the tiny C2D, by hand: per frame the stem at 8×8,
// res2 at 4×4 (two 2→2 convolutions), res3 at 2×2 (2→4, 4→4 and the
// shortcut, then 4→4 twice), res4 and res5 at 1×1 (4→4 convolutions, and a
// shortcut for the stride-2 first block of each), then the classifier.
func TestModelFLOPsByHand(t *testing.T) {
	cfg := tinyConfig(0, SpaceTime)
	perFrame := 64*2*9 + // stem at 8×8
		2*16*2*2*9 + // res2 at 4×4
		4*(4*2*9+4*4*9+4*2) + 4*(2*4*4*9) + // res3 at 2×2: first block with shortcut, second
		3*2*4*4*9 + 4*4 + // res4: three blocks, one shortcut
		2*4*4*9 + 4*4 // res5
	want := int64(3*perFrame + 4*4)
	if got := cfg.FLOPs(); got != want {
		t.Fatalf("FLOPs %d, want %d", got, want)
	}
	nl := tinyConfig(1, SpaceTime)
	bc := BlockConfig{Channels: 4, Pairwise: Embedded, Dims: 3}
	if got := nl.FLOPs() - cfg.FLOPs(); got != bc.FLOPs([]int{1, 4, 3, 1, 1}) {
		t.Fatalf("block adds %d FLOPs, want %d", got, bc.FLOPs([]int{1, 4, 3, 1, 1}))
	}
}

func TestNetConfigValidate(t *testing.T) {
	bad := map[string]func(*Config){
		"mode":     func(c *Config) { c.Mode = "4d" },
		"blocks":   func(c *Config) { c.Blocks = 2 },
		"stage":    func(c *Config) { c.Stage = 6 },
		"five":     func(c *Config) { c.Blocks, c.Depths = 5, []int{1, 1, 3, 1} },
		"extent":   func(c *Config) { c.Extent = "both" },
		"time sub": func(c *Config) { c.Extent, c.Subsample = Time, true },
		"pairwise": func(c *Config) { c.Pairwise = "cosine" },
		"inflate":  func(c *Config) { c.Mode, c.Frames, c.Inflate = "2d", 0, true },
		"widths":   func(c *Config) { c.Widths = c.Widths[:3] },
		"pool 1×1": func(c *Config) { c.Subsample = true },
	}
	for name, edit := range bad {
		c := tinyConfig(1, SpaceTime)
		edit(&c)
		if c.Validate() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := tinyConfig(0, "anything").Validate(); err != nil {
		t.Errorf("a baseline ignores the block settings: %v", err)
	}
	for _, task := range TaskNames() {
		c, err := DefaultConfig(task)
		if err != nil || c.Validate() != nil {
			t.Errorf("default config of %s: %v %v", task, err, c.Validate())
		}
	}
}

// InitFrom copies the trunk, leaves the classifier and the blocks alone,
// and inflates 2-D kernels for an I3D model: a clip of identical frames
// then gives the same trunk output as the image model on one frame.
func TestInitFrom(t *testing.T) {
	img := tinyConfig(0, "")
	img.Mode, img.Frames = "2d", 0
	src, err := New(img, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range src.Params() {
		p.Value.Data[0] += 0.5 // not New's draw
	}
	for name, cfg := range map[string]Config{"nl": tinyConfig(1, SpaceTime), "i3d": modelCases()["i3d"]} {
		m, err := New(cfg, 2)
		if err != nil {
			t.Fatal(err)
		}
		fc := slices.Clone(m.fc.Weight.Value.Data)
		n, err := m.InitFrom(src)
		if err != nil || n == 0 {
			t.Fatalf("%s: %d copied, %v", name, n, err)
		}
		if !slices.Equal(fc, m.fc.Weight.Value.Data) {
			t.Fatalf("%s: classifier overwritten", name)
		}
		if name == "i3d" {
			w2, w3 := src.stages[0][0].conv1.c2.Weight.Value, m.stages[0][0].conv1.c3.Weight.Value
			if math.Abs(float64(w3.Data[0]*3-w2.Data[0])) > 1e-6 || math.Abs(float64(w3.Data[9]*3-w2.Data[0])) > 1e-6 {
				t.Fatalf("inflation: %g, %g from %g", w3.Data[0], w3.Data[9], w2.Data[0])
			}
		}
	}
	other := tinyConfig(0, SpaceTime)
	other.Widths = []int{3, 2, 4, 4, 4}
	m, _ := New(other, 1)
	if _, err := m.InitFrom(src); err == nil {
		t.Fatal("different widths: no error")
	}
}
