package data

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestScanImageFolder(t *testing.T) {
	root := filepath.Join(fixtures, "imagefolder")
	f, err := ScanImageFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	rel := make([]string, f.Len())
	for i, p := range f.Paths {
		rel[i], _ = filepath.Rel(root, p)
		rel[i] = filepath.ToSlash(rel[i])
	}
	wantPaths := []string{"cat/a.PNG", "cat/b.png", "cat/sub/c.jpg", "dog/x.gif"}
	if !slices.Equal(f.Classes, []string{"cat", "dog"}) || !slices.Equal(rel, wantPaths) || !slices.Equal(f.Labels, []int{0, 0, 0, 1}) {
		t.Fatalf("classes %v paths %v labels %v", f.Classes, rel, f.Labels)
	}
	if i, ok := f.ClassIndex("dog"); !ok || i != 1 {
		t.Fatal("ClassIndex")
	}
	decode := func(path string) (image.Image, error) {
		r, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		img, _, err := image.Decode(r)
		return img, err
	}
	for i := range f.Paths {
		img, label, err := LoadImageItem(f, i, decode)
		if err != nil || label != f.Labels[i] || img.Bounds().Dx() != 1 {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	boom := errors.New("boom")
	if _, _, err := LoadImageItem(f, 3, func(string) (int, error) { return 0, boom }); !errors.Is(err, boom) || !strings.Contains(err.Error(), "x.gif") {
		t.Fatalf("decode error %v", err)
	}
	// An error that names the file already (as pkg/imageio's do) is not
	// given the name a second time.
	named := func(p string) (int, error) { return 0, fmt.Errorf("%s: %w", p, boom) }
	if _, _, err := LoadImageItem(f, 3, named); !errors.Is(err, boom) || strings.Count(err.Error(), "x.gif") != 1 {
		t.Fatalf("decode error %v", err)
	}
	if _, _, err := LoadImageItem(f, 4, decode); err == nil {
		t.Fatal("item out of range accepted")
	}
}

func TestScanImageFolderErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "loose.png"), []byte("x"), 0o644)
	noImages := t.TempDir()
	os.MkdirAll(filepath.Join(noImages, "a"), 0o755)
	os.WriteFile(filepath.Join(noImages, "a", "x.png"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(noImages, "b"), 0o755)
	os.WriteFile(filepath.Join(noImages, "b", "x.txt"), []byte("x"), 0o644)
	for root, want := range map[string]string{
		empty:                               "no class sub-folders",
		noImages:                            `"b" holds no image`,
		filepath.Join(empty, "nonexisting"): "nonexisting",
	} {
		if _, err := ScanImageFolder(root); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: error %v, want %q", root, err, want)
		}
	}
}
