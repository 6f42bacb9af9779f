package nlmeans

import (
	"math"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/vec"
)

// referenceDenoise is non-local means written out directly from its
// definition, in float64: for every pixel and every neighbour in the
// search window, the patch distance summed pixel by pixel on the
// quantised, mirrored picture, and math.Exp for the weight.
func referenceDenoise(img []float32, c, h, w int, p Params) []float32 {
	pr, sr := p.Patch/2, p.Search/2
	at := func(ch, y, x int) float64 { return float64(img[(ch*h+mirror(y, h))*w+mirror(x, w)]) }
	q := func(ch, y, x int) float64 { return float64(quantiseLevel(float32(at(ch, y, x)))) }
	n := float64(p.Patch * p.Patch * c)
	out := make([]float32, len(img))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			num := make([]float64, c)
			var den, self float64
			for dy := -sr; dy <= sr; dy++ {
				for dx := -sr; dx <= sr; dx++ {
					if dx == 0 && dy == 0 {
						continue
					}
					var d2 float64
					for ch := 0; ch < c; ch++ {
						for ky := -pr; ky <= pr; ky++ {
							for kx := -pr; kx <= pr; kx++ {
								e := q(ch, y+ky, x+kx) - q(ch, y+dy+ky, x+dx+kx)
								d2 += e * e
							}
						}
					}
					// Weights below e^−151 count as none, as they do in
					// Denoise (float32's normal range, shifted).
					wt := 0.0
					if e := -max(d2/n-2*p.Sigma*p.Sigma, 0) / (p.H * p.H); e > -150 {
						wt = math.Exp(e)
					}
					den += wt
					self = max(self, wt)
					for ch := 0; ch < c; ch++ {
						num[ch] += wt * at(ch, y+dy, x+dx)
					}
				}
			}
			if self == 0 {
				self = 1
			}
			for ch := 0; ch < c; ch++ {
				out[(ch*h+y)*w+x] = float32((num[ch] + self*at(ch, y, x)) / (den + self))
			}
		}
	}
	return out
}

// TestDenoiseMatchesReference: the tiled float32 filter gives the direct
// float64 sum within 0.01 of a level, with the assembly kernels and
// without, on pictures smaller and larger than a tile, whole-level and
// not, with search windows wider than the picture.
func TestDenoiseMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		c, h, w int
		p       Params
		whole   bool
	}{
		{1, 30, 33, Params{Patch: 7, Search: 21, Sigma: 20, H: 12}, true},
		{3, 21, 19, Params{Patch: 5, Search: 7, Sigma: 15, H: 9}, false},
		{1, 9, 300, Params{Patch: 3, Search: 5, Sigma: 10, H: 6}, true},
		{1, 140, 7, Params{Patch: 3, Search: 3, Sigma: 0, H: 25}, true},
		{3, 12, 13, Params{Patch: 1, Search: 9, Sigma: 5, H: 10}, true},
	} {
		img := testimg.Noisy(testimg.Synthetic(tc.c, tc.h, tc.w), tc.p.Sigma+5, 9)
		if tc.whole {
			for i, v := range img {
				img[i] = quantiseLevel(v)
			}
		}
		want := referenceDenoise(img, tc.c, tc.h, tc.w, tc.p)
		for _, generic := range []bool{false, true} {
			prev := vec.UseGeneric(generic)
			got := Denoise(img, tc.c, tc.h, tc.w, tc.p, 2)
			vec.UseGeneric(prev)
			var worst float64
			for i := range want {
				worst = max(worst, math.Abs(float64(got[i]-want[i])))
			}
			if worst > 0.01 {
				t.Errorf("%dx%dx%d %+v generic=%v: differs from the reference by up to %.4f levels", tc.c, tc.h, tc.w, tc.p, generic, worst)
			}
		}
	}
}
