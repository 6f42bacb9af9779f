package nlmeans

import (
	"math"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
)

// referenceDenoise is non-local means written out directly from its
// definition, in float64: for every pixel and every neighbour in the
// search window, the patch distance summed pixel by pixel on the
// quantised, mirrored picture, and math.Exp for the weight.
func referenceDenoise(img []float32, c, h, w int, p Params) []float32 {
	return referenceFrames([][]float32{img}, 0, c, h, w, p)
}

// referenceFrames is referenceDenoise of frames[target] with the search
// window extended over all the frames given.
func referenceFrames(frames [][]float32, target, c, h, w int, p Params) []float32 {
	pr, sr := p.Patch/2, p.Search/2
	at := func(f, ch, y, x int) float64 { return float64(frames[f][(ch*h+mirror(y, h))*w+mirror(x, w)]) }
	q := func(f, ch, y, x int) float64 { return float64(quantiseLevel(float32(at(f, ch, y, x)))) }
	n := float64(p.Patch * p.Patch * c)
	out := make([]float32, c*h*w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			num := make([]float64, c)
			var den float64
			for f := range frames {
				for dy := -sr; dy <= sr; dy++ {
					for dx := -sr; dx <= sr; dx++ {
						if f == target && dx == 0 && dy == 0 {
							continue
						}
						var d2 float64
						for ch := 0; ch < c; ch++ {
							for ky := -pr; ky <= pr; ky++ {
								for kx := -pr; kx <= pr; kx++ {
									e := q(target, ch, y+ky, x+kx) - q(f, ch, y+dy+ky, x+dx+kx)
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
						for ch := 0; ch < c; ch++ {
							num[ch] += wt * at(f, ch, y+dy, x+dx)
						}
					}
				}
			}
			for ch := 0; ch < c; ch++ {
				out[(ch*h+y)*w+x] = float32((num[ch] + at(target, ch, y, x)) / (den + 1))
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

// TestDenoiseFramesMatchesReference checks the multi-frame filter against
// the direct sum, the windows at the ends of the sequence, and that one
// frame of window is Denoise.
func TestDenoiseFramesMatchesReference(t *testing.T) {
	const c, h, w, n = 3, 14, 17, 4
	p := Params{Patch: 5, Search: 7, Sigma: 15, H: 9}
	clean := testimg.Synthetic(c, h, w)
	frames := make([][]float32, n)
	for i := range frames {
		frames[i] = testimg.Noisy(clean, 15, uint64(20+i))
	}
	for _, k := range []int{1, 3, 9} {
		got := DenoiseFrames(frames, c, h, w, k, p, 2)
		for tt := range frames {
			lo, hi := FrameWindow(tt, n, k)
			want := referenceFrames(frames[lo:hi], tt-lo, c, h, w, p)
			for i := range want {
				if d := math.Abs(float64(got[tt][i] - want[i])); d > 0.01 {
					t.Fatalf("k=%d frame %d value %d: %v, want %v", k, tt, i, got[tt][i], want[i])
				}
			}
			if k == 1 {
				single := Denoise(frames[tt], c, h, w, p, 1)
				for i := range single {
					if single[i] != got[tt][i] {
						t.Fatalf("k=1 frame %d differs from Denoise at %d", tt, i)
					}
				}
			}
		}
	}
	for _, tc := range []struct{ t, n, k, lo, hi int }{
		{0, 10, 5, 0, 5}, {1, 10, 5, 0, 5}, {2, 10, 5, 0, 5}, {5, 10, 5, 3, 8}, {9, 10, 5, 5, 10},
		{0, 2, 5, 0, 2}, {3, 10, 4, 1, 5}, {4, 10, 1, 4, 5}, {4, 10, 0, 4, 5},
	} {
		if lo, hi := FrameWindow(tc.t, tc.n, tc.k); lo != tc.lo || hi != tc.hi {
			t.Errorf("FrameWindow(%d, %d, %d) = %d, %d, want %d, %d", tc.t, tc.n, tc.k, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestDenoiseFramesGain: on a static scene with fresh noise per frame,
// five frames of window beat one.
func TestDenoiseFramesGain(t *testing.T) {
	const c, h, w, n, sigma = 1, 40, 40, 5, 25
	clean := testimg.Synthetic(c, h, w)
	frames := make([]*tensor.Tensor, n)
	for i := range frames {
		frames[i] = tensor.New(c, h, w)
		for j, v := range testimg.Noisy(clean, sigma, uint64(40+i)) {
			frames[i].Data[j] = v / 255
		}
	}
	psnr := func(k int) float64 {
		out, used, err := DenoiseFramesTensor(frames, k, Params{Patch: 7, Search: 11}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(used.Sigma-sigma) > 0.1*sigma {
			t.Errorf("k=%d: estimated sigma %.1f, want about %d", k, used.Sigma, sigma)
		}
		px := make([]float32, len(clean))
		for j, v := range out[n/2].Data {
			px[j] = v * 255
		}
		return PSNR(px, clean)
	}
	one, five := psnr(1), psnr(5)
	t.Logf("PSNR of the middle frame: %.2f dB with 1 frame, %.2f dB with 5", one, five)
	if five < one+1 {
		t.Errorf("5 frames give %.2f dB, 1 frame %.2f dB: want a gain of at least 1 dB", five, one)
	}
	if _, _, err := DenoiseFramesTensor([]*tensor.Tensor{tensor.New(1, 4, 4), tensor.New(1, 4, 5)}, 2, Params{Patch: 3, Search: 3}, 1); err == nil {
		t.Error("frames of different sizes were accepted")
	}
}
