package nn

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// TestVGG checks the stack's state-dict names and order, its output
// shape, and that it draws the same weights as building the layers one by
// one from the same generator.
func TestVGG(t *testing.T) {
	v, err := NewVGG(rand.New(rand.NewPCG(1, 2)), "", 3, []int{4, 6}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range v.Params() {
		names = append(names, p.Name)
	}
	want := []string{
		"block1.0.conv.weight", "block1.0.bn.weight", "block1.0.bn.bias",
		"block2.0.conv.weight", "block2.0.bn.weight", "block2.0.bn.bias",
		"block2.1.conv.weight", "block2.1.bn.weight", "block2.1.bn.bias",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("params %v\nwant %v", names, want)
	}
	if n := len(v.Buffers()); n != 9 {
		t.Fatalf("%d buffers, want 9 (3 per batch norm)", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	one := NewConvBNReLU(rng, "block1.0", 3, 4)
	if !slices.Equal(one.Conv.Weight.Value.Data, v.Blocks[0][0].Conv.Weight.Value.Data) {
		t.Fatal("NewVGG draws other weights than NewConvBNReLU")
	}
	tp := autograd.NewInference()
	v.Train(false)
	out := v.Forward(tp, autograd.Const(tensor.New(2, 3, 8, 8)))
	if !slices.Equal(out.Value.Shape, []int{2, 6, 2, 2}) {
		t.Fatalf("output %v, want [2 6 2 2]", out.Value.Shape)
	}
	if _, err := NewVGG(rand.New(rand.NewPCG(1, 2)), "", 3, []int{4}, []int{1, 1}); err == nil {
		t.Fatal("widths and counts of different lengths accepted")
	}
}
