package ram

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/tensor"
)

// dense is one fully connected layer's parameters, named as the PyTorch
// twin's nn.Linear (prefix.weight [out, in], prefix.bias [out]).
type dense struct{ W, B *autograd.Var }

func newDense(name string, in, out int, rng *rand.Rand) dense {
	// torch.nn.Linear's default: U(-1/√in, 1/√in) for weight and bias.
	bound := 1 / math.Sqrt(float64(in))
	return dense{
		W: autograd.NewParam(name+".weight", uniform(rng, bound, out, in)),
		B: autograd.NewParam(name+".bias", uniform(rng, bound, out)),
	}
}

// uniform returns a tensor of shape drawn from U(-bound, bound), or zero
// when rng is nil (see build).
func uniform(rng *rand.Rand, bound float64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	if rng == nil {
		return t
	}
	for i := range t.Data {
		t.Data[i] = float32((rng.Float64()*2 - 1) * bound)
	}
	return t
}

func (d dense) forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.Linear(x, d.W, d.B)
}

// Model is a Recurrent Attention Model. Parameter names match the PyTorch
// twin in python/attnkit_torch/ram.py one to one.
type Model struct {
	Cfg Config

	glimpseFC dense // glimpse.fc_g: retina → h_g
	locFC     dense // glimpse.fc_l: l → h_l
	whatFC    dense // glimpse.fc_what: h_g → g
	whereFC   dense // glimpse.fc_where: h_l → g
	// ReLU RNN core (Section 3: h_t = ReLU(Linear(g_t) + Linear(h_{t-1}))).
	i2h, h2h dense
	// LSTM core: torch.nn.LSTMCell layout.
	wIH, wHH, bIH, bHH *autograd.Var
	locator            dense // locator.fc: h_t (or the hidden layer) → mean (through tanh)
	locHidden          dense // locator.fc_hidden: h_t → ReLU layer (LocatorHidden > 0)
	classifier         dense // classifier.fc: h_T → logits
	baseline           dense // baseline.fc: h_t → expected reward
	first              *autograd.Var

	params []*autograd.Var

	// integrals recycles the per-image summed-area tables of a forward
	// pass ([]Integral); Forward may run on several goroutines at once.
	integrals sync.Pool
}

// New builds a model with PyTorch's default initialisation from seed.
func New(cfg Config, seed uint64) (*Model, error) {
	return build(cfg, rand.New(rand.NewPCG(seed, 0x52414d)))
}

// build builds the model of cfg, drawing its weights from rng. A nil rng
// draws nothing and leaves the weights zero (see nn.Uniform): FromFile
// overwrites every one of them with the file's.
func build(cfg Config, rng *rand.Rand) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Cfg: cfg}
	in := cfg.Sensor().Size()
	m.glimpseFC = newDense("glimpse.fc_g", in, cfg.GlimpseHidden, rng)
	m.locFC = newDense("glimpse.fc_l", 2, cfg.GlimpseHidden, rng)
	m.whatFC = newDense("glimpse.fc_what", cfg.GlimpseHidden, cfg.GlimpseOut, rng)
	m.whereFC = newDense("glimpse.fc_where", cfg.GlimpseHidden, cfg.GlimpseOut, rng)
	add := func(ds ...dense) {
		for _, d := range ds {
			m.params = append(m.params, d.W, d.B)
		}
	}
	add(m.glimpseFC, m.locFC, m.whatFC, m.whereFC)
	h := cfg.Hidden
	if cfg.Core == "lstm" {
		bound := 1 / math.Sqrt(float64(h))
		m.wIH = autograd.NewParam("core.weight_ih", uniform(rng, bound, 4*h, cfg.GlimpseOut))
		m.wHH = autograd.NewParam("core.weight_hh", uniform(rng, bound, 4*h, h))
		m.bIH = autograd.NewParam("core.bias_ih", uniform(rng, bound, 4*h))
		m.bHH = autograd.NewParam("core.bias_hh", uniform(rng, bound, 4*h))
		m.params = append(m.params, m.wIH, m.wHH, m.bIH, m.bHH)
	} else {
		m.i2h = newDense("core.i2h", cfg.GlimpseOut, h, rng)
		m.h2h = newDense("core.h2h", h, h, rng)
		add(m.i2h, m.h2h)
	}
	if cfg.LocatorHidden > 0 {
		m.locHidden = newDense("locator.fc_hidden", h, cfg.LocatorHidden, rng)
		add(m.locHidden)
		m.locator = newDense("locator.fc", cfg.LocatorHidden, 2, rng)
	} else {
		m.locator = newDense("locator.fc", h, 2, rng)
	}
	m.classifier = newDense("classifier.fc", h, cfg.Classes, rng)
	m.baseline = newDense("baseline.fc", h, 1, rng)
	add(m.locator, m.classifier, m.baseline)
	if cfg.LearnedFirst {
		m.first = autograd.NewParam("first_loc", tensor.New(2))
		m.params = append(m.params, m.first)
	}
	return m, nil
}

// Params returns every trainable parameter, in a fixed order.
func (m *Model) Params() []*autograd.Var { return m.params }

// Buffers returns nil: the model has no batch-norm statistics. With
// Params it makes the model an nn.Module, so nn.LoadState loads it.
func (m *Model) Buffers() []nn.Buffer { return nil }

// Episode is one batched pass of the model over N images.
type Episode struct {
	N int
	// Locs[t] holds the N locations (x, y interleaved) glimpse t looked at.
	Locs [][]float32
	// Logits are the classifier's outputs after the last glimpse, [N, C].
	Logits *autograd.Var
	// LogProbs[i] is log π(l) of the i-th sampled location, [N, 2], and
	// Baselines[i] the baseline [N, 1] that controls its variance (nil for
	// a learned first location, whose control variate is the batch mean).
	LogProbs  []*autograd.Var
	Baselines []*autograd.Var
}

// Policy says how locations are chosen during a pass.
type Policy int

const (
	// Sample draws every location from the Gaussian policy (training, and
	// Monte-Carlo evaluation).
	Sample Policy = iota
	// Greedy takes the policy's mean (deterministic evaluation). A random
	// first location is still drawn from rng.
	Greedy
)

// Forward runs T glimpses over images ([N, C·S·S] with C·S·S =
// channels × Canvas²) and returns the episode. rng drives the random first
// location and the policy's samples.
func (m *Model) Forward(tp *autograd.Tape, images []float32, n, channels int, policy Policy, rng *rand.Rand) *Episode {
	return m.forward(tp, images, n, channels, policy, rng, nil)
}

// ForwardAt runs the model with the glimpse locations given instead of
// chosen by the policy: locs[t] holds the N locations (x, y interleaved)
// of glimpse t. It is how the PyTorch twin's logits are compared with
// ours, and how a user replays a path. The policy's log-probabilities are
// not recorded.
func (m *Model) ForwardAt(tp *autograd.Tape, images []float32, n, channels int, locs [][]float32) *Episode {
	return m.forward(tp, images, n, channels, Greedy, nil, locs)
}

func (m *Model) forward(tp *autograd.Tape, images []float32, n, channels int, policy Policy, rng *rand.Rand, fixed [][]float32) *Episode {
	cfg := m.Cfg
	sensor := cfg.Sensor()
	s := cfg.Canvas
	pix := channels * s * s
	ep := &Episode{N: n}

	// The first location: uniform over the image, or the learned policy.
	loc := make([]float32, 2*n)
	if fixed != nil {
		copy(loc, fixed[0])
	} else if m.first != nil {
		mean := tp.Tanh(tp.Reshape(m.first, 1, 2))
		means := tp.Add(tp.Const(tp.Alloc(n, 2)), mean) // broadcast to [N,2]
		m.sampleLocations(tp, ep, means, nil, loc, policy, rng)
	} else {
		for i := range loc {
			loc[i] = float32(rng.Float64()*2 - 1)
		}
	}

	var h, c *autograd.Var
	h = tp.Const(tp.Alloc(n, cfg.Hidden))
	if cfg.Core == "lstm" {
		c = tp.Const(tp.Alloc(n, cfg.Hidden))
	}
	gsize := channels * sensor.Size()
	// Coarse scales read block sums from one summed-area table per image,
	// built once for all glimpses of the episode.
	var its []Integral
	if sensor.Scales > 1 {
		if p, ok := m.integrals.Get().(*[]Integral); ok {
			its = *p
		}
		if len(its) < n {
			its = make([]Integral, n)
		}
		defer m.integrals.Put(&its)
		for i := 0; i < n; i++ {
			its[i].Reset(images[i*pix:(i+1)*pix], channels, s, s)
		}
	}
	for t := 0; t < cfg.Glimpses; t++ {
		ep.Locs = append(ep.Locs, loc)
		retina := tp.Alloc(n, gsize)
		for i := 0; i < n; i++ {
			dst, img := retina.Data[i*gsize:(i+1)*gsize], images[i*pix:(i+1)*pix]
			if its != nil {
				sensor.ExtractIntegral(dst, img, &its[i], loc[2*i], loc[2*i+1])
			} else {
				sensor.Extract(dst, img, channels, s, s, loc[2*i], loc[2*i+1])
			}
		}
		locT := tp.Alloc(n, 2)
		copy(locT.Data, loc)
		// The sampled location enters as a constant: no gradient from the
		// classifier may flow back into the location network's mean.
		hg := tp.ReLU(m.glimpseFC.forward(tp, tp.Const(retina)))
		hl := tp.ReLU(m.locFC.forward(tp, tp.Const(locT)))
		// g = ReLU(Linear(h_g) + Linear(h_l)) and the core's sum of two
		// layers run as one fused op each (autograd.Linear2).
		g := tp.ReLU(tp.Linear2(hg, m.whatFC.W, m.whatFC.B, hl, m.whereFC.W, m.whereFC.B))
		if cfg.Core == "lstm" {
			h, c = tp.LSTMCell(g, h, c, m.wIH, m.wHH, m.bIH, m.bHH)
		} else {
			h = tp.ReLU(tp.Linear2(g, m.i2h.W, m.i2h.B, h, m.h2h.W, m.h2h.B))
		}
		if t == cfg.Glimpses-1 {
			break
		}
		// The baseline sees a detached state: it estimates the reward and
		// must not shape the representation.
		b := m.baseline.forward(tp, tp.Detach(h))
		hin := h
		if cfg.DetachPolicy {
			hin = tp.Detach(h)
		}
		loc = make([]float32, 2*n)
		if fixed != nil {
			copy(loc, fixed[t+1])
			continue
		}
		if cfg.LocatorHidden > 0 {
			hin = tp.ReLU(m.locHidden.forward(tp, hin))
		}
		mean := tp.Tanh(m.locator.forward(tp, hin))
		m.sampleLocations(tp, ep, mean, b, loc, policy, rng)
	}
	ep.Logits = m.classifier.forward(tp, h)
	return ep
}

// sampleLocations draws l ~ N(mean, std²) (or takes the mean), records
// log π(l) for REINFORCE, and writes the clamped locations into loc.
func (m *Model) sampleLocations(tp *autograd.Tape, ep *Episode, mean, baseline *autograd.Var, loc []float32, policy Policy, rng *rand.Rand) {
	std := m.Cfg.Std
	sample := tp.Alloc(mean.Value.Shape...)
	for i, mu := range mean.Value.Data {
		v := mu
		if policy == Sample {
			v += std * float32(rng.NormFloat64())
		}
		sample.Data[i] = v
		loc[i] = min(max(v, -1), 1)
	}
	if policy == Sample && tp.Recording() {
		// The sample is a constant: REINFORCE differentiates log π only
		// through the mean.
		ep.LogProbs = append(ep.LogProbs, tp.GaussianLogProb(tp.Const(sample), mean, std))
		ep.Baselines = append(ep.Baselines, baseline)
	}
}
