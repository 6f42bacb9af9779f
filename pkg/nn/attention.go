package nn

import (
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
)

// MultiheadAttention is torch.nn.MultiheadAttention with batch_first=True
// and equal query, key and value sizes: in_proj_weight [3E, E] (xavier
// uniform), in_proj_bias [3E] (zeros), out_proj.weight [E, E] (Linear's
// default) and out_proj.bias [E] (zeros), exactly torch's parameters and
// initialisation. Attention dropout, bias_k/bias_v and add_zero_attn are
// not supported.
type MultiheadAttention struct {
	InProjWeight *autograd.Var
	InProjBias   *autograd.Var // nil without bias
	OutProj      *Linear
	Heads        int
	Embed        int
}

// NewMultiheadAttention returns attention named prefix over embed features
// split into heads heads; embed must be a multiple of heads.
func NewMultiheadAttention(rng *rand.Rand, prefix string, embed, heads int, bias bool) *MultiheadAttention {
	// torch builds out_proj (drawing Linear's init) before resetting the
	// packed input projection, so the draws happen in that order here too.
	m := &MultiheadAttention{
		OutProj:      NewLinear(rng, Join(prefix, "out_proj"), embed, embed, bias),
		InProjWeight: param(prefix, "in_proj_weight", 3*embed, embed),
		Heads:        heads,
		Embed:        embed,
	}
	XavierUniform(rng, m.InProjWeight.Value, 1)
	if bias {
		m.InProjBias = param(prefix, "in_proj_bias", 3*embed)
		m.OutProj.Bias.Value.Zero()
	}
	return m
}

// Forward attends from queries xq [B, Lq, E] to keys and values xkv
// [B, Lk, E] (pass the same Var for self-attention) and returns
// [B, Lq, E]. The mask follows autograd.AttnMask's conventions.
func (m *MultiheadAttention) Forward(tp *autograd.Tape, xq, xkv *autograd.Var, mask autograd.AttnMask) *autograd.Var {
	// The packed projection is sliced on the tape so that gradients flow
	// back into the single torch-named parameter.
	e := m.Embed
	wq := tp.Slice(m.InProjWeight, 0, 0, e)
	wk := tp.Slice(m.InProjWeight, 0, e, 2*e)
	wv := tp.Slice(m.InProjWeight, 0, 2*e, 3*e)
	var bq, bk, bv *autograd.Var
	if m.InProjBias != nil {
		bq = tp.Slice(m.InProjBias, 0, 0, e)
		bk = tp.Slice(m.InProjBias, 0, e, 2*e)
		bv = tp.Slice(m.InProjBias, 0, 2*e, 3*e)
	}
	return tp.MultiHeadAttention(xq, xkv, wq, wk, wv, m.OutProj.Weight, bq, bk, bv, m.OutProj.Bias, m.Heads, mask)
}

// Params returns in_proj_weight, in_proj_bias, out_proj.weight and
// out_proj.bias (torch's order).
func (m *MultiheadAttention) Params() []*autograd.Var {
	return appendNonNil(nil, m.InProjWeight, m.InProjBias, m.OutProj.Weight, m.OutProj.Bias)
}

// Buffers returns nothing: attention has no buffers.
func (m *MultiheadAttention) Buffers() []Buffer { return nil }
