package autograd

import (
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// rampImage returns a [c, h, w] image whose pixels hold their own flat
// index, so every value is distinct and a misplaced tap shows.
func rampImage(c, h, w int) []float32 {
	img := make([]float32, c*h*w)
	for i := range img {
		img[i] = float32(i)
	}
	return img
}

// locFor returns the location in [-1, 1] that centres a glimpse at the
// continuous coordinate p of an axis of the given extent.
func locFor(p float64, extent int) float32 { return float32(2*p/float64(extent) - 1) }

func TestCropResizeImage(t *testing.T) {
	const h, w = 6, 8
	img := rampImage(2, h, w)
	at := func(ch, y, x int) float32 {
		if y < 0 || y >= h || x < 0 || x >= w {
			return 0
		}
		return img[(ch*h+y)*w+x]
	}
	cases := []struct {
		name     string
		cx, cy   float64 // glimpse centre in continuous pixel coordinates
		size, g  int
		want     func(ch, i, j int) float32
		exactTol float32
	}{
		// l = 0 is the image centre; g = size copies pixels exactly.
		{"identity-centre", 4, 3, 4, 4, func(ch, i, j int) float32 { return at(ch, 1+i, 2+j) }, 0},
		// Off-centre, reaching past the top-left corner: zeros outside.
		{"identity-corner", 1, 0, 4, 4, func(ch, i, j int) float32 { return at(ch, i-2, j-1) }, 0},
		// Halving: each output is the mean of a 2×2 block.
		{"downsample", 4, 3, 4, 2, func(ch, i, j int) float32 {
			y, x := 1+2*i, 2+2*j
			return (at(ch, y, x) + at(ch, y, x+1) + at(ch, y+1, x) + at(ch, y+1, x+1)) / 4
		}, 1e-5},
		// One sample at a pixel corner: the mean of the four neighbours.
		{"single", 3, 2, 2, 1, func(ch, i, j int) float32 {
			return (at(ch, 1, 2) + at(ch, 1, 3) + at(ch, 2, 2) + at(ch, 2, 3)) / 4
		}, 1e-5},
		// Doubling a 2×2 crop: sample j sits at u = cx − 1 + (j+½)/2 − ½
		// in pixel-index units, a quarter pixel either side of a centre.
		{"upsample", 4, 3, 2, 4, func(ch, i, j int) float32 {
			u, v := 2.75+0.5*float32(j), 1.75+0.5*float32(i)
			x0, y0 := int(u), int(v)
			fx, fy := u-float32(x0), v-float32(y0)
			return (1-fy)*((1-fx)*at(ch, y0, x0)+fx*at(ch, y0, x0+1)) + fy*((1-fx)*at(ch, y0+1, x0)+fx*at(ch, y0+1, x0+1))
		}, 1e-4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]float32, 2*c.g*c.g)
			CropResizeImage(dst, img, 2, h, w, locFor(c.cx, w), locFor(c.cy, h), c.size, c.g)
			for ch := 0; ch < 2; ch++ {
				for i := 0; i < c.g; i++ {
					for j := 0; j < c.g; j++ {
						got, want := dst[(ch*c.g+i)*c.g+j], c.want(ch, i, j)
						if d := got - want; d > c.exactTol || d < -c.exactTol {
							t.Fatalf("channel %d (%d,%d): %g, want %g", ch, i, j, got, want)
						}
					}
				}
			}
		})
	}
}

// TestCropResizeBatch checks that the tape op is CropResizeImage per
// sample and that its inference path allocates nothing in steady state.
func TestCropResizeBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 31))
	const n, c, h, w, size, g = 3, 2, 28, 28, 8, 8
	images := Const(randTensor(rng, n, c, h, w))
	loc := Const(randTensor(rng, n, 2))
	tp := NewInference()
	out := tp.CropResize(images, loc, size, g)
	if !tensor.SameShape(out.Value.Shape, []int{n, c, g, g}) {
		t.Fatalf("shape %v", out.Value.Shape)
	}
	want := make([]float32, c*g*g)
	for s := 0; s < n; s++ {
		CropResizeImage(want, images.Value.Data[s*c*h*w:(s+1)*c*h*w], c, h, w,
			loc.Value.Data[2*s], loc.Value.Data[2*s+1], size, g)
		if d := maxDiff(want, out.Value.Data[s*c*g*g:(s+1)*c*g*g]); d != 0 {
			t.Fatalf("sample %d differs by %g", s, d)
		}
	}
	tp.Reset()
	// A three-scale glimpse, as RAM on 60×60 images uses.
	glimpse := func() {
		tp.Concat(1, tp.CropResize(images, loc, size, g), tp.CropResize(images, loc, 2*size, g),
			tp.CropResize(images, loc, 4*size, g))
		tp.Reset()
	}
	glimpse()
	if allocsUnreliable {
		return // allocation counts are unreliable under the race detector
	}
	if allocs := testing.AllocsPerRun(20, glimpse); allocs != 0 {
		t.Fatalf("inference CropResize allocates %v times", allocs)
	}
}
