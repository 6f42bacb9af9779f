package tensor_test

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
)

// Adding a per-column bias broadcasts it over the rows; SumTo turns the
// gradient of the sum back into the bias's shape.
func ExampleAdd() {
	x := tensor.FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	bias := tensor.FromData([]float32{10, 20, 30}, 3)
	y := tensor.New(2, 3)
	tensor.Add(y, x, bias)
	fmt.Println(y.Data)

	dBias := tensor.New(3)
	tensor.SumTo(dBias, y)
	fmt.Println(dBias.Data)
	// Output:
	// [11 22 33 14 25 36]
	// [25 47 69]
}

// Masked positions (−Inf) get probability 0; a fully masked row is NaN, as
// in PyTorch.
func ExampleSoftmax() {
	inf := float32(math.Inf(-1))
	scores := tensor.FromData([]float32{1, 1, inf, inf, inf, inf}, 2, 3)
	p := tensor.New(2, 3)
	tensor.Softmax(p, scores, -1)
	fmt.Println(p.Data)
	// Output: [0.5 0.5 0 NaN NaN NaN]
}
