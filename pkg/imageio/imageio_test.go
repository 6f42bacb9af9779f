package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

const dir = "../../testdata/images"

func sample(name string) string { return filepath.Join(dir, name) }

// Every good sample: the concrete type the decoder yields and its size.
var goodSamples = []struct {
	file string
	typ  string
	w, h int
}{
	{"rgb.png", "*image.RGBA", 16, 12},
	{"gray.png", "*image.Gray", 16, 12},
	{"gray16.png", "*image.Gray16", 16, 12},
	{"rgba64.png", "*image.NRGBA64", 8, 8},
	{"paletted.png", "*image.Paletted", 16, 12},
	{"alpha.png", "*image.NRGBA", 16, 12},
	{"rgb.jpg", "*image.YCbCr", 32, 24},
	{"gray.jpg", "*image.Gray", 32, 24},
	{"cmyk.jpg", "*image.CMYK", 16, 12},
	{"exif-orient-6.jpg", "*image.RGBA", 16, 32},
	{"exif-orient-8-le.jpg", "*image.RGBA", 16, 32},
	{"exif-garbage.jpg", "*image.YCbCr", 32, 16},
	{"anim.gif", "*image.Paletted", 16, 16},
	{"rgb.bmp", "*image.RGBA", 16, 12},
	{"rgb.tiff", "*image.NRGBA", 16, 12},
	{"lossless.webp", "*image.NRGBA", 16, 12},
	{"alpha.webp", "*image.NYCbCrA", 16, 12},
}

// Every broken sample and the sentinel (or message fragment) it must give.
var badSamples = []struct {
	file string
	is   error
	msg  string
}{
	{"truncated.png", nil, sample("truncated.png") + ": truncated PNG data"},
	{"not-an-image.png", ErrUnsupported, sample("not-an-image.png") + ": not a supported image (png, jpeg, gif, bmp, tiff, webp)"},
	{"empty.png", ErrUnsupported, sample("empty.png") + ": empty file"},
	{"huge-header.png", ErrTooManyPixels, sample("huge-header.png") + ": 100000x100000 pixels exceeds the limit of 64000000 pixels"},
	{"zero-size.png", nil, sample("zero-size.png") + ": png: invalid format: non-positive dimension"},
	{"zero-size.gif", ErrEmptyImage, sample("zero-size.gif") + ": 0x0 pixels: width and height must be positive"},
	{"garbage.jpg", nil, sample("garbage.jpg") + ": "},
}

// TestEverySampleCovered keeps the tables in step with the folder.
func TestEverySampleCovered(t *testing.T) {
	known := map[string]bool{"gen.go": true}
	for _, s := range goodSamples {
		known[s.file] = true
	}
	for _, s := range badSamples {
		known[s.file] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !known[e.Name()] {
			t.Errorf("%s has no test: add it to goodSamples or badSamples", e.Name())
		}
		delete(known, e.Name())
	}
	for name := range known {
		t.Errorf("%s is tested but missing: run go generate in pkg/imageio", name)
	}
}

func TestDecodeGood(t *testing.T) {
	for _, s := range goodSamples {
		t.Run(s.file, func(t *testing.T) {
			img, err := Open(sample(s.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", img); got != s.typ {
				t.Errorf("type %s, want %s", got, s.typ)
			}
			if b := img.Bounds(); b.Dx() != s.w || b.Dy() != s.h {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), s.w, s.h)
			}
			// The same bytes through Decode give the same picture.
			data, _ := os.ReadFile(sample(s.file))
			img2, err := Decode(bytes.NewReader(data), s.file, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(ToTensor(img, false).Data, ToTensor(img2, false).Data); d != 0 {
				t.Errorf("Open and Decode differ by %g", d)
			}
			for _, v := range ToTensor(img, false).Data {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("tensor value %g outside [0,1]", v)
				}
			}
		})
	}
}

func TestDecodeBad(t *testing.T) {
	for _, s := range badSamples {
		t.Run(s.file, func(t *testing.T) {
			img, err := Open(sample(s.file), Options{})
			if err == nil {
				t.Fatalf("decoded a %v image, want an error", img.Bounds())
			}
			msg := err.Error()
			if !strings.Contains(msg, s.msg) {
				t.Errorf("error %q does not contain %q", msg, s.msg)
			}
			if !strings.HasPrefix(msg, sample(s.file)+": ") || strings.Count(msg, sample(s.file)) != 1 || strings.Contains(msg, "\n") {
				t.Errorf("error %q must be one line that starts with the file's name and names it once", msg)
			}
			if s.is != nil && !errors.Is(err, s.is) {
				t.Errorf("error %q is not %v", msg, s.is)
			}
		})
	}
}

// A file that cannot be opened or read is named once, at the start, as
// every decoding error names it; errors.Is still sees why.
func TestOpenErrorsNameThePathOnce(t *testing.T) {
	dir := t.TempDir()
	missing := dir + "/none.png"
	if _, err := Open(missing, Options{}); err == nil || err.Error() != missing+": no such file or directory" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(dir, Options{}); err == nil || !strings.HasPrefix(err.Error(), dir+": ") || strings.Count(err.Error(), dir) != 1 {
		t.Errorf("a folder: %v", err)
	}
	if _, err := ReadFrames(missing, Options{}); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing clip: %v", err)
	}
}

// TestOversizeRefusedBeforeDecoding: decoding 10^10 RGBA pixels would need
// 40 GB; being refused with almost no allocation shows only the header was
// read.
func TestOversizeRefusedBeforeDecoding(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Open(sample("huge-header.png"), Options{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("got %v, want ErrTooManyPixels", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
		t.Errorf("refusal allocated %d bytes; the header alone should have been read", d)
	}
}

func TestLimits(t *testing.T) {
	_, err := Open(sample("rgb.png"), Options{MaxPixels: 100})
	if !errors.Is(err, ErrTooManyPixels) || !strings.Contains(err.Error(), "16x12 pixels exceeds the limit of 100 pixels") {
		t.Errorf("MaxPixels 100: got %v", err)
	}
	if _, err := Open(sample("rgb.png"), Options{MaxPixels: 192}); err != nil {
		t.Errorf("exactly MaxPixels must pass: %v", err)
	}
	_, err = Open(sample("rgb.png"), Options{MaxBytes: 50})
	if !errors.Is(err, ErrTooManyBytes) {
		t.Errorf("Open with MaxBytes 50: got %v", err)
	}
	data, _ := os.ReadFile(sample("rgb.png"))
	_, err = Decode(bytes.NewReader(data), "-", Options{MaxBytes: 50})
	if !errors.Is(err, ErrTooManyBytes) || !strings.HasPrefix(err.Error(), "<stdin>: ") {
		t.Errorf("Decode stdin with MaxBytes 50: got %v", err)
	}
	// An endless reader is cut off at the cap instead of filling memory.
	_, err = Decode(io.MultiReader(bytes.NewReader(data), zeros{}), "endless", Options{MaxBytes: 1 << 16})
	if !errors.Is(err, ErrTooManyBytes) {
		t.Errorf("endless reader: got %v", err)
	}
	if _, err := Open(sample("missing.png"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing file: got %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A decoder that panics is reported as an error naming the file.
func TestDecoderPanicRecovered(t *testing.T) {
	image.RegisterFormat("imageio-test-panic", "PANIC!", func(io.Reader) (image.Image, error) {
		panic("boom")
	}, func(io.Reader) (image.Config, error) {
		panic("boom")
	})
	_, err := Decode(strings.NewReader("PANIC!xyz"), "p.bin", Options{})
	if err == nil || err.Error() != "p.bin: decoder panic: boom" {
		t.Errorf("got %v", err)
	}
}

// Truncations and corruptions of real files may fail, but never panic.
func TestNoPanicOnDamagedFiles(t *testing.T) {
	for _, s := range goodSamples {
		data, err := os.ReadFile(sample(s.file))
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut < len(data); cut += 1 + len(data)/40 {
			Decode(bytes.NewReader(data[:cut]), s.file, Options{})
			bad := append([]byte(nil), data...)
			bad[cut] ^= 0x5A
			Decode(bytes.NewReader(bad), s.file, Options{})
		}
	}
}

func TestPixelValues(t *testing.T) {
	open := func(name string) image.Image {
		t.Helper()
		img, err := Open(sample(name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	rgb := ToTensor(open("rgb.png"), false)
	// rgb.png: R rises along x to 255, G along y, B is 128.
	if got := at(rgb, 0, 0, 15); got != 1 {
		t.Errorf("rgb.png R(15,0) = %g, want 1", got)
	}
	if got := at(rgb, 2, 5, 3); got != 128.0/255 {
		t.Errorf("rgb.png B = %g, want 128/255", got)
	}
	// Lossless formats hold the same pixels as rgb.png.
	for _, name := range []string{"rgb.bmp", "rgb.tiff", "lossless.webp"} {
		if d := maxDiff(ToTensor(open(name), false).Data, rgb.Data); d != 0 {
			t.Errorf("%s differs from rgb.png by %g", name, d)
		}
	}
	// CMYK went through JPEG: close, not equal.
	if d := meanDiff(ToTensor(open("cmyk.jpg"), false).Data, rgb.Data); d > 0.03 {
		t.Errorf("cmyk.jpg differs from rgb.png by %g on average", d)
	}
	// 16-bit values keep their low byte.
	g16 := ToTensor(open("gray16.png"), true)
	for i, v := range g16.Data {
		if want := float32(i*337+1) / 65535; v != want {
			t.Fatalf("gray16.png pixel %d = %g, want %g", i, v, want)
		}
	}
	g8 := ToTensor(open("gray.png"), true)
	if g8.Data[191] != 1 || g8.Data[0] != 0 {
		t.Errorf("gray.png ends = %g, %g; want 0, 1", g8.Data[0], g8.Data[191])
	}
	// alpha.png is red with alpha x*17, composited over black.
	a := ToTensor(open("alpha.png"), false)
	for x := 0; x < 16; x++ {
		if got, want := at(a, 0, 4, x), float32(x*17)/255; math.Abs(float64(got-want)) > 1e-6 {
			t.Errorf("alpha.png R(%d) = %g, want %g", x, got, want)
		}
	}
	aw := open("alpha.webp").(*image.NYCbCrA)
	for x := 0; x < 16; x++ {
		if got := aw.A[aw.AOffset(x, 4)]; got != uint8(x*17) {
			t.Errorf("alpha.webp alpha(%d) = %d, want %d", x, got, x*17)
		}
	}
	p := open("paletted.png")
	if c := color.RGBAModel.Convert(p.At(4, 0)).(color.RGBA); c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("paletted.png (4,0) = %v, want red", c)
	}
	gif := ToTensor(open("anim.gif"), true)
	if gif.Data[0] != 0 || gif.Data[16] != 1 {
		t.Errorf("anim.gif first frame rows = %g, %g; want black then white", gif.Data[0], gif.Data[16])
	}
	// rgb.jpg corners are close to their lossless values.
	j := ToTensor(open("rgb.jpg"), false)
	if math.Abs(float64(at(j, 0, 23, 31))-1) > 0.05 || math.Abs(float64(at(j, 1, 0, 0))) > 0.05 {
		t.Errorf("rgb.jpg corners R=%g G=%g", at(j, 0, 23, 31), at(j, 1, 0, 0))
	}
}

func TestExifOrientationApplied(t *testing.T) {
	red := func(img image.Image, x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r > 0xC000 && g < 0x4000 && b < 0x4000
	}
	cases := []struct {
		file   string
		opt    Options
		w, h   int
		rx, ry int // a pixel inside the red block
	}{
		{"exif-orient-6.jpg", Options{}, 16, 32, 12, 3},    // rotated clockwise: top right
		{"exif-orient-8-le.jpg", Options{}, 16, 32, 3, 28}, // counter-clockwise: bottom left
		{"exif-orient-6.jpg", Options{IgnoreOrientation: true}, 32, 16, 3, 3},
		{"exif-garbage.jpg", Options{}, 32, 16, 3, 3},
	}
	for _, c := range cases {
		img, err := Open(sample(c.file), c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %v, want %dx%d", c.file, b, c.w, c.h)
			continue
		}
		if !red(img, c.rx, c.ry) {
			t.Errorf("%s (%+v): (%d,%d) is %v, want red", c.file, c.opt, c.rx, c.ry, img.At(c.rx, c.ry))
		}
		// The opposite corner is blue.
		if red(img, c.w-1-c.rx, c.h-1-c.ry) {
			t.Errorf("%s: opposite corner is red too", c.file)
		}
	}
}

func TestExifOrientationParser(t *testing.T) {
	for _, name := range []string{"exif-orient-6.jpg", "exif-orient-8-le.jpg", "exif-garbage.jpg", "rgb.jpg"} {
		data, err := os.ReadFile(sample(name))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"exif-orient-6.jpg": 6, "exif-orient-8-le.jpg": 8}[name]
		if want == 0 {
			want = 1
		}
		if got := ExifOrientation(data); got != want {
			t.Errorf("%s: orientation %d, want %d", name, got, want)
		}
		// Every prefix and every single-byte corruption is survivable.
		for i := range data {
			if o := ExifOrientation(data[:i]); o < 1 || o > 8 {
				t.Fatalf("%s[:%d]: orientation %d", name, i, o)
			}
			bad := append([]byte(nil), data...)
			bad[i] = ^bad[i]
			if o := ExifOrientation(bad); o < 1 || o > 8 {
				t.Fatalf("%s with byte %d flipped: orientation %d", name, i, o)
			}
		}
	}
	for _, b := range [][]byte{nil, {0xFF}, {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}, []byte("not a jpeg")} {
		if o := ExifOrientation(b); o != 1 {
			t.Errorf("%q: orientation %d, want 1", b, o)
		}
	}
}

// refOrient builds the expected result of each EXIF orientation from two
// primitives, a clockwise quarter turn and a left-right mirror, so it does
// not share the index table ApplyOrientation uses.
func refOrient(src image.Image, o int) image.Image {
	cw := func(m image.Image) image.Image {
		b := m.Bounds()
		d := image.NewRGBA64(image.Rect(0, 0, b.Dy(), b.Dx()))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				d.Set(b.Dy()-1-y, x, m.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		return d
	}
	mirror := func(m image.Image) image.Image {
		b := m.Bounds()
		d := image.NewRGBA64(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				d.Set(b.Dx()-1-x, y, m.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		return d
	}
	switch o {
	case 2:
		return mirror(src)
	case 3:
		return cw(cw(src))
	case 4:
		return mirror(cw(cw(src)))
	case 5:
		return mirror(cw(src))
	case 6:
		return cw(src)
	case 7:
		return mirror(cw(cw(cw(src))))
	case 8:
		return cw(cw(cw(src)))
	}
	return src
}

// ycc returns a 4:2:0 YCbCr image (it has no Set) with distinct lumas.
func ycc(r image.Rectangle) *image.YCbCr {
	m := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = uint8(i * 13)
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(100+i*20), uint8(200-i*15)
	}
	return m
}

func TestApplyOrientationAllTypes(t *testing.T) {
	const w, h = 5, 3
	fill := func(m interface {
		image.Image
		Set(x, y int, c color.Color)
	}) image.Image {
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				i := (y-b.Min.Y)*w + (x - b.Min.X)
				m.Set(x, y, color.NRGBA64{uint16(i * 4000), uint16(60000 - i*3000), uint16(i * 1111), uint16(65535 - i*100)})
			}
		}
		return m
	}
	r := image.Rect(2, 1, 2+w, 1+h) // a non-zero origin catches offset mistakes
	srcs := []image.Image{
		fill(image.NewGray(r)), fill(image.NewGray16(r)), fill(image.NewRGBA(r)),
		fill(image.NewRGBA64(r)), fill(image.NewNRGBA(r)), fill(image.NewNRGBA64(r)),
		fill(image.NewCMYK(r)), ycc(r),
	}
	for _, src := range srcs {
		// Types that ApplyOrientation converts to 8-bit RGBA may differ
		// from their own 16-bit At by one 8-bit step.
		tol := uint32(0)
		switch src.(type) {
		case *image.CMYK, *image.YCbCr:
			tol = 257
		}
		for o := 1; o <= 8; o++ {
			got, want := ApplyOrientation(src, o), refOrient(src, o)
			gb, wb := got.Bounds(), want.Bounds()
			if gb.Dx() != wb.Dx() || gb.Dy() != wb.Dy() {
				t.Fatalf("%T o=%d: size %v, want %v", src, o, gb, wb)
			}
			for y := 0; y < wb.Dy(); y++ {
				for x := 0; x < wb.Dx(); x++ {
					g := color.RGBA64Model.Convert(got.At(gb.Min.X+x, gb.Min.Y+y))
					e := color.RGBA64Model.Convert(want.At(wb.Min.X+x, wb.Min.Y+y))
					if !close16(g, e, tol) {
						t.Fatalf("%T o=%d (%d,%d): %v, want %v", src, o, x, y, g, e)
					}
				}
			}
		}
	}
}

func close16(a, b color.Color, tol uint32) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	d := func(x, y uint32) uint32 {
		if x > y {
			return x - y
		}
		return y - x
	}
	return d(ar, br) <= tol && d(ag, bg) <= tol && d(ab, bb) <= tol && d(aa, ba) <= tol
}

func at(t *tensor.Tensor, c, y, x int) float32 {
	h, w := t.Shape[1], t.Shape[2]
	return t.Data[c*h*w+y*w+x]
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func meanDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i] - b[i]))
	}
	return s / float64(len(a))
}
