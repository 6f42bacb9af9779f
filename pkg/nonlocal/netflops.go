package nonlocal

// FLOPs returns the multiply-adds of one forward pass on one clip (or
// image), counted as the paper counts them: the convolutions, the
// non-local blocks (BlockConfig.FLOPs) and the classifier. Batch norms,
// ReLUs, pools and sums are O(positions·channels) and left out.
func (c Config) FLOPs() int64 {
	t := int64(1)
	if c.Clip() {
		t = int64(c.Frames)
	}
	side := c.Side
	convF := func(cin, cout, k, kt, outSide int) int64 {
		return t * int64(outSide*outSide) * int64(cout) * int64(cin) * int64(k*k) * int64(max(kt, 1))
	}
	kt := 0
	if c.Inflate {
		kt = 1
	}
	flops := convF(c.Channels, c.Widths[0], 3, kt, side)
	side /= 2 // the stem's 2×2 max-pool
	in := c.Widths[0]
	sites := map[site]bool{}
	for _, s := range c.sites() {
		sites[s] = true
	}
	for s := 2; s <= Stages+1; s++ {
		out := c.Widths[s-1]
		for j := 0; j < c.Depths[s-2]; j++ {
			stride := 1
			if j == 0 && s > 2 {
				stride = 2
			}
			o := (side-1)/stride + 1 // 3×3, padding 1
			k1 := kt
			if c.Inflate {
				k1 = 3
			}
			flops += convF(in, out, 3, k1, o) + convF(out, out, 3, kt, o)
			if stride != 1 || in != out {
				flops += convF(in, out, 1, kt, o)
			}
			side, in = o, out
			if sites[site{s, j}] {
				flops += c.blockConfig(out).FLOPs(c.blockShape(out, side))
			}
		}
	}
	return flops + int64(in*c.Classes)
}

// blockShape is the input shape the block of a site sees for one clip or
// image, ch channels on a side×side map.
func (c Config) blockShape(ch, side int) []int {
	if !c.Clip() {
		return []int{1, ch, side, side}
	}
	switch c.Extent {
	case Space:
		return []int{c.Frames, ch, side, side}
	case Time:
		return []int{side * side, ch, c.Frames, 1}
	}
	return []int{1, ch, c.Frames, side, side}
}

// GFLOPs returns FLOPs in units of 10⁹.
func (c Config) GFLOPs() float64 { return float64(c.FLOPs()) / 1e9 }
