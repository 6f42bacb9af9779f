package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// randomPlan cuts lq queries into blocks of 1..3 and gives each block a
// random subset of the keys, shuffled, with a random keep mask.
func randomPlan(t *testing.T, rng *rand.Rand, lq, lk int) *BlockPlan {
	var blocks []AttnBlock
	for q0 := 0; q0 < lq; {
		q1 := min(q0+1+rng.IntN(3), lq)
		var keys []int
		for _, k := range rng.Perm(lk) {
			if rng.IntN(3) > 0 {
				keys = append(keys, k)
			}
		}
		blk := AttnBlock{Q0: q0, Q1: q1, Keys: keys}
		if rng.IntN(2) == 0 {
			blk.Keep = make([]bool, (q1-q0)*len(keys))
			for i := range blk.Keep {
				blk.Keep[i] = rng.IntN(4) > 0
			}
		}
		blocks = append(blocks, blk)
		q0 = q1
	}
	p, err := NewBlockPlan(lq, lk, blocks)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// denseKeep is the [Lq, Lk] keep mask equivalent to the plan.
func denseKeep(p *BlockPlan) *tensor.Tensor {
	m := tensor.New(p.Lq, p.Lk)
	for i := 0; i < p.Lq; i++ {
		for _, k := range p.Visible(nil, i) {
			m.Data[i*p.Lk+k] = 1
		}
	}
	return m
}

// BlockAttention is fused: it must equal Attention with the dense keep
// mask of its plan, values and gradients.
func TestBlockAttentionMatchesDenseMask(t *testing.T) {
	for _, tc := range []struct{ b, h, lq, lk, d, dv int }{
		{1, 1, 5, 5, 3, 3}, {2, 3, 7, 9, 4, 2}, {1, 2, 8, 6, 5, 6},
	} {
		rng := rand.New(rand.NewPCG(uint64(tc.lq), uint64(tc.lk)))
		plan := randomPlan(t, rng, tc.lq, tc.lk)
		q, k, v := randTensor(rng, tc.b, tc.h, tc.lq, tc.d), randTensor(rng, tc.b, tc.h, tc.lk, tc.d), randTensor(rng, tc.b, tc.h, tc.lk, tc.dv)
		seed := randTensor(rng, tc.b, tc.h, tc.lq, tc.dv)
		run := func(blocked bool) []*tensor.Tensor {
			vars := []*Var{NewParam("q", q.Clone()), NewParam("k", k.Clone()), NewParam("v", v.Clone())}
			tp := NewTape()
			var y *Var
			if blocked {
				y = tp.BlockAttention(vars[0], vars[1], vars[2], plan)
			} else {
				y = tp.Attention(vars[0], vars[1], vars[2], KeepMask(denseKeep(plan)))
			}
			out := y.Value.Clone()
			tp.BackwardWith(y, seed)
			return []*tensor.Tensor{out, vars[0].Grad, vars[1].Grad, vars[2].Grad}
		}
		got, want := run(true), run(false)
		for i, name := range []string{"output", "dq", "dk", "dv"} {
			for j := range want[i].Data {
				if d := math.Abs(float64(got[i].Data[j] - want[i].Data[j])); d > 1e-5 {
					t.Fatalf("%+v %s[%d]: blocked %g, dense %g", tc, name, j, got[i].Data[j], want[i].Data[j])
				}
			}
		}
	}
}

func TestBlockAttentionFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	plan := randomPlan(t, rng, 6, 7)
	inputs := []*tensor.Tensor{randTensor(rng, 2, 2, 6, 3), randTensor(rng, 2, 2, 7, 3), randTensor(rng, 2, 2, 7, 2)}
	err := GradCheck(func(tp *Tape, in []*Var) *Var {
		return tp.BlockAttention(in[0], in[1], in[2], plan)
	}, inputs, GradCheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewBlockPlanRejects(t *testing.T) {
	for name, blocks := range map[string][]AttnBlock{
		"gap":       {{Q0: 0, Q1: 2}, {Q0: 3, Q1: 4}},
		"short":     {{Q0: 0, Q1: 3}},
		"key range": {{Q0: 0, Q1: 4, Keys: []int{5}}},
		"mask size": {{Q0: 0, Q1: 4, Keys: []int{1}, Keep: []bool{true}}},
	} {
		if _, err := NewBlockPlan(4, 5, blocks); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSplitMergeHeadsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := randTensor(rng, 2, 3, 4)
	tp := NewInference()
	y := tp.MergeHeads(tp.SplitHeads(Const(x), 2))
	for i := range x.Data {
		if y.Value.Data[i] != x.Data[i] {
			t.Fatalf("round trip differs at %d", i)
		}
	}
}
