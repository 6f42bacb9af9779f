package viz

import (
	"image"
	"image/color"
	"testing"
)

func TestGrid(t *testing.T) {
	imgs := []image.Image{
		canvas(10, 8), canvas(6, 4), nil, canvas(10, 8), canvas(3, 3),
	}
	imgs[0].(*image.RGBA).Set(0, 0, red)
	white := color.RGBA{255, 255, 255, 255}
	cases := []struct {
		cols, pad int
		w, h      int
	}{
		{2, 1, 2*10 + 3*1, 3*8 + 4*1},
		{5, 0, 50, 8},
		{9, 2, 5*10 + 6*2, 8 + 2*2},   // cols shrinks to 5
		{0, 1, 3*10 + 4*1, 2*8 + 3*1}, // ceil(sqrt(5)) = 3
	}
	for _, c := range cases {
		g := Grid(imgs, c.cols, c.pad, white)
		if g.Rect.Dx() != c.w || g.Rect.Dy() != c.h {
			t.Errorf("cols=%d pad=%d: %v, want %dx%d", c.cols, c.pad, g.Rect, c.w, c.h)
		}
		if c.pad > 0 && g.RGBAAt(0, 0) != white {
			t.Errorf("cols=%d: padding is %v", c.cols, g.RGBAAt(0, 0))
		}
		if got := g.RGBAAt(c.pad, c.pad); got != red {
			t.Errorf("cols=%d: first image's corner is %v", c.cols, got)
		}
	}
	// The 6x4 image is centred in its 10x8 cell: cols=2, pad=1.
	g := Grid(imgs, 2, 1, white)
	x0, y0 := 1+10+1, 1
	if g.RGBAAt(x0+1, y0+1) != white || g.RGBAAt(x0+2, y0+2) != black {
		t.Errorf("centring: %v %v", g.RGBAAt(x0+1, y0+1), g.RGBAAt(x0+2, y0+2))
	}
	if e := Grid(nil, 3, 2, white); !e.Rect.Empty() {
		t.Errorf("no images: %v", e.Rect)
	}
}
