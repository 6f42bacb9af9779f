package imageio

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestEstimateMemory(t *testing.T) {
	cfg := func(m color.Model, w, h int) image.Config { return image.Config{ColorModel: m, Width: w, Height: h} }
	for _, c := range []struct {
		name        string
		cfg         image.Config
		format      string
		encoded     int
		orient      int
		progressive bool
		work        int64
		want        int64
	}{
		{"gray", cfg(color.GrayModel, 10, 10), "png", 50, 1, false, 0, 50 + 100},
		{"16-bit gray", cfg(color.Gray16Model, 10, 10), "png", 0, 1, false, 0, 200},
		{"paletted", cfg(color.Palette{color.Black, color.White}, 10, 10), "gif", 0, 1, false, 0, 100},
		{"rgba", cfg(color.RGBAModel, 10, 10), "png", 0, 1, false, 0, 400},
		{"rgba64", cfg(color.NRGBA64Model, 10, 10), "png", 0, 1, false, 0, 800},
		{"jpeg", cfg(color.YCbCrModel, 10, 10), "jpeg", 0, 1, false, 0, 300},
		{"jpeg rotated", cfg(color.YCbCrModel, 10, 10), "jpeg", 0, 6, false, 0, 300 + 800},
		{"gray jpeg rotated", cfg(color.GrayModel, 10, 10), "jpeg", 0, 6, false, 0, 200},
		{"progressive jpeg", cfg(color.YCbCrModel, 10, 10), "jpeg", 0, 1, true, 0, 300 + 1200},
		{"progressive cmyk", cfg(color.CMYKModel, 10, 10), "jpeg", 0, 1, true, 0, 400 + 1600},
		{"work", cfg(color.RGBAModel, 10, 10), "png", 0, 1, false, FloatRGBBytes, 400 + 1200},
		{"unknown model", cfg(color.ModelFunc(func(c color.Color) color.Color { return c }), 10, 10), "tiff", 0, 1, false, 0, 800},
		{"saturates", cfg(color.RGBA64Model, 1<<31-1, 1<<31-1), "png", 0, 1, false, 1 << 40, 1<<63 - 1},
	} {
		if got := EstimateMemory(c.cfg, c.format, c.encoded, c.orient, c.progressive, c.work); got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, got, c.want)
		}
	}
}

// TestHugeHeaderRefusedByMemory: a 100000x100000 PNG header (a 60-byte
// file) that gets past a raised pixel budget is refused by the memory
// budget with the "needs about" message, before any pixel is allocated,
// and with the limit that was asked for.
func TestHugeHeaderRefusedByMemory(t *testing.T) {
	for _, c := range []struct {
		limit int64
		want  string
	}{
		{1 << 30, "needs about 37.3 GiB, limit 1.0 GiB"},
		{16 << 30, "needs about 37.3 GiB, limit 16.0 GiB"},
		{256 << 20, "needs about 37.3 GiB, limit 0.25 GiB"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Open(sample("huge-header.png"), Options{MaxPixels: 1 << 40, MaxMemory: c.limit})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooMuchMemory) || err.Error() != sample("huge-header.png")+": "+c.want {
			t.Errorf("limit %d: got %v, want ErrTooMuchMemory %q", c.limit, err, c.want)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
			t.Errorf("refusal allocated %d bytes; only the header should have been read", d)
		}
	}
	// A limit the estimate fits under lets every sample through.
	for _, s := range goodSamples {
		if _, err := Open(sample(s.file), Options{MaxMemory: 1 << 20}); err != nil {
			t.Errorf("%s with 1 MiB: %v", s.file, err)
		}
	}
	// And a tiny one refuses even a small picture.
	if _, err := Open(sample("rgb.png"), Options{MaxMemory: 100}); !errors.Is(err, ErrTooMuchMemory) {
		t.Errorf("rgb.png with 100 bytes: got %v", err)
	}
}

func TestProgressiveJPEG(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	if progressiveJPEG(b.Bytes()) {
		t.Error("Go's baseline JPEG read as progressive")
	}
	// SOI, an APP0 segment of 4 bytes, then SOF2.
	prog := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J', 'F', 0xFF, 0xC2, 0x00, 0x0B}
	if !progressiveJPEG(prog) {
		t.Error("SOF2 not read as progressive")
	}
	for _, bad := range [][]byte{nil, {0xFF, 0xD8}, {0xFF, 0xD8, 0x00, 0x00, 0x00}, {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00}} {
		if progressiveJPEG(bad) {
			t.Errorf("%x read as progressive", bad)
		}
	}
}

// A clip keeps every frame, so its budget is the sum over its frames.
func TestReadFramesMemory(t *testing.T) {
	dir := t.TempDir()
	var one int64
	for i := range 3 {
		var b bytes.Buffer
		if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 100, 100))); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, string(rune('a'+i))+".png")
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		one = int64(b.Len()) + 100*100*4
	}
	if _, err := ReadFrames(dir, Options{MaxMemory: 3 * one}); err != nil {
		t.Errorf("three frames within the budget: %v", err)
	}
	_, err := ReadFrames(dir, Options{MaxMemory: 2 * one})
	if !errors.Is(err, ErrTooMuchMemory) || !strings.HasPrefix(err.Error(), dir+" (3 frames): needs about") {
		t.Errorf("three frames over the budget: got %v", err)
	}
	// anim.gif: 16x16, each frame a paletted and an RGBA copy.
	_, err = ReadFrames(sample("anim.gif"), Options{MaxMemory: 600})
	if !errors.Is(err, ErrTooMuchMemory) || !strings.Contains(err.Error(), "frames): needs about") {
		t.Errorf("anim.gif over the budget: got %v", err)
	}
	if _, err := ReadFrames(sample("anim.gif"), Options{MaxMemory: 1 << 20}); err != nil {
		t.Errorf("anim.gif within the budget: %v", err)
	}
}
