package domain

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 } // float32 inputs

func TestMeasure(t *testing.T) {
	// A 4×4 grey picture, black on the left half and white on the right:
	// each row steps once from 0 to 1, and the 4×4 grid of blocks is the
	// pixels themselves.
	x := make([]float32, 16)
	for y := 0; y < 4; y++ {
		x[y*4+2], x[y*4+3] = 1, 1
	}
	got := Measure(x, 1, 4)
	want := Stats{Mean: 0.5, Std: 0.5, Dark: 0.5, Edge: 0.25, Coarse: 0.5, Colour: 0}
	if !near(got.Mean, want.Mean) || !near(got.Std, want.Std) || !near(got.Dark, want.Dark) ||
		!near(got.Edge, want.Edge) || !near(got.Coarse, want.Coarse) || got.Colour != 0 {
		t.Errorf("grey: got %+v, want %+v", got, want)
	}
	// Two RGB pixels: pure red and a near-black grey. Channel-major.
	rgb := []float32{1, 0.05, 0, 0.05, 0, 0.05}
	got = Measure(rgb, 3, 2)
	if !near(got.Colour, 0.5) || !near(got.Dark, 0.5) || !near(got.Edge, (0.95+0.05+0.05)/6) {
		t.Errorf("colour: got %+v", got)
	}
	if s := Measure(nil, 1, 4); s != (Stats{}) {
		t.Errorf("empty input: %+v", s)
	}
}

func TestFitDistanceScore(t *testing.T) {
	stats := []Stats{{Mean: 0.1, Std: 0.3}, {Mean: 0.2, Std: 0.3}, {Mean: 0.3, Std: 0.3}}
	r := Fit("test", 1, 4, stats)
	if r.Mean.Lo != 0.1 || r.Mean.Hi != 0.3 || !near(r.Mean.Std, math.Sqrt(2.0/300)) {
		t.Fatalf("Mean range %+v", r.Mean)
	}
	if r.Std.Std != 0 || r.Colour.Std != 0 {
		t.Fatalf("a constant statistic must have Std 0: %+v %+v", r.Std, r.Colour)
	}
	for _, c := range []struct {
		s    Stats
		want float64 // distance
	}{
		{Stats{Mean: 0.2, Std: 0.3}, 0},
		{Stats{Mean: 0.3, Std: 0.9}, 0},                                  // Std does not vary in training: left out
		{Stats{Mean: 0.3 + 2*r.Mean.Std}, 2},                             // two training deviations above the range
		{Stats{Mean: 0.1 - 3*r.Mean.Std, Colour: 1}, 3},                  // below it
		{Stats{Mean: 0.3 + r.Mean.Std, Dark: 5, Edge: -1, Coarse: 2}, 1}, // Dark, Edge, Coarse did not vary either
	} {
		if d := r.Distance(c.s); !near(d, c.want) {
			t.Errorf("Distance(%+v) = %g, want %g", c.s, d, c.want)
		}
	}
	// Score on inputs: inside the range scores 1, and the score is
	// exp(-d²/2) outside it.
	r = Reference{Channels: 1, Width: 2, Mean: Range{0.2, 0.4, 0.1}}
	for _, c := range []struct {
		x    []float32
		want float64
	}{
		{[]float32{0.3, 0.3}, 1},
		{[]float32{0.6, 0.6}, math.Exp(-2)},
		{[]float32{0.9, 0.9}, math.Exp(-12.5)},
	} {
		if s := r.Score(c.x); !near(s, c.want) {
			t.Errorf("Score(%v) = %g, want %g", c.x, s, c.want)
		}
	}
	if WarnBelow >= math.Exp(-4.5) || WarnBelow <= math.Exp(-5) {
		t.Errorf("WarnBelow %g should sit just past three deviations", WarnBelow)
	}
}

func TestBuiltin(t *testing.T) {
	for _, c := range []struct {
		key             string
		channels, width int
	}{
		{"ram/mnist", 1, 28}, {"ram/translated", 1, 60}, {"ram/cluttered60", 1, 60}, {"ram/cluttered100", 1, 100},
		{"lpa/fragments", 3, 64}, {"lpa/largest", 3, 64}, {"caption/builtin", 3, 64},
		{"nonlocal/sum", 1, 32}, {"nonlocal/cluttered60", 1, 60}, {"nonlocal/digits", 1, 32},
	} {
		r, ok := Builtin(c.key, c.channels, c.width)
		if !ok || r.Data == "" || r.Mean.Std <= 0 || r.Mean.Lo >= r.Mean.Hi {
			t.Errorf("Builtin(%s): %+v %v", c.key, r, ok)
		}
		// The same task at another size or colour has no reference.
		if _, ok := Builtin(c.key, c.channels, c.width+1); ok {
			t.Errorf("Builtin(%s) at width %d", c.key, c.width+1)
		}
		if _, ok := Builtin(c.key, 4-c.channels, c.width); ok {
			t.Errorf("Builtin(%s) with %d channels", c.key, 4-c.channels)
		}
	}
	if _, ok := Builtin("ram/nosuch", 1, 28); ok {
		t.Error("an unknown key has a reference")
	}
	if len(Keys()) != 10 {
		t.Errorf("Keys() = %v", Keys())
	}
}
