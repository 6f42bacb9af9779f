package autograd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// bmmComposed is BatchMatMul built from primitive ops: per batch item a
// Slice, a Transpose where asked, a 2-D MatMul, then a Stack.
func bmmComposed(tp *Tape, a, b *Var, transA, transB bool) *Var {
	items := make([]*Var, a.Value.Dim(0))
	for i := range items {
		ai := tp.Reshape(tp.Slice(a, 0, i, i+1), a.Value.Dim(1), a.Value.Dim(2))
		bi := tp.Reshape(tp.Slice(b, 0, i, i+1), b.Value.Dim(1), b.Value.Dim(2))
		if transA {
			ai = tp.Transpose(ai, 0, 1)
		}
		if transB {
			bi = tp.Transpose(bi, 0, 1)
		}
		items[i] = tp.MatMul(ai, bi)
	}
	return tp.Stack(0, items...)
}

// bmmShapes returns stored shapes of a and b giving op(a) [B,m,k] and
// op(b) [B,k,n].
func bmmShapes(batch, m, n, k int, transA, transB bool) (as, bs []int) {
	as, bs = []int{batch, m, k}, []int{batch, k, n}
	if transA {
		as = []int{batch, k, m}
	}
	if transB {
		bs = []int{batch, n, k}
	}
	return as, bs
}

func TestBatchMatMul(t *testing.T) {
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		t.Run(fmt.Sprintf("transA=%v,transB=%v", tr[0], tr[1]), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, 12))
			as, bs := bmmShapes(3, 4, 5, 2, tr[0], tr[1])
			in := []*tensor.Tensor{randTensor(rng, as...), randTensor(rng, bs...)}
			fused := func(tp *Tape, v []*Var) *Var { return tp.BatchMatMul(v[0], v[1], tr[0], tr[1]) }
			composed := func(tp *Tape, v []*Var) *Var { return bmmComposed(tp, v[0], v[1], tr[0], tr[1]) }
			if d := fusedVsComposed(t, in, fused, composed); d > 1e-5 {
				t.Errorf("fused and composed differ by %g", d)
			}
			if err := GradCheck(fused, in, GradCheckOptions{Seed: 3}); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestBatchMatMulShapes(t *testing.T) {
	tp := NewInference()
	y := tp.BatchMatMul(Const(tensor.New(2, 3, 4)), Const(tensor.New(2, 5, 4)), false, true)
	if !tensor.SameShape(y.Value.Shape, []int{2, 3, 5}) {
		t.Errorf("shape %v, want [2 3 5]", y.Value.Shape)
	}
	for _, c := range []struct{ a, b []int }{
		{[]int{2, 3, 4}, []int{3, 4, 5}}, // batch mismatch
		{[]int{2, 3, 4}, []int{2, 3, 5}}, // inner mismatch
		{[]int{3, 4}, []int{4, 5}},       // not batched
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BatchMatMul(%v, %v) did not panic", c.a, c.b)
				}
			}()
			tp.BatchMatMul(Const(tensor.New(c.a...)), Const(tensor.New(c.b...)), false, false)
		}()
	}
}
