package viz

import (
	"image/color"
	"slices"
	"strings"
	"testing"
)

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{1, 8, []float64{0, 2, 4, 6, 8}},
		{1, 30, []float64{0, 10, 20, 30}},
		{0.3, 0.9, []float64{0.2, 0.4, 0.6, 0.8, 1}},
		{-3, 3, []float64{-4, -2, 0, 2, 4}},
		{1, 5, []float64{1, 2, 3, 4, 5}},
	} {
		got := linearTicks(tc.lo, tc.hi)
		if len(got) != len(tc.want) {
			t.Errorf("linearTicks(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			continue
		}
		for i := range got {
			if d := got[i] - tc.want[i]; d > 1e-9 || d < -1e-9 {
				t.Errorf("linearTicks(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
				break
			}
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{1.76, 9.76, []float64{1, 2, 3, 5, 10}},
		{4.2, 47.1, []float64{3, 5, 10, 20, 30, 50}},
		{1, 10, []float64{1, 2, 3, 5, 10}},
		{0.02, 0.04, []float64{0.02, 0.03, 0.05}},
	} {
		got := logTicks(tc.lo, tc.hi)
		if !slices.EqualFunc(got, tc.want, func(a, b float64) bool { return a > b*(1-1e-9) && a < b*(1+1e-9) }) {
			t.Errorf("logTicks(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestTickLabel(t *testing.T) {
	for v, want := range map[float64]string{0.1 + 0.2: "0.3", 20: "20", 0.05: "0.05", -1.5: "-1.5"} {
		if got := tickLabel(v); got != want {
			t.Errorf("tickLabel(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestLineChart(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	c := Chart{
		Title: "t", XLabel: "epoch", YLabel: "error %", LogY: true,
		Series: []Series{
			{Name: "a", X: []float64{1, 2, 3}, Y: []float64{10, 5, 2}, Color: red},
			{Name: "b", X: []float64{1, 2, 3}, Y: []float64{12, 4, 3}},
		},
	}
	img, err := LineChart(c, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Fatalf("bounds %v, want 300×200", b)
	}
	// Both series' colours appear: the given red and the first default.
	var sawRed, sawBlue bool
	for i := 0; i < len(img.Pix); i += 4 {
		p := color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}
		sawRed = sawRed || p == red
		sawBlue = sawBlue || p == ChartColors[1]
	}
	if !sawRed || !sawBlue {
		t.Errorf("series colours drawn: red %v, second default %v", sawRed, sawBlue)
	}

	for _, tc := range []struct {
		name string
		c    Chart
		w, h int
		msg  string
	}{
		{"empty", Chart{}, 300, 200, "no points"},
		{"lengths", Chart{Series: []Series{{X: []float64{1}, Y: nil}}}, 300, 200, "1 x and 0 y"},
		{"log of zero", Chart{LogY: true, Series: []Series{{X: []float64{1}, Y: []float64{0}}}}, 300, 200, "not positive"},
		{"NaN", Chart{Series: []Series{{X: []float64{1}, Y: []float64{nan()}}}}, 300, 200, "not finite"},
		{"too small", c, 40, 30, "no room"},
	} {
		if _, err := LineChart(tc.c, tc.w, tc.h); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
}

func nan() float64 { var z float64; return z / z }
