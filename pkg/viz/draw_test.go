package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	black = color.RGBA{0, 0, 0, 255}
)

func canvas(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	FillRect(m, m.Rect, black)
	return m
}

func TestRect(t *testing.T) {
	m := canvas(20, 20)
	Rect(m, image.Rect(2, 3, 12, 15), red, 2)
	cases := []struct {
		x, y int
		want color.RGBA
	}{
		{2, 3, red}, {11, 14, red}, {3, 8, red}, {10, 8, red}, {6, 4, red}, {6, 13, red}, // the band
		{4, 5, black}, {9, 12, black}, // inside
		{1, 3, black}, {12, 8, black}, {6, 15, black}, // outside
	}
	for _, c := range cases {
		if got := m.RGBAAt(c.x, c.y); got != c.want {
			t.Errorf("(%d,%d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	// Clipped at the image edge without panicking.
	m = canvas(20, 20)
	Rect(m, image.Rect(-5, -5, 10, 10), red, 1)
	if m.RGBAAt(9, 0) != red || m.RGBAAt(0, 9) != red || m.RGBAAt(0, 0) != black {
		t.Error("clipped outline missing")
	}
}

func TestLineAndArrow(t *testing.T) {
	m := canvas(40, 20)
	Line(m, 2, 5, 30, 5, 1, red)
	for x := 2; x <= 30; x++ {
		if m.RGBAAt(x, 5) != red || m.RGBAAt(x, 4) != black || m.RGBAAt(x, 6) != black {
			t.Fatalf("horizontal line column %d: %v %v %v", x, m.RGBAAt(x, 4), m.RGBAAt(x, 5), m.RGBAAt(x, 6))
		}
	}
	if m.RGBAAt(0, 5) != black || m.RGBAAt(32, 5) != black {
		t.Error("line extends past its ends")
	}

	m = canvas(40, 40)
	Arrow(m, 5, 20, 35, 20, 1, red)
	// Shaft along row 20, tip at x=35, head wider than the shaft near the tip.
	for _, p := range []image.Point{{5, 20}, {20, 20}, {35, 20}, {31, 22}, {31, 18}} {
		if m.RGBAAt(p.X, p.Y) == black {
			t.Errorf("arrow pixel %v not set", p)
		}
	}
	for _, p := range []image.Point{{20, 22}, {20, 18}, {37, 20}, {3, 20}, {31, 25}} {
		if m.RGBAAt(p.X, p.Y) != black {
			t.Errorf("pixel %v off the arrow is %v", p, m.RGBAAt(p.X, p.Y))
		}
	}
	// A diagonal arrow: anti-aliased edges are partial, the core is full.
	m = canvas(40, 40)
	Arrow(m, 5, 5, 30, 30, 2, red)
	if m.RGBAAt(15, 15) != red || m.RGBAAt(28, 28) != red || m.RGBAAt(30, 30) == black {
		t.Errorf("diagonal core: %v %v %v", m.RGBAAt(15, 15), m.RGBAAt(28, 28), m.RGBAAt(30, 30))
	}
	if m.RGBAAt(30, 5) != black {
		t.Error("diagonal arrow leaked")
	}
	partial := false
	for x := 0; x < 40 && !partial; x++ {
		for y := 0; y < 40; y++ {
			if r := m.RGBAAt(x, y).R; r > 0 && r < 255 {
				partial = true
				break
			}
		}
	}
	if !partial {
		t.Error("a diagonal should have anti-aliased edge pixels")
	}
	// Degenerate and off-canvas arrows neither panic nor draw elsewhere.
	Arrow(m, 100, 100, 100, 100, 1, red)
	Arrow(m, -50, -50, -10, -10, 1, red)
}

func TestTranslucentBlend(t *testing.T) {
	m := canvas(4, 4)
	FillRect(m, m.Rect, color.NRGBA{255, 255, 255, 255})
	Disc(m, 1.5, 1.5, 3, color.NRGBA{0, 0, 0, 128}) // half-transparent black
	if got := m.RGBAAt(1, 1); got.R < 120 || got.R > 135 || got.A != 255 {
		t.Errorf("half-transparent black over white = %v, want mid gray", got)
	}
}

func TestLabelAndMarker(t *testing.T) {
	m := canvas(60, 30)
	white := color.RGBA{255, 255, 255, 255}
	box := Label(m, 50, 2, "cat", white, color.RGBA{0, 0, 255, 255})
	tw, th := TextSize("cat")
	if tw != 21 || th != 13 {
		t.Errorf("TextSize = %d, %d, want 21, 13", tw, th)
	}
	// Pushed back inside the right edge.
	if box.Max.X != 60 || box.Dx() != 21+4 || box.Dy() != 13+4 {
		t.Errorf("label box %v", box)
	}
	blue, text := 0, 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			switch m.RGBAAt(x, y) {
			case white:
				text++
			case color.RGBA{0, 0, 255, 255}:
				blue++
			}
		}
	}
	if text < 20 || blue < box.Dx()*box.Dy()/2 {
		t.Errorf("label has %d text and %d background pixels", text, blue)
	}

	m = canvas(40, 40)
	Marker(m, 20, 20, 7, red)
	if m.RGBAAt(20-7, 20) != red || m.RGBAAt(20, 20-7) != red {
		t.Error("marker disc missing")
	}
	if m.RGBAAt(20, 20-12) != black {
		t.Error("marker too large")
	}
	ink := 0
	for y := 12; y < 28; y++ {
		for x := 12; x < 28; x++ {
			if m.RGBAAt(x, y) == (color.RGBA{255, 255, 255, 255}) {
				ink++
			}
		}
	}
	if ink < 5 {
		t.Errorf("marker number has %d white pixels", ink)
	}
}

// TestLineSkipsOnlyUncovered checks that Line's shortcut for pixels far
// from the segment changes no pixel: it draws what the plain distance
// rule, math.Hypot at every pixel of the box, draws.
func TestLineSkipsOnlyUncovered(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		x0, y0, x1, y1 := rng.Float64()*60-5, rng.Float64()*60-5, rng.Float64()*60-5, rng.Float64()*60-5
		width := 0.25 + rng.Float64()*6
		c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), 90, uint8(128 + rng.IntN(128))}
		got, want := canvas(50, 50), canvas(50, 50)
		Line(got, x0, y0, x1, y1, width, c)
		half := width / 2
		fill(want, x0, y0, x1, y1, half+1, c, func(px, py float64) float64 {
			return half + 0.5 - math.Hypot(segOffset(px, py, x0, y0, x1, y1))
		})
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("line %d (%g,%g)-(%g,%g) width %g: pixels differ from the distance rule", i, x0, y0, x1, y1, width)
		}
	}
}

// hiddenRGBA is an *image.RGBA that fillBox cannot see as one, so it goes
// through At and Set.
type hiddenRGBA struct{ *image.RGBA }

// TestFillBoxInPlaceMatchesSet checks that shapes drawn on an
// *image.RGBA in place give the pixels At and Set give.
func TestFillBoxInPlaceMatchesSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 100 {
		fast := canvas(40, 40)
		for j := range fast.Pix {
			fast.Pix[j] = uint8(rng.IntN(256))
		}
		slow := hiddenRGBA{image.NewRGBA(fast.Rect)}
		copy(slow.Pix, fast.Pix)
		c := color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))}
		if i%3 == 0 {
			c.A = 255
		}
		x0, y0, x1, y1 := rng.Float64()*40, rng.Float64()*40, rng.Float64()*40, rng.Float64()*40
		width, r := 0.5+rng.Float64()*4, rng.Float64()*6
		for _, dst := range []draw.Image{fast, slow} {
			Arrow(dst, x0, y0, x1, y1, width, c)
			Disc(dst, x1, y0, r, c)
		}
		if !bytes.Equal(fast.Pix, slow.Pix) {
			t.Fatalf("case %d: in-place pixels differ from At/Set's", i)
		}
	}
}
