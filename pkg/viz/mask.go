package viz

import (
	"fmt"
	"image"
	"image/draw"
)

// MaskImage draws a w×h binary mask (row-major, true inside) white on
// black.
func MaskImage(mask []bool, w, h int) (*image.Gray, error) {
	if w <= 0 || h <= 0 || len(mask) != w*h {
		return nil, fmt.Errorf("mask of %d pixels is not %dx%d", len(mask), w, h)
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i, on := range mask {
		if on {
			g.Pix[i] = 255
		}
	}
	return g, nil
}

// CutOut shows img through a mask of its size (row-major, true inside):
// the pixels inside as they are, those outside dimmed to a quarter of
// their brightness, so the mask reads against the picture it was made
// from. The result is opaque, with bounds starting at (0,0).
func CutOut(img image.Image, mask []bool) (*image.RGBA, error) {
	b := img.Bounds()
	if len(mask) != b.Dx()*b.Dy() {
		return nil, fmt.Errorf("mask of %d pixels is not %dx%d", len(mask), b.Dx(), b.Dy())
	}
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	for i, on := range mask {
		p := dst.Pix[4*i : 4*i+4 : 4*i+4]
		if !on {
			p[0], p[1], p[2] = p[0]/4, p[1]/4, p[2]/4
		}
		p[3] = 255
	}
	return dst, nil
}
