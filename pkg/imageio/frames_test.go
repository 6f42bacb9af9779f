package imageio

import (
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

func TestReadFrames(t *testing.T) {
	dir := t.TempDir()
	// An animated GIF whose second frame covers only part of the screen:
	// the composited frame keeps the first frame's pixels elsewhere.
	g := &gif.GIF{Config: image.Config{Width: 4, Height: 3, ColorModel: color.Palette(palette.Plan9)}}
	full := image.NewPaletted(image.Rect(0, 0, 4, 3), palette.Plan9)
	for i := range full.Pix {
		full.Pix[i] = uint8(color.Palette(palette.Plan9).Index(color.White))
	}
	part := image.NewPaletted(image.Rect(1, 1, 2, 2), palette.Plan9)
	part.Pix[0] = uint8(color.Palette(palette.Plan9).Index(color.Black))
	g.Image = []*image.Paletted{full, part}
	g.Delay = []int{10, 10}
	gifPath := filepath.Join(dir, "clip.gif")
	f, err := os.Create(gifPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := gif.EncodeAll(f, g); err != nil {
		t.Fatal(err)
	}
	f.Close()
	frames, err := ReadFrames(gifPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || frames[1].Bounds().Dx() != 4 {
		t.Fatalf("%d frames", len(frames))
	}
	if r, _, _, _ := frames[1].At(0, 0).RGBA(); r != 0xffff {
		t.Fatalf("frame 2 lost frame 1's pixels: %v", frames[1].At(0, 0))
	}
	if r, _, _, _ := frames[1].At(1, 1).RGBA(); r != 0 {
		t.Fatalf("frame 2 not drawn: %v", frames[1].At(1, 1))
	}

	// A folder of frames, in name order; other files are ignored.
	clip := filepath.Join(dir, "frames")
	os.Mkdir(clip, 0o755)
	for i, v := range []uint8{30, 10, 20} {
		img := image.NewGray(image.Rect(0, 0, 2, 2))
		img.Pix[0] = v
		if err := SavePNG(filepath.Join(clip, []string{"b.png", "a.png", "c.png"}[i]), img); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(clip, "notes.txt"), []byte("x"), 0o644)
	frames, err = ReadFrames(clip, Options{})
	if err != nil || len(frames) != 3 {
		t.Fatalf("folder: %d frames, %v", len(frames), err)
	}
	for i, want := range []uint8{10, 30, 20} {
		if got := frames[i].(*image.Gray).Pix[0]; got != want {
			t.Fatalf("frame %d: %d, want %d (name order)", i, got, want)
		}
	}
	// An empty folder and a broken GIF are errors.
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, err := ReadFrames(empty, Options{}); err == nil {
		t.Fatal("empty folder: no error")
	}
	bad := filepath.Join(dir, "bad.gif")
	os.WriteFile(bad, []byte("GIF89a garbage"), 0o644)
	if _, err := ReadFrames(bad, Options{}); err == nil {
		t.Fatal("broken GIF: no error")
	}
}
