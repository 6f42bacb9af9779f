package imageio

import (
	"errors"
	"image"
	"image/color"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	d := t.TempDir()
	p := filepath.Join(d, "out.txt")
	if err := WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := WriteFileAtomic(p, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want boom", err)
	}
	// So does a panicking one.
	func() {
		defer func() { recover() }()
		WriteFileAtomic(p, func(w io.Writer) error { panic("writer bug") })
	}()
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Errorf("content %q, want the old content", b)
	}
	entries, _ := os.ReadDir(d)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only out.txt", len(entries))
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if err := WriteFileAtomic(filepath.Join(d, "missing", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("a missing folder must be an error")
	}
}

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
