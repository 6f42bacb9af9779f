package viz

import (
	"image/color"
	"math"
	"testing"
)

func TestColormapEndpoints(t *testing.T) {
	cases := []struct {
		name     string
		lo, hi   color.RGBA
		tol      int
		midpoint color.RGBA
	}{
		// matplotlib's viridis table starts at (68,1,84) and ends at
		// (253,231,37); the polynomial fit is within a few levels.
		{"viridis", color.RGBA{68, 1, 84, 255}, color.RGBA{253, 231, 37, 255}, 5, color.RGBA{33, 145, 140, 255}},
		// MATLAB jet: dark blue (0,0,0.5) to dark red (0.5,0,0), with
		// (0.5,1,0.5) in the middle.
		{"jet", color.RGBA{0, 0, 128, 255}, color.RGBA{128, 0, 0, 255}, 3, color.RGBA{128, 255, 128, 255}},
		// Our Turbo fit: dark blue-black low, dark red high, green-yellow
		// in the middle (the original table is (48,18,59), (122,4,3) and
		// (164,252,59) there; the fit drifts at the ends).
		{"turbo", color.RGBA{35, 23, 27, 255}, color.RGBA{144, 13, 0, 255}, 1, color.RGBA{152, 250, 79, 255}},
		{"gray", color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}, 0, color.RGBA{128, 128, 128, 255}},
	}
	for _, c := range cases {
		m, err := Colormap(c.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			t    float64
			want color.RGBA
		}{{0, c.lo}, {1, c.hi}, {0.5, c.midpoint}, {-3, c.lo}, {7, c.hi}, {math.NaN(), c.lo}} {
			if got := m.At(p.t); !near(got, p.want, c.tol) {
				t.Errorf("%s.At(%g) = %v, want %v ±%d", c.name, p.t, got, p.want, c.tol)
			}
		}
	}
	if _, err := Colormap("TURBO"); err != nil {
		t.Errorf("names are case-insensitive: %v", err)
	}
	if _, err := Colormap("rainbow"); err == nil {
		t.Error("unknown name must be an error")
	}
}

// Viridis is designed so that lightness rises monotonically; allow only
// the 8-bit rounding wobble of one channel step.
func TestViridisLuminanceMonotonic(t *testing.T) {
	lut := Viridis().LUT()
	prev := -1.0
	for i, c := range lut {
		l := 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
		if l < prev-0.5 {
			t.Fatalf("luma drops from %.2f to %.2f at entry %d", prev, l, i)
		}
		prev = math.Max(prev, l)
	}
	first, last := lut[0], lut[255]
	if luma(first) > 40 || luma(last) < 200 {
		t.Errorf("viridis should run dark to light: %v .. %v", first, last)
	}
}

func luma(c color.RGBA) float64 {
	return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return math.Abs(float64(x)-float64(y)) <= float64(tol) }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && a.A == b.A
}
