package imgtx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// tinyConfigs are small models of every kind the package builds.
func tinyConfigs() map[string]Config {
	tx := func(h, w, c int) Config {
		cfg := DefaultConfig("transformer", h, w, c)
		cfg.Layers, cfg.Embed, cfg.Heads, cfg.FF, cfg.Dropout = 2, 8, 2, 12, 0
		cfg.BlockLen, cfg.MemLen = 3, 4
		cfg.QueryH, cfg.QueryW, cfg.MemH, cfg.MemW = 2, 2*c, 1, c
		cfg.EncLayers = 1
		return cfg
	}
	cfgs := map[string]Config{}
	cfgs["1d"] = tx(4, 5, 1)
	c := tx(4, 4, 1)
	c.Attention = "local2d"
	cfgs["2d"] = c
	cfgs["1d-rgb"] = tx(3, 3, 3)
	c = tx(4, 2, 3)
	c.Attention = "local2d"
	cfgs["2d-rgb"] = c
	c = tx(4, 4, 1)
	c.Cond, c.Classes = "class", 3
	cfgs["class"] = c
	c = tx(4, 4, 1)
	c.Cond, c.LowRes, c.PreNorm, c.Positions = "lowres", 2, false, "learned"
	cfgs["lowres"] = c
	c = tx(4, 4, 1)
	c.Cond, c.LowRes, c.Attention = "lowres", 2, "local2d"
	cfgs["lowres-2d"] = c
	p := DefaultConfig("pixelcnn", 5, 4, 1)
	p.Layers, p.Filters, p.Kernel = 3, 4, 3
	cfgs["pixelcnn"] = p
	p.Cond, p.Classes, p.Kernel = "class", 2, 5
	cfgs["pixelcnn-class"] = p
	return cfgs
}

// randomBatch returns n random images with conditioning for cfg.
func randomBatch(cfg Config, n int, seed uint64) Batch {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := Batch{N: n, Pixels: make([]uint8, n*cfg.Len()), Labels: make([]int, n), Low: make([]uint8, n*cfg.LowLen())}
	for i := range b.Pixels {
		b.Pixels[i] = uint8(rng.IntN(256))
	}
	for i := range b.Low {
		b.Low[i] = uint8(rng.IntN(256))
	}
	for i := range b.Labels {
		b.Labels[i] = rng.IntN(max(cfg.Classes, 1))
	}
	return b
}

// The loss's gradient with respect to every parameter tensor (a few
// elements of each) matches central finite differences. The step is small
// because of the ReLU kinks: a larger one straddles a kink too often.
func TestLossFiniteDifferences(t *testing.T) {
	for name, cfg := range tinyConfigs() {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			b := randomBatch(cfg, 2, 2)
			lossAt := func() float64 {
				tp := autograd.NewInference()
				l, err := m.Loss(tp, b, false, nil)
				if err != nil {
					t.Fatal(err)
				}
				return float64(l.Value.Data[0])
			}
			tp := autograd.NewTape()
			autograd.ZeroGrad(m.Params())
			l, err := m.Loss(tp, b, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			tp.Backward(l)
			rng := rand.New(rand.NewPCG(3, 4))
			const eps = 1e-3
			for _, p := range m.Params() {
				for range 3 {
					i := rng.IntN(p.Value.Size())
					old := p.Value.Data[i]
					p.Value.Data[i] = old + eps
					up := lossAt()
					p.Value.Data[i] = old - eps
					down := lossAt()
					p.Value.Data[i] = old
					num, ana := (up-down)/(2*eps), float64(p.Grad.Data[i])
					if math.Abs(num-ana) > 2e-3+5e-2*math.Abs(num) {
						t.Errorf("%s[%d]: analytic %g, numeric %g", p.Name, i, ana, num)
					}
				}
			}
		})
	}
}

// Changing the k-th generated sub-pixel changes no logit of positions ≤ k
// (their predictions may only use earlier sub-pixels), and does change
// the next one's.
func TestCausality(t *testing.T) {
	for name, cfg := range tinyConfigs() {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 5)
			if err != nil {
				t.Fatal(err)
			}
			b := randomBatch(cfg, 1, 6)
			base := logitsOf(t, m, b)
			n := cfg.Len()
			for _, k := range []int{0, 1, n / 3, n / 2, n - 2, n - 1} {
				c := b
				c.Pixels = append([]uint8(nil), b.Pixels...)
				gi := m.Order()[k]
				c.Pixels[gi] ^= 0x5a
				got := logitsOf(t, m, c)
				for s := 0; s <= k; s++ {
					for j := 0; j < Levels; j++ {
						if got[s*Levels+j] != base[s*Levels+j] {
							t.Fatalf("changing position %d changed the logits of position %d", k, s)
						}
					}
				}
				if k+1 < n && equalRows(got[(k+1)*Levels:(k+2)*Levels], base[(k+1)*Levels:(k+2)*Levels]) {
					t.Errorf("changing position %d left position %d's logits unchanged", k, k+1)
				}
			}
		})
	}
}

func equalRows(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func logitsOf(t *testing.T, m *Model, b Batch) []float32 {
	tp := autograd.NewInference()
	l, err := m.Logits(tp, b, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), l.Value.Data...)
}

// The decoder's one-position steps give the logits of the whole-sequence
// pass.
func TestDecoderStepsMatchForward(t *testing.T) {
	for name, cfg := range tinyConfigs() {
		if cfg.Arch != "transformer" {
			continue
		}
		m, err := New(cfg, 7)
		if err != nil {
			t.Fatal(err)
		}
		b := randomBatch(cfg, 2, 8)
		want := logitsOf(t, m, b)
		n := cfg.Len()
		seq := m.toSequence(nil, b.Pixels, b.N)
		tp := autograd.NewInference()
		dec := m.tx.newDecoder(tp, cfg, m.g, b.Labels, b.Low, b.N)
		for s := 0; s < n; s++ {
			tp.Reset()
			got := dec.step(tp, seq, s).Value.Data
			for i := 0; i < b.N; i++ {
				for j := 0; j < Levels; j++ {
					g, w := got[i*Levels+j], want[(i*n+s)*Levels+j]
					if math.Abs(float64(g-w)) > 1e-4 {
						t.Fatalf("%s image %d position %d: step %g, forward %g", name, i, s, g, w)
					}
				}
			}
		}
	}
}

// Cached and naive sampling draw the same images for one seed, and
// completion keeps the given rows.
func TestCachedSamplingMatchesNaive(t *testing.T) {
	for name, cfg := range tinyConfigs() {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 9)
			if err != nil {
				t.Fatal(err)
			}
			ref := randomBatch(cfg, 3, 10)
			opt := SampleOptions{Count: 3, Labels: ref.Labels, Low: ref.Low, Seed: 11, Batch: 2, Temperature: 0.9}
			if cfg.Cond != "lowres" {
				opt.Low = nil
			}
			if cfg.Cond != "class" {
				opt.Labels = nil
			}
			opt.Known, opt.KnownMask = ref.Pixels, cfg.KnownRows(1)
			cached, err := m.Sample(opt)
			if err != nil {
				t.Fatal(err)
			}
			opt.Naive = true
			naive, err := m.Sample(opt)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(cached) != fmt.Sprint(naive) {
				t.Fatalf("cached %v\nnaive  %v", cached, naive)
			}
			for i, keep := range opt.KnownMask {
				for im := 0; im < 3; im++ {
					if keep && cached[im*cfg.Len()+i] != ref.Pixels[im*cfg.Len()+i] {
						t.Fatalf("completion changed a given sub-pixel")
					}
				}
			}
		})
	}
}

func TestSampleRejects(t *testing.T) {
	cfgs := tinyConfigs()
	m, _ := New(cfgs["class"], 1)
	for name, opt := range map[string]SampleOptions{
		"count":       {Count: 0},
		"temperature": {Count: 1, Temperature: -1, Labels: []int{0}},
		"labels":      {Count: 2, Labels: []int{0, 1, 2}},
		"class range": {Count: 1, Labels: []int{3}},
	} {
		if _, err := m.Sample(opt); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The local 2D order visits every grid index once, and its memory holds
// exactly the flanged rectangle.
func TestLocal2DGeometry(t *testing.T) {
	cfg := tinyConfigs()["2d"] // 4×4, blocks 2×2, flanges 1 row and 1 column
	g := newGeometry(cfg)
	want := []int{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}
	if fmt.Sprint(g.order) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", g.order, want)
	}
	// Query 14 (grid 14: row 3, column 2, the last block's third position)
	// sees the block's earlier positions, the left flange column 1 of its
	// rows, and the row above (row 1) from column 1 to 3, but not the
	// block at the right nor later positions.
	var grid []int
	for _, k := range g.keys[14] {
		grid = append(grid, g.order[k])
	}
	wantKeys := map[int]bool{5: true, 6: true, 7: true, 9: true, 10: true, 11: true, 13: true, 14: true}
	if len(grid) != len(wantKeys) {
		t.Fatalf("query grid 14 sees %v", grid)
	}
	for _, k := range grid {
		if !wantKeys[k] {
			t.Fatalf("query grid 14 sees %v", grid)
		}
	}
}
