package nonlocal

import "testing"

// Hand-computed multiply-adds. 2-D cases: one 4×4 image of C = 4 channels,
// d = 2, so P = 16 (K = 4 when subsampled); the 3-D case has T = 2 and a
// batch of 3.
func TestFLOPs(t *testing.T) {
	cases := []struct {
		name  string
		cfg   BlockConfig
		shape []int
		want  int64
	}{
		// θ, φ, g: 3·16·4·2 = 384; θᵀφ: 16·16·2 = 512; Σ f g: 512; W_z: 16·2·4 = 128.
		{"embedded", BlockConfig{Channels: 4, Pairwise: Embedded, Dims: 2}, []int{1, 4, 4, 4}, 1536},
		// The same with K = 4: 384 + 16·4·2 + 16·4·2 + 128.
		{"embedded subsampled", BlockConfig{Channels: 4, Pairwise: Embedded, Dims: 2, Subsample: true}, []int{1, 4, 4, 4}, 768},
		// The scaling is not a multiply-add of the count.
		{"dot scaled", BlockConfig{Channels: 4, Pairwise: Dot, Dims: 2, Scale: true}, []int{1, 4, 4, 4}, 1536},
		// g: 16·4·2 = 128; xᵀx: 16·16·4 = 1024; Σ f g: 512; W_z: 128.
		{"gaussian", BlockConfig{Channels: 4, Pairwise: Gaussian, Dims: 2}, []int{1, 4, 4, 4}, 1792},
		// 384; w_f: (16 + 16)·2 = 64; Σ f g: 512; W_z: 128.
		{"concat", BlockConfig{Channels: 4, Pairwise: Concat, Dims: 2}, []int{1, 4, 4, 4}, 1088},
		// P = 2·4·4 = 32, K = 2·2·2 = 8, inner 3: θ, φ, g 3·32·4·3 = 1152;
		// θᵀφ and Σ f g 2·32·8·3 = 1536; W_z 32·3·4 = 384; times N = 3.
		{"3-D", BlockConfig{Channels: 4, Inner: 3, Pairwise: Embedded, Dims: 3, Subsample: true}, []int{3, 4, 2, 4, 4}, 3 * 3072},
	}
	for _, c := range cases {
		if got := c.cfg.FLOPs(c.shape); got != c.want {
			t.Errorf("%s: %d multiply-adds, want %d", c.name, got, c.want)
		}
	}
}
