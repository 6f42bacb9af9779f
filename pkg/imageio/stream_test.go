package imageio

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// directResize is the plain double loop over taps that ResizeTensor
// computed before it streamed rows; the streamed form must match it bit
// for bit.
func directResize(t *tensor.Tensor, h, w int, m ResizeMethod) *tensor.Tensor {
	c, ih, iw := t.Shape[0], t.Shape[1], t.Shape[2]
	ys, xs := bilinearTaps(ih, h), bilinearTaps(iw, w)
	if m == Area {
		ys, xs = areaTaps(ih, h), areaTaps(iw, w)
	}
	out := tensor.New(c, h, w)
	for ch := 0; ch < c; ch++ {
		src := t.Data[ch*ih*iw : (ch+1)*ih*iw]
		for oy := 0; oy < h; oy++ {
			for ox := 0; ox < w; ox++ {
				var s float32
				for j, yy := range ys[oy].idx {
					var r float32
					for i, xx := range xs[ox].idx {
						r += xs[ox].wt[i] * src[yy*iw+xx]
					}
					s += ys[oy].wt[j] * r
				}
				out.Data[(ch*h+oy)*w+ox] = s
			}
		}
	}
	return out
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

var resizeSizes = [][2]int{{1, 1}, {3, 5}, {7, 11}, {12, 16}, {13, 4}, {20, 30}, {64, 64}}

func TestResizeTensorMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := tensor.New(3, 12, 16)
	for i := range src.Data {
		src.Data[i] = rng.Float32()
	}
	for _, m := range []ResizeMethod{Bilinear, Area} {
		for _, sz := range resizeSizes {
			if !sameBits(ResizeTensor(src, sz[0], sz[1], m).Data, directResize(src, sz[0], sz[1], m).Data) {
				t.Errorf("%v to %v differs from the direct loop", m, sz)
			}
		}
	}
}

// ToTensorResized must give exactly ResizeTensor(ToTensor(img)) for every
// kind of image the decoders return.
func TestToTensorResizedMatches(t *testing.T) {
	for _, s := range goodSamples {
		img, err := Open(sample(s.file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, gray := range []bool{false, true} {
			full := ToTensor(img, gray)
			for _, m := range []ResizeMethod{Bilinear, Area} {
				for _, sz := range resizeSizes {
					got := ToTensorResized(img, gray, sz[0], sz[1], m)
					if want := ResizeTensor(full, sz[0], sz[1], m); !sameBits(got.Data, want.Data) || !tensor.SameShape(got.Shape, want.Shape) {
						t.Errorf("%s gray=%v %v to %v: differs from ResizeTensor(ToTensor)", s.file, gray, m, sz)
					}
				}
			}
		}
	}
	// A sub-image (bounds not at the origin) reads its own pixels.
	img, _ := Open(sample("rgb.jpg"), Options{})
	sub := img.(*image.YCbCr).SubImage(image.Rect(5, 3, 25, 19))
	if !sameBits(ToTensorResized(sub, false, 4, 5, Area).Data, ResizeTensor(ToTensor(sub, false), 4, 5, Area).Data) {
		t.Error("sub-image differs")
	}
}

// photoJPEG encodes a w×h picture with photo-like detail (gradients and
// noise, so the JPEG is as costly to decode as a camera's).
func photoJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(7, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := uint8(rng.IntN(32))
			img.SetRGBA(x, y, color.RGBA{uint8(x*255/w) ^ n, uint8(y*255/h) + n, uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkLoadResize16MP decodes a 4000×4000 JPEG and brings it to a
// 64×64 model input: "stream" is what the model commands do
// (ToTensorResized), "full" the full-size float copy they made before.
// bench/bigphoto.sh measures the whole 'lpa attend' run.
func BenchmarkLoadResize16MP(b *testing.B) {
	data := photoJPEG(b, 4000, 4000)
	for _, c := range []struct {
		name   string
		resize func(image.Image) *tensor.Tensor
	}{
		{"stream", func(img image.Image) *tensor.Tensor { return ToTensorResized(img, false, 64, 64, Area) }},
		{"full", func(img image.Image) *tensor.Tensor { return ResizeTensor(ToTensor(img, false), 64, 64, Area) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				img, err := Decode(bytes.NewReader(data), "photo.jpg", Options{})
				if err != nil {
					b.Fatal(err)
				}
				c.resize(img)
			}
		})
	}
}
