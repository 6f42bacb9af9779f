package imgtx

import (
	"github.com/attnkit/attn/pkg/autograd"
)

// geometry is the generation order of a model and the attention pattern
// that goes with it. Grid index g = r·(W·C) + x·C + c is the sub-pixel's
// place in an interleaved image; sequence index s is its place in the
// generation order.
type geometry struct {
	order []int // sequence index → grid index
	rank  []int // grid index → sequence index
	plan  *autograd.BlockPlan
	keys  [][]int // keys[s]: the sequence positions query s attends to
}

// newGeometry builds the order and the attention pattern of cfg. The
// PixelCNN and local 1D generate in raster order; local 2D block by block.
func newGeometry(cfg Config) *geometry {
	n := cfg.Len()
	g := &geometry{order: make([]int, 0, n), rank: make([]int, n)}
	cols := cfg.Width * cfg.Channels
	if cfg.Arch == "transformer" && cfg.Attention == "local2d" {
		for br := 0; br < cfg.Height; br += cfg.QueryH {
			for bc := 0; bc < cols; bc += cfg.QueryW {
				for r := br; r < br+cfg.QueryH; r++ {
					for c := bc; c < bc+cfg.QueryW; c++ {
						g.order = append(g.order, r*cols+c)
					}
				}
			}
		}
	} else {
		for i := 0; i < n; i++ {
			g.order = append(g.order, i)
		}
	}
	for s, gi := range g.order {
		g.rank[gi] = s
	}
	if cfg.Arch != "transformer" {
		return g
	}
	g.keys = make([][]int, n)
	if cfg.Attention == "local1d" {
		g.plan = local1DPlan(cfg)
	} else {
		g.plan = local2DPlan(cfg, g.rank)
	}
	for s := 0; s < n; s++ {
		g.keys[s] = g.plan.Visible(nil, s)
	}
	return g
}

// local1DPlan is the local 1D pattern of §3.2: query block [q0, q1) of
// BlockLen positions sees the MemLen positions before it and, causally,
// itself (autograd.LocalMask's rule). As a blocked attention it keeps
// block × memory probabilities instead of a whole L × L plane.
func local1DPlan(cfg Config) *autograd.BlockPlan {
	n := cfg.Len()
	var blocks []autograd.AttnBlock
	for q0 := 0; q0 < n; q0 += cfg.BlockLen {
		q1 := min(q0+cfg.BlockLen, n)
		k0 := max(q0-cfg.MemLen, 0)
		keys := make([]int, 0, q1-k0)
		for k := k0; k < q1; k++ {
			keys = append(keys, k)
		}
		keep := make([]bool, (q1-q0)*len(keys))
		for i := 0; i < q1-q0; i++ {
			for j, k := range keys {
				keep[i*len(keys)+j] = k <= q0+i
			}
		}
		blocks = append(blocks, autograd.AttnBlock{Q0: q0, Q1: q1, Keys: keys, Keep: keep})
	}
	p, err := autograd.NewBlockPlan(n, n, blocks)
	if err != nil {
		panic("imgtx: local 1D plan: " + err.Error())
	}
	return p
}

// local2DPlan is the local 2D pattern of §3.2: each query rectangle sees
// the rectangle grown by MemH rows above and MemW columns on both sides
// (clipped to the grid), keys after the query in the generation order
// masked.
func local2DPlan(cfg Config, rank []int) *autograd.BlockPlan {
	cols := cfg.Width * cfg.Channels
	var blocks []autograd.AttnBlock
	s0 := 0
	for br := 0; br < cfg.Height; br += cfg.QueryH {
		for bc := 0; bc < cols; bc += cfg.QueryW {
			nq := cfg.QueryH * cfg.QueryW
			var keys []int
			for r := max(br-cfg.MemH, 0); r < br+cfg.QueryH; r++ {
				for c := max(bc-cfg.MemW, 0); c < min(bc+cfg.QueryW+cfg.MemW, cols); c++ {
					keys = append(keys, rank[r*cols+c])
				}
			}
			keep := make([]bool, nq*len(keys))
			for i := 0; i < nq; i++ {
				for j, k := range keys {
					keep[i*len(keys)+j] = k <= s0+i
				}
			}
			blocks = append(blocks, autograd.AttnBlock{Q0: s0, Q1: s0 + nq, Keys: keys, Keep: keep})
			s0 += nq
		}
	}
	p, err := autograd.NewBlockPlan(s0, s0, blocks)
	if err != nil {
		panic("imgtx: local 2D plan: " + err.Error()) // a validated config always tiles
	}
	return p
}

// truncatePlan returns the plan restricted to the first n positions, for
// running the model on a prefix. Keys past n are never visible to a query
// before n (the pattern is causal), so only masked entries are dropped.
func truncatePlan(p *autograd.BlockPlan, n int) *autograd.BlockPlan {
	if n == p.Lq {
		return p
	}
	var blocks []autograd.AttnBlock
	for _, b := range p.Blocks {
		if b.Q0 >= n {
			break
		}
		q1 := min(b.Q1, n)
		var keys []int
		var cols []int
		for j, k := range b.Keys {
			if k < n {
				keys = append(keys, k)
				cols = append(cols, j)
			}
		}
		keep := make([]bool, (q1-b.Q0)*len(keys))
		for i := 0; i < q1-b.Q0; i++ {
			for jj, j := range cols {
				keep[i*len(keys)+jj] = b.Keep[i*len(b.Keys)+j]
			}
		}
		blocks = append(blocks, autograd.AttnBlock{Q0: b.Q0, Q1: q1, Keys: keys, Keep: keep})
	}
	tp, err := autograd.NewBlockPlan(n, n, blocks)
	if err != nil {
		panic("imgtx: truncated plan: " + err.Error())
	}
	return tp
}

// attend returns the self-attention of the first n positions.
func (g *geometry) attend(n int) func(tp *autograd.Tape, q, k, v *autograd.Var) *autograd.Var {
	plan := truncatePlan(g.plan, n)
	return func(tp *autograd.Tape, q, k, v *autograd.Var) *autograd.Var { return tp.BlockAttention(q, k, v, plan) }
}
