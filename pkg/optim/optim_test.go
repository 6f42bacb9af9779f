package optim

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/tensor"
)

// scalarParam returns a one-element parameter.
func scalarParam(name string, v float32) *autograd.Var {
	return autograd.NewParam(name, tensor.FromData([]float32{v}, 1))
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// TestSGDHandComputed checks three steps of p=1, constant gradient 1, lr
// 0.1, momentum 0.9 against values worked out by hand from torch's rule.
func TestSGDHandComputed(t *testing.T) {
	cases := []struct {
		name string
		cfg  SGDConfig
		want []float64
	}{
		{"plain", SGDConfig{LR: 0.1}, []float64{0.9, 0.8, 0.7}},
		{"momentum", SGDConfig{LR: 0.1, Momentum: 0.9}, []float64{0.9, 0.71, 0.439}},
		{"nesterov", SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}, []float64{0.81, 0.539, 0.1951}},
		{"dampening", SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.5}, []float64{0.9, 0.76, 0.584}},
		// wd=0.5: g = 1 + 0.5p. p1 = 1 - 0.1·1.5 = 0.85, p2 = 0.85 - 0.1·1.425.
		{"weight decay", SGDConfig{LR: 0.1, WeightDecay: 0.5}, []float64{0.85, 0.7075, 0.572125}},
		{"maximize", SGDConfig{LR: 0.1, Maximize: true}, []float64{1.1, 1.2, 1.3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := scalarParam("p", 1)
			o, err := NewSGD([]*autograd.Var{p}, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				p.Grad.Data[0] = 1
				o.Step()
				if !near(float64(p.Value.Data[0]), w, 1e-6) {
					t.Fatalf("step %d: p = %.8f, want %.8f", i+1, p.Value.Data[0], w)
				}
			}
		})
	}
}

// adamRef is torch's Adam/AdamW formula in float64, the reference the
// float32 implementation must follow to float32 precision.
func adamRef(p, grads []float64, c AdamConfig, decoupled bool) []float64 {
	var m, v, vmax float64
	out := make([]float64, len(grads))
	for i, g := range grads {
		t := float64(i + 1)
		if c.WeightDecay != 0 {
			if decoupled {
				p[0] *= 1 - c.LR*c.WeightDecay
			} else {
				g += c.WeightDecay * p[0]
			}
		}
		m = c.Beta1*m + (1-c.Beta1)*g
		v = c.Beta2*v + (1-c.Beta2)*g*g
		vmax = math.Max(vmax, v)
		vv := v
		if c.AMSGrad {
			vv = vmax
		}
		mhat := m / (1 - math.Pow(c.Beta1, t))
		denom := math.Sqrt(vv)/math.Sqrt(1-math.Pow(c.Beta2, t)) + c.Eps
		p[0] -= c.LR * mhat / denom
		out[i] = p[0]
	}
	return out
}

func TestAdamAgainstFormula(t *testing.T) {
	grads := []float64{0.5, -0.25, 1.5, 0.01, -2, 0.3}
	cases := []struct {
		name      string
		cfg       AdamConfig
		decoupled bool
	}{
		{"adam", DefaultAdam(), false},
		{"adam l2", AdamConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1}, false},
		{"adam amsgrad", AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true}, false},
		{"adamw", DefaultAdamW(), true},
		{"adamw strong", AdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := scalarParam("p", 0.7)
			newOpt := NewAdam
			if c.decoupled {
				newOpt = NewAdamW
			}
			o, err := newOpt([]*autograd.Var{p}, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := adamRef([]float64{0.7}, grads, c.cfg, c.decoupled)
			for i, g := range grads {
				p.Grad.Data[0] = float32(g)
				o.Step()
				if !near(float64(p.Value.Data[0]), want[i], 2e-6) {
					t.Fatalf("step %d: p = %.9f, want %.9f", i+1, p.Value.Data[0], want[i])
				}
			}
		})
	}
	// By hand: Adam's first step moves each weight by lr·g/(|g|+eps), and
	// AdamW's also shrinks it by the factor 1-lr·wd first.
	p := scalarParam("p", 1)
	o, _ := NewAdamW([]*autograd.Var{p}, AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5})
	p.Grad.Data[0] = -3
	o.Step()
	if want := 1*(1-0.1*0.5) + 0.1*3/(3+1e-8); !near(float64(p.Value.Data[0]), want, 1e-7) {
		t.Fatalf("AdamW first step: %.9f, want %.9f", p.Value.Data[0], want)
	}
}

func TestConfigErrors(t *testing.T) {
	p := []*autograd.Var{scalarParam("p", 1)}
	if _, err := NewSGD(p, SGDConfig{LR: 0.1, Nesterov: true}); err == nil {
		t.Error("Nesterov without momentum accepted")
	}
	if _, err := NewAdam(p, AdamConfig{LR: 0.1, Beta1: 1}); err == nil {
		t.Error("beta1 = 1 accepted")
	}
	if _, err := NewAdam([]*autograd.Var{scalarParam("a", 1), scalarParam("a", 2)}, DefaultAdam()); err == nil {
		t.Error("duplicate parameter names accepted")
	}
	if _, err := NewAdam([]*autograd.Var{scalarParam("", 1)}, DefaultAdam()); err == nil {
		t.Error("unnamed parameter accepted")
	}
}

func TestClipGradNorm(t *testing.T) {
	a := autograd.NewParam("a", tensor.New(2))
	b := autograd.NewParam("b", tensor.New(1))
	set := func() { a.Grad.Data[0], a.Grad.Data[1], b.Grad.Data[0] = 3, 0, 4 }
	set()
	if n := ClipGradNorm([]*autograd.Var{a, b}, 10); n != 5 || a.Grad.Data[0] != 3 || b.Grad.Data[0] != 4 {
		t.Fatalf("no-op clip: norm %g, grads %v %v", n, a.Grad, b.Grad)
	}
	set()
	n := ClipGradNorm([]*autograd.Var{a, b}, 1)
	coef := float32(1) / (float32(5) + 1e-6)
	if n != 5 || a.Grad.Data[0] != 3*coef || b.Grad.Data[0] != 4*coef {
		t.Fatalf("clip: norm %g, grads %v %v", n, a.Grad, b.Grad)
	}
	if after := GradNorm([]*autograd.Var{a, b}); !near(after, 1, 1e-6) {
		t.Fatalf("norm after clipping %g", after)
	}
}

// quadGrads sets each gradient to d/dp Σ (p - target)² · scale, a loss
// whose gradients change every step like a real one.
func quadGrads(params []*autograd.Var, step int) {
	for k, p := range params {
		for j, v := range p.Value.Data {
			target := float32(math.Sin(float64(k*31 + j*7 + step)))
			p.Grad.Data[j] = 2 * (v - target)
		}
	}
}

func newParams(seed uint64) []*autograd.Var {
	rng := rand.New(rand.NewPCG(seed, 1))
	var ps []*autograd.Var
	for i, shape := range [][]int{{3, 4}, {4}, {2, 2, 3}} {
		t := tensor.New(shape...)
		for j := range t.Data {
			t.Data[j] = float32(rng.NormFloat64())
		}
		ps = append(ps, autograd.NewParam([]string{"fc.weight", "fc.bias", "conv.weight"}[i], t))
	}
	return ps
}

// TestResumeBitExact trains N steps, checkpoints model, optimizer and
// schedule through a real file, restores them into fresh objects, trains
// M more steps and requires the exact bits of an uninterrupted N+M run.
func TestResumeBitExact(t *testing.T) {
	type maker func(ps []*autograd.Var) (Optimizer, Scheduler)
	mk := func(o Optimizer, err error) Optimizer {
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	cases := map[string]maker{
		"sgd nesterov": func(ps []*autograd.Var) (Optimizer, Scheduler) {
			o := mk(NewSGD(ps, SGDConfig{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-3}))
			s, _ := NewStepLR(o, 3, 0.5)
			return o, s
		},
		"adam amsgrad": func(ps []*autograd.Var) (Optimizer, Scheduler) {
			o := mk(NewAdam(ps, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, AMSGrad: true}))
			c, _ := NewCosineAnnealing(o, 10, 1e-4)
			s, _ := NewLinearWarmup(o, c, 4, 0.1)
			return o, s
		},
		"adamw": func(ps []*autograd.Var) (Optimizer, Scheduler) {
			o := mk(NewAdamW(ps, DefaultAdamW()))
			s, _ := NewCosineWarmRestarts(o, 3, 2, 0)
			return o, s
		},
	}
	const n, m = 7, 6
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			ref := newParams(5)
			ro, rs := make(ref)
			for step := 0; step < n+m; step++ {
				quadGrads(ref, step)
				ro.Step()
				rs.Step()
			}

			ps := newParams(5)
			o, s := make(ps)
			for step := 0; step < n; step++ {
				quadGrads(ps, step)
				o.Step()
				s.Step()
			}
			f := ckpt.NewFile()
			for _, p := range ps {
				f.Tensors[p.Name] = ckpt.FromTensor(p.Value)
			}
			if err := o.SaveState(f); err != nil {
				t.Fatal(err)
			}
			if err := ckpt.PutJSON(f.Metadata, "schedule", s); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "run.safetensors")
			if err := ckpt.WriteFile(path, f); err != nil {
				t.Fatal(err)
			}

			g, err := ckpt.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			ps2 := newParams(99) // different init: everything must come from the file
			if err := g.LoadVars(ps2); err != nil {
				t.Fatal(err)
			}
			o2, s2 := make(ps2)
			if err := o2.LoadState(g); err != nil {
				t.Fatal(err)
			}
			if err := ckpt.GetJSON(g.Metadata, "schedule", s2); err != nil {
				t.Fatal(err)
			}
			if o2.LR() != o.LR() || s2.LR() != s.LR() {
				t.Fatalf("restored lr %g/%g, want %g/%g", o2.LR(), s2.LR(), o.LR(), s.LR())
			}
			for step := n; step < n+m; step++ {
				quadGrads(ps2, step)
				o2.Step()
				s2.Step()
			}
			for k := range ps2 {
				for j, v := range ps2[k].Value.Data {
					if math.Float32bits(v) != math.Float32bits(ref[k].Value.Data[j]) {
						t.Fatalf("%s[%d] = %g after resume, uninterrupted %g", ps2[k].Name, j, v, ref[k].Value.Data[j])
					}
				}
			}
		})
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := newParams(1)
	a, _ := NewAdam(ps, DefaultAdam())
	quadGrads(ps, 0)
	a.Step()
	f := ckpt.NewFile()
	f.Name = "x.safetensors"
	if err := a.SaveState(f); err != nil {
		t.Fatal(err)
	}
	w, _ := NewAdamW(ps, DefaultAdamW())
	if err := w.LoadState(f); err == nil || !strings.Contains(err.Error(), `"adam", not "adamw"`) {
		t.Fatalf("wrong kind: %v", err)
	}
	delete(f.Tensors, "optim.exp_avg.fc.bias")
	b, _ := NewAdam(ps, DefaultAdam())
	if err := b.LoadState(f); err == nil || !strings.Contains(err.Error(), `load x.safetensors: tensor "optim.exp_avg.fc.bias"`) {
		t.Fatalf("missing moment: %v", err)
	}
	if b.Steps(0) != 0 {
		t.Fatal("failed LoadState changed the optimizer")
	}
}

func TestStepLR(t *testing.T) {
	o, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 1})
	s, _ := NewStepLR(o, 2, 0.1)
	// Chainable form: the rate is multiplied at run time, so after two
	// decays it is 0.1·0.1 rounded (0.010000000000000002), as in torch.
	g := 0.1
	want := []float64{1, g, g, g * g, g * g, g * g * g}
	for i, w := range want {
		s.Step()
		if o.LR() != w {
			t.Fatalf("epoch %d: lr %g, want %g", i+1, o.LR(), w)
		}
	}
}

func TestCosine(t *testing.T) {
	o, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 0.1})
	s, _ := NewCosineAnnealing(o, 10, 0.001)
	for e := 1; e <= 10; e++ {
		s.Step()
		want := 0.001 + (0.1-0.001)*(1+math.Cos(math.Pi*float64(e)/10))/2
		if !near(o.LR(), want, 1e-12) {
			t.Fatalf("epoch %d: lr %g, want %g", e, o.LR(), want)
		}
	}
	// Past T_max torch's recursive form climbs back along the cosine.
	for e := 11; e <= 20; e++ {
		s.Step()
		want := 0.001 + (0.1-0.001)*(1+math.Cos(math.Pi*float64(e)/10))/2
		if !near(o.LR(), want, 1e-9) {
			t.Fatalf("epoch %d: lr %g, want %g", e, o.LR(), want)
		}
	}

	o2, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 1})
	r, _ := NewCosineWarmRestarts(o2, 2, 2, 0)
	// Periods of 2 then 4 steps: T_cur runs 1,0 | 1,2,3,0 | 1...
	tcur := []int{1, 0, 1, 2, 3, 0, 1}
	ti := []int{2, 4, 4, 4, 4, 8, 8}
	for i := range tcur {
		r.Step()
		want := (1 + math.Cos(math.Pi*float64(tcur[i])/float64(ti[i]))) / 2
		if !near(o2.LR(), want, 1e-12) {
			t.Fatalf("step %d: lr %g, want %g", i+1, o2.LR(), want)
		}
	}
}

func TestLinearWarmup(t *testing.T) {
	o, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 1})
	inner, _ := NewStepLR(o, 2, 0.5)
	w, _ := NewLinearWarmup(o, inner, 4, 0.25)
	want := []float64{0.25, 0.4375, 0.625, 0.8125, 1, 1, 0.5, 0.5, 0.25}
	for i, x := range want {
		if i > 0 {
			w.Step()
		}
		if !near(o.LR(), x, 1e-15) {
			t.Fatalf("step %d: lr %g, want %g", i, o.LR(), x)
		}
	}
	o2, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 2})
	w2, _ := NewLinearWarmup(o2, nil, 2, 0.5)
	for i, x := range []float64{1, 1.5, 2, 2} {
		if i > 0 {
			w2.Step()
		}
		if o2.LR() != x {
			t.Fatalf("constant warm-up step %d: lr %g, want %g", i, o2.LR(), x)
		}
	}
}

func TestReduceLROnPlateau(t *testing.T) {
	o, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 1})
	cfg := DefaultPlateau()
	cfg.Patience, cfg.Cooldown, cfg.Factor, cfg.MinLR = 1, 1, 0.5, 0.2
	s, _ := NewReduceLROnPlateau(o, cfg)
	// Hand trace (patience 1, cooldown 1). A loss of 0.99995 is within the
	// relative threshold of 1, so it is not an improvement.
	steps := []struct {
		loss float64
		lr   float64
	}{
		{1, 1},       // best 1
		{0.99995, 1}, // bad 1
		{1.2, 0.5},   // bad 2 > patience: reduce, cooldown 1
		{1.3, 0.5},   // in cooldown: counter 0, bad reset
		{1.3, 0.5},   // bad 1
		{1.3, 0.25},  // bad 2: reduce
		{0.5, 0.25},  // improvement during cooldown
		{0.6, 0.25},  // bad 1
		{0.6, 0.2},   // reduce, floored at min_lr
		{0.6, 0.2},   // cooldown
		{0.6, 0.2},   // bad 1
		{0.6, 0.2},   // would reduce, but already at min_lr
	}
	for i, st := range steps {
		s.Step(st.loss)
		if o.LR() != st.lr {
			t.Fatalf("epoch %d (loss %g): lr %g, want %g", i+1, st.loss, o.LR(), st.lr)
		}
	}
	// Max mode with an absolute threshold.
	o2, _ := NewSGD([]*autograd.Var{scalarParam("p", 0)}, SGDConfig{LR: 1})
	cfg = DefaultPlateau()
	cfg.Mode, cfg.ThresholdMode, cfg.Threshold, cfg.Patience = "max", "abs", 0.1, 0
	s2, _ := NewReduceLROnPlateau(o2, cfg)
	for i, st := range []struct{ acc, lr float64 }{{0.5, 1}, {0.55, 0.1}, {0.7, 0.1}, {0.75, 0.01}} {
		s2.Step(st.acc)
		if !near(o2.LR(), st.lr, 1e-15) {
			t.Fatalf("max epoch %d: lr %g, want %g", i+1, o2.LR(), st.lr)
		}
	}
	// State survives JSON, including the infinite initial best.
	fresh, _ := NewReduceLROnPlateau(o, DefaultPlateau())
	meta := map[string]string{}
	if err := ckpt.PutJSON(meta, "p", fresh); err != nil {
		t.Fatal(err)
	}
	if err := ckpt.PutJSON(meta, "s", s); err != nil {
		t.Fatal(err)
	}
	var back ReduceLROnPlateau
	if err := ckpt.GetJSON(meta, "p", &back); err != nil || !math.IsInf(back.Best, 1) {
		t.Fatalf("fresh plateau state: %+v %v", back, err)
	}
	if err := ckpt.GetJSON(meta, "s", &back); err != nil || back.Best != s.Best || back.CooldownCounter != s.CooldownCounter || back.PlateauConfig != s.PlateauConfig {
		t.Fatalf("plateau state: %+v %v", back, err)
	}
}

// TestCosineRetarget checks that a cosine retargeted mid-way continues
// from its current rate and lands on EtaMin at the new end, whether the
// run grows or shrinks, and that a finished one starts a second cycle.
func TestCosineRetarget(t *testing.T) {
	for _, tc := range []struct{ from, at, to int }{{20, 2, 8}, {10, 4, 30}, {5, 1, 2}} {
		p := []*autograd.Var{autograd.NewParam("w", tensor.New(1))}
		o, _ := NewSGD(p, SGDConfig{LR: 0.1})
		s, err := NewCosineAnnealing(o, tc.from, 0.001)
		if err != nil {
			t.Fatal(err)
		}
		for range tc.at {
			s.Step()
		}
		before := s.LR()
		if ok, err := Retarget(s, tc.to); !ok || err != nil {
			t.Fatalf("%+v: Retarget = %v, %v", tc, ok, err)
		}
		if s.LR() != before {
			t.Fatalf("%+v: rate jumped from %g to %g", tc, before, s.LR())
		}
		prev := before
		for e := tc.at + 1; e <= tc.to; e++ {
			s.Step()
			if s.LR() > prev {
				t.Fatalf("%+v: rate rose at step %d: %g > %g", tc, e, s.LR(), prev)
			}
			prev = s.LR()
		}
		if math.Abs(s.LR()-0.001) > 1e-12 {
			t.Fatalf("%+v: rate at the new end %g, want EtaMin 0.001", tc, s.LR())
		}
		// A finished cosine restarts from the base rate and anneals again
		// by the new end.
		if err := s.Retarget(tc.to + 5); err != nil || s.LR() != 0.1 {
			t.Fatalf("%+v: restart: %v, rate %g", tc, err, s.LR())
		}
		for range 5 {
			s.Step()
		}
		if math.Abs(s.LR()-0.001) > 1e-12 {
			t.Fatalf("%+v: rate at the end of the second cycle %g, want EtaMin", tc, s.LR())
		}
		if err := s.Retarget(s.LastEpoch); err == nil {
			t.Fatalf("%+v: retargeted to a step already taken", tc)
		}
	}
}
