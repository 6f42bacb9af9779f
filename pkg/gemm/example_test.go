package gemm_test

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
)

// A 2×3 times 3×2 product, C = A·B.
func ExampleSgemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		1, 0,
		0, 1,
		1, 1,
	}
	c := make([]float32, 2*2)
	gemm.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output: [4 5 10 11]
}

// Attention scores for 2 heads at once: S_h = Q_h·K_hᵀ for 3 queries and
// 3 keys of dimension 2.
func ExampleSgemmBatched() {
	q := []float32{1, 0, 0, 1, 1, 1 /* head 1 */, 2, 0, 0, 2, 1, 0}
	k := []float32{1, 0, 0, 1, 1, 1 /* head 1 */, 1, 0, 0, 1, 0, 0}
	s := make([]float32, 2*3*3)
	gemm.SgemmBatched(false, true, 2, 3, 3, 2, 1, q, 6, 2, k, 6, 2, 0, s, 9, 3)
	fmt.Println(s[:9])
	fmt.Println(s[9:])
	// Output:
	// [1 0 1 0 1 1 1 1 2]
	// [2 0 0 0 2 0 1 0 0]
}
