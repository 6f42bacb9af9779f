package ram

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
)

// smallConfig is a fast model on a 28×28 canvas.
func smallConfig(core string) Config {
	c, _ := TaskConfig("mnist")
	c.Glimpses, c.GlimpseHidden, c.GlimpseOut, c.Hidden, c.Core = 3, 8, 12, 10, core
	return c
}

func randomImages(n, pix int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*pix)
	for i := range x {
		x[i] = float32(rng.Float64())
	}
	return x
}

// gradNorms runs one episode, backpropagates the chosen part of the loss
// and returns the sum of |grad| per parameter name.
func gradNorms(t *testing.T, m *Model, part string) map[string]float64 {
	t.Helper()
	const n = 6
	images := randomImages(n, m.Cfg.Canvas*m.Cfg.Canvas, 7)
	labels := []int{0, 1, 2, 3, 4, 5}
	autograd.ZeroGrad(m.Params())
	tp := autograd.NewTape()
	ep := m.Forward(tp, images, n, 1, Sample, rand.New(rand.NewPCG(1, 2)))
	var loss *autograd.Var
	switch part {
	case "ce":
		loss = tp.CrossEntropy(ep.Logits, labels, -1)
	case "all":
		loss, _ = m.Loss(tp, ep, labels)
	case "baseline":
		tgt := tp.Alloc(n, 1)
		for _, b := range ep.Baselines {
			l := tp.MSE(b, tp.Const(tgt))
			if loss == nil {
				loss = l
			} else {
				loss = tp.Add(loss, l)
			}
		}
	case "reinforce":
		adv := tp.Alloc(n, 1)
		adv.Fill(1)
		for _, lp := range ep.LogProbs {
			l := tp.Sum(tp.Mul(lp, tp.Const(adv)))
			if loss == nil {
				loss = l
			} else {
				loss = tp.Add(loss, l)
			}
		}
	}
	tp.Backward(loss)
	tp.Reset()
	out := map[string]float64{}
	for _, p := range m.Params() {
		var s float64
		for _, g := range p.Grad.Data {
			s += float64(max(g, -g))
		}
		out[p.Name] = s
	}
	return out
}

// The gradient-routing bugs public ports have shipped: the classifier's
// loss reaching the location mean, the baseline regression shaping the
// core, REINFORCE training the baseline.
func TestGradientRouting(t *testing.T) {
	for _, core := range []string{"rnn", "lstm"} {
		m, err := New(smallConfig(core), 3)
		if err != nil {
			t.Fatal(err)
		}
		ce := gradNorms(t, m, "ce")
		if ce["locator.fc.weight"] != 0 || ce["locator.fc.bias"] != 0 {
			t.Errorf("%s: cross-entropy reaches the location network: %v", core, ce["locator.fc.weight"])
		}
		if ce["baseline.fc.weight"] != 0 {
			t.Errorf("%s: cross-entropy reaches the baseline", core)
		}
		if ce["classifier.fc.weight"] == 0 || ce["glimpse.fc_g.weight"] == 0 {
			t.Errorf("%s: cross-entropy does not train classifier and glimpse network", core)
		}
		bl := gradNorms(t, m, "baseline")
		for name, g := range bl {
			if g != 0 && name != "baseline.fc.weight" && name != "baseline.fc.bias" {
				t.Errorf("%s: the baseline regression reaches %s", core, name)
			}
		}
		if bl["baseline.fc.weight"] == 0 {
			t.Errorf("%s: the baseline is not trained by its regression", core)
		}
		rf := gradNorms(t, m, "reinforce")
		if rf["baseline.fc.weight"] != 0 || rf["baseline.fc.bias"] != 0 {
			t.Errorf("%s: REINFORCE reaches the baseline", core)
		}
		if rf["locator.fc.weight"] == 0 {
			t.Errorf("%s: REINFORCE does not train the location network", core)
		}
		if rf["classifier.fc.weight"] != 0 {
			t.Errorf("%s: REINFORCE reaches the classifier", core)
		}
	}
	// With DetachPolicy, REINFORCE trains the location network only.
	cfg := smallConfig("rnn")
	cfg.DetachPolicy = true
	m, _ := New(cfg, 3)
	rf := gradNorms(t, m, "reinforce")
	for name, g := range rf {
		if g != 0 && name != "locator.fc.weight" && name != "locator.fc.bias" {
			t.Errorf("detached policy: REINFORCE reaches %s", name)
		}
	}
}

// TestLocatorHidden checks the routing with a hidden locator layer: the
// classifier's loss reaches neither locator layer, a detached REINFORCE
// trains both and nothing else, and the model survives a save and load.
func TestLocatorHidden(t *testing.T) {
	cfg := smallConfig("rnn")
	cfg.LocatorHidden, cfg.DetachPolicy = 16, true
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	ce := gradNorms(t, m, "ce")
	for _, name := range []string{"locator.fc.weight", "locator.fc_hidden.weight", "locator.fc_hidden.bias"} {
		if ce[name] != 0 {
			t.Errorf("cross-entropy reaches %s", name)
		}
	}
	locator := map[string]bool{"locator.fc.weight": true, "locator.fc.bias": true, "locator.fc_hidden.weight": true, "locator.fc_hidden.bias": true}
	rf := gradNorms(t, m, "reinforce")
	for name, g := range rf {
		if g != 0 && !locator[name] {
			t.Errorf("detached policy: REINFORCE reaches %s", name)
		}
		if g == 0 && locator[name] {
			t.Errorf("REINFORCE does not train %s", name)
		}
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	f, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	if err := ckpt.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil || back.Cfg != cfg {
		t.Fatalf("load: %v, config %+v", err, back.Cfg)
	}
}

func TestLearnedFirstLocationIsTrained(t *testing.T) {
	cfg := smallConfig("rnn")
	cfg.LearnedFirst = true
	m, _ := New(cfg, 4)
	rf := gradNorms(t, m, "reinforce")
	if rf["first_loc"] == 0 {
		t.Fatal("the learned first location gets no gradient")
	}
}

// The REINFORCE gradient on the location mean must follow
// d/dμ [−log N(s; μ, σ²)] = −(s − μ)/σ², times tanh'(z) = 1 − μ² at the
// locator's output: a sign error here trains the policy backwards.
func TestReinforceGradient(t *testing.T) {
	cfg := smallConfig("rnn")
	cfg.Glimpses = 2
	m, _ := New(cfg, 5)
	const n = 1
	images := randomImages(n, 28*28, 9)
	// A greedy pass with the same seed sees the same first location and
	// yields μ itself as the second location (unclamped: |μ| < 1 here).
	greedy := m.Forward(autograd.NewInference(), images, n, 1, Greedy, rand.New(rand.NewPCG(3, 4)))
	mu := greedy.Locs[1]
	// The sampled pass draws the first location, then ε for each axis.
	rng := rand.New(rand.NewPCG(3, 4))
	rng.Float64()
	rng.Float64()
	eps := []float64{rng.NormFloat64(), rng.NormFloat64()}

	tp := autograd.NewTape()
	autograd.ZeroGrad(m.Params())
	ep := m.Forward(tp, images, n, 1, Sample, rand.New(rand.NewPCG(3, 4)))
	loss := tp.Scale(tp.Sum(ep.LogProbs[0]), -1)
	tp.Backward(loss)
	sigma := float64(cfg.Std)
	for k := 0; k < 2; k++ {
		s := float64(mu[k]) + sigma*eps[k]
		want := -(s - float64(mu[k])) / (sigma * sigma) * (1 - float64(mu[k])*float64(mu[k]))
		got := float64(m.locator.B.Grad.Data[k])
		if d := got - want; d > 1e-3*(1+max(want, -want)) || d < -1e-3*(1+max(want, -want)) {
			t.Errorf("axis %d: d(-log π)/db = %g, want %g", k, got, want)
		}
	}
	tp.Reset()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, core := range []string{"rnn", "lstm"} {
		m, _ := New(smallConfig(core), 11)
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if m2.Cfg != m.Cfg {
			t.Fatalf("config %+v != %+v", m2.Cfg, m.Cfg)
		}
		images := randomImages(4, 28*28, 2)
		p1 := m.Predict(autograd.NewInference(), images, 4, 1, 0, rand.New(rand.NewPCG(1, 1)))
		p2 := m2.Predict(autograd.NewInference(), images, 4, 1, 0, rand.New(rand.NewPCG(1, 1)))
		for i := range p1 {
			if p1[i] != p2[i] {
				t.Fatalf("%s: predictions differ after reload", core)
			}
		}
	}
}

// Evaluate must score the same fixed placements whatever the thread count
// and however often it runs: the probabilities it computes are those of
// each sample rendered on its own.
func TestEvaluateIsDeterministic(t *testing.T) {
	d, err := data.LoadMNIST("test")
	if err != nil {
		t.Skip(err)
	}
	task, _ := data.TaskByName("cluttered60")
	gen, _ := data.NewGenerator(task, d.Slice(0, 300, "test"), 7)
	cfg, _ := TaskConfig("cluttered60")
	cfg.Glimpses, cfg.GlimpseHidden, cfg.GlimpseOut, cfg.Hidden = 2, 8, 8, 8
	m, _ := New(cfg, 1)
	opt := EvalOptions{Batch: 50, Threads: 1, KeepProbs: true}
	want := m.Evaluate(gen, opt)
	tp := autograd.NewInference()
	for b := 0; b < 6; b++ {
		imgs := make([]float32, 0, 50*task.Pixels())
		for i := b * 50; i < (b+1)*50; i++ {
			img, _, _, _ := gen.Sample(i)
			imgs = append(imgs, img...)
		}
		probs := m.Predict(tp, imgs, 50, 1, 0, rand.New(rand.NewPCG(0, uint64(b))))
		for i, p := range probs {
			if p != want.Probs[b*500+i] {
				t.Fatalf("batch %d: Evaluate's probabilities differ from those of the samples rendered one by one", b)
			}
		}
	}
	for _, threads := range []int{1, 3} {
		opt.Threads = threads
		got := m.Evaluate(gen, opt)
		if got.Errors != want.Errors {
			t.Fatalf("threads %d: %d errors, first run %d", threads, got.Errors, want.Errors)
		}
		for i := range got.Probs {
			if got.Probs[i] != want.Probs[i] {
				t.Fatalf("threads %d: probabilities differ from the first run", threads)
			}
		}
	}
}

// TestInitFrom checks what --init carries over: everything for the same
// architecture, everything but the new location layers for a deeper
// location network, only the glimpse network (and first location) for
// another core, and nothing for another sensor.
func TestInitFrom(t *testing.T) {
	dir := t.TempDir()
	srcCfg := smallConfig("rnn")
	srcCfg.LearnedFirst = true
	src, _ := New(srcCfg, 1)
	path := filepath.Join(dir, "src.safetensors")
	if err := src.Save(path); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*autograd.Var{}
	for _, p := range src.Params() {
		byName[p.Name] = p
	}
	same := func(p *autograd.Var) bool {
		q, ok := byName[p.Name]
		if !ok || len(q.Value.Data) != len(p.Value.Data) {
			return false
		}
		for i, v := range q.Value.Data {
			if p.Value.Data[i] != v {
				return false
			}
		}
		return true
	}
	cases := []struct {
		name   string
		edit   func(*Config)
		copied func(name string) bool
	}{
		{"same", func(*Config) {}, func(string) bool { return true }},
		{"locator-hidden", func(c *Config) { c.LocatorHidden = 6 },
			func(n string) bool {
				return n != "locator.fc.weight" && n != "locator.fc_hidden.weight" && n != "locator.fc_hidden.bias"
			}},
		{"lstm", func(c *Config) { c.Core = "lstm" },
			func(n string) bool { return n == "first_loc" || strings.HasPrefix(n, "glimpse.") }},
	}
	for _, tc := range cases {
		cfg := srcCfg
		tc.edit(&cfg)
		m, _ := New(cfg, 2) // another seed: a copied tensor can only match by copying
		if err := initFrom(m, path); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, p := range m.Params() {
			// locator.fc.bias keeps its shape [2] across a deeper location
			// network and is copied; its weight's shape changes.
			if got, want := same(p), tc.copied(p.Name); got != want {
				t.Errorf("%s: %s copied %v, want %v", tc.name, p.Name, got, want)
			}
		}
	}
	bad := srcCfg
	bad.Patch++
	m, _ := New(bad, 2)
	if err := initFrom(m, path); err == nil {
		t.Error("init from a model with another patch size succeeded")
	}
}
