package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
)

// TransformerConfig is the shape of a TransformerLayer.
type TransformerConfig struct {
	Embed   int     `json:"embed"`   // model width E
	Heads   int     `json:"heads"`   // attention heads (E must be a multiple)
	FF      int     `json:"ff"`      // hidden width of the feed-forward network
	Cross   bool    `json:"cross"`   // add cross-attention to an encoder's output (a decoder layer)
	PreNorm bool    `json:"prenorm"` // layer norm before each sublayer (norm_first) instead of after the residual sum
	Dropout float32 `json:"dropout"` // on each sublayer's output before the residual sum
}

// Validate reports a configuration that cannot be built.
func (c TransformerConfig) Validate() error {
	switch {
	case c.Embed < 1 || c.Heads < 1 || c.Embed%c.Heads != 0:
		return fmt.Errorf("width %d with %d heads: want a positive width that is a multiple of the heads", c.Embed, c.Heads)
	case c.FF < 1:
		return fmt.Errorf("feed-forward width %d: want at least 1", c.FF)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("dropout %g: want 0 ≤ p < 1", c.Dropout)
	}
	return nil
}

// TransformerLayer is a Transformer layer (Vaswani et al. 2017, §3.1):
// self-attention, optionally cross-attention to an encoder's output, and
// a ReLU feed-forward network, each wrapped in dropout, a residual sum
// and a layer norm. Its parameters carry the names of
// torch.nn.TransformerEncoderLayer (self_attn, linear1, linear2, norm1,
// norm2) or, with Cross, of torch.nn.TransformerDecoderLayer (adding
// multihead_attn and norm3), with activation="relu", batch_first=True and
// norm_first=PreNorm.
type TransformerLayer struct {
	Cfg                 TransformerConfig
	SelfAttn            *MultiheadAttention
	CrossAttn           *MultiheadAttention // nil without Cross
	Linear1, Linear2    *Linear
	Norm1, Norm2, Norm3 *LayerNorm // Norm3 nil without Cross
}

// NewTransformerLayer returns a layer named prefix.
func NewTransformerLayer(rng *rand.Rand, prefix string, cfg TransformerConfig) (*TransformerLayer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := &TransformerLayer{Cfg: cfg, SelfAttn: NewMultiheadAttention(rng, Join(prefix, "self_attn"), cfg.Embed, cfg.Heads, true)}
	if cfg.Cross {
		l.CrossAttn = NewMultiheadAttention(rng, Join(prefix, "multihead_attn"), cfg.Embed, cfg.Heads, true)
	}
	l.Linear1 = NewLinear(rng, Join(prefix, "linear1"), cfg.Embed, cfg.FF, true)
	l.Linear2 = NewLinear(rng, Join(prefix, "linear2"), cfg.FF, cfg.Embed, true)
	l.Norm1 = NewLayerNorm(Join(prefix, "norm1"), cfg.Embed)
	l.Norm2 = NewLayerNorm(Join(prefix, "norm2"), cfg.Embed)
	if cfg.Cross {
		l.Norm3 = NewLayerNorm(Join(prefix, "norm3"), cfg.Embed)
	}
	return l, nil
}

// sublayer applies f to x as the layer's norm placement says:
// x + drop(f(norm(x))) before, norm(x + drop(f(x))) after.
func (l *TransformerLayer) sublayer(tp *autograd.Tape, x *autograd.Var, norm *LayerNorm, train bool, rng *rand.Rand, f func(*autograd.Var) *autograd.Var) *autograd.Var {
	if l.Cfg.PreNorm {
		return tp.Add(x, tp.Dropout(f(norm.Forward(tp, x)), l.Cfg.Dropout, train, rng))
	}
	return norm.Forward(tp, tp.Add(x, tp.Dropout(f(x), l.Cfg.Dropout, train, rng)))
}

// feedForward is linear2(relu(linear1(x))).
func (l *TransformerLayer) feedForward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return l.Linear2.Forward(tp, tp.ReLU(l.Linear1.Forward(tp, x)))
}

// crossNorm and ffNorm are the norms of the second and last sublayers
// (torch numbers them norm2, norm3 in a decoder layer, norm2 alone in an
// encoder layer).
func (l *TransformerLayer) crossNorm() *LayerNorm { return l.Norm2 }

func (l *TransformerLayer) ffNorm() *LayerNorm {
	if l.Cfg.Cross {
		return l.Norm3
	}
	return l.Norm2
}

// Forward maps x [B, L, E] to [B, L, E]. attend is the self-attention of
// the split heads (MaskAttend for a mask); mem [B, Lm, E] is the encoder
// output the cross-attention sees in full (nil without Cross). Dropout
// draws from rng when train is set.
func (l *TransformerLayer) Forward(tp *autograd.Tape, x, mem *autograd.Var, attend Attend, train bool, rng *rand.Rand) *autograd.Var {
	x = l.sublayer(tp, x, l.Norm1, train, rng, func(h *autograd.Var) *autograd.Var {
		return l.SelfAttn.ForwardAttend(tp, h, h, attend)
	})
	if l.CrossAttn != nil {
		if mem == nil {
			panic("nn: a cross-attention layer needs the encoder's output")
		}
		x = l.sublayer(tp, x, l.crossNorm(), train, rng, func(h *autograd.Var) *autograd.Var {
			return l.CrossAttn.Forward(tp, h, mem, autograd.AttnMask{})
		})
	}
	return l.sublayer(tp, x, l.ffNorm(), train, rng, func(h *autograd.Var) *autograd.Var { return l.feedForward(tp, h) })
}

// LayerCache is the decoding state of one layer: the self-attention's
// keys and values so far and the cross-attention's projected memory.
type LayerCache struct {
	Self, Cross *KVCache
}

// NewCache returns an empty cache for b sequences of length l, with the
// cross-attention memory projected from mem (nil without Cross).
func (l *TransformerLayer) NewCache(tp *autograd.Tape, b, length int, mem *autograd.Var) *LayerCache {
	c := &LayerCache{Self: l.SelfAttn.NewKVCache(b, length)}
	if l.CrossAttn != nil {
		c.Cross = l.CrossAttn.Memory(tp, mem)
	}
	return c
}

// Step runs the layer (in evaluation mode) on one new position pos per
// sequence, x [B, 1, E], whose self-attention sees the cached positions
// keys (which must include pos itself), and returns [B, 1, E]: the row
// Forward would give at pos for the same visible keys.
func (l *TransformerLayer) Step(tp *autograd.Tape, x *autograd.Var, c *LayerCache, pos int, keys []int) *autograd.Var {
	x = l.sublayer(tp, x, l.Norm1, false, nil, func(h *autograd.Var) *autograd.Var {
		return l.SelfAttn.Step(tp, h, c.Self, pos, keys, true)
	})
	if l.CrossAttn != nil {
		x = l.sublayer(tp, x, l.crossNorm(), false, nil, func(h *autograd.Var) *autograd.Var {
			return l.CrossAttn.Step(tp, h, c.Cross, pos, nil, false)
		})
	}
	return l.sublayer(tp, x, l.ffNorm(), false, nil, func(h *autograd.Var) *autograd.Var { return l.feedForward(tp, h) })
}

// Params returns the parameters in torch's state-dict order.
func (l *TransformerLayer) Params() []*autograd.Var {
	ps := l.SelfAttn.Params()
	if l.CrossAttn != nil {
		ps = append(ps, l.CrossAttn.Params()...)
	}
	ps = append(ps, l.Linear1.Params()...)
	ps = append(ps, l.Linear2.Params()...)
	ps = append(ps, l.Norm1.Params()...)
	ps = append(ps, l.Norm2.Params()...)
	if l.Norm3 != nil {
		ps = append(ps, l.Norm3.Params()...)
	}
	return ps
}

// Buffers returns nothing.
func (l *TransformerLayer) Buffers() []Buffer { return nil }
