package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nlmeans"
)

// toImage converts a planar 0..255 picture to an 8-bit image.
func toImage(v []float32, c, h, w int) image.Image {
	q := func(x float32) uint8 { return uint8(min(max(x, 0), 255) + 0.5) }
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = q(v[i])
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{q(v[y*w+x]), q(v[(h+y)*w+x]), q(v[(2*h+y)*w+x]), 255})
		}
	}
	return img
}

// readPlanar decodes a PNG into planar 0..255 values.
func readPlanar(t *testing.T, path string, gray bool) []float32 {
	t.Helper()
	img, err := imageio.Open(path, imageio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tt := imageio.ToTensor(img, gray)
	for i := range tt.Data {
		tt.Data[i] = float32(int(tt.Data[i]*255 + 0.5))
	}
	return tt.Data
}

// TestDenoiseCommand runs the binary on noisy gray and colour PNGs and
// checks that the written pictures are closer to the clean ones.
func TestDenoiseCommand(t *testing.T) {
	dir := t.TempDir()
	const h, w, sigma = 40, 40, 20
	type sample struct {
		name  string
		c     int
		clean []float32
		noisy []float32
	}
	var samples []sample
	for _, c := range []int{1, 3} {
		clean := readback(testimg.Synthetic(c, h, w))
		s := sample{name: filepath.Join(dir, map[int]string{1: "gray.png", 3: "colour.png"}[c]), c: c, clean: clean, noisy: readback(testimg.Noisy(clean, sigma, 11))}
		if err := imageio.SavePNG(s.name, toImage(s.noisy, c, h, w)); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	out := filepath.Join(dir, "out")
	r := clitest.Run(t, bin, "denoise", samples[0].name, samples[1].name, "--json", "-o", out).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 2 || r.Stderr != "" {
		t.Fatalf("%s", r)
	}
	for i, s := range samples {
		var rec struct {
			Path  string
			Sigma float64
			H     float64
			Out   string
		}
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Path != s.name || rec.Sigma < 15 || rec.Sigma > 25 || math.Abs(rec.H-nlmeans.DefaultH(rec.Sigma)) > 1e-3*rec.H {
			t.Errorf("record %+v", rec)
		}
		got := readPlanar(t, rec.Out, s.c == 1)
		before, after := nlmeans.PSNR(s.noisy, s.clean), nlmeans.PSNR(got, s.clean)
		t.Logf("%s: PSNR %.2f -> %.2f dB (sigma estimated %.1f)", filepath.Base(s.name), before, after, rec.Sigma)
		if after < before+4 {
			t.Errorf("%s: PSNR %.2f -> %.2f dB, want a gain of at least 4 dB", s.name, before, after)
		}
	}
}

// readback rounds to 8-bit levels, as a PNG round trip does.
func readback(v []float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(int(min(max(x, 0), 255) + 0.5))
	}
	return out
}

func TestDenoiseErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "g.png")
	if err := imageio.SavePNG(good, toImage(testimg.Synthetic(1, 16, 16), 1, 16, 16)); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.png")
	os.WriteFile(broken, []byte("not a picture"), 0o644)
	out := filepath.Join(dir, "out")
	r := clitest.Run(t, bin, "denoise", "-o", out, broken, good).Want(t, cliutil.ExitPartial)
	if errs := clitest.Lines(r.Stderr); len(errs) != 1 || !strings.Contains(errs[0], "broken.png") || len(clitest.Lines(r.Stdout)) != 1 {
		t.Fatalf("%s", r)
	}
	// Writing next to the inputs with no suffix would replace them.
	r = clitest.Run(t, bin, "denoise", "--suffix", "", "-o", dir, good).Want(t, cliutil.ExitPartial)
	if !strings.Contains(r.Stderr, "overwrite") {
		t.Fatalf("%s", r)
	}
	for _, args := range [][]string{
		{"--patch", "6"}, {"--search", "0"}, {"--frames", "0"}, {"--sigma", "-2"}, {"--strength", "-1"}, {"--threads", "0"}, {"--bogus"}, {},
	} {
		o := []string{"-o", filepath.Join(dir, "never")}
		if len(args) == 0 {
			o = nil // missing -o
		}
		r := clitest.Run(t, bin, append(append(append([]string{"denoise"}, args...), o...), good)...).Want(t, cliutil.ExitUsage)
		if r.Stdout != "" {
			t.Fatalf("%v: %s", args, r)
		}
		if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
			t.Fatalf("%v: output folder created on a usage error", args)
		}
	}
}

// TestDenoiseFrames runs --frames on an animated GIF of a static noisy
// scene and on a folder of PNG frames: every frame gets its output, and
// three frames of window beat one.
func TestDenoiseFrames(t *testing.T) {
	dir := t.TempDir()
	const h, w, sigma, n = 32, 32, 20, 4
	clean := readback(testimg.Synthetic(1, h, w))
	g := &gif.GIF{}
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{uint8(i)}
	}
	frameDir := filepath.Join(dir, "burst")
	os.Mkdir(frameDir, 0o755)
	for i := 0; i < n; i++ {
		noisy := readback(testimg.Noisy(clean, sigma, uint64(30+i)))
		m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for j, v := range noisy {
			m.Pix[j] = uint8(v)
		}
		g.Image, g.Delay = append(g.Image, m), append(g.Delay, 10)
		if err := imageio.SavePNG(filepath.Join(frameDir, fmt.Sprintf("f%d.png", i)), toImage(noisy, 1, h, w)); err != nil {
			t.Fatal(err)
		}
	}
	clip := filepath.Join(dir, "clip.gif")
	if err := imageio.SaveGIF(clip, g); err != nil {
		t.Fatal(err)
	}
	psnr := func(out string) float64 { return nlmeans.PSNR(readPlanar(t, out, true), clean) }
	var one, three float64
	for _, k := range []string{"1", "3"} {
		out := filepath.Join(dir, "out"+k)
		r := clitest.Run(t, bin, "denoise", "--frames", k, "--sigma", "20", "-o", out, frameDir).Want(t, 0)
		if lines := clitest.Lines(r.Stdout); len(lines) != n {
			t.Fatalf("--frames %s: %s", k, r)
		}
		for i := 0; i < n; i++ {
			p := psnr(filepath.Join(out, fmt.Sprintf("f%d_denoised.png", i)))
			if k == "1" {
				one += p / n
			} else {
				three += p / n
			}
		}
	}
	t.Logf("mean PSNR: %.2f dB with 1 frame, %.2f dB with 3", one, three)
	if three < one+0.5 {
		t.Errorf("3 frames %.2f dB, 1 frame %.2f dB: want a gain of at least 0.5 dB", three, one)
	}
	out := filepath.Join(dir, "gifout")
	r := clitest.Run(t, bin, "denoise", "--frames", "3", "--sigma", "20", "--json", "-o", out, clip).Want(t, 0)
	if lines := clitest.Lines(r.Stdout); len(lines) != n {
		t.Fatalf("%s", r)
	}
	for i := 0; i < n; i++ {
		p := psnr(filepath.Join(out, fmt.Sprintf("clip_denoised_%03d.png", i)))
		if p < one {
			t.Errorf("GIF frame %d: %.2f dB, below the single-frame mean %.2f", i, p, one)
		}
	}
}
