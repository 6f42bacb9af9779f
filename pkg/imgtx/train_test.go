package imgtx

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/trainrun"
)

// writeFolder writes an image folder of two classes (bright and dark
// gradients) of 10×10 colour images.
func writeFolder(t *testing.T) string {
	root := t.TempDir()
	for ci, class := range []string{"bright", "dark"} {
		dir := filepath.Join(root, class)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 10; k++ {
			img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
			for y := 0; y < 10; y++ {
				for x := 0; x < 10; x++ {
					v := uint8(20*x + 5*y + 3*k)
					if ci == 1 {
						v /= 4
					}
					img.Set(x, y, color.NRGBA{R: v, G: 255 - v, B: uint8(10 * k), A: 255})
				}
			}
			if err := imageio.SavePNG(filepath.Join(dir, string(rune('a'+k))+".png"), img); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// A tiny run trains, writes a model that loads and evaluates to its
// validation figure, and resumes.
func TestTrainEvaluateResume(t *testing.T) {
	root := writeFolder(t)
	for _, arch := range []string{"transformer", "pixelcnn"} {
		cfg := tinyConfigs()["class"]
		if arch == "pixelcnn" {
			cfg = tinyConfigs()["pixelcnn-class"]
		}
		cfg.Height, cfg.Width = 4, 4
		out := filepath.Join(t.TempDir(), "m.safetensors")
		var last trainrun.EpochReport
		opt := TrainOptions{Options: trainrun.Options{Epochs: 2, Batch: 4, Out: out, Seed: 3},
			Report: trainrun.Report{OnEpoch: func(r trainrun.EpochReport) { last = r }}}
		src := Source{Kind: "imagefolder", Dir: root}
		if _, err := Train(cfg, src, opt); err != nil {
			t.Fatal(err)
		}
		m, err := Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if m.Cfg.Classes != 2 || m.Cfg.ClassNames[1] != "dark" {
			t.Fatalf("classes %d %v", m.Cfg.Classes, m.Cfg.ClassNames)
		}
		val, err := Open(src, "val", 4, 4, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Evaluate(val, EvalOptions{Threads: 2, Batch: 1})
		if err != nil {
			t.Fatal(err)
		}
		if r.N != 2 || math.Abs(r.BitsPerDim()-last.Best.Value) > 1e-3 || !(r.BitsPerDim() < 8.5) {
			t.Fatalf("%s: evaluated %d images at %g bits/dim; training's best %v", arch, r.N, r.BitsPerDim(), last.Best)
		}
		opt.Epochs, opt.Resume = 3, true
		if _, err := Train(cfg, src, opt); err != nil {
			t.Fatalf("resume: %v", err)
		}
		if last.Epoch != 3 {
			t.Fatalf("resumed run ended at epoch %d", last.Epoch)
		}
	}
}

func TestDownsampleAndImagePixels(t *testing.T) {
	pix := make([]uint8, 4*4)
	for i := range pix {
		pix[i] = uint8(i * 10)
	}
	low := Downsample(pix, 4, 4, 1, 2)
	// Top-left block: 0, 10, 40, 50 → 25.
	if low[0] != 25 || low[3] != uint8((100+110+140+150+2)/4) {
		t.Fatalf("downsample %v", low)
	}
	img := ToImage(pix, 4, 4, 1)
	back := ImagePixels(img, 4, 4, 1)
	for i := range pix {
		if back[i] != pix[i] {
			t.Fatalf("round trip %v → %v", pix, back)
		}
	}
}

// Bicubic enlargement keeps a flat image flat and passes through the
// low-resolution values near their block centres.
func TestBicubic(t *testing.T) {
	cfg := Config{Height: 8, Width: 8, Channels: 1, LowRes: 2}
	flat := cfg.Bicubic([]uint8{90, 90, 90, 90})
	for i, v := range flat {
		if v != 90 {
			t.Fatalf("flat input: pixel %d is %d", i, v)
		}
	}
	up := cfg.Bicubic([]uint8{0, 0, 200, 200})
	if up[0] > 20 || up[7*8] < 180 || len(up) != 64 {
		t.Fatalf("top-left %d, bottom-left %d", up[0], up[7*8])
	}
	rgb := Config{Height: 4, Width: 4, Channels: 3, LowRes: 2}
	if got := rgb.Bicubic([]uint8{10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30}); got[0] != 10 || got[1] != 20 || got[2] != 30 || len(got) != 48 {
		t.Fatalf("colour: %v", got[:3])
	}
}
