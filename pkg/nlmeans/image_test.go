package nlmeans

import (
	"image"
	"image/color"
	"math"
	"runtime"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/imageio"
)

// picture draws testimg's noisy synthetic picture as an image of the
// given kind: gray, RGBA, YCbCr (what JPEG decodes to) or NRGBA with some
// transparency (values that are not whole levels once premultiplied).
func picture(kind string, h, w int) image.Image {
	c := 3
	if kind == "gray" {
		c = 1
	}
	px := testimg.Noisy(testimg.Synthetic(c, h, w), 20, 11)
	at := func(ch, y, x int) uint8 { return uint8(px[(ch%c*h+y)*w+x] + 0.5) }
	r := image.Rect(0, 0, w, h)
	switch kind {
	case "gray":
		g := image.NewGray(r)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g.Pix[y*g.Stride+x] = at(0, y, x)
			}
		}
		return g
	case "ycbcr":
		yc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				Y, cb, cr := color.RGBToYCbCr(at(0, y, x), at(1, y, x), at(2, y, x))
				yc.Y[yc.YOffset(x, y)] = Y
				yc.Cb[yc.COffset(x, y)], yc.Cr[yc.COffset(x, y)] = cb, cr
			}
		}
		return yc
	}
	img := image.NewNRGBA(r)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255)
			if kind == "nrgba" && (x+y)%7 == 0 {
				a = 128
			}
			img.SetNRGBA(x, y, color.NRGBA{at(0, y, x), at(1, y, x), at(2, y, x), a})
		}
	}
	if kind == "nrgba" {
		return img
	}
	rgba := image.NewRGBA(r)
	copy(rgba.Pix, img.Pix)
	return rgba
}

// TestDenoiseImageMatchesTensor: DenoiseImage gives the pixels of the
// tensor path with FromTensor, and the same parameters, for every kind
// of picture, on pictures of several bands and tiles (wider and taller
// than a tile), whatever the thread count.
func TestDenoiseImageMatchesTensor(t *testing.T) {
	for _, tc := range []struct {
		kind string
		h, w int
		p    Params
	}{
		{"gray", 300, 520, Params{Patch: 3, Search: 5}},
		{"rgba", 140, 270, Params{Patch: 5, Search: 7, Sigma: 20, H: 12}},
		{"ycbcr", 131, 300, Params{Patch: 3, Search: 5}},
		{"nrgba", 70, 90, Params{Patch: 7, Search: 9, H: 10}},
	} {
		img := picture(tc.kind, tc.h, tc.w)
		gray := imageio.IsGray(img)
		res, wantUsed, err := DenoiseTensor(imageio.ToTensor(img, gray), tc.p, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := imageio.FromTensor(res)
		for _, threads := range []int{1, 2, 5} {
			got, used, err := DenoiseImage(img, gray, tc.p, threads)
			if err != nil {
				t.Fatal(err)
			}
			if used != wantUsed {
				t.Errorf("%s threads=%d: used %+v, the tensor path %+v", tc.kind, threads, used, wantUsed)
			}
			if got.Bounds() != want.Bounds() || got.ColorModel() != want.ColorModel() {
				t.Fatalf("%s: got a %T of %v, want a %T of %v", tc.kind, got, got.Bounds(), want, want.Bounds())
			}
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					if g, w := got.At(x, y), want.At(x, y); g != w {
						t.Fatalf("%s threads=%d: pixel (%d,%d) is %v, want %v", tc.kind, threads, x, y, g, w)
					}
				}
			}
		}
	}
}

// TestDenoiseBands: on a picture of several bands and tiles the filter
// matches the direct sum and gives the same bits on any thread count
// (which changes the band height).
func TestDenoiseBands(t *testing.T) {
	const c, h, w = 1, 300, 520
	p := Params{Patch: 3, Search: 5, Sigma: 15, H: 9}
	img := testimg.Noisy(testimg.Synthetic(c, h, w), 15, 5)
	want := referenceDenoise(img, c, h, w, p)
	ref := Denoise(img, c, h, w, p, 1)
	for i := range want {
		if d := math.Abs(float64(ref[i] - want[i])); d > 0.01 {
			t.Fatalf("value %d: %v, the reference %v", i, ref[i], want[i])
		}
	}
	for _, threads := range []int{2, 3, 16} {
		got := Denoise(img, c, h, w, p, threads)
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("threads=%d: value %d is %v, on one thread %v", threads, i, got[i], ref[i])
			}
		}
	}
}

// TestDenoiseImageMemory: a photograph-sized picture is denoised without
// a full-size float copy (12 bytes a pixel for RGB, which the tensor path
// made five of): all that DenoiseImage allocates, its 8-bit result, the
// noise estimate and the band buffers included, stays within what
// ImageWorkBytesPerPixel says, the figure the command refuses inputs by.
func TestDenoiseImageMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a 3-megapixel picture")
	}
	const h, w = 1536, 2048
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7919>>3) | 3
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := DenoiseImage(img, false, Params{Patch: 3, Search: 3}, 2)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	got := float64(after.TotalAlloc-before.TotalAlloc) / (h * w)
	t.Logf("allocated %.2f bytes a pixel; ImageWorkBytesPerPixel(3) = %d", got, ImageWorkBytesPerPixel(3))
	if limit := float64(ImageWorkBytesPerPixel(3)); got > limit {
		t.Errorf("allocated %.2f bytes a pixel, want at most %.0f", got, limit)
	}
}
