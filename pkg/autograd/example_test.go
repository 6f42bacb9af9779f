package autograd_test

import (
	"fmt"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// The tape alone: fit y = 3x − 1 with a weight and a bias by plain
// gradient descent. Each step records the forward pass on the tape,
// Backward fills the parameters' gradients, and Reset frees the step's
// intermediate tensors for the next one.
func Example() {
	w := autograd.NewParam("w", tensor.FromData([]float32{0}, 1, 1))
	b := autograd.NewParam("b", tensor.FromData([]float32{0}, 1))
	params := []*autograd.Var{w, b}
	x := autograd.Const(tensor.FromData([]float32{-1, 0, 1, 2}, 4, 1))
	y := autograd.Const(tensor.FromData([]float32{-4, -1, 2, 5}, 4, 1))

	tp := autograd.NewTape()
	for step := 0; step < 80; step++ {
		autograd.ZeroGrad(params)
		loss := tp.MSE(tp.Linear(x, w, b), y) // mean of (w·x + b − y)²
		tp.Backward(loss)
		if step%20 == 0 {
			fmt.Printf("step %3d loss %.4f\n", step, loss.Value.Data[0])
		}
		tp.Reset()
		for _, p := range params {
			for i, g := range p.Grad.Data {
				p.Value.Data[i] -= 0.05 * g
			}
		}
	}
	fmt.Printf("w %.3f b %.3f\n", w.Value.Data[0], b.Value.Data[0])
	// Output:
	// step   0 loss 11.5000
	// step  20 loss 0.2348
	// step  40 loss 0.0133
	// step  60 loss 0.0008
	// w 2.996 b -0.993
}
