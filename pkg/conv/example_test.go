package conv_test

import (
	"fmt"

	"github.com/attnkit/attn/pkg/conv"
)

// A 3×3 box filter over a 4×4 ramp, zero-padded by 1, with a workspace the
// caller keeps for later calls.
func ExamplePlan_Forward() {
	x := make([]float32, 16)
	for i := range x {
		x[i] = float32(i)
	}
	w := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
	p, err := conv.NewPlan2D([]int{1, 1, 4, 4}, []int{1, 1, 3, 3}, conv.Params{PadH: 1, PadW: 1})
	if err != nil {
		panic(err)
	}
	y := make([]float32, p.OutLen())
	ws := make([]float32, p.WorkspaceLen())
	p.Forward(y, x, w, nil, ws)
	fmt.Println(p.Out[1], p.Out[2], y[:4])
	// Output: 4 4 [10 18 24 18]
}
