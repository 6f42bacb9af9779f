package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/vec"
)

// additiveScoreForward computes e[n,l] = Σ_a w[a]·tanh(p[n,l,a] + q[n,a])
// and keeps the tanh values in t [n, l, a] for backward.
func additiveScoreForward(e, t, p, q, w []float32, n, l, a int) {
	for i := 0; i < n; i++ {
		qi := q[i*a : (i+1)*a]
		for j := 0; j < l; j++ {
			off := (i*l + j) * a
			row := t[off : off+a]
			vec.Add(row, p[off:off+a], qi)
			vec.Tanh(row, row)
			e[i*l+j] = vec.Dot(row, w)
		}
	}
}

// additiveScoreBackward accumulates the gradients of additiveScoreForward:
// with g = de[n,l]·w[a]·(1 − t²), dp += g, dq[n,a] += Σ_l g and
// dw[a] += Σ_{n,l} de[n,l]·t. scratch holds a values. A nil destination
// is skipped.
func additiveScoreBackward(dp, dq, dw, de, t, w, scratch []float32, n, l, a int) {
	for i := 0; i < n; i++ {
		for j := 0; j < l; j++ {
			off := (i*l + j) * a
			d := de[i*l+j]
			if d == 0 {
				continue
			}
			row := t[off : off+a]
			if dw != nil {
				vec.Axpy(d, row, dw)
			}
			if dp == nil && dq == nil {
				continue
			}
			for k, v := range row {
				scratch[k] = d * w[k] * (1 - v*v)
			}
			if dp != nil {
				vec.Add(dp[off:off+a], dp[off:off+a], scratch[:a])
			}
			if dq != nil {
				vec.Add(dq[i*a:(i+1)*a], dq[i*a:(i+1)*a], scratch[:a])
			}
		}
	}
}

// AdditiveScore returns the scores of additive (Bahdanau) attention,
// e[n,l] = Σ_a w[a]·tanh(p[n,l,a] + q[n,a]), for p [N, L, A] (the
// projected annotations, W_a a_l + b), q [N, A] (the projected query,
// W_h h) and w [A]: the f_att of Show, Attend and Tell (Xu et al. 2015,
// section 4.2), whose output bias would cancel in the softmax over l.
// It is fused because the composition materialises the broadcast sum,
// its tanh and the product with w as three [N, L, A] tensors at every
// decoding step; TestAdditiveScoreMatchesComposition checks it against
// Add, Tanh, Linear and Reshape.
func (tp *Tape) AdditiveScore(p, q, w *Var) *Var {
	if p.Value.Dims() != 3 || q.Value.Dims() != 2 || w.Value.Size() != p.Value.Dim(2) ||
		q.Value.Dim(0) != p.Value.Dim(0) || q.Value.Dim(1) != p.Value.Dim(2) {
		panic(fmt.Sprintf("autograd: AdditiveScore p %v q %v w %v", p.Value.Shape, q.Value.Shape, w.Value.Shape))
	}
	n, l, a := p.Value.Dim(0), p.Value.Dim(1), p.Value.Dim(2)
	out := tp.Scratch(n, l)
	t := tp.Scratch(n, l, a)
	additiveScoreForward(out.Data, t.Data, p.Value.Data, q.Value.Data, w.Value.Data, n, l, a)
	y := tp.Result(out, p, q, w)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			additiveScoreBackward(gradData(tp, p), gradData(tp, q), gradData(tp, w), y.Grad.Data,
				t.Data, w.Value.Data, tp.Scratch(a).Data, n, l, a)
		})
	}
	return y
}

// weightedSumForward computes z[n,d] = Σ_l alpha[n,l]·x[n,l,d].
func weightedSumForward(z, alpha, x []float32, n, l, d int) {
	clear(z[:n*d])
	for i := 0; i < n; i++ {
		zi := z[i*d : (i+1)*d]
		for j := 0; j < l; j++ {
			if w := alpha[i*l+j]; w != 0 {
				off := (i*l + j) * d
				vec.Axpy(w, x[off:off+d], zi)
			}
		}
	}
}

// weightedSumBackward accumulates dalpha[n,l] += ⟨dz[n], x[n,l]⟩ and
// dx[n,l,d] += alpha[n,l]·dz[n,d]. A nil destination is skipped.
func weightedSumBackward(dalpha, dx, dz, alpha, x []float32, n, l, d int) {
	for i := 0; i < n; i++ {
		dzi := dz[i*d : (i+1)*d]
		for j := 0; j < l; j++ {
			off := (i*l + j) * d
			if dalpha != nil {
				dalpha[i*l+j] += vec.Dot(dzi, x[off:off+d])
			}
			if dx != nil {
				if w := alpha[i*l+j]; w != 0 {
					vec.Axpy(w, dzi, dx[off:off+d])
				}
			}
		}
	}
}

// WeightedSum returns z[n,:] = Σ_l alpha[n,l]·x[n,l,:] for alpha [N, L]
// and x [N, L, D]: the context vector of soft attention (Σ_i α_i a_i),
// a batched vector-matrix product. It is fused because the composition
// (Reshape, Mul, SumAxis) builds an [N, L, D] product at every decoding
// step; TestWeightedSumMatchesComposition checks it against that.
func (tp *Tape) WeightedSum(alpha, x *Var) *Var {
	if alpha.Value.Dims() != 2 || x.Value.Dims() != 3 ||
		alpha.Value.Dim(0) != x.Value.Dim(0) || alpha.Value.Dim(1) != x.Value.Dim(1) {
		panic(fmt.Sprintf("autograd: WeightedSum alpha %v x %v", alpha.Value.Shape, x.Value.Shape))
	}
	n, l, d := x.Value.Dim(0), x.Value.Dim(1), x.Value.Dim(2)
	out := tp.Scratch(n, d)
	weightedSumForward(out.Data, alpha.Value.Data, x.Value.Data, n, l, d)
	y := tp.Result(out, alpha, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			weightedSumBackward(gradData(tp, alpha), gradData(tp, x), y.Grad.Data, alpha.Value.Data, x.Value.Data, n, l, d)
		})
	}
	return y
}
