package nonlocal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// randTensor returns a tensor of uniform values in [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.Float64()*2 - 1)
	}
	return t
}

// tinyShape returns a small input shape for a block of c channels.
func tinyShape(dims, c int) []int {
	if dims == 3 {
		return []int{2, c, 2, 4, 4}
	}
	return []int{2, c, 4, 4}
}

// newTestBlock returns a block whose batch-norm scale and shift are random,
// so that every parameter reaches the output (a new block's γ = 0 would
// cut W_z, θ, φ and g off).
func newTestBlock(t *testing.T, cfg BlockConfig, seed uint64) *Block {
	t.Helper()
	b, err := NewBlock(rand.New(rand.NewPCG(seed, 1)), "nl", cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range b.bn.Weight.Value.Data {
		b.bn.Weight.Value.Data[i] = 0.5 + rng.Float32()
		b.bn.Bias.Value.Data[i] = rng.Float32() - 0.5
	}
	return b
}

// blockCases is every pairwise function × 2-D/3-D × subsampling on/off;
// the scaled θᵀφ is exercised with subsampling.
func blockCases() []BlockConfig {
	var cs []BlockConfig
	for _, pw := range PairwiseNames {
		for _, dims := range []int{2, 3} {
			for _, sub := range []bool{false, true} {
				cs = append(cs, BlockConfig{Channels: 4, Pairwise: pw, Dims: dims, Subsample: sub,
					Scale: sub && pw != Concat})
			}
		}
	}
	return cs
}

func caseName(c BlockConfig) string {
	return fmt.Sprintf("%s/%dd/sub=%v/scale=%v", c.Pairwise, c.Dims, c.Subsample, c.Scale)
}

// TestBlockGradCheck compares the gradients of the whole block, for the
// input and every parameter, with central finite differences.
//
// The batch norm runs in evaluation mode, an affine map per channel: with
// batch statistics every output moves with every input, and the float32
// rounding of all of them swamps a step small enough for the other
// nonlinearities (TestBlockGradCheckBatchStats checks that mode with a
// looser tolerance; the golden twin checks it against PyTorch). The max-pool
// and the concatenation form's ReLU have kinks, where a finite difference
// straddling one measures neither side: each case draws inputs until no
// pooling window holds a near-tie and no a_i + b_j lies near zero.
func TestBlockGradCheck(t *testing.T) {
	for i, cfg := range blockCases() {
		t.Run(caseName(cfg), func(t *testing.T) {
			b, x := kinkFreeCase(t, cfg, uint64(100*i))
			b.Train(false)
			gradCheckBlock(t, b, x, autograd.GradCheckOptions{Eps: 1e-3, Seed: 7}, nil)
		})
	}
}

// TestBlockGradCheckBatchStats is the check in training mode, on the smooth
// forms. Tolerances are looser (see TestBlockGradCheck).
func TestBlockGradCheckBatchStats(t *testing.T) {
	for i, cfg := range blockCases() {
		if cfg.Subsample || cfg.Pairwise == Concat {
			continue
		}
		t.Run(caseName(cfg), func(t *testing.T) {
			b, x := kinkFreeCase(t, cfg, uint64(100*i))
			// W_z's bias is left out: batch statistics subtract every
			// constant shift of a channel, so its gradient is zero in exact
			// arithmetic and both sides of the check are rounding noise,
			// which differs between the assembly and pure-Go kernels (the
			// golden test checks it against zero instead).
			gradCheckBlock(t, b, x, autograd.GradCheckOptions{Eps: 1e-2, RTol: gcBatchRTol, ATol: gcBatchATol, Seed: 7},
				func(name string) bool { return strings.HasSuffix(name, "w.bias") })
		})
	}
}

const gcBatchRTol, gcBatchATol = 5e-2, 5e-3

// gradCheckBlock runs autograd.GradCheck on the block's output as a
// function of x and every parameter.
func gradCheckBlock(t *testing.T, b *Block, x *tensor.Tensor, opt autograd.GradCheckOptions, skip func(name string) bool) {
	t.Helper()
	var params []*autograd.Var
	for _, p := range b.Params() {
		if skip == nil || !skip(p.Name) {
			params = append(params, p)
		}
	}
	inputs := []*tensor.Tensor{x}
	for _, p := range params {
		inputs = append(inputs, p.Value)
	}
	f := func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
		// The block's own Vars take the checker's value and gradient
		// buffers, so perturbations reach the block and its gradients
		// reach the checker.
		for k, p := range params {
			name := p.Name
			*p = *in[k+1]
			p.Name = name
		}
		return b.Forward(tp, in[0])
	}
	if err := autograd.GradCheck(f, inputs, opt); err != nil {
		msg := err.Error()
		var k int
		if _, e := fmt.Sscanf(msg, "input %d", &k); e == nil && k > 0 {
			msg = params[k-1].Name + ": " + msg
		}
		t.Error(msg)
	}
}

// kinkMargin is the distance every max-pool near-tie and every ReLU input
// must keep from its kink: a few times what a step of 1e-3 in one input
// or weight moves them.
const kinkMargin = 5e-3

// kinkFreeCase returns a test block and an input for cfg, drawn from seeds
// from seed on, whose kinks all lie kinkMargin away.
func kinkFreeCase(t *testing.T, cfg BlockConfig, seed uint64) (*Block, *tensor.Tensor) {
	t.Helper()
	shape := tinyShape(cfg.Dims, cfg.Channels)
	if cfg.Pairwise == Concat { // fewer pairs, fewer ReLU inputs near zero
		shape[len(shape)-2] = 2
	}
	for s := seed; s < seed+200; s++ {
		b := newTestBlock(t, cfg, s)
		x := randTensor(rand.New(rand.NewPCG(s, 3)), shape...)
		if kinkDistance(b, x) > kinkMargin {
			return b, x
		}
	}
	t.Fatalf("no input in 200 draws keeps its kinks %g away", kinkMargin)
	return nil, nil
}

// kinkDistance returns the smallest gap between the largest and the second
// largest value of a pooling window (over the maps the block pools), and
// the smallest |a_i + b_j| of the concatenation form.
func kinkDistance(b *Block, x *tensor.Tensor) float64 {
	tp := autograd.NewInference()
	xv := autograd.Const(x)
	dist := math.Inf(1)
	if b.Cfg.Subsample {
		maps := []*autograd.Var{b.g.forward(tp, xv), xv}
		if b.Cfg.embeds() {
			maps[1] = b.phi.forward(tp, xv)
		}
		for _, m := range maps {
			s := m.Value.Shape
			h, w := s[len(s)-2], s[len(s)-1]
			planes := m.Value.Size() / (h * w)
			for pl := 0; pl < planes; pl++ {
				v := m.Value.Data[pl*h*w : (pl+1)*h*w]
				for r := 0; r+1 < h; r += 2 {
					for c := 0; c+1 < w; c += 2 {
						win := []float64{float64(v[r*w+c]), float64(v[r*w+c+1]), float64(v[(r+1)*w+c]), float64(v[(r+1)*w+c+1])}
						slices.Sort(win)
						dist = min(dist, win[3]-win[2])
					}
				}
			}
		}
	}
	if b.Cfg.Pairwise == Concat {
		n, d := x.Dim(0), b.Cfg.Inner
		p := x.Size() / (n * x.Dim(1))
		q := tp.Reshape(b.theta.forward(tp, xv), n, d, p)
		k := b.subsample(tp, b.phi.forward(tp, xv))
		k = tp.Reshape(k, n, d, k.Value.Size()/(n*d))
		a := projectPositions(tp, q, tp.Slice(b.concat, 1, 0, d)).Value
		c := projectPositions(tp, k, tp.Slice(b.concat, 1, d, 2*d)).Value
		for i := 0; i < n; i++ {
			for _, ai := range a.Data[i*a.Dim(1) : (i+1)*a.Dim(1)] {
				for _, cj := range c.Data[i*c.Dim(1) : (i+1)*c.Dim(1)] {
					dist = min(dist, math.Abs(float64(ai)+float64(cj)))
				}
			}
		}
	}
	return dist
}

// A new block is the identity: γ = 0 zeroes W_z y in both modes.
func TestNewBlockIsIdentity(t *testing.T) {
	for _, cfg := range blockCases() {
		b, err := NewBlock(rand.New(rand.NewPCG(1, 1)), "", cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := randTensor(rand.New(rand.NewPCG(2, 2)), tinyShape(cfg.Dims, 4)...)
		for _, train := range []bool{true, false} {
			b.Train(train)
			z := b.Forward(autograd.NewInference(), autograd.Const(x))
			for i := range x.Data {
				if z.Value.Data[i] != x.Data[i] {
					t.Fatalf("%s train=%v: z[%d] = %g, x = %g", caseName(cfg), train, i, z.Value.Data[i], x.Data[i])
				}
			}
		}
	}
}

// The weights have shape [N, P, K]; the Gaussian forms' rows sum to one,
// the dot form's weights are θ_iᵀφ_j/K; recording or not gives the same
// output.
func TestAttendWeights(t *testing.T) {
	for i, cfg := range blockCases() {
		b := newTestBlock(t, cfg, uint64(i))
		b.Train(false)
		shape := tinyShape(cfg.Dims, 4)
		x := randTensor(rand.New(rand.NewPCG(5, 5)), shape...)
		tp := autograd.NewTape()
		z, w := b.Attend(tp, autograd.Const(x))
		p := x.Size() / (shape[0] * shape[1])
		k := p
		if cfg.Subsample {
			k /= 4
		}
		if !tensor.SameShape(w.Value.Shape, []int{shape[0], p, k}) {
			t.Fatalf("%s: weights %v, want [%d %d %d]", caseName(cfg), w.Value.Shape, shape[0], p, k)
		}
		if cfg.Pairwise == Gaussian || cfg.Pairwise == Embedded {
			for r := 0; r < shape[0]*p; r++ {
				var s float64
				for _, v := range w.Value.Data[r*k : (r+1)*k] {
					s += float64(v)
				}
				if math.Abs(s-1) > 1e-5 {
					t.Fatalf("%s: row %d sums to %g", caseName(cfg), r, s)
				}
			}
		}
		if cfg.Pairwise == Concat {
			for _, v := range w.Value.Data {
				if v < 0 {
					t.Fatalf("%s: negative weight %g after the ReLU", caseName(cfg), v)
				}
			}
		}
		zi := b.Forward(autograd.NewInference(), autograd.Const(x))
		if d := maxDiff(z.Value.Data, zi.Value.Data); d != 0 {
			t.Errorf("%s: recording and inference tapes differ by %g", caseName(cfg), d)
		}
	}
}

// TestDotWeightsByHand recomputes one dot-product weight from θ and φ.
func TestDotWeightsByHand(t *testing.T) {
	cfg := BlockConfig{Channels: 4, Pairwise: Dot, Dims: 2}
	b := newTestBlock(t, cfg, 3)
	x := randTensor(rand.New(rand.NewPCG(6, 6)), 1, 4, 3, 3)
	_, w := b.Attend(autograd.NewInference(), autograd.Const(x))
	const i, j, p = 2, 7, 9
	proj := func(pw *pointwise, pos int) []float64 {
		wt, bias := pw.c2.Weight.Value.Data, pw.c2.Bias.Value.Data
		out := make([]float64, 2)
		for o := range out {
			out[o] = float64(bias[o])
			for c := 0; c < 4; c++ {
				out[o] += float64(wt[o*4+c]) * float64(x.Data[c*p+pos])
			}
		}
		return out
	}
	th, ph := proj(b.theta, i), proj(b.phi, j)
	want := (th[0]*ph[0] + th[1]*ph[1]) / p
	if got := float64(w.Value.Data[i*p+j]); math.Abs(got-want) > 1e-6 {
		t.Errorf("weight[%d,%d] = %g, want θ_iᵀφ_j/N = %g", i, j, got, want)
	}
}

func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

func TestParamNames(t *testing.T) {
	cases := []struct {
		cfg  BlockConfig
		want string
	}{
		{BlockConfig{Channels: 6, Pairwise: Gaussian, Dims: 2},
			"b.g.weight[3 6 1 1] b.g.bias[3] b.w.weight[6 3 1 1] b.w.bias[6] b.bn.weight[6] b.bn.bias[6]"},
		{BlockConfig{Channels: 6, Inner: 2, Pairwise: Concat, Dims: 3},
			"b.theta.weight[2 6 1 1 1] b.theta.bias[2] b.phi.weight[2 6 1 1 1] b.phi.bias[2] b.g.weight[2 6 1 1 1] b.g.bias[2] " +
				"b.concat_project.weight[1 4] b.w.weight[6 2 1 1 1] b.w.bias[6] b.bn.weight[6] b.bn.bias[6]"},
	}
	for _, c := range cases {
		b, err := NewBlock(rand.New(rand.NewPCG(1, 1)), "b", c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range b.Params() {
			names = append(names, fmt.Sprintf("%s%v", p.Name, p.Value.Shape))
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.cfg.Pairwise, got, c.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg BlockConfig
		err string // empty: valid
	}{
		{BlockConfig{Channels: 4, Pairwise: Embedded, Dims: 2}, ""},
		{BlockConfig{Channels: 1, Inner: 1, Pairwise: Dot, Dims: 3, Scale: true}, ""},
		{BlockConfig{Channels: 0, Pairwise: Dot, Dims: 2}, "channels"},
		{BlockConfig{Channels: 1, Pairwise: Dot, Dims: 2}, "no inner width"},
		{BlockConfig{Channels: 4, Inner: -1, Pairwise: Dot, Dims: 2}, "negative"},
		{BlockConfig{Channels: 4, Pairwise: Dot, Dims: 1}, "1-D"},
		{BlockConfig{Channels: 4, Pairwise: "softmax", Dims: 2}, "unknown pairwise"},
		{BlockConfig{Channels: 4, Pairwise: Concat, Dims: 2, Scale: true}, "no θᵀφ"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%+v: error %v, want one containing %q", c.cfg, err, c.err)
		}
	}
	for _, p := range PairwiseNames {
		if got, err := ParsePairwise(string(p)); err != nil || got != p {
			t.Errorf("ParsePairwise(%q) = %q, %v", p, got, err)
		}
	}
}
