package nonlocal

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/nn"
)

// convBN is a bias-free convolution and its batch norm: a 2-D one, or a
// 3-D one in an inflated clip model. Exactly one of c2 and c3 is set.
type convBN struct {
	c2 *nn.Conv2d
	c3 *nn.Conv3d
	bn *nn.BatchNorm
}

// newConvBN draws the convolution Kaiming-normal (fan_out, ReLU), as
// torchvision's ResNet does, with batch norm at weight 1 and bias 0. kt is
// the temporal kernel (0: a 2-D convolution).
func newConvBN(rng *rand.Rand, prefix string, cin, cout, k, kt, stride int) convBN {
	pad := k / 2
	u := convBN{bn: nn.NewBatchNorm2d(nn.Join(prefix, "bn"), cout)}
	if kt > 0 {
		p := conv.Params3D{StrideT: 1, StrideH: stride, StrideW: stride, PadT: kt / 2, PadH: pad, PadW: pad}
		u.c3 = nn.NewConv3d(rng, nn.Join(prefix, "conv"), cin, cout, [3]int{kt, k, k}, p, false)
		nn.KaimingNormal(rng, u.c3.Weight.Value, 0, nn.FanOut, nn.ActReLU)
		return u
	}
	p := conv.Params{StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
	u.c2 = nn.NewConv2d(rng, nn.Join(prefix, "conv"), cin, cout, k, k, p, false)
	nn.KaimingNormal(rng, u.c2.Weight.Value, 0, nn.FanOut, nn.ActReLU)
	return u
}

func (u convBN) forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	if u.c3 != nil {
		return norm5(tp, u.bn, u.c3.Forward(tp, x))
	}
	return u.bn.Forward(tp, u.c2.Forward(tp, x))
}

func (u convBN) modules() nn.List {
	if u.c3 != nil {
		return nn.List{u.c3, u.bn}
	}
	return nn.List{u.c2, u.bn}
}

// norm5 applies a 2-D batch norm to [N, C, T, H, W] as [N, C, T·H, W],
// which has the same per-channel statistics.
func norm5(tp *autograd.Tape, bn *nn.BatchNorm, v *autograd.Var) *autograd.Var {
	s := v.Value.Shape
	if len(s) == 4 {
		return bn.Forward(tp, v)
	}
	return tp.Reshape(bn.Forward(tp, tp.Reshape(v, s[0], s[1], s[2]*s[3], s[4])), s...)
}

// resBlock is a basic residual block (He et al. 2016): two 3×3
// convolutions with batch norm, and a 1×1 projection of the shortcut
// where the shape changes.
type resBlock struct {
	conv1, conv2 convBN
	down         *convBN
	nl           *Block // the non-local block after this one, if any
}

func (r *resBlock) forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	h := r.conv2.forward(tp, tp.ReLU(r.conv1.forward(tp, x)))
	sc := x
	if r.down != nil {
		sc = r.down.forward(tp, x)
	}
	return tp.ReLU(tp.Add(h, sc))
}

// Model is a small ResNet, per frame for clips (C2D: 2-D convolutions on
// every frame, pooling over time only at the end, as the paper's C2D
// baseline), optionally with inflated 3×3×3 kernels (I3D) and non-local
// blocks. Parameter and buffer names:
//
//	stem.conv.weight, stem.bn.*                    3×3 convolution, then a 2×2 max-pool
//	res<s>.<j>.conv1.{conv,bn}, res<s>.<j>.conv2.{conv,bn}
//	res<s>.<j>.down.{conv,bn}                      where the shape changes
//	res<s>.<j>.nl.*                                a non-local block after residual block j (Block's names)
//	fc.weight, fc.bias
//
// with s = 2..5. res3..res5 halve the side with a stride-2 first
// convolution.
type Model struct {
	Cfg     Config
	stem    convBN
	stages  [][]*resBlock
	fc      *nn.Linear
	modules nn.List
}

// New builds a model with weights drawn from seed.
func New(cfg Config, seed uint64) (*Model, error) {
	return build(cfg, rand.New(rand.NewPCG(seed, 0x4e4c)))
}

// build builds the model of cfg, drawing its weights from rng. A nil rng
// draws nothing and leaves the weights zero (see nn.Uniform): FromFile
// overwrites every one of them with the file's.
func build(cfg Config, rng *rand.Rand) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Cfg: cfg}
	kt := 0 // 2-D kernels unless inflated
	if cfg.Inflate {
		kt = 1
	}
	m.stem = newConvBN(rng, "stem", cfg.Channels, cfg.Widths[0], 3, kt, 1)
	m.modules = append(m.modules, m.stem.modules()...)
	nlAt := map[site]bool{}
	for _, s := range cfg.sites() {
		nlAt[s] = true
	}
	in := cfg.Widths[0]
	for s := 2; s <= Stages+1; s++ {
		out := cfg.Widths[s-1]
		var blocks []*resBlock
		for j := 0; j < cfg.Depths[s-2]; j++ {
			stride := 1
			if j == 0 && s > 2 {
				stride = 2
			}
			prefix := fmt.Sprintf("res%d.%d", s, j)
			k1 := kt
			if cfg.Inflate {
				k1 = 3
			}
			r := &resBlock{
				conv1: newConvBN(rng, prefix+".conv1", in, out, 3, k1, stride),
				conv2: newConvBN(rng, prefix+".conv2", out, out, 3, kt, 1),
			}
			m.modules = append(m.modules, r.conv1.modules()...)
			m.modules = append(m.modules, r.conv2.modules()...)
			if stride != 1 || in != out {
				d := newConvBN(rng, prefix+".down", in, out, 1, kt, stride)
				r.down = &d
				m.modules = append(m.modules, d.modules()...)
			}
			if nlAt[site{s, j}] {
				b, err := NewBlock(rng, prefix+".nl", cfg.blockConfig(out))
				if err != nil {
					return nil, err
				}
				r.nl = b
				m.modules = append(m.modules, b)
			}
			blocks = append(blocks, r)
			in = out
		}
		m.stages = append(m.stages, blocks)
	}
	m.fc = nn.NewLinear(rng, "fc", in, cfg.Classes, true)
	m.modules = append(m.modules, m.fc)
	return m, nil
}

// Params returns every trainable parameter in a fixed order.
func (m *Model) Params() []*autograd.Var { return m.modules.Params() }

// Buffers returns the batch norms' running statistics.
func (m *Model) Buffers() []nn.Buffer { return m.modules.Buffers() }

// Train switches batch norm between batch statistics (training) and its
// running statistics (evaluation).
func (m *Model) Train(on bool) { m.modules.Train(on) }

// Site is one non-local block's part of a forward pass.
type Site struct {
	Stage, Index int // after residual block Index of res<Stage>
	// In and Out are the block's input and output, [N, C, T, H, W] for a
	// clip model (whatever its extent) and [N, C, H, W] for an image one.
	In, Out *autograd.Var
	// Weights are f(x_i, x_j)/C(x) as Block.Attend returns them, for the
	// block's own batch: [N, P, K] over spacetime, [N·T, H·W, K] for a
	// space-only block, [N·H·W, T, T] for a time-only one.
	Weights *autograd.Var
	Cfg     BlockConfig
}

// Output is one forward pass.
type Output struct {
	Logits *autograd.Var // [N, Classes]
	Sites  []Site        // the non-local blocks in network order
}

// Forward runs the model on x: clips [N, Channels, T, Side, Side] or
// images [N, Channels, Side, Side], values in [0, 1].
func (m *Model) Forward(tp *autograd.Tape, x *autograd.Var) *Output {
	cfg := m.Cfg
	shape := x.Value.Shape
	n := shape[0]
	want := []int{n, cfg.Channels, cfg.Side, cfg.Side}
	if cfg.Clip() {
		want = []int{n, cfg.Channels, cfg.Frames, cfg.Side, cfg.Side}
	}
	if fmt.Sprint(shape) != fmt.Sprint(want) {
		panic(fmt.Sprintf("nonlocal: %s input %v, want %v", cfg.Name(), shape, want))
	}
	l := layout{clip: cfg.Clip(), five: cfg.Inflate, n: n, t: cfg.Frames}
	h := l.from5(tp, x)
	h = m.stem.forward(tp, h)
	h = tp.ReLU(h)
	if l.five {
		h = tp.MaxPool3D(h, [3]int{1, 2, 2}, [3]int{1, 2, 2}, [3]int{})
	} else {
		h = tp.MaxPool2D(h, 2, 2, 0)
	}
	out := &Output{}
	for si, blocks := range m.stages {
		for j, r := range blocks {
			h = r.forward(tp, h)
			if r.nl != nil {
				var st Site
				h, st = m.nonlocal(tp, l, r.nl, h)
				st.Stage, st.Index = si+2, j
				out.Sites = append(out.Sites, st)
			}
		}
	}
	// Average over space and, for clips, time: the C2D head.
	var pooled *autograd.Var
	if l.clip && !l.five {
		c := h.Value.Dim(1)
		pooled = tp.MeanAxis(tp.Reshape(tp.GlobalAvgPool2D(h), n, l.t, c), 1, false)
	} else {
		pooled = tp.GlobalAvgPool2D(h)
	}
	out.Logits = m.fc.Forward(tp, pooled)
	return out
}

// nonlocal runs block b on h in the layout the model keeps and the
// extent the configuration asks for.
func (m *Model) nonlocal(tp *autograd.Tape, l layout, b *Block, h *autograd.Var) (*autograd.Var, Site) {
	st := Site{Cfg: b.Cfg}
	if !l.clip {
		z, w := b.Attend(tp, h)
		st.In, st.Out, st.Weights = h, z, w
		return z, st
	}
	x5 := l.to5(tp, h)
	st.In = x5
	var z5 *autograd.Var
	switch m.Cfg.Extent {
	case SpaceTime:
		z5, st.Weights = b.Attend(tp, x5)
	case Space:
		// Frames as the batch: [N·T, C, H, W].
		f := framesOf(tp, x5)
		var z *autograd.Var
		z, st.Weights = b.Attend(tp, f)
		z5 = unframes(tp, z, x5.Value.Shape)
	case Time:
		// Pixels as the batch: [N·H·W, C, T, 1].
		s := x5.Value.Shape
		n, c, t, hh, ww := s[0], s[1], s[2], s[3], s[4]
		p := tp.Reshape(tp.Permute(x5, 0, 3, 4, 1, 2), n*hh*ww, c, t, 1)
		var z *autograd.Var
		z, st.Weights = b.Attend(tp, p)
		z5 = tp.Permute(tp.Reshape(z, n, hh, ww, c, t), 0, 3, 4, 1, 2)
	}
	st.Out = z5
	return l.from5(tp, z5), st
}

// layout converts between a clip [N, C, T, H, W] and the form the
// convolutions run on: frames as the batch [N·T, C, H, W] for 2-D kernels,
// the clip itself for inflated ones. Images pass through.
type layout struct {
	clip, five bool
	n, t       int
}

func (l layout) from5(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	if !l.clip || l.five {
		return x
	}
	return framesOf(tp, x)
}

func (l layout) to5(tp *autograd.Tape, h *autograd.Var) *autograd.Var {
	if l.five {
		return h
	}
	s := h.Value.Shape
	return unframes(tp, h, []int{l.n, s[1], l.t, s[2], s[3]})
}

// framesOf returns clip x [N, C, T, H, W] as frames [N·T, C, H, W].
func framesOf(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	s := x.Value.Shape
	return tp.Reshape(tp.Permute(x, 0, 2, 1, 3, 4), s[0]*s[2], s[1], s[3], s[4])
}

// unframes is the inverse of framesOf for a clip of shape s5.
func unframes(tp *autograd.Tape, f *autograd.Var, s5 []int) *autograd.Var {
	return tp.Permute(tp.Reshape(f, s5[0], s5[2], s5[1], s5[3], s5[4]), 0, 2, 1, 3, 4)
}
