package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// refVisible applies the documented definition of each mask kind directly,
// returning whether key j is visible to query i and the additive term.
func refVisible(m AttnMask, b, h, heads, i, j, lq, lk int) (bool, float64) {
	switch m.Kind {
	case MaskCausal:
		return j <= i, 0
	case MaskLocal:
		blockStart := (i / m.BlockLen) * m.BlockLen
		return j <= i && j >= blockStart-m.MemLen, 0
	case MaskKeep, MaskAdditive:
		off := 0
		if m.Tensor.Dims() == 4 {
			off = b * m.Tensor.Dim(1) * lq * lk
			if m.Tensor.Dim(1) > 1 {
				off += h * lq * lk
			}
		}
		v := float64(m.Tensor.Data[off+i*lk+j])
		if m.Kind == MaskKeep {
			return v != 0, 0
		}
		return !math.IsInf(v, -1), v
	}
	return true, 0
}

// refAttention is a naive float64 scaled dot-product attention. Rows with
// no visible key are zero, as documented for Attention.
func refAttention(q, k, v *tensor.Tensor, m AttnMask) []float64 {
	B, H, Lq, D := q.Dim(0), q.Dim(1), q.Dim(2), q.Dim(3)
	Lk, Dv := k.Dim(2), v.Dim(3)
	out := make([]float64, B*H*Lq*Dv)
	scale := 1 / math.Sqrt(float64(D))
	for b := 0; b < B; b++ {
		for h := 0; h < H; h++ {
			bh := b*H + h
			for i := 0; i < Lq; i++ {
				s := make([]float64, Lk)
				mx := math.Inf(-1)
				for j := 0; j < Lk; j++ {
					vis, add := refVisible(m, b, h, H, i, j, Lq, Lk)
					if !vis {
						s[j] = math.Inf(-1)
						continue
					}
					for d := 0; d < D; d++ {
						s[j] += float64(q.Data[(bh*Lq+i)*D+d]) * float64(k.Data[(bh*Lk+j)*D+d])
					}
					s[j] = s[j]*scale + add
					mx = math.Max(mx, s[j])
				}
				if math.IsInf(mx, -1) {
					continue
				}
				var sum float64
				for j := range s {
					s[j] = math.Exp(s[j] - mx)
					sum += s[j]
				}
				for j := range s {
					for d := 0; d < Dv; d++ {
						out[(bh*Lq+i)*Dv+d] += s[j] / sum * float64(v.Data[(bh*Lk+j)*Dv+d])
					}
				}
			}
		}
	}
	return out
}

// keepTensor returns a random 0/1 tensor with row 1 entirely 0, so every
// test with it has a fully masked query.
func keepTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	lq, lk := t.Dim(-2), t.Dim(-1)
	for i := range t.Data {
		if rng.Float64() < 0.6 && (i/lk)%lq != 1 {
			t.Data[i] = 1
		}
	}
	return t
}

// additiveTensor returns random finite biases with −Inf sprinkled in and
// row 2 entirely −Inf.
func additiveTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := randTensor(rng, shape...)
	lq, lk := t.Dim(-2), t.Dim(-1)
	for i := range t.Data {
		if rng.Float64() < 0.3 || (i/lk)%lq == 2 {
			t.Data[i] = float32(math.Inf(-1))
		}
	}
	return t
}

type attnCase struct {
	name                string
	b, h, lq, lk, d, dv int
	mask                AttnMask
}

func attnCases(rng *rand.Rand) []attnCase {
	return []attnCase{
		{"none", 2, 2, 5, 7, 4, 4, AttnMask{}},
		{"none dv!=d", 1, 2, 4, 3, 3, 5, AttnMask{}},
		{"causal", 1, 2, 6, 6, 3, 3, CausalMask()},
		{"causal lq<lk", 1, 1, 4, 7, 3, 2, CausalMask()},
		{"causal multi-block", 1, 1, causalBlock + 9, causalBlock + 9, 2, 2, CausalMask()},
		{"local 3/2", 1, 2, 10, 10, 3, 3, LocalMask(3, 2)},
		{"local 4/0", 2, 1, 9, 9, 2, 3, LocalMask(4, 0)},
		{"local 2/5", 1, 1, 11, 11, 3, 3, LocalMask(2, 5)},
		{"keep shared", 2, 2, 4, 5, 3, 3, KeepMask(keepTensor(rng, 4, 5))},
		{"keep per batch", 2, 2, 4, 5, 3, 2, KeepMask(keepTensor(rng, 2, 1, 4, 5))},
		{"additive per head", 2, 2, 4, 6, 3, 3, AdditiveMask(additiveTensor(rng, 2, 2, 4, 6))},
	}
}

func TestAttentionForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, c := range attnCases(rng) {
		t.Run(c.name, func(t *testing.T) {
			q, k, v := randTensor(rng, c.b, c.h, c.lq, c.d), randTensor(rng, c.b, c.h, c.lk, c.d), randTensor(rng, c.b, c.h, c.lk, c.dv)
			want := refAttention(q, k, v, c.mask)
			// Both paths: the inference tape's shared scratch plane and the
			// recording tape's saved probabilities.
			for _, tp := range []*Tape{NewInference(), NewTape()} {
				got := tp.Attention(NewParam("q", q), Const(k), Const(v), c.mask).Value
				if !tensor.SameShape(got.Shape, []int{c.b, c.h, c.lq, c.dv}) {
					t.Fatalf("shape %v", got.Shape)
				}
				for i, g := range got.Data {
					if math.IsNaN(float64(g)) || math.Abs(float64(g)-want[i]) > 1e-5 {
						t.Fatalf("recording=%v out[%d] = %g, want %g", tp.Recording(), i, g, want[i])
					}
				}
			}
		})
	}
}

// Tolerances: softmax attention is smooth, so the central difference's
// truncation error is ~eps²·f”' ≈ 1e-4 relative for unit-scale inputs,
// well inside the 1e-2 relative / 1e-3 absolute defaults. Fully masked rows
// must come out as exact zeros (the checker rejects NaN).
func TestAttentionGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	for _, c := range attnCases(rng) {
		if c.lq > 20 {
			continue // the multi-block causal case is covered by the forward test
		}
		t.Run(c.name, func(t *testing.T) {
			inputs := []*tensor.Tensor{randTensor(rng, c.b, c.h, c.lq, c.d), randTensor(rng, c.b, c.h, c.lk, c.d), randTensor(rng, c.b, c.h, c.lk, c.dv)}
			f := func(tp *Tape, in []*Var) *Var { return tp.Attention(in[0], in[1], in[2], c.mask) }
			if err := GradCheck(f, inputs, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAttentionMultiBlockCausalBackward(t *testing.T) {
	// GradCheck on 73 queries would be slow; compare the causal fast path
	// with the same mask given as an explicit tensor, which takes the
	// single-span path.
	rng := rand.New(rand.NewPCG(65, 66))
	l := causalBlock + 9
	keep := tensor.New(l, l)
	for i := 0; i < l; i++ {
		for j := 0; j <= i; j++ {
			keep.Data[i*l+j] = 1
		}
	}
	q, k, v, seed := randTensor(rng, 1, 2, l, 3), randTensor(rng, 1, 2, l, 3), randTensor(rng, 1, 2, l, 3), randTensor(rng, 1, 2, l, 3)
	grads := func(m AttnMask) []*tensor.Tensor {
		vars := []*Var{NewParam("q", q.Clone()), NewParam("k", k.Clone()), NewParam("v", v.Clone())}
		tp := NewTape()
		tp.BackwardWith(tp.Attention(vars[0], vars[1], vars[2], m), seed)
		return []*tensor.Tensor{vars[0].Grad, vars[1].Grad, vars[2].Grad}
	}
	a, b := grads(CausalMask()), grads(KeepMask(keep))
	for n := range a {
		for i := range a[n].Data {
			if math.Abs(float64(a[n].Data[i]-b[n].Data[i])) > 1e-5 {
				t.Fatalf("input %d grad[%d]: causal %g, explicit mask %g", n, i, a[n].Data[i], b[n].Data[i])
			}
		}
	}
}

// composedAttention builds attention from the primitive ops (Slice,
// Reshape, Transpose, MatMul, Scale, Add, Softmax, Stack), one (b, h) plane
// at a time, with the mask given as an additive bias (−1e9 where hidden).
func composedAttention(tp *Tape, q, k, v *Var, bias *tensor.Tensor) *Var {
	B, H, Lq, D := q.Value.Dim(0), q.Value.Dim(1), q.Value.Dim(2), q.Value.Dim(3)
	Lk, Dv := k.Value.Dim(2), v.Value.Dim(3)
	plane := func(x *Var, bh, l, d int) *Var {
		return tp.Reshape(tp.Slice(tp.Reshape(x, B*H, l, d), 0, bh, bh+1), l, d)
	}
	var outs []*Var
	for bh := 0; bh < B*H; bh++ {
		s := tp.Scale(tp.MatMul(plane(q, bh, Lq, D), tp.Transpose(plane(k, bh, Lk, D), 0, 1)), float32(1/math.Sqrt(float64(D))))
		s = tp.Add(s, Const(tensor.FromData(bias.Data[bh*Lq*Lk:(bh+1)*Lq*Lk], Lq, Lk)))
		outs = append(outs, tp.MatMul(tp.Softmax(s, -1), plane(v, bh, Lk, Dv)))
	}
	return tp.Reshape(tp.Stack(0, outs...), B, H, Lq, Dv)
}

// TestAttentionMatchesComposition checks the fused op, forward and
// backward, against the same computation made of primitive ops. Masks
// leave every query at least one key: the composition would give a uniform
// row, not zeros, for a fully masked one.
func TestAttentionMatchesComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(69, 70))
	const B, H, L, D = 2, 2, 7, 3
	for _, m := range []AttnMask{{}, CausalMask(), LocalMask(3, 2), LocalMask(2, 0)} {
		bias := tensor.New(B, H, L, L)
		for bh := 0; bh < B*H; bh++ {
			for i := 0; i < L; i++ {
				for j := 0; j < L; j++ {
					if ok, _ := refVisible(m, bh/H, bh%H, H, i, j, L, L); !ok {
						bias.Data[(bh*L+i)*L+j] = -1e9
					}
				}
			}
		}
		q, k, v, seed := randTensor(rng, B, H, L, D), randTensor(rng, B, H, L, D), randTensor(rng, B, H, L, D), randTensor(rng, B, H, L, D)
		run := func(fused bool) []*tensor.Tensor {
			vars := []*Var{NewParam("q", q.Clone()), NewParam("k", k.Clone()), NewParam("v", v.Clone())}
			tp := NewTape()
			var y *Var
			if fused {
				y = tp.Attention(vars[0], vars[1], vars[2], m)
			} else {
				y = composedAttention(tp, vars[0], vars[1], vars[2], bias)
			}
			tp.BackwardWith(y, seed)
			return []*tensor.Tensor{y.Value.Clone(), vars[0].Grad, vars[1].Grad, vars[2].Grad}
		}
		a, b := run(true), run(false)
		for n, name := range []string{"out", "dq", "dk", "dv"} {
			for i := range a[n].Data {
				if math.Abs(float64(a[n].Data[i]-b[n].Data[i])) > 1e-5 {
					t.Fatalf("mask %v %s[%d]: fused %g, composed %g", m.Kind, name, i, a[n].Data[i], b[n].Data[i])
				}
			}
		}
	}
}

// refMHA is torch.nn.MultiheadAttention(batch_first=True) in float64, with
// in_proj split into the three [E,E] weights.
func refMHA(xq, xkv *tensor.Tensor, w [4]*tensor.Tensor, bias [4]*tensor.Tensor, heads int, m AttnMask) []float64 {
	B, Lq, E := xq.Dim(0), xq.Dim(1), xq.Dim(2)
	Lk := xkv.Dim(1)
	proj := func(x *tensor.Tensor, w, b *tensor.Tensor, rows int) []float64 {
		out := make([]float64, rows*E)
		for r := 0; r < rows; r++ {
			for o := 0; o < E; o++ {
				s := float64(b.Data[o])
				for i := 0; i < E; i++ {
					s += float64(x.Data[r*E+i]) * float64(w.Data[o*E+i])
				}
				out[r*E+o] = s
			}
		}
		return out
	}
	dh := E / heads
	split := func(x []float64, l int) *tensor.Tensor {
		t := tensor.New(B, heads, l, dh)
		for b := 0; b < B; b++ {
			for i := 0; i < l; i++ {
				for h := 0; h < heads; h++ {
					for d := 0; d < dh; d++ {
						t.Data[((b*heads+h)*l+i)*dh+d] = float32(x[(b*l+i)*E+h*dh+d])
					}
				}
			}
		}
		return t
	}
	q := split(proj(xq, w[0], bias[0], B*Lq), Lq)
	k := split(proj(xkv, w[1], bias[1], B*Lk), Lk)
	v := split(proj(xkv, w[2], bias[2], B*Lk), Lk)
	att := refAttention(q, k, v, m)
	merged := tensor.New(B, Lq, E)
	for b := 0; b < B; b++ {
		for h := 0; h < heads; h++ {
			for i := 0; i < Lq; i++ {
				for d := 0; d < dh; d++ {
					merged.Data[(b*Lq+i)*E+h*dh+d] = float32(att[((b*heads+h)*Lq+i)*dh+d])
				}
			}
		}
	}
	return proj(merged, w[3], bias[3], B*Lq)
}

func TestMultiHeadAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(67, 68))
	const B, Lq, Lk, E, heads = 2, 4, 5, 6, 2
	xq, xkv := randTensor(rng, B, Lq, E), randTensor(rng, B, Lk, E)
	var w, b [4]*tensor.Tensor
	for i := range w {
		w[i], b[i] = randTensor(rng, E, E), randTensor(rng, E)
	}
	for _, m := range []AttnMask{{}, CausalMask(), KeepMask(keepTensor(rng, B, 1, Lq, Lk))} {
		want := refMHA(xq, xkv, w, b, heads, m)
		tp := NewInference()
		c := func(t *tensor.Tensor) *Var { return Const(t) }
		got := tp.MultiHeadAttention(c(xq), c(xkv), c(w[0]), c(w[1]), c(w[2]), c(w[3]), c(b[0]), c(b[1]), c(b[2]), c(b[3]), heads, m).Value
		if !tensor.SameShape(got.Shape, []int{B, Lq, E}) {
			t.Fatalf("shape %v", got.Shape)
		}
		for i, g := range got.Data {
			// float32 projections feed the attention: 1e-5 relative slack.
			if math.Abs(float64(g)-want[i]) > 1e-5*(1+math.Abs(want[i])) {
				t.Fatalf("mask %d: out[%d] = %g, want %g", m.Kind, i, g, want[i])
			}
		}
	}

	// Gradients of every input and parameter, self-attention (xq is xkv)
	// with a causal mask. Same tolerance argument as TestAttentionGradCheck.
	inputs := []*tensor.Tensor{randTensor(rng, 1, 3, 4)}
	for range 4 {
		inputs = append(inputs, randTensor(rng, 4, 4), randTensor(rng, 4))
	}
	f := func(tp *Tape, in []*Var) *Var {
		return tp.MultiHeadAttention(in[0], in[0], in[1], in[3], in[5], in[7], in[2], in[4], in[6], in[8], 2, CausalMask())
	}
	if err := GradCheck(f, inputs, GradCheckOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestAttentionInferenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	q, k, v := Const(randTensor(rng, 2, 2, 8, 4)), Const(randTensor(rng, 2, 2, 8, 4)), Const(randTensor(rng, 2, 2, 8, 4))
	keep := KeepMask(keepTensor(rng, 8, 8))
	x := Const(randTensor(rng, 2, 8, 8))
	var w [4]*Var
	for i := range w {
		w[i] = NewParam(fmt.Sprint("w", i), randTensor(rng, 8, 8))
	}
	checkInferenceAllocs(t, "Attention", func(tp *Tape) {
		tp.Attention(q, k, v, AttnMask{})
		tp.Attention(q, k, v, LocalMask(3, 2))
		tp.Attention(q, k, v, keep)
		tp.MultiHeadAttention(x, x, w[0], w[1], w[2], w[3], nil, nil, nil, nil, 2, CausalMask())
	})
}

// BenchmarkAttention times a forward and backward pass of the fused
// attention on a recording tape: Image Transformer sizes (local 1-D blocks
// of 256 with 256 memory over 1024 positions, 8 heads of 64) and smaller
// ones.
func BenchmarkAttention(b *testing.B) {
	cases := []struct {
		name        string
		bs, h, l, d int
		mask        AttnMask
	}{
		{"imgtx_local_B1_H8_L1024_D64", 1, 8, 1024, 64, LocalMask(256, 256)},
		{"causal_B1_H8_L1024_D64", 1, 8, 1024, 64, CausalMask()},
		{"full_B8_H4_L64_D32", 8, 4, 64, 32, AttnMask{}},
		{"local_B4_H4_L256_D32", 4, 4, 256, 32, LocalMask(64, 64)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			q := NewParam("q", randTensor(rng, c.bs, c.h, c.l, c.d))
			k := NewParam("k", randTensor(rng, c.bs, c.h, c.l, c.d))
			v := NewParam("v", randTensor(rng, c.bs, c.h, c.l, c.d))
			seed := randTensor(rng, c.bs, c.h, c.l, c.d)
			tp := NewTape()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				tp.BackwardWith(tp.Attention(q, k, v, c.mask), seed)
				tp.Reset()
			}
		})
	}
}
