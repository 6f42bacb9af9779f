package viz

import (
	"image"
	"image/color"
	"testing"
)

func TestZoom(t *testing.T) {
	for _, c := range []struct{ w, h, side, want int }{
		{64, 64, 256, 4}, {60, 30, 256, 5}, {300, 20, 256, 1}, {64, 64, 0, 1}, {64, 64, 64, 1}, {16, 12, 256, 16}, {0, 0, 256, 1},
	} {
		if got := Zoom(c.w, c.h, c.side); got != c.want {
			t.Errorf("Zoom(%d, %d, %d) = %d, want %d", c.w, c.h, c.side, got, c.want)
		}
	}
}

func TestEnlarge(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 2, 1))
	g.Pix[1] = 200
	eg, ok := Enlarge(g, 3).(*image.Gray)
	if !ok || eg.Bounds() != image.Rect(0, 0, 6, 3) || eg.GrayAt(2, 2).Y != 0 || eg.GrayAt(3, 0).Y != 200 || eg.GrayAt(5, 2).Y != 200 {
		t.Fatalf("gray: %T %v", eg, eg)
	}
	c := image.NewNRGBA(image.Rect(5, 5, 7, 6)) // bounds not at the origin
	c.Set(6, 5, color.NRGBA{255, 0, 0, 255})
	ec := Enlarge(c, 2).(*image.RGBA)
	if ec.Bounds() != image.Rect(0, 0, 4, 2) || ec.RGBAAt(3, 1) != (color.RGBA{255, 0, 0, 255}) || ec.RGBAAt(1, 1) != (color.RGBA{}) {
		t.Fatalf("colour: %v", ec)
	}
	// An *image.RGBA takes the row-copying path: the same pixels as the
	// per-pixel path gives the same picture as an NRGBA.
	r := image.NewRGBA(image.Rect(3, 2, 6, 4))
	n := image.NewNRGBA(r.Rect)
	for i := range r.Pix {
		r.Pix[i] = uint8(37 * i)
		if i%4 == 3 {
			r.Pix[i] = 255
		}
		n.Pix[i] = r.Pix[i]
	}
	er, en := Enlarge(r, 3).(*image.RGBA), Enlarge(n, 3).(*image.RGBA)
	if er.Rect != en.Rect || string(er.Pix) != string(en.Pix) {
		t.Errorf("RGBA path: %v, per-pixel path: %v", er, en)
	}
	if Enlarge(g, 1) != image.Image(g) {
		t.Error("k = 1 copied the image")
	}
}

func TestStripAndMask(t *testing.T) {
	m, err := MaskImage([]bool{true, false, false, true}, 2, 2)
	if err != nil || m.Pix[0] != 255 || m.Pix[1] != 0 || m.Pix[3] != 255 {
		t.Fatalf("mask %v %v", m, err)
	}
	if _, err := MaskImage([]bool{true}, 2, 2); err == nil {
		t.Error("a mask of the wrong size was accepted")
	}
	tiles := []image.Image{canvas(40, 30), canvas(40, 30), canvas(40, 30)}
	s := Strip(tiles, []string{"a", "", "c"}, 2, color.White)
	if s.Bounds() != image.Rect(0, 0, 3*40+4*2, 30+2*2) {
		t.Fatalf("strip %v", s.Bounds())
	}
	// A caption draws white text in its tile's corner; no caption, nothing.
	lit := func(x0 int) int {
		n := 0
		for y := 2; y < 2+20; y++ {
			for x := x0; x < x0+20; x++ {
				if s.RGBAAt(x, y).R > 128 {
					n++
				}
			}
		}
		return n
	}
	if lit(2) == 0 || lit(2+40+2) != 0 || lit(2+2*42) == 0 {
		t.Errorf("caption pixels: %d %d %d", lit(2), lit(44), lit(86))
	}
}
