package caption

import (
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// oneHot returns a gridH×gridW map with all its mass on cell (i, j).
func oneHot(gridH, gridW, i, j int) []float32 {
	a := make([]float32, gridH*gridW)
	a[i*gridW+j] = 1
	return a
}

func uniformMap(n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		a[i] = 1 / float32(n)
	}
	return a
}

func TestBoxAttention(t *testing.T) {
	tests := []struct {
		name                     string
		alpha                    []float32
		gridH, gridW, imgW, imgH int
		box                      data.Box
		want, wantShare          float64
	}{
		// 64×64 image, 4×4 grid: 16-pixel cells. Box = cell (row 2, col 1).
		{"box on one cell, mass there", oneHot(4, 4, 2, 1), 4, 4, 64, 64, data.Box{X0: 16, Y0: 32, X1: 32, Y1: 48}, 1, 256.0 / 4096},
		{"box on one cell, mass elsewhere", oneHot(4, 4, 1, 2), 4, 4, 64, 64, data.Box{X0: 16, Y0: 32, X1: 32, Y1: 48}, 0, 1.0 / 16},
		// Left half of that cell: 8×16 of its 16×16 pixels.
		{"box on half a cell", oneHot(4, 4, 2, 1), 4, 4, 64, 64, data.Box{X0: 16, Y0: 32, X1: 24, Y1: 48}, 0.5, 128.0 / 4096},
		// Corners of four cells, a quarter of each: with a uniform map
		// 4 · 1/4 · 1/16 = 1/16, the box's share 16²/64².
		{"box across four cells, uniform map", uniformMap(16), 4, 4, 64, 64, data.Box{X0: 8, Y0: 8, X1: 24, Y1: 24}, 1.0 / 16, 1.0 / 16},
		{"box across four cells, mass on one", oneHot(4, 4, 1, 1), 4, 4, 64, 64, data.Box{X0: 8, Y0: 8, X1: 24, Y1: 24}, 0.25, 1.0 / 16},
		// 10×10 image, 3×3 grid: cells 10/3 wide. Box x in [0, 5), all
		// rows: column 1 (x in [3.33, 6.67)) is covered over 5 − 3.33 =
		// 1.67 of its 3.33: a half.
		{"cells not a whole number of pixels", oneHot(3, 3, 0, 1), 3, 3, 10, 10, data.Box{X0: 0, Y0: 0, X1: 5, Y1: 10}, 0.5, 0.5},
		// Non-square: 20 wide, 10 high, 1×2 grid (10×10 cells). Box
		// x in [5, 15), y in [0, 5): a quarter of each cell, with masses
		// 0.25 and 0.75: 0.25/4 + 0.75/4 = 0.25; share 50/200.
		{"non-square image", []float32{0.25, 0.75}, 1, 2, 20, 10, data.Box{X0: 5, Y0: 0, X1: 15, Y1: 5}, 0.25, 0.25},
		// The part outside the image is dropped: box = the whole image.
		{"box beyond the image", oneHot(2, 2, 1, 1), 2, 2, 8, 8, data.Box{X0: -4, Y0: -4, X1: 12, Y1: 12}, 1, 1},
		{"empty box", oneHot(2, 2, 0, 0), 2, 2, 8, 8, data.Box{}, 0, 0},
	}
	for _, tc := range tests {
		got := BoxAttention(tc.alpha, tc.gridH, tc.gridW, tc.imgW, tc.imgH, tc.box)
		share := BoxShare(tc.box, tc.imgW, tc.imgH)
		if math.Abs(got-tc.want) > 1e-6 || math.Abs(share-tc.wantShare) > 1e-12 {
			t.Errorf("%s: mass %v share %v, want %v and %v", tc.name, got, share, tc.want, tc.wantShare)
		}
		// A uniform map always scores the box's area share.
		u := BoxAttention(uniformMap(tc.gridH*tc.gridW), tc.gridH, tc.gridW, tc.imgW, tc.imgH, tc.box)
		if math.Abs(u-share) > 1e-6 {
			t.Errorf("%s: uniform map %v, share %v", tc.name, u, share)
		}
	}
}

func TestAttentionCorrectness(t *testing.T) {
	// 64×64 scene, 4×4 grid. A red 3 exactly on cell (0, 0), a blue 7 on
	// the left half of cell (3, 3).
	objs := []data.Object{
		{Digit: 3, Colour: "red", Size: data.SizeSmall, Box: data.Box{X0: 0, Y0: 0, X1: 16, Y1: 16}},
		{Digit: 7, Colour: "blue", Size: data.SizeSmall, Box: data.Box{X0: 48, Y0: 48, X1: 56, Y1: 64}},
	}
	words := toks("a red 3 above a blue 7 and a 9")
	on3, on7, off := oneHot(4, 4, 0, 0), oneHot(4, 4, 3, 3), oneHot(4, 4, 1, 2)
	// "red" and "3" look at the 3 (1 each); "blue" looks away (0); "7"
	// looks at the 7's cell, half of which is in its box (0.5). "9" names
	// nothing in the scene and the other words name nothing: not counted.
	alphas := [][]float32{off, on3, on3, off, off, off, on7, off, off, on3}
	got, err := AttentionCorrectness(alphas, 4, 4, 64, 64, words, objs)
	if err != nil {
		t.Fatal(err)
	}
	// Uniform: 2 words on the 3 (share 256/4096 = 1/16 each) and 2 on the 7
	// (128/4096 = 1/32 each).
	want := AttentionTally{Mass: 1 + 1 + 0 + 0.5, UniformMass: 2.0/16 + 2.0/32, Words: 4}
	if math.Abs(got.Mass-want.Mass) > 1e-6 || math.Abs(got.UniformMass-want.UniformMass) > 1e-12 || got.Words != want.Words {
		t.Fatalf("%+v, want %+v", got, want)
	}
	c, u := got.Mean()
	if math.Abs(c-2.5/4) > 1e-6 || math.Abs(u-0.1875/4) > 1e-12 {
		t.Fatalf("mean %v, uniform %v", c, u)
	}
	var sum AttentionTally
	sum.Add(got)
	sum.Add(AttentionTally{Mass: 0.5, UniformMass: 0.25, Words: 1})
	if c, u := sum.Mean(); math.Abs(c-3.0/5) > 1e-6 || math.Abs(u-0.4375/5) > 1e-12 {
		t.Fatalf("summed mean %v, uniform %v", c, u)
	}
	if c, u := (AttentionTally{}).Mean(); !math.IsNaN(c) || !math.IsNaN(u) {
		t.Fatal("empty tally is not NaN")
	}

	if _, err := AttentionCorrectness(alphas[:3], 4, 4, 64, 64, words, objs); err == nil {
		t.Error("too few maps accepted")
	}
	bad := append([][]float32(nil), alphas...)
	bad[2] = make([]float32, 15)
	if _, err := AttentionCorrectness(bad, 4, 4, 64, 64, words, objs); err == nil {
		t.Error("map of the wrong size accepted")
	}
	if _, err := AttentionCorrectness(alphas, 0, 4, 64, 64, words, objs); err == nil {
		t.Error("empty grid accepted")
	}
}
