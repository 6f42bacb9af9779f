package lpa

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// An exported split holds the images training and evaluation load: an
// epoch's rendering of the built-in training digits, the validation and
// test renderings, and a decoded image folder with its class names.
func TestSplitImagesMatchOpen(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip(err)
	}
	src := Source{Kind: "builtin"}
	opt := DataOptions{Seed: 5, Limit: 12}
	train, err := Open(src, "train", opt)
	if err != nil {
		t.Fatal(err)
	}
	train.SetEpoch(2)
	val, _ := Open(src, "val", opt)
	test, _ := Open(src, "test", opt)
	cases := []struct {
		split string
		ds    Dataset
		seed  uint64
	}{{"train", train, 5}, {"val", val, ValSeed}, {"test", test, data.TexturedTestSeed}}
	for _, c := range cases {
		set, err := SplitImages(src, c.split, opt, 2)
		if err != nil {
			t.Fatalf("%s: %v", c.split, err)
		}
		if set.Len != 12 || set.Channels != 3 || set.Height != 64 {
			t.Fatalf("%s: %d images of %dx%d", c.split, set.Len, set.Channels, set.Height)
		}
		got, want := make([]float32, 3*64*64), make([]float32, 3*64*64)
		for _, i := range []int{0, 11} {
			lg, lw := set.Load(i, got), c.ds.Load(i, want, nil)
			if lg != lw || !slices.Equal(got, want) {
				t.Errorf("%s image %d differs from Open's", c.split, i)
			}
		}
		if set.Meta["seed"] != c.seed || set.Meta["task"] != "fragments" || set.Meta["classes"] != 10 {
			t.Errorf("%s: meta %v", c.split, set.Meta)
		}
	}
	if _, err := SplitImages(src, "train", opt, 0); err == nil {
		t.Error("epoch 0: no error")
	}
}

func TestSplitImagesFolder(t *testing.T) {
	dir := t.TempDir()
	for k, class := range []string{"cat", "dog"} {
		if err := os.MkdirAll(filepath.Join(dir, class), 0o755); err != nil {
			t.Fatal(err)
		}
		img := image.NewRGBA(image.Rect(0, 0, 40, 40))
		for i := range img.Pix {
			img.Pix[i] = uint8(100 * k)
		}
		img.Set(3, 3, color.RGBA{255, 0, 0, 255})
		f, err := os.Create(filepath.Join(dir, class, "a.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	src := Source{Kind: "imagefolder", Dir: dir}
	set, err := SplitImages(src, "test", DataOptions{Side: 32}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := Open(src, "test", DataOptions{Side: 32})
	got, want := make([]float32, 3*32*32), make([]float32, 3*32*32)
	for i := range 2 {
		if set.Load(i, got) != ds.Load(i, want, nil) || !slices.Equal(got, want) {
			t.Errorf("image %d differs from Open's", i)
		}
	}
	if names, _ := set.Meta["class_names"].([]string); !slices.Equal(names, []string{"cat", "dog"}) || set.Meta["side"] != 32 {
		t.Errorf("meta %v", set.Meta)
	}
}
