package ram

import (
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// ToCanvas keeps the aspect ratio, centres on black and inverts ink on
// paper; it leaves its input alone.
func TestToCanvas(t *testing.T) {
	// A 2×4 image: light paper (border 1) with one dark pixel.
	img := tensor.FromData([]float32{1, 1, 1, 1, 1, 0, 1, 1}, 1, 2, 4)
	for _, c := range []struct {
		inv  Invert
		want []float32 // 4×4 canvas: rows 1 and 2 hold the image
	}{
		{InvertAuto, []float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}},
		{InvertAlways, []float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}},
		{InvertNever, []float32{0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0}},
	} {
		got := ToCanvas(img, 4, c.inv)
		if len(got.Shape) != 3 || got.Shape[1] != 4 || got.Shape[2] != 4 {
			t.Fatalf("shape %v", got.Shape)
		}
		for i, v := range c.want {
			if got.Data[i] != v {
				t.Errorf("invert %d: canvas %v, want %v", c.inv, got.Data, c.want)
				break
			}
		}
	}
	if img.Data[0] != 1 {
		t.Error("ToCanvas changed its input")
	}
	// A dark-bordered image is not inverted under InvertAuto.
	dark := tensor.FromData([]float32{0, 0, 0, 0.8, 0, 0, 0, 0, 0}, 1, 3, 3)
	if got := ToCanvas(dark, 3, InvertAuto); got.Data[3] != 0.8 {
		t.Errorf("dark border inverted: %v", got.Data)
	}
}
