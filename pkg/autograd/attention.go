package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
)

// MaskKind selects which keys each query of an attention may see.
type MaskKind int

const (
	// MaskNone lets every query see every key.
	MaskNone MaskKind = iota
	// MaskCausal lets query i see key j iff j ≤ i (top-left aligned when
	// Lq ≠ Lk, like torch's is_causal).
	MaskCausal
	// MaskLocal is the Image Transformer's local 1-D attention (Parmar et
	// al. 2018, §3.2): queries are split into blocks of BlockLen positions
	// and each block sees the MemLen positions before it plus, causally,
	// its own block. Precisely, with blockStart(i) = (i/BlockLen)·BlockLen,
	// key j is visible to query i iff j ≤ i and j ≥ blockStart(i) − MemLen.
	MaskLocal
	// MaskKeep uses Tensor as a boolean mask: key j is visible to query i
	// iff Tensor[..., i, j] ≠ 0. This is torch's
	// scaled_dot_product_attention convention (True = take part), the
	// opposite of nn.MultiheadAttention's boolean attn_mask (True = masked).
	MaskKeep
	// MaskAdditive adds Tensor[..., i, j] to the scaled score of (i, j)
	// before the softmax; −Inf hides a key. This is the float attn_mask of
	// both torch APIs.
	MaskAdditive
)

// AttnMask describes the mask of an attention. The zero value is MaskNone.
type AttnMask struct {
	Kind MaskKind
	// BlockLen and MemLen are the query block length and the memory length
	// of MaskLocal.
	BlockLen, MemLen int
	// Tensor is the mask of MaskKeep and MaskAdditive, of shape [Lq, Lk]
	// (shared), [B, 1, Lq, Lk] (per batch item) or [B, H, Lq, Lk].
	Tensor *tensor.Tensor
}

// CausalMask returns the mask of autoregressive decoding: query i sees keys
// 0..i.
func CausalMask() AttnMask { return AttnMask{Kind: MaskCausal} }

// LocalMask returns the Image Transformer local 1-D mask with query blocks
// of blockLen positions and a memory of memLen positions (see MaskLocal).
func LocalMask(blockLen, memLen int) AttnMask {
	return AttnMask{Kind: MaskLocal, BlockLen: blockLen, MemLen: memLen}
}

// KeepMask returns a boolean mask: nonzero entries of t are visible.
func KeepMask(t *tensor.Tensor) AttnMask { return AttnMask{Kind: MaskKeep, Tensor: t} }

// AdditiveMask returns a mask whose entries are added to the scores.
func AdditiveMask(t *tensor.Tensor) AttnMask { return AttnMask{Kind: MaskAdditive, Tensor: t} }

// causalBlock is the number of query rows per score GEMM under a causal
// mask: small enough to skip most of the hidden upper triangle, large
// enough for the GEMM to be efficient.
const causalBlock = 64

// span returns the query rows [r0, r1) handled together from r0 on, and
// the key columns [k0, k1) that contain every key any of them may see.
// Scores outside the span are never computed: for local and causal masks
// this is where the fused op saves its work.
func (m *AttnMask) span(r0, lq, lk int) (r1, k0, k1 int) {
	switch m.Kind {
	case MaskCausal:
		r1 = min(r0+causalBlock, lq)
		return r1, 0, min(r1, lk)
	case MaskLocal:
		r1 = min((r0/m.BlockLen+1)*m.BlockLen, lq)
		k0 = max(r0-m.MemLen, 0) // r0 is a block start
		k1 = min(r1, lk)
		return r1, min(k0, k1), k1
	}
	return lq, 0, lk
}

// visible returns the contiguous key range [lo, hi) that query i may see
// under a causal or local mask (all keys for the other kinds).
func (m *AttnMask) visible(i, lk int) (lo, hi int) {
	switch m.Kind {
	case MaskCausal:
		return 0, min(i+1, lk)
	case MaskLocal:
		lo = max((i/m.BlockLen)*m.BlockLen-m.MemLen, 0)
		hi = min(i+1, lk)
		return min(lo, hi), hi
	}
	return 0, lk
}

// row returns row i of the mask tensor for batch item b and head h, or nil
// for masks without a tensor.
func (m *AttnMask) row(b, h, heads, i, lq, lk int) []float32 {
	if m.Tensor == nil || (m.Kind != MaskKeep && m.Kind != MaskAdditive) {
		return nil
	}
	plane := lq * lk
	var off int // check has validated the shape
	switch {
	case m.Tensor.Dims() == 2:
	case m.Tensor.Dim(1) == 1:
		off = b * plane
	default:
		off = (b*heads + h) * plane
	}
	return m.Tensor.Data[off+i*lk : off+(i+1)*lk]
}

// check validates the mask against the attention sizes.
func (m *AttnMask) check(b, heads, lq, lk int) {
	switch m.Kind {
	case MaskNone, MaskCausal:
	case MaskLocal:
		if m.BlockLen <= 0 || m.MemLen < 0 {
			panic(fmt.Sprintf("autograd: local attention mask with block %d, memory %d", m.BlockLen, m.MemLen))
		}
	case MaskKeep, MaskAdditive:
		t := m.Tensor
		ok := t != nil && t.Dims() >= 2 && t.Dim(-2) == lq && t.Dim(-1) == lk &&
			(t.Dims() == 2 || (t.Dims() == 4 && t.Dim(0) == b && (t.Dim(1) == 1 || t.Dim(1) == heads)))
		if !ok {
			var shape []int
			if t != nil {
				shape = t.Shape
			}
			panic(fmt.Sprintf("autograd: attention mask %v for B=%d H=%d Lq=%d Lk=%d: want [Lq,Lk], [B,1,Lq,Lk] or [B,H,Lq,Lk]",
				shape, b, heads, lq, lk))
		}
	default:
		panic(fmt.Sprintf("autograd: unknown attention mask kind %d", m.Kind))
	}
}

// attnDims are the sizes of one attention call.
type attnDims struct {
	b, h, lq, lk, d, dv int
	scale               float32
}

// Attention returns softmax(q·kᵀ/√D + mask)·v for q [B, H, Lq, D],
// k [B, H, Lk, D] and v [B, H, Lk, Dv]: an output [B, H, Lq, Dv]. Queries
// whose every key is masked get a zero output row (and zero gradients)
// instead of torch's NaN.
//
// PyTorch: torch.nn.functional.scaled_dot_product_attention(q, k, v,
// attn_mask, is_causal=(mask.Kind == MaskCausal)).
//
// The op is fused: per (batch, head) and per block of query rows the
// scores come from one SGEMM restricted to the keys the block may see, the
// softmax runs in place, and a second SGEMM applies it to v. The
// probabilities [B, H, Lq, Lk] are kept for backward when the tape
// records; an inference tape only needs one [Lq, Lk] scratch plane.
func (tp *Tape) Attention(q, k, v *Var, mask AttnMask) *Var {
	qs, ks, vs := q.Value.Shape, k.Value.Shape, v.Value.Shape
	if len(qs) != 4 || len(ks) != 4 || len(vs) != 4 || ks[0] != qs[0] || ks[1] != qs[1] || ks[3] != qs[3] ||
		vs[0] != qs[0] || vs[1] != qs[1] || vs[2] != ks[2] {
		panic(fmt.Sprintf("autograd: Attention q %v, k %v, v %v: want [B,H,Lq,D], [B,H,Lk,D], [B,H,Lk,Dv]", qs, ks, vs))
	}
	dm := attnDims{b: qs[0], h: qs[1], lq: qs[2], lk: ks[2], d: qs[3], dv: vs[3]}
	dm.scale = float32(1 / math.Sqrt(float64(dm.d)))
	mask.check(dm.b, dm.h, dm.lq, dm.lk)
	out := tp.Alloc(dm.b, dm.h, dm.lq, dm.dv)
	rec := tp.record && (q.RequiresGrad || k.RequiresGrad || v.RequiresGrad)
	var probs []float32
	if rec {
		probs = tp.Alloc(dm.b, dm.h, dm.lq, dm.lk).Data
	} else {
		probs = tp.Alloc(dm.lq, dm.lk).Data
	}
	attnForward(out.Data, probs, rec, q.Value.Data, k.Value.Data, v.Value.Data, &mask, &dm)
	y := tp.Result(out, q, k, v)
	if y.RequiresGrad {
		tp.pushAttnBackward(mask, dm, probs, q, k, v, y)
	}
	return y
}

func (tp *Tape) pushAttnBackward(mask AttnMask, dm attnDims, probs []float32, q, k, v, y *Var) {
	tp.Push(func() {
		if y.Grad == nil {
			return
		}
		dP := tp.Alloc(dm.lq, dm.lk).Data
		attnBackward(gradIfNeeded(tp, q), gradIfNeeded(tp, k), gradIfNeeded(tp, v), dP,
			y.Grad.Data, probs, q.Value.Data, k.Value.Data, v.Value.Data, &mask, &dm)
	})
}

// attnForward computes out and the probabilities. With perHead the probs
// slice holds every (b, h) plane; otherwise one plane reused for all.
// Entries of a plane outside the computed spans are never written or read.
func attnForward(out, probs []float32, perHead bool, q, k, v []float32, m *AttnMask, dm *attnDims) {
	lq, lk, d, dv := dm.lq, dm.lk, dm.d, dm.dv
	for b := 0; b < dm.b; b++ {
		for h := 0; h < dm.h; h++ {
			bh := b*dm.h + h
			qp, kp, vp := q[bh*lq*d:(bh+1)*lq*d], k[bh*lk*d:(bh+1)*lk*d], v[bh*lk*dv:(bh+1)*lk*dv]
			op := out[bh*lq*dv : (bh+1)*lq*dv]
			pp := probs[:lq*lk]
			if perHead {
				pp = probs[bh*lq*lk : (bh+1)*lq*lk]
			}
			for r0 := 0; r0 < lq; {
				r1, k0, k1 := m.span(r0, lq, lk)
				if k1 > k0 {
					// S[r0:r1, k0:k1] = scale · Q[r0:r1] · K[k0:k1]ᵀ, in place in P.
					gemm.Sgemm(false, true, r1-r0, k1-k0, d, dm.scale, qp[r0*d:], d, kp[k0*d:], d, 0, pp[r0*lk+k0:], lk)
					for i := r0; i < r1; i++ {
						attnSoftmaxRow(pp[i*lk+k0:i*lk+k1], k0, i, m, m.row(b, h, dm.h, i, lq, lk), lk)
					}
					// O[r0:r1] = P[r0:r1, k0:k1] · V[k0:k1]
					gemm.Sgemm(false, false, r1-r0, dv, k1-k0, 1, pp[r0*lk+k0:], lk, vp[k0*dv:], dv, 0, op[r0*dv:], dv)
				} else {
					clear(op[r0*dv : r1*dv])
				}
				r0 = r1
			}
		}
	}
}

// attnSoftmaxRow turns the scores s of query i over keys k0..k0+len(s)
// into probabilities in place, honouring the mask (maskRow is the full
// tensor row for the tensor kinds). A row with no visible key becomes all
// zeros.
func attnSoftmaxRow(s []float32, k0, i int, m *AttnMask, maskRow []float32, lk int) {
	lo, hi := m.visible(i, lk)
	lo, hi = max(lo-k0, 0), min(hi-k0, len(s))
	if hi <= lo {
		clear(s)
		return
	}
	clear(s[:lo])
	clear(s[hi:])
	s = s[lo:hi]
	if maskRow != nil {
		maskRow = maskRow[k0+lo : k0+hi]
		neg := float32(math.Inf(-1))
		for j, mv := range maskRow {
			if m.Kind == MaskKeep {
				if mv == 0 {
					s[j] = neg
				}
			} else {
				s[j] += mv
			}
		}
	}
	mx := vec.Max(s)
	if math.IsInf(float64(mx), -1) {
		clear(s) // fully masked: zero output, not 0/0
		return
	}
	// vec.ExpMath has math.Exp's bits, so the models trained with the
	// scalar loop give the same figures; the sum stays in order for the
	// same reason.
	vec.ExpMath(s, s, mx)
	var sum float32
	for _, e := range s {
		sum += e
	}
	vec.Scale(s, 1/sum, s)
}

// attnBackward accumulates dq, dk, dv (nil ones skipped) from dout, using
// dP [Lq, Lk] as scratch. Per block, with P the saved probabilities:
// dV += Pᵀ·dO; dP = dO·Vᵀ; dS = P ⊙ (dP − rowsum(dP ⊙ P));
// dQ += scale·dS·K; dK += scale·dSᵀ·Q.
func attnBackward(dq, dk, dv, dP, dout, probs, q, k, v []float32, m *AttnMask, dm *attnDims) {
	lq, lk, d, dvn := dm.lq, dm.lk, dm.d, dm.dv
	for b := 0; b < dm.b; b++ {
		for h := 0; h < dm.h; h++ {
			bh := b*dm.h + h
			qo, ko, vo, oo := bh*lq*d, bh*lk*d, bh*lk*dvn, bh*lq*dvn
			pp := probs[bh*lq*lk : (bh+1)*lq*lk]
			dO := dout[oo : oo+lq*dvn]
			for r0 := 0; r0 < lq; {
				r1, k0, k1 := m.span(r0, lq, lk)
				rn, kn := r1-r0, k1-k0
				if kn == 0 {
					r0 = r1
					continue
				}
				pb := pp[r0*lk+k0:]
				if dv != nil {
					gemm.Sgemm(true, false, kn, dvn, rn, 1, pb, lk, dO[r0*dvn:], dvn, 1, dv[vo+k0*dvn:], dvn)
				}
				if dq != nil || dk != nil {
					db := dP[r0*lk+k0:]
					gemm.Sgemm(false, true, rn, kn, dvn, 1, dO[r0*dvn:], dvn, v[vo+k0*dvn:], dvn, 0, db, lk)
					for i := 0; i < rn; i++ {
						pr, dr := pb[i*lk:i*lk+kn], db[i*lk:i*lk+kn]
						var dot float32
						for j, p := range pr {
							dot += p * dr[j]
						}
						for j, p := range pr {
							dr[j] = p * (dr[j] - dot)
						}
					}
					if dq != nil {
						gemm.Sgemm(false, false, rn, d, kn, dm.scale, db, lk, k[ko+k0*d:], d, 1, dq[qo+r0*d:], d)
					}
					if dk != nil {
						gemm.Sgemm(true, false, kn, d, rn, dm.scale, db, lk, q[qo+r0*d:], d, 1, dk[ko+k0*d:], d)
					}
				}
				r0 = r1
			}
		}
	}
}

// MultiHeadAttention is torch.nn.MultiheadAttention(E, heads,
// batch_first=True) applied to query xq [B, Lq, E] and key/value source
// xkv [B, Lk, E] (pass the same Var for self-attention); it returns
// [B, Lq, E] (the attention weights are not returned).
//
// The projections are separate Vars. They map onto torch's packed
// parameters as in_proj_weight = cat(wQ, wK, wV) along dim 0 ([3E, E]),
// in_proj_bias = cat(bQ, bK, bV) ([3E]), out_proj.weight = wO [E, E],
// out_proj.bias = bO [E]. Biases may be nil (bias=False).
//
// Each head h uses features h·E/heads .. (h+1)·E/heads of the projected
// q, k and v, and the scaled dot-product attention of Attention with the
// given mask. Mind the boolean-mask convention: MaskKeep marks visible
// keys, where torch's boolean attn_mask marks hidden ones.
func (tp *Tape) MultiHeadAttention(xq, xkv, wQ, wK, wV, wO, bQ, bK, bV, bO *Var, heads int, mask AttnMask) *Var {
	if xq.Value.Dims() != 3 || xkv.Value.Dims() != 3 || xq.Value.Dim(0) != xkv.Value.Dim(0) || xq.Value.Dim(2) != xkv.Value.Dim(2) {
		panic(fmt.Sprintf("autograd: MultiHeadAttention query %v, key/value %v: want [B,Lq,E] and [B,Lk,E]", xq.Value.Shape, xkv.Value.Shape))
	}
	e := xq.Value.Dim(2)
	if heads <= 0 || e%heads != 0 {
		panic(fmt.Sprintf("autograd: MultiHeadAttention embedding %d is not divisible by %d heads", e, heads))
	}
	q := tp.splitHeads(tp.Linear(xq, wQ, bQ), heads)
	k := tp.splitHeads(tp.Linear(xkv, wK, bK), heads)
	v := tp.splitHeads(tp.Linear(xkv, wV, bV), heads)
	return tp.Linear(tp.mergeHeads(tp.Attention(q, k, v, mask)), wO, bO)
}

// splitHeads reshapes and permutes x [B, L, H·Dh] into [B, H, L, Dh].
func (tp *Tape) splitHeads(x *Var, heads int) *Var {
	b, l, e := x.Value.Dim(0), x.Value.Dim(1), x.Value.Dim(2)
	out := tp.Scratch(b, heads, l, e/heads) // every value is written
	headsPermute(out.Data, x.Value.Data, b, l, heads, e/heads, true, false)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g, fresh := tp.gradBuf(x)
			headsPermute(y.Grad.Data, g, b, l, heads, e/heads, false, !fresh)
		})
	}
	return y
}

// mergeHeads permutes and reshapes x [B, H, L, Dh] into [B, L, H·Dh].
func (tp *Tape) mergeHeads(x *Var) *Var {
	b, heads, l, dh := x.Value.Dim(0), x.Value.Dim(1), x.Value.Dim(2), x.Value.Dim(3)
	out := tp.Scratch(b, l, heads*dh) // every value is written
	headsPermute(x.Value.Data, out.Data, b, l, heads, dh, false, false)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			g, fresh := tp.gradBuf(x)
			headsPermute(g, y.Grad.Data, b, l, heads, dh, true, !fresh)
		})
	}
	return y
}

// headsPermute moves data between the [B, H, L, Dh] layout (split) and the
// [B, L, H·Dh] layout (merged): with toSplit from merged into split,
// otherwise from split into merged. The destination is overwritten (the
// forward passes, and a backward pass into a new gradient buffer) or added
// to (accumulate: a gradient that holds other ops' contributions); each
// head's Dh values move as one vector operation.
func headsPermute(split, merged []float32, b, l, heads, dh int, toSplit, accumulate bool) {
	for bi := 0; bi < b; bi++ {
		for h := 0; h < heads; h++ {
			for i := 0; i < l; i++ {
				s := split[((bi*heads+h)*l+i)*dh:][:dh]
				m := merged[(bi*l+i)*heads*dh+h*dh:][:dh]
				dst, src := m, s
				if toSplit {
					dst, src = s, m
				}
				if accumulate {
					vec.Add(dst, dst, src)
				} else {
					copy(dst, src)
				}
			}
		}
	}
}
