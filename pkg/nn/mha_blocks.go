package nn

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// Attend computes an attention of split heads q [B, H, Lq, Dh] over
// k [B, H, Lk, Dh] and v [B, H, Lk, Dh]; it lets a model put a blocked
// attention (autograd.BlockAttention) where MultiheadAttention.Forward
// would apply a mask.
type Attend func(tp *autograd.Tape, q, k, v *autograd.Var) *autograd.Var

// MaskAttend returns the Attend of autograd.Attention with a mask.
func MaskAttend(mask autograd.AttnMask) Attend {
	return func(tp *autograd.Tape, q, k, v *autograd.Var) *autograd.Var { return tp.Attention(q, k, v, mask) }
}

// projections returns the query, key and value weights and biases, sliced
// on the tape from the packed parameters so gradients reach them.
func (m *MultiheadAttention) projections(tp *autograd.Tape) (wq, wk, wv, bq, bk, bv *autograd.Var) {
	e := m.Embed
	wq = tp.Slice(m.InProjWeight, 0, 0, e)
	wk = tp.Slice(m.InProjWeight, 0, e, 2*e)
	wv = tp.Slice(m.InProjWeight, 0, 2*e, 3*e)
	if m.InProjBias != nil {
		bq = tp.Slice(m.InProjBias, 0, 0, e)
		bk = tp.Slice(m.InProjBias, 0, e, 2*e)
		bv = tp.Slice(m.InProjBias, 0, 2*e, 3*e)
	}
	return
}

// ForwardAttend is Forward with the attention of the split heads left to
// attend: the same projections and the same output, for attentions a mask
// cannot express efficiently.
func (m *MultiheadAttention) ForwardAttend(tp *autograd.Tape, xq, xkv *autograd.Var, attend Attend) *autograd.Var {
	wq, wk, wv, bq, bk, bv := m.projections(tp)
	q := tp.SplitHeads(tp.Linear(xq, wq, bq), m.Heads)
	k := tp.SplitHeads(tp.Linear(xkv, wk, bk), m.Heads)
	v := tp.SplitHeads(tp.Linear(xkv, wv, bv), m.Heads)
	return tp.Linear(tp.MergeHeads(attend(tp, q, k, v)), m.OutProj.Weight, m.OutProj.Bias)
}

// KVCache holds the projected keys and values of the positions an
// attention has seen, K and V [B, H, L, Dh], so that decoding one more
// position costs one position's projections instead of the whole prefix.
// It lives outside any tape.
type KVCache struct {
	K, V *tensor.Tensor
	// Record makes Step keep the attention weights of its query over the
	// keys it saw in Weights, [B, H, len(keys)], for inspection.
	Record  bool
	Weights *tensor.Tensor
}

// NewKVCache returns an empty cache for batch b and length l.
func (m *MultiheadAttention) NewKVCache(b, l int) *KVCache {
	dh := m.Embed / m.Heads
	return &KVCache{K: tensor.New(b, m.Heads, l, dh), V: tensor.New(b, m.Heads, l, dh)}
}

// Memory projects a fixed key/value source mem [B, Lk, E] (an encoder's
// output) once into a cache that every decoding step reuses.
func (m *MultiheadAttention) Memory(tp *autograd.Tape, mem *autograd.Var) *KVCache {
	_, wk, wv, _, bk, bv := m.projections(tp)
	k := tp.SplitHeads(tp.Linear(mem, wk, bk), m.Heads)
	v := tp.SplitHeads(tp.Linear(mem, wv, bv), m.Heads)
	return &KVCache{K: k.Value.Clone(), V: v.Value.Clone()}
}

// Step attends from one new position per sequence, x [B, 1, E] at
// position pos, and returns [B, 1, E]. With self set the position's key
// and value are first written into the cache at pos (self-attention);
// otherwise the cache is a fixed Memory. The query sees the cached
// positions keys (nil: all of them), which the caller chooses by its mask.
func (m *MultiheadAttention) Step(tp *autograd.Tape, x *autograd.Var, c *KVCache, pos int, keys []int, self bool) *autograd.Var {
	if x.Value.Dims() != 3 || x.Value.Dim(1) != 1 {
		panic(fmt.Sprintf("nn: attention step on %v: want [B,1,E]", x.Value.Shape))
	}
	wq, wk, wv, bq, bk, bv := m.projections(tp)
	q := tp.SplitHeads(tp.Linear(x, wq, bq), m.Heads)
	b, heads, l, dh := c.K.Dim(0), c.K.Dim(1), c.K.Dim(2), c.K.Dim(3)
	if self {
		k := tp.SplitHeads(tp.Linear(x, wk, bk), m.Heads)
		v := tp.SplitHeads(tp.Linear(x, wv, bv), m.Heads)
		for bh := 0; bh < b*heads; bh++ {
			copy(c.K.Data[(bh*l+pos)*dh:(bh*l+pos+1)*dh], k.Value.Data[bh*dh:(bh+1)*dh])
			copy(c.V.Data[(bh*l+pos)*dh:(bh*l+pos+1)*dh], v.Value.Data[bh*dh:(bh+1)*dh])
		}
	}
	var kv, vv *autograd.Var
	if keys == nil {
		kv, vv = tp.Const(c.K), tp.Const(c.V)
	} else {
		nk := len(keys)
		gk, gv := tp.Scratch(b, heads, nk, dh), tp.Scratch(b, heads, nk, dh)
		for bh := 0; bh < b*heads; bh++ {
			for j, p := range keys {
				copy(gk.Data[(bh*nk+j)*dh:(bh*nk+j+1)*dh], c.K.Data[(bh*l+p)*dh:(bh*l+p+1)*dh])
				copy(gv.Data[(bh*nk+j)*dh:(bh*nk+j+1)*dh], c.V.Data[(bh*l+p)*dh:(bh*l+p+1)*dh])
			}
		}
		kv, vv = tp.Const(gk), tp.Const(gv)
	}
	o := tp.Attention(q, kv, vv, autograd.AttnMask{})
	if c.Record {
		c.Weights = stepWeights(q.Value, kv.Value)
	}
	return tp.Linear(tp.MergeHeads(o), m.OutProj.Weight, m.OutProj.Bias)
}

// stepWeights returns softmax(q·kᵀ/√Dh) of one query per (batch, head),
// q [B, H, 1, Dh] over k [B, H, Lk, Dh], as [B, H, Lk]: the weights the
// step's attention applied.
func stepWeights(q, k *tensor.Tensor) *tensor.Tensor { return AttentionWeights(q, k, 0, nil) }

// AttentionWeights returns the attention weights softmax(q_i·kᵀ/√Dh) of
// query row i of q [B, H, Lq, Dh] over the key rows keys of k
// [B, H, Lk, Dh] (nil: all of them), as [B, H, len(keys)]: the weights
// an attention over those keys applies to that query, for inspection.
// Sums run in float64.
func AttentionWeights(q, k *tensor.Tensor, i int, keys []int) *tensor.Tensor {
	b, h, lq, lk, dh := k.Dim(0), k.Dim(1), q.Dim(2), k.Dim(2), k.Dim(3)
	nk := len(keys)
	if keys == nil {
		nk = lk
	}
	w := tensor.New(b, h, nk)
	scale := 1 / math.Sqrt(float64(dh))
	s := make([]float64, nk)
	for bh := 0; bh < b*h; bh++ {
		qv := q.Data[(bh*lq+i)*dh : (bh*lq+i+1)*dh]
		row := w.Data[bh*nk : (bh+1)*nk]
		mx := math.Inf(-1)
		for j := range row {
			kj := j
			if keys != nil {
				kj = keys[j]
			}
			kv := k.Data[(bh*lk+kj)*dh : (bh*lk+kj+1)*dh]
			var dot float64
			for d, x := range qv {
				dot += float64(x) * float64(kv[d])
			}
			s[j] = dot * scale
			mx = math.Max(mx, s[j])
		}
		var sum float64
		for j := range s {
			s[j] = math.Exp(s[j] - mx)
			sum += s[j]
		}
		for j := range row {
			row[j] = float32(s[j] / sum)
		}
	}
	return w
}
