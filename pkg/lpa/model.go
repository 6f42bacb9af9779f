package lpa

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/nn"
)

// attnBlock is one level's attention estimator: the projection of g to
// the level's width (nil when the widths agree) and, for pc, the vector u
// as a 1×1 convolution to one channel.
type attnBlock struct {
	level int
	proj  *nn.Linear // attn<k>.proj: g → width of l^k, no bias
	u     *nn.Conv2d // attn<k>.u: pc only, no bias
}

// Model is a VGG with attention estimators, or the GAP baseline.
// Parameter and buffer names:
//
//	block<b>.<j>.conv.weight, block<b>.<j>.bn.{weight,bias,running_mean,running_var,num_batches_tracked}
//	dense.weight, dense.bias          g = dense(last pooled map), a conv covering it
//	attn<k>.proj.weight               [C_k, G] when C_k ≠ G
//	attn<k>.u.weight                  [1, C_k, 1, 1] (pc)
//	classify.weight, classify.bias    concat head and the baseline
//	classify<k>.weight, classify<k>.bias  indep head, one per level
//
// with b = 1..5, j = 0.., and k the attention level (1..3).
type Model struct {
	Cfg      Config
	vgg      *nn.VGG
	dense    *nn.Conv2d
	attn     []attnBlock
	classify []*nn.Linear
	modules  nn.List
}

// New builds a model with the twin's initialisation, drawn from seed:
// the VGG stack as nn.NewVGG draws it (convolutions Kaiming-normal, batch
// norms at weight 1 and bias 0), linear layers N(0, 0.01) with zero bias,
// the dense layer and u with PyTorch's default.
func New(cfg Config, seed uint64) (*Model, error) {
	return build(cfg, rand.New(rand.NewPCG(seed, 0x4c5041)))
}

// build builds the model of cfg, drawing its weights from rng. A nil rng
// draws nothing and leaves the weights zero (see nn.Uniform): FromFile
// overwrites every one of them with the file's.
func build(cfg Config, rng *rand.Rand) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Cfg: cfg}
	vgg, err := nn.NewVGG(rng, "", cfg.Channels, cfg.Widths, cfg.Convs)
	if err != nil {
		return nil, err
	}
	m.vgg = vgg
	m.modules = append(m.modules, vgg.Modules()...)
	in := cfg.Widths[Blocks-1]
	newLinear := func(name string, in, out int, bias bool) *nn.Linear {
		l := nn.NewLinear(rng, name, in, out, bias)
		nn.Normal(rng, l.Weight.Value, 0, 0.01)
		if bias {
			nn.Zeros(l.Bias.Value)
		}
		m.modules = append(m.modules, l)
		return l
	}
	if !cfg.Attention {
		m.classify = []*nn.Linear{newLinear("classify", in, cfg.Classes, true)}
		return m, nil
	}
	// The dense layer covers the whole last pooled map (Side/32 pixels a
	// side), so g is one vector per image, as the port's 'dense'.
	k := cfg.Side >> Blocks
	m.dense = nn.NewConv2d(rng, "dense", in, cfg.GlobalWidth(), k, k, conv.Params{}, true)
	m.modules = append(m.modules, m.dense)
	G := cfg.GlobalWidth()
	total := 0
	for _, lv := range cfg.AttnLevels() {
		a := attnBlock{level: lv}
		C := cfg.LevelWidth(lv)
		if C != G {
			a.proj = newLinear(fmt.Sprintf("attn%d.proj", lv), G, C, false)
		}
		if cfg.Compat == "pc" {
			a.u = nn.NewConv2d(rng, fmt.Sprintf("attn%d.u", lv), C, 1, 1, 1, conv.Params{}, false)
			m.modules = append(m.modules, a.u)
		}
		m.attn = append(m.attn, a)
		total += C
	}
	if cfg.Head == "concat" {
		m.classify = []*nn.Linear{newLinear("classify", total, cfg.Classes, true)}
	} else {
		for _, a := range m.attn {
			m.classify = append(m.classify, newLinear(fmt.Sprintf("classify%d", a.level), cfg.LevelWidth(a.level), cfg.Classes, true))
		}
	}
	return m, nil
}

// Params returns every trainable parameter in a fixed order.
func (m *Model) Params() []*autograd.Var { return m.modules.Params() }

// Buffers returns the batch norms' running statistics.
func (m *Model) Buffers() []nn.Buffer { return m.modules.Buffers() }

// Train switches batch norm between batch statistics (training) and its
// running statistics (evaluation).
func (m *Model) Train(on bool) { m.modules.Train(on) }

// Output is one forward pass.
type Output struct {
	Logits *autograd.Var // [N, Classes]
	// Scores and Attn hold, per attention level (in AttnLevels order), the
	// compatibility scores c and the normalised attention a, both [N, H·W]
	// over the level's H×W map (Cfg.LevelSide). Softmax weights sum to 1
	// per image; sigmoid weights lie in (0, 1) each.
	Scores, Attn []*autograd.Var
	// Features is the baseline's last block output [N, C, h, w], whose
	// class activation maps CAM computes. nil with attention.
	Features *autograd.Var
}

// Forward runs the model on x [N, Channels, Side, Side] (values in [0, 1]).
// x may be a Var that needs a gradient (FGSM).
func (m *Model) Forward(tp *autograd.Tape, x *autograd.Var) *Output {
	cfg := m.Cfg
	feats := make([]*autograd.Var, Blocks)  // block outputs before pooling
	pooled := make([]*autograd.Var, Blocks) // and after
	h := x
	for b := range m.vgg.Blocks {
		h = m.vgg.Block(tp, b, h)
		feats[b] = h
		if b == Blocks-1 && !cfg.Attention {
			break // the baseline pools the last block globally
		}
		h = tp.MaxPool2D(h, 2, 2, 0)
		pooled[b] = h
	}
	out := &Output{}
	if !cfg.Attention {
		out.Features = feats[Blocks-1]
		out.Logits = m.classify[0].Forward(tp, tp.GlobalAvgPool2D(out.Features))
		return out
	}
	n := x.Value.Shape[0]
	g := tp.Reshape(m.dense.Forward(tp, pooled[Blocks-1]), n, cfg.GlobalWidth())
	var descs, logits []*autograd.Var
	for i, a := range m.attn {
		l := feats[a.level+1]
		if cfg.Placement == "after" {
			l = pooled[a.level+1]
		}
		c, att, ga := a.forward(tp, cfg, l, g)
		out.Scores = append(out.Scores, c)
		out.Attn = append(out.Attn, att)
		if cfg.Head == "indep" {
			logits = append(logits, m.classify[i].Forward(tp, ga))
		} else {
			descs = append(descs, ga)
		}
	}
	if cfg.Head == "concat" {
		out.Logits = m.classify[0].Forward(tp, tp.Concat(1, descs...))
		return out
	}
	// indep: the levels' logits averaged.
	sum := logits[0]
	for _, z := range logits[1:] {
		sum = tp.Add(sum, z)
	}
	out.Logits = tp.Scale(sum, 1/float32(len(logits)))
	return out
}

// forward scores the local features l [N, C, H, W] against g [N, G] and
// returns the scores c [N, HW], the attention a [N, HW] and the
// attention-pooled descriptor g_a [N, C].
func (a attnBlock) forward(tp *autograd.Tape, cfg Config, l, g *autograd.Var) (c, att, ga *autograd.Var) {
	n, C, H, W := l.Value.Shape[0], l.Value.Shape[1], l.Value.Shape[2], l.Value.Shape[3]
	if a.proj != nil {
		g = a.proj.Forward(tp, g)
	}
	flat := tp.Reshape(l, n, C, H*W)
	if cfg.Compat == "pc" {
		// c_i = ⟨u, l_i + g⟩ (eq. 1 of the paper, "parametrised").
		// The term ⟨u, g⟩ is the same at every position, so under the
		// softmax it cancels: a = softmax(⟨u, l_i⟩) does not depend on g,
		// and no gradient reaches g either (a softmax's input gradient
		// sums to zero over space). With no other use, the layer that
		// makes g and the projections are dead weight that weight decay
		// shrinks to zero (go run ./bench/lpa_params). The sigmoid does
		// see g; the scores c that segmentation binarises are shifted by
		// it uniformly, which the min-max normalisation removes. We keep
		// the paper's formula so weights carry over to and from its
		// ports and the twin.
		sum := tp.Add(l, tp.Reshape(g, n, C, 1, 1))
		c = tp.Reshape(a.u.Forward(tp, sum), n, H*W)
	} else {
		// c_i = ⟨l_i, g⟩ ("dot product").
		c = tp.SumAxis(tp.Mul(flat, tp.Reshape(g, n, C, 1)), 1, false)
	}
	if cfg.Norm == "softmax" {
		// a = softmax(c) over space; g_a = Σ_i a_i l_i (eq. 2–3).
		att = tp.Softmax(c, 1)
		ga = tp.SumAxis(tp.Mul(flat, tp.Reshape(att, n, 1, H*W)), 2, false)
	} else {
		// a_i = σ(c_i); g_a = mean_i a_i l_i, so a can switch several
		// positions on at once without one taking all the weight.
		att = tp.Sigmoid(c)
		ga = tp.MeanAxis(tp.Mul(flat, tp.Reshape(att, n, 1, H*W)), 2, false)
	}
	return c, att, ga
}
