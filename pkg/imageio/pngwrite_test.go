package imageio

import (
	"bytes"
	"hash/adler32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
)

// testPicture is a w×h picture of type kind: smooth areas, noise, and
// every row repeated rep times, as an enlarged picture repeats them.
func testPicture(kind string, w, h, rep int, seed uint64) image.Image {
	r := rand.New(rand.NewPCG(seed, 1))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		if y%rep != 0 {
			copy(nrgba.Pix[y*nrgba.Stride:][:4*w], nrgba.Pix[(y-1)*nrgba.Stride:][:4*w])
			continue
		}
		for x := 0; x < w; x++ {
			v := uint8(x*255/w + r.IntN(9))
			nrgba.SetNRGBA(x, y, color.NRGBA{v, uint8(y), uint8(r.IntN(256)), 255})
		}
	}
	switch kind {
	case "gray":
		g := image.NewGray(nrgba.Bounds())
		draw.Draw(g, g.Bounds(), nrgba, image.Point{}, draw.Src)
		return g
	case "rgba":
		m := image.NewRGBA(nrgba.Bounds())
		draw.Draw(m, m.Bounds(), nrgba, image.Point{}, draw.Src)
		return m
	case "nrgba-alpha":
		for i := 3; i < len(nrgba.Pix); i += 4 {
			nrgba.Pix[i] = uint8(r.IntN(256))
		}
	case "rgba-alpha":
		for i := 3; i < len(nrgba.Pix); i += 4 {
			nrgba.Pix[i] = uint8(r.IntN(256))
		}
		m := image.NewRGBA(nrgba.Bounds())
		draw.Draw(m, m.Bounds(), nrgba, image.Point{}, draw.Src)
		return m
	}
	return nrgba
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := PNG(img)(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// samePixels fails unless a and b have the same size and the same
// non-premultiplied colour at every pixel.
func samePixels(t *testing.T, name string, a, b image.Image) {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("%s: size %v, want %v", name, b.Bounds().Size(), a.Bounds().Size())
	}
	da, db := a.Bounds().Min, b.Bounds().Min
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			ca := color.NRGBAModel.Convert(a.At(da.X+x, da.Y+y))
			cb := color.NRGBAModel.Convert(b.At(db.X+x, db.Y+y))
			if ca != cb {
				t.Fatalf("%s: pixel (%d,%d) is %v, want %v", name, x, y, cb, ca)
			}
		}
	}
}

// TestPNGRoundTrip decodes what PNG writes with image/png: every pixel
// comes back, for each picture type, sizes from one pixel to several
// strips, repeated rows and sub-images.
func TestPNGRoundTrip(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {3, 2, 1}, {17, 5, 2}, {300, 400, 1}, {261, 264, 8}, {1000, 200, 3}}
	for _, kind := range []string{"gray", "rgba", "nrgba", "nrgba-alpha", "rgba-alpha"} {
		for i, sz := range sizes {
			img := testPicture(kind, sz[0], sz[1], sz[2], uint64(i))
			got, err := png.Decode(bytes.NewReader(encodePNG(t, img)))
			if err != nil {
				t.Fatalf("%s %v: %v", kind, sz, err)
			}
			samePixels(t, kind, img, got)
		}
		// A sub-image whose bounds do not start at the origin.
		img := testPicture(kind, 120, 90, 2, 7).(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(13, 7, 101, 80))
		got, err := png.Decode(bytes.NewReader(encodePNG(t, img)))
		if err != nil {
			t.Fatalf("%s sub-image: %v", kind, err)
		}
		samePixels(t, kind+" sub-image", img, got)
	}
}

// TestPNGSameAtAnyThreadCount: the strips depend on the picture alone.
func TestPNGSameAtAnyThreadCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	img := testPicture("rgba", 700, 500, 4, 3)
	runtime.GOMAXPROCS(1)
	one := encodePNG(t, img)
	for _, n := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(n)
		if !bytes.Equal(encodePNG(t, img), one) {
			t.Fatalf("GOMAXPROCS %d writes other bytes than 1", n)
		}
	}
}

// TestPNGSize: the strips and the shortcut for repeated rows cost little
// compression against image/png at the same level.
func TestPNGSize(t *testing.T) {
	for _, rep := range []int{1, 8} {
		img := testPicture("rgba", 640, 480, rep, 5)
		var std bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&std, img); err != nil {
			t.Fatal(err)
		}
		if got := len(encodePNG(t, img)); float64(got) > 1.05*float64(std.Len()) {
			t.Errorf("rows repeated %d times: %d bytes, image/png %d", rep, got, std.Len())
		}
	}
}

func TestAdler32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	data := make([]byte, 300000)
	for i := range data {
		data[i] = uint8(r.IntN(256))
	}
	for _, cut := range []int{0, 1, 5552, 65521, 100000, 299999, 300000} {
		a, b := data[:cut], data[cut:]
		if got, want := adler32Combine(adler32.Checksum(a), adler32.Checksum(b), len(b)), adler32.Checksum(data); got != want {
			t.Errorf("cut at %d: %08x, want %08x", cut, got, want)
		}
	}
}

// BenchmarkPNG writes a filmstrip-like picture (every row 8 times) and a
// photo-like one (no repeats) with PNG and with image/png at BestSpeed.
func BenchmarkPNG(b *testing.B) {
	for _, tc := range []struct {
		name      string
		w, h, rep int
	}{{"filmstrip-2084x264", 2084, 264, 8}, {"photo-1024x1024", 1024, 1024, 1}} {
		img := testPicture("rgba", tc.w, tc.h, tc.rep, 1)
		b.Run(tc.name+"/imageio", func(b *testing.B) {
			for range b.N {
				PNG(img)(io.Discard)
			}
		})
		b.Run(tc.name+"/image-png", func(b *testing.B) {
			enc := png.Encoder{CompressionLevel: png.BestSpeed}
			for range b.N {
				enc.Encode(io.Discard, img)
			}
		})
	}
}

// FuzzPNGRoundTrip writes pictures of any size, type and content with PNG
// and decodes them with image/png: every pixel must come back. The bytes
// fill the picture's pixels in turn (cycled), so the fuzzer controls runs
// of repeated rows, flat areas and noise; kind picks grey, RGBA or NRGBA.
func FuzzPNGRoundTrip(f *testing.F) {
	f.Add(uint16(1), uint16(1), uint8(0), []byte{0})
	f.Add(uint16(17), uint16(5), uint8(1), []byte{255, 0, 128, 255, 3, 4, 5, 255})
	f.Add(uint16(300), uint16(400), uint8(2), []byte{1, 2, 3, 4, 5})
	f.Add(uint16(2084), uint16(64), uint8(1), []byte{9, 9, 9, 255})
	f.Fuzz(func(t *testing.T, w, h uint16, kind uint8, data []byte) {
		if w == 0 || h == 0 || int(w)*int(h) > 1<<20 || len(data) == 0 {
			return
		}
		r := image.Rect(3, -2, 3+int(w), -2+int(h)) // bounds off the origin, too
		var img image.Image
		var pix []byte
		switch kind % 3 {
		case 0:
			m := image.NewGray(r)
			img, pix = m, m.Pix
		case 1:
			m := image.NewRGBA(r)
			img, pix = m, m.Pix
		default:
			m := image.NewNRGBA(r)
			img, pix = m, m.Pix
		}
		for i := range pix {
			pix[i] = data[i%len(data)]
		}
		if m, ok := img.(*image.RGBA); ok {
			// RGBA is premultiplied: a colour channel above alpha is not a
			// colour, and no encoder keeps it.
			for i := 0; i < len(m.Pix); i += 4 {
				for c := range 3 {
					m.Pix[i+c] = min(m.Pix[i+c], m.Pix[i+3])
				}
			}
		}
		got, err := png.Decode(bytes.NewReader(encodePNG(t, img)))
		if err != nil {
			t.Fatal(err)
		}
		samePixels(t, "round trip", img, got)
	})
}
