package imageio

import (
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

func TestSave(t *testing.T) {
	d := t.TempDir()
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	img.Pix[4] = 200
	for _, name := range []string{"a.png", "a.jpg", "a.gif"} {
		p := filepath.Join(d, name)
		if err := Save(p, img); err != nil {
			t.Fatal(err)
		}
		back, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if b := back.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
			t.Errorf("%s: %v", name, b)
		}
	}
	if err := Save(filepath.Join(d, "a.xyz"), img); err == nil {
		t.Error("unknown extension must be an error")
	}
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), []color.Color{color.Black, color.White})
	g := &gif.GIF{Image: []*image.Paletted{pal, pal}, Delay: []int{5, 7}}
	if err := SaveGIF(filepath.Join(d, "anim.gif"), g); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(d, "anim.gif"))
	defer f.Close()
	back, err := gif.DecodeAll(f)
	if err != nil || len(back.Image) != 2 || back.Delay[1] != 7 {
		t.Errorf("GIF round trip: %v, %+v", err, back)
	}
	if err := SaveGIF(filepath.Join(d, "none.gif"), &gif.GIF{}); err == nil {
		t.Error("an empty GIF must be an error")
	}
}
