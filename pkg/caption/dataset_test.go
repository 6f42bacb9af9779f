package caption

import (
	"image"
	"image/color"
	"testing"
)

// Input keeps the aspect ratio and pads with black: a 40×20 white image
// becomes a 64×32 white band centred on a 64×64 black square.
func TestInput(t *testing.T) {
	cases := []struct {
		w, h   int
		y0, y1 int // rows that hold the picture
		x0, x1 int
	}{
		{40, 20, 16, 48, 0, 64},
		{20, 40, 0, 64, 16, 48},
		{64, 64, 0, 64, 0, 64},
		{8, 8, 0, 64, 0, 64},
	}
	for _, c := range cases {
		img := image.NewNRGBA(image.Rect(0, 0, c.w, c.h))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		x := Input(img, 64)
		if x.Shape[0] != 3 || x.Shape[1] != 64 || x.Shape[2] != 64 {
			t.Fatalf("%d×%d: shape %v", c.w, c.h, x.Shape)
		}
		for ch := 0; ch < 3; ch++ {
			for y := 0; y < 64; y++ {
				for xx := 0; xx < 64; xx++ {
					v := x.Data[(ch*64+y)*64+xx]
					inside := y >= c.y0 && y < c.y1 && xx >= c.x0 && xx < c.x1
					if inside && v < 0.99 || !inside && v != 0 {
						t.Fatalf("%d×%d: pixel (%d,%d) channel %d = %g", c.w, c.h, xx, y, ch, v)
					}
				}
			}
		}
	}
	// Grey input still gives three channels.
	g := image.NewGray(image.Rect(0, 0, 10, 10))
	g.Set(0, 0, color.Gray{Y: 255})
	if x := Input(g, 64); x.Shape[0] != 3 {
		t.Fatalf("grey: shape %v", x.Shape)
	}
}
