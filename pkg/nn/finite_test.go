package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/ckpt"
)

// A checkpoint holding a NaN weight is refused and the module is left as
// it was.
func TestLoadStateRefusesNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := NewLinear(rng, "fc", 3, 2, true)
	f := ckpt.NewFile()
	f.Name = "bad.safetensors"
	if err := PutState(f, src); err != nil {
		t.Fatal(err)
	}
	f.Tensors["fc.weight"].Float[4] = float32(math.NaN())
	dst := NewLinear(rng, "fc", 3, 2, true)
	before := dst.Weight.Value.Clone()
	err := LoadState(f, dst)
	if err == nil || !strings.Contains(err.Error(), "bad.safetensors") || !strings.Contains(err.Error(), "fc.weight") {
		t.Fatalf("LoadState = %v, want an error naming the file and tensor", err)
	}
	for i, v := range dst.Weight.Value.Data {
		if v != before.Data[i] {
			t.Fatal("a refused checkpoint modified the module")
		}
	}
}
