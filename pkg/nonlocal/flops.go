package nonlocal

import "fmt"

// FLOPs returns the multiply-adds of one forward pass of a block with this
// configuration on an input of the given shape ([N, C, H, W] or
// [N, C, T, H, W]), for the whole batch. With P positions, K keys (P, or
// the pooled count when subsampling), C channels and inner width d it
// counts
//
//	θ, φ, g          P·C·d each (φ and g run before the pool); no θ, φ for Gaussian
//	θ_iᵀφ_j          P·K·d (P·K·C for Gaussian: x_iᵀx_j)
//	w_fᵀ[θ_i, φ_j]   (P + K)·d instead, for concatenation
//	Σ_j f_ij g_j     P·K·d
//	W_z              P·d·C
//
// times N, as the paper counts a network's FLOPs: convolutions and matrix
// products only. Biases, the softmax, the pooling, the batch norm and the
// residual sum are O(P·C) and not counted.
//
// It panics when shape does not fit the configuration.
func (c BlockConfig) FLOPs(shape []int) int64 {
	if len(shape) != c.Dims+2 || shape[1] != c.Channels {
		panic(fmt.Sprintf("nonlocal: FLOPs of a %d-D block of %d channels on input %v", c.Dims, c.Channels, shape))
	}
	n, ch, d := int64(shape[0]), int64(c.Channels), int64(c.InnerWidth())
	p, k := int64(1), int64(1)
	for i, s := range shape[2:] {
		p *= int64(s)
		// Subsampling halves (rounding down) the last two axes, H and W.
		if c.Subsample && i >= c.Dims-2 {
			s /= 2
		}
		k *= int64(s)
	}
	proj := int64(1) // g
	if c.embeds() {
		proj = 3 // θ, φ, g
	}
	flops := proj*p*ch*d + p*k*d + p*d*ch // projections, aggregation, W_z
	switch c.Pairwise {
	case Gaussian:
		flops += p * k * ch
	case Concat:
		flops += (p + k) * d
	default:
		flops += p * k * d
	}
	return n * flops
}

// FLOPs returns the block's multiply-adds on an input of the given shape
// (BlockConfig.FLOPs).
func (b *Block) FLOPs(shape []int) int64 { return b.Cfg.FLOPs(shape) }
