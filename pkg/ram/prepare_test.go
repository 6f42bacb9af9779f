package ram

import (
	"image"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
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

// ImageCanvas, which shrinks while reading, gives ToCanvas's canvas of the
// full-size tensor up to float rounding, with the same invert decision.
func TestImageCanvas(t *testing.T) {
	for _, c := range []struct {
		name  string
		w, h  int
		paper bool // light border with dark ink: inverted under InvertAuto
	}{
		{"ink on paper, wide", 90, 40, true},
		{"digit on black, tall", 37, 120, false},
		{"small, enlarged", 9, 7, true},
		{"exact size", 28, 28, false},
	} {
		img := image.NewYCbCr(image.Rect(0, 0, c.w, c.h), image.YCbCrSubsampleRatio420)
		for i := range img.Y {
			img.Y[i] = uint8(40 + (i*37)%90)
			if c.paper {
				img.Y[i] = 255 - img.Y[i]
			}
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = 128, 128
		}
		for _, inv := range []Invert{InvertAuto, InvertNever, InvertAlways} {
			got := ImageCanvas(img, 28, inv)
			want := ToCanvas(imageio.ToTensor(img, true), 28, inv)
			if !tensor.SameShape(got.Shape, want.Shape) {
				t.Fatalf("%s: shape %v, want %v", c.name, got.Shape, want.Shape)
			}
			for i := range want.Data {
				if d := got.Data[i] - want.Data[i]; d > 1e-6 || d < -1e-6 {
					t.Errorf("%s invert %d: [%d] = %g, want %g", c.name, inv, i, got.Data[i], want.Data[i])
					break
				}
			}
		}
	}
}
