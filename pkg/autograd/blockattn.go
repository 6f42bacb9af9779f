package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/gemm"
)

// AttnBlock is one query block of a BlockPlan: the queries Q0..Q1−1 (a
// contiguous range of positions) attend to the keys Keys (positions, in
// any order), query Q0+i seeing key Keys[j] iff Keep[i·len(Keys)+j].
// A nil Keep lets every query of the block see every key.
type AttnBlock struct {
	Q0, Q1 int
	Keys   []int
	Keep   []bool
}

// BlockPlan is a blocked attention pattern: a partition of the queries
// into blocks, each with its own memory of keys. It describes the Image
// Transformer's local 2-D attention (Parmar et al. 2018, §3.2), whose
// memory (the query rectangle with flanges above, left and right) is not
// a contiguous range of the generation order, in O(blocks · block · memory)
// instead of O(L²) space and time.
type BlockPlan struct {
	Lq, Lk int // query and key positions
	Blocks []AttnBlock
	size   int // Σ (Q1−Q0)·len(Keys): probabilities per (batch, head)
}

// NewBlockPlan checks the blocks (they must cover 0..lq−1 in order, keys
// in 0..lk−1, Keep of the right length) and returns the plan.
func NewBlockPlan(lq, lk int, blocks []AttnBlock) (*BlockPlan, error) {
	p := &BlockPlan{Lq: lq, Lk: lk, Blocks: blocks}
	next := 0
	for bi, b := range blocks {
		if b.Q0 != next || b.Q1 <= b.Q0 || b.Q1 > lq {
			return nil, fmt.Errorf("block %d covers queries [%d, %d): want a range starting at %d within %d", bi, b.Q0, b.Q1, next, lq)
		}
		for _, k := range b.Keys {
			if k < 0 || k >= lk {
				return nil, fmt.Errorf("block %d: key %d outside [0, %d)", bi, k, lk)
			}
		}
		if b.Keep != nil && len(b.Keep) != (b.Q1-b.Q0)*len(b.Keys) {
			return nil, fmt.Errorf("block %d: %d mask entries for %d queries × %d keys", bi, len(b.Keep), b.Q1-b.Q0, len(b.Keys))
		}
		next = b.Q1
		p.size += (b.Q1 - b.Q0) * len(b.Keys)
	}
	if next != lq {
		return nil, fmt.Errorf("blocks cover %d of %d queries", next, lq)
	}
	return p, nil
}

// Visible returns the keys query i may see, in the order of its block's
// Keys, appended to dst.
func (p *BlockPlan) Visible(dst []int, i int) []int {
	for _, b := range p.Blocks {
		if i < b.Q0 || i >= b.Q1 {
			continue
		}
		nk := len(b.Keys)
		for j, k := range b.Keys {
			if b.Keep == nil || b.Keep[(i-b.Q0)*nk+j] {
				dst = append(dst, k)
			}
		}
		break
	}
	return dst
}

// maxBlockKeys returns the largest memory and query block of the plan.
func (p *BlockPlan) maxBlock() (nq, nk int) {
	for _, b := range p.Blocks {
		nq, nk = max(nq, b.Q1-b.Q0), max(nk, len(b.Keys))
	}
	return nq, nk
}

// BlockAttention returns the scaled dot-product attention of q
// [B, H, Lq, D] over k [B, H, Lk, D] and v [B, H, Lk, Dv] restricted to
// the plan's blocks: query i attends to the keys of its block that its
// mask row keeps. It equals Attention with a KeepMask that is 1 exactly
// on those (query, key) pairs; a query that sees no key gets a zero row.
//
// Per (batch, head, block) the keys and values of the block are gathered
// into a small contiguous matrix, so the work is two SGEMMs of
// block × memory; the probabilities kept for backward are Σ block·memory
// per (batch, head) instead of Lq·Lk.
func (tp *Tape) BlockAttention(q, k, v *Var, plan *BlockPlan) *Var {
	qs, ks, vs := q.Value.Shape, k.Value.Shape, v.Value.Shape
	if len(qs) != 4 || len(ks) != 4 || len(vs) != 4 || ks[0] != qs[0] || ks[1] != qs[1] || ks[3] != qs[3] ||
		vs[0] != qs[0] || vs[1] != qs[1] || vs[2] != ks[2] || qs[2] != plan.Lq || ks[2] != plan.Lk {
		panic(fmt.Sprintf("autograd: BlockAttention q %v, k %v, v %v for a plan of %d queries, %d keys", qs, ks, vs, plan.Lq, plan.Lk))
	}
	dm := attnDims{b: qs[0], h: qs[1], lq: qs[2], lk: ks[2], d: qs[3], dv: vs[3]}
	dm.scale = float32(1 / math.Sqrt(float64(dm.d)))
	out := tp.Alloc(dm.b, dm.h, dm.lq, dm.dv)
	rec := tp.record && (q.RequiresGrad || k.RequiresGrad || v.RequiresGrad)
	var probs []float32
	if rec {
		probs = tp.Alloc(dm.b*dm.h*plan.size + 1).Data
	} else {
		probs = tp.Alloc(plan.size + 1).Data
	}
	_, mk := plan.maxBlock()
	gk := tp.Scratch(mk*max(dm.d, dm.dv) + 1).Data
	gv := tp.Scratch(mk*dm.dv + 1).Data
	blockAttnForward(out.Data, probs, gk, gv, rec, q.Value.Data, k.Value.Data, v.Value.Data, plan, &dm)
	y := tp.Result(out, q, k, v)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			nq, nk := plan.maxBlock()
			scratch := tp.Scratch(nq*nk + 4*nk*max(dm.d, dm.dv) + 1).Data
			blockAttnBackward(gradIfNeeded(tp, q), gradIfNeeded(tp, k), gradIfNeeded(tp, v), scratch,
				y.Grad.Data, probs, q.Value.Data, k.Value.Data, v.Value.Data, plan, &dm)
		})
	}
	return y
}

// gatherRows copies rows idx of src (row length n) into dst.
func gatherRows(dst, src []float32, idx []int, n int) {
	for j, r := range idx {
		copy(dst[j*n:(j+1)*n], src[r*n:(r+1)*n])
	}
}

// scatterAddRows adds the rows of src into rows idx of dst.
func scatterAddRows(dst, src []float32, idx []int, n int) {
	for j, r := range idx {
		d, s := dst[r*n:(r+1)*n], src[j*n:(j+1)*n]
		for i, x := range s {
			d[i] += x
		}
	}
}

// blockAttnForward computes out and the per-block probabilities (one set
// per (b, h) when perHead, else one reused set). gk and gv hold the
// gathered keys and values of a block.
func blockAttnForward(out, probs, gk, gv []float32, perHead bool, q, k, v []float32, p *BlockPlan, dm *attnDims) {
	lq, lk, d, dv := dm.lq, dm.lk, dm.d, dm.dv
	noMask := AttnMask{}
	for b := 0; b < dm.b; b++ {
		for h := 0; h < dm.h; h++ {
			bh := b*dm.h + h
			qp, kp, vp := q[bh*lq*d:(bh+1)*lq*d], k[bh*lk*d:(bh+1)*lk*d], v[bh*lk*dv:(bh+1)*lk*dv]
			op := out[bh*lq*dv : (bh+1)*lq*dv]
			pp := probs[:p.size]
			if perHead {
				pp = probs[bh*p.size : (bh+1)*p.size]
			}
			off := 0
			for _, blk := range p.Blocks {
				nq, nk := blk.Q1-blk.Q0, len(blk.Keys)
				if nk == 0 {
					continue // the output rows stay zero
				}
				gatherRows(gk, kp, blk.Keys, d)
				gatherRows(gv, vp, blk.Keys, dv)
				s := pp[off : off+nq*nk]
				gemm.Sgemm(false, true, nq, nk, d, dm.scale, qp[blk.Q0*d:], d, gk, d, 0, s, nk)
				for i := 0; i < nq; i++ {
					row := s[i*nk : (i+1)*nk]
					if blk.Keep != nil {
						neg := float32(math.Inf(-1))
						for j, keep := range blk.Keep[i*nk : (i+1)*nk] {
							if !keep {
								row[j] = neg
							}
						}
					}
					attnSoftmaxRow(row, 0, 0, &noMask, nil, nk)
				}
				gemm.Sgemm(false, false, nq, dv, nk, 1, s, nk, gv, dv, 0, op[blk.Q0*dv:], dv)
				off += nq * nk
			}
		}
	}
}

// blockAttnBackward accumulates dq, dk, dv (nil ones skipped) from dout,
// block by block, with the rules of attnBackward on the gathered keys and
// values, scattering the key and value gradients back.
func blockAttnBackward(dq, dk, dv, scratch, dout, probs, q, k, v []float32, p *BlockPlan, dm *attnDims) {
	lq, lk, d, dvn := dm.lq, dm.lk, dm.d, dm.dv
	nqMax, nkMax := p.maxBlock()
	w := max(d, dvn)
	dS := scratch[:nqMax*nkMax]
	gk := scratch[nqMax*nkMax:][:nkMax*w]
	gv := scratch[nqMax*nkMax+nkMax*w:][:nkMax*w]
	gdk := scratch[nqMax*nkMax+2*nkMax*w:][:nkMax*w]
	gdv := scratch[nqMax*nkMax+3*nkMax*w:][:nkMax*w]
	for b := 0; b < dm.b; b++ {
		for h := 0; h < dm.h; h++ {
			bh := b*dm.h + h
			qo, ko, vo, oo := bh*lq*d, bh*lk*d, bh*lk*dvn, bh*lq*dvn
			pp := probs[bh*p.size : (bh+1)*p.size]
			off := 0
			for _, blk := range p.Blocks {
				nq, nk := blk.Q1-blk.Q0, len(blk.Keys)
				if nk == 0 {
					continue
				}
				pb := pp[off : off+nq*nk]
				off += nq * nk
				dO := dout[oo+blk.Q0*dvn:]
				if dv != nil {
					gemm.Sgemm(true, false, nk, dvn, nq, 1, pb, nk, dO, dvn, 0, gdv, dvn)
					scatterAddRows(dv[vo:vo+lk*dvn], gdv, blk.Keys, dvn)
				}
				if dq == nil && dk == nil {
					continue
				}
				gatherRows(gv, v[vo:vo+lk*dvn], blk.Keys, dvn)
				ds := dS[:nq*nk]
				gemm.Sgemm(false, true, nq, nk, dvn, 1, dO, dvn, gv, dvn, 0, ds, nk)
				for i := 0; i < nq; i++ {
					pr, dr := pb[i*nk:(i+1)*nk], ds[i*nk:(i+1)*nk]
					var dot float32
					for j, pv := range pr {
						dot += pv * dr[j]
					}
					for j, pv := range pr {
						dr[j] = pv * (dr[j] - dot)
					}
				}
				if dq != nil {
					gatherRows(gk, k[ko:ko+lk*d], blk.Keys, d)
					gemm.Sgemm(false, false, nq, d, nk, dm.scale, ds, nk, gk, d, 1, dq[qo+blk.Q0*d:], d)
				}
				if dk != nil {
					gemm.Sgemm(true, false, nk, d, nq, dm.scale, ds, nk, q[qo+blk.Q0*d:], d, 0, gdk, d)
					scatterAddRows(dk[ko:ko+lk*d], gdk, blk.Keys, d)
				}
			}
		}
	}
}
