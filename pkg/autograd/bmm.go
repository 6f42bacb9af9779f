package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
)

// bmmDims are the sizes of one batched product C_i = op(A_i)·op(B_i):
// op(A_i) is m×k, op(B_i) is k×n, and lda, ldb are the row lengths of A
// and B as stored (k or m, n or k depending on the transposes).
type bmmDims struct {
	batch, m, n, k   int
	lda, ldb         int
	transA, transB   bool
	strideA, strideB int
}

// newBmmDims checks the shapes of a batched product and returns its sizes.
func newBmmDims(as, bs []int, transA, transB bool) bmmDims {
	if len(as) != 3 || len(bs) != 3 || as[0] != bs[0] {
		panic(fmt.Sprintf("autograd: BatchMatMul shapes %v and %v: want [B,·,·] and [B,·,·]", as, bs))
	}
	d := bmmDims{batch: as[0], transA: transA, transB: transB, lda: as[2], ldb: bs[2]}
	d.m, d.k = as[1], as[2]
	if transA {
		d.m, d.k = as[2], as[1]
	}
	kb, n := bs[1], bs[2]
	if transB {
		kb, n = bs[2], bs[1]
	}
	if kb != d.k {
		panic(fmt.Sprintf("autograd: BatchMatMul shapes %v (transposed %v) and %v (transposed %v): inner sizes %d and %d",
			as, transA, bs, transB, d.k, kb))
	}
	d.n = n
	d.strideA, d.strideB = as[1]*as[2], bs[1]*bs[2]
	return d
}

// bmmForward computes c[i] = op(a[i])·op(b[i]) for every batch item.
func bmmForward(c, a, b []float32, d *bmmDims) {
	gemm.SgemmBatched(d.transA, d.transB, d.batch, d.m, d.n, d.k, 1, a, d.strideA, d.lda, b, d.strideB, d.ldb,
		0, c, d.m*d.n, d.n)
}

// bmmBackward accumulates the gradients of bmmForward; a nil destination is
// skipped. With C = op(A)·op(B):
//
//	dA = dC·op(B)ᵀ, stored transposed (op(B)·dCᵀ) when A is;
//	dB = op(A)ᵀ·dC, stored transposed (dCᵀ·op(A)) when B is.
func bmmBackward(da, db, dc, a, b []float32, d *bmmDims) {
	m, n, k, strideC := d.m, d.n, d.k, d.m*d.n
	if da != nil {
		if d.transA { // dA [k, m] += op(B)·dCᵀ
			gemm.SgemmBatched(d.transB, true, d.batch, k, m, n, 1, b, d.strideB, d.ldb, dc, strideC, n,
				1, da, d.strideA, m)
		} else { // dA [m, k] += dC·op(B)ᵀ
			gemm.SgemmBatched(false, !d.transB, d.batch, m, k, n, 1, dc, strideC, n, b, d.strideB, d.ldb,
				1, da, d.strideA, k)
		}
	}
	if db != nil {
		if d.transB { // dB [n, k] += dCᵀ·op(A)
			gemm.SgemmBatched(true, d.transA, d.batch, n, k, m, 1, dc, strideC, n, a, d.strideA, d.lda,
				1, db, d.strideB, k)
		} else { // dB [k, n] += op(A)ᵀ·dC
			gemm.SgemmBatched(!d.transA, false, d.batch, k, n, m, 1, a, d.strideA, d.lda, dc, strideC, n,
				1, db, d.strideB, n)
		}
	}
}

// BatchMatMul returns the batched product op(a[i])·op(b[i]) for a and b of
// shapes [B, ·, ·]: op transposes the last two axes of a when transA (of b
// when transB). op(a) must be [B, m, k] and op(b) [B, k, n]; the result is
// [B, m, n].
//
// PyTorch: torch.bmm(a.transpose(1, 2) if transA else a,
// b.transpose(1, 2) if transB else b).
//
// The transposes are flags of the SGEMM and never materialised: the
// non-local block multiplies channel-first [B, C, positions] maps this way
// without permuting them.
func (tp *Tape) BatchMatMul(a, b *Var, transA, transB bool) *Var {
	d := newBmmDims(a.Value.Shape, b.Value.Shape, transA, transB)
	out := tp.Scratch(d.batch, d.m, d.n)
	bmmForward(out.Data, a.Value.Data, b.Value.Data, &d)
	y := tp.Result(out, a, b)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			bmmBackward(gradIfNeeded(tp, a), gradIfNeeded(tp, b), y.Grad.Data, a.Value.Data, b.Value.Data, &d)
		})
	}
	return y
}
