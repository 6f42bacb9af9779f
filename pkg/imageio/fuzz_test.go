package imageio

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
)

// The fuzz targets of this package. Their seed corpora live in
// testdata/fuzz/<target>/ (made by testdata/fuzzseeds/gen.go) and run as
// ordinary tests under go test; bench/fuzz.sh runs the fuzzer on each.

// fuzzMaxPixels turns a fuzzed number into a pixel budget small enough
// that the fuzzer never allocates more than a few megabytes per input,
// while still letting it probe the boundary around every seed's size.
func fuzzMaxPixels(n uint32) int64 { return int64(n%(1<<18)) + 1 }

// FuzzDecode feeds arbitrary bytes to Decode under a fuzzed pixel budget.
// Whatever the bytes, Decode must return an image within the budget or a
// one-line error naming the input, and its sentinel errors must match
// what the header says.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, maxPixels uint32, ignoreOrientation bool) {
		const name = "fuzz.img"
		opt := Options{MaxPixels: fuzzMaxPixels(maxPixels), IgnoreOrientation: ignoreOrientation}
		img, err := Decode(bytes.NewReader(data), name, opt)
		cfg, format, cfgErr := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "decoder panic") {
				t.Fatalf("a decoder panicked: %v", err)
			}
			if strings.ContainsRune(msg, '\n') || !strings.Contains(msg, name) {
				t.Fatalf("error is not one line naming the input: %q", msg)
			}
			switch {
			case len(data) == 0 || errors.Is(cfgErr, image.ErrFormat):
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("unknown format: error %v does not wrap ErrUnsupported", err)
				}
			case cfgErr == nil && (cfg.Width <= 0 || cfg.Height <= 0):
				if format != "png" && !errors.Is(err, ErrEmptyImage) { // image/png refuses it itself
					t.Fatalf("%dx%d header: error %v does not wrap ErrEmptyImage", cfg.Width, cfg.Height, err)
				}
			case cfgErr == nil && int64(cfg.Width)*int64(cfg.Height) > opt.MaxPixels:
				if !errors.Is(err, ErrTooManyPixels) {
					t.Fatalf("%dx%d header over %d pixels: error %v does not wrap ErrTooManyPixels", cfg.Width, cfg.Height, opt.MaxPixels, err)
				}
			}
			return
		}
		if img == nil {
			t.Fatal("nil image without an error")
		}
		if cfgErr != nil {
			t.Fatalf("decoded although DecodeConfig fails: %v", cfgErr)
		}
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		if w <= 0 || h <= 0 || int64(w)*int64(h) > opt.MaxPixels {
			t.Fatalf("decoded %dx%d pixels under a budget of %d", w, h, opt.MaxPixels)
		}
		cw, ch := cfg.Width, cfg.Height
		if format == "jpeg" && !ignoreOrientation && ExifOrientation(data) >= 5 {
			cw, ch = ch, cw
		}
		if w != cw || h != ch {
			t.Fatalf("header says %dx%d (after orientation), image is %dx%d", cw, ch, w, h)
		}
		// Every pixel must be readable: a decoder that returned a short
		// pixel buffer would panic here rather than in a tool.
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				img.At(x, y).RGBA()
			}
		}
		if x := ToTensor(img, IsGray(img)); x.Shape[1] != h || x.Shape[2] != w {
			t.Fatalf("ToTensor of a %dx%d image has shape %v", w, h, x.Shape)
		}
		// One byte under the size limit, the same data must be refused
		// before it is decoded.
		if _, err := Decode(bytes.NewReader(data), name, Options{MaxBytes: int64(len(data) - 1), MaxPixels: opt.MaxPixels}); len(data) > 1 && !errors.Is(err, ErrTooManyBytes) {
			t.Fatalf("%d bytes under a limit of %d: %v, want ErrTooManyBytes", len(data), len(data)-1, err)
		}
	})
}

// FuzzExifOrientation checks the EXIF walk on arbitrary bytes, both as a
// whole file and as the TIFF block of an otherwise valid APP1 segment, so
// the fuzzer reaches the IFD parser without first having to discover the
// JPEG framing.
func FuzzExifOrientation(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := ExifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("ExifOrientation = %d, want 1..8", o)
		}
		v := tiffOrientation(data)
		if v < 0 || v > 8 {
			t.Fatalf("tiffOrientation = %d, want 0..8", v)
		}
		if len(data) > 0xFFFF-8 {
			return
		}
		seg := append([]byte("Exif\x00\x00"), data...)
		n := len(seg) + 2
		jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte(n >> 8), byte(n)}, seg...)
		jpeg = append(jpeg, 0xFF, 0xDA, 0, 2)
		want := v
		if want == 0 {
			want = 1
		}
		if o := ExifOrientation(jpeg); o != want {
			t.Fatalf("orientation %d in the TIFF block, %d through the JPEG", v, o)
		}
	})
}

// FuzzApplyOrientation checks ApplyOrientation on images of every pixel
// type it special-cases, with fuzzed size, origin and content: the result
// starts at (0,0), has its sides swapped for the transposing orientations,
// and the inverse orientation restores every pixel.
func FuzzApplyOrientation(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, w, h uint8, x0, y0 int8, o int, pix []byte) {
		if len(pix) == 0 {
			pix = []byte{0x5a}
		}
		r := image.Rect(int(x0), int(y0), int(x0)+int(w%24)+1, int(y0)+int(h%24)+1)
		img := fuzzImage(kind, r, pix)
		out := ApplyOrientation(img, o)
		if o < 2 || o > 8 {
			if out != img {
				t.Fatalf("orientation %d must return the image itself", o)
			}
			return
		}
		ob := out.Bounds()
		wantW, wantH := r.Dx(), r.Dy()
		if o >= 5 {
			wantW, wantH = wantH, wantW
		}
		if ob.Min != (image.Point{}) || ob.Dx() != wantW || ob.Dy() != wantH {
			t.Fatalf("orientation %d of %v gave bounds %v", o, r, ob)
		}
		inverse := [9]int{0, 1, 2, 3, 4, 5, 8, 7, 6}[o]
		back := ApplyOrientation(out, inverse)
		// Kinds without a fast path go through 8-bit RGBA once, so they
		// are compared at that depth.
		model := color.RGBA64Model
		if kind%8 >= 6 {
			model = color.RGBAModel
		}
		for y := 0; y < r.Dy(); y++ {
			for x := 0; x < r.Dx(); x++ {
				if a, b := model.Convert(img.At(r.Min.X+x, r.Min.Y+y)), model.Convert(back.At(x, y)); a != b {
					t.Fatalf("orientation %d then %d moved pixel (%d,%d): %v became %v", o, inverse, x, y, a, b)
				}
			}
		}
	})
}

// fuzzImage returns an image of one of the kinds ApplyOrientation treats
// apart, covering rect (which need not start at 0,0), filled by cycling
// pix. It is cut out of a larger image so that stride and origin differ
// from a freshly allocated one.
func fuzzImage(kind uint8, r image.Rectangle, pix []byte) image.Image {
	big := r.Inset(-1)
	fill := func(p []byte) {
		for i := range p {
			p[i] = pix[i%len(pix)]
		}
	}
	switch kind % 8 {
	case 0:
		m := image.NewGray(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 1:
		m := image.NewGray16(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 2:
		m := image.NewRGBA(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 3:
		m := image.NewRGBA64(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 4:
		m := image.NewNRGBA(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 5:
		m := image.NewNRGBA64(big)
		fill(m.Pix)
		return m.SubImage(r)
	case 6:
		m := image.NewYCbCr(big, image.YCbCrSubsampleRatio444)
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		return m.SubImage(r)
	default:
		m := image.NewCMYK(big)
		fill(m.Pix)
		return m.SubImage(r)
	}
}

// FuzzGIFFrames feeds arbitrary bytes to the animated-GIF reader of
// ReadFrames under a fuzzed pixel budget: every frame it returns is the
// logical screen, there are at most MaxFrames of them, and the decoded
// clip as a whole stays within the budget.
func FuzzGIFFrames(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, maxPixels uint32) {
		const name = "fuzz.gif"
		opt := Options{MaxPixels: fuzzMaxPixels(maxPixels)}
		frames, err := decodeGIFFrames(data, name, opt)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "decoder panic") {
				t.Fatalf("the GIF decoder panicked: %v", err)
			}
			if strings.ContainsRune(msg, '\n') || !strings.Contains(msg, name) {
				t.Fatalf("error is not one line naming the input: %q", msg)
			}
			return
		}
		if len(frames) == 0 || len(frames) > MaxFrames {
			t.Fatalf("%d frames", len(frames))
		}
		screen := frames[0].Bounds()
		var total int64
		for i, fr := range frames {
			if fr.Bounds() != screen || screen.Min != (image.Point{}) || screen.Empty() {
				t.Fatalf("frame %d has bounds %v, frame 0 %v", i, fr.Bounds(), screen)
			}
			total += int64(screen.Dx()) * int64(screen.Dy())
		}
		if total > opt.MaxPixels {
			t.Fatalf("%d frames of %v hold %d pixels, over the budget of %d", len(frames), screen, total, opt.MaxPixels)
		}
	})
}
