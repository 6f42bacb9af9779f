package imageio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputPath(t *testing.T) {
	cases := []struct {
		outDir, in, suffix, ext string
		want                    string
	}{
		{"out", "photos/cat.jpg", "_attn", "png", "out/cat_attn.png"},
		{"out", "photos/cat.jpg", "_attn", ".png", "out/cat_attn.png"},
		{"", "photos/cat.jpg", "_attn", "png", "photos/cat_attn.png"},
		{"out", "photos/cat.jpg", "", "", "out/cat.jpg"},
		{"out", "cat", "_x", "gif", "out/cat_x.gif"},
		{"out", "photos/cat.tar.gz", "_a", "png", "out/cat.tar_a.png"},
		{"out", "-", "_attn", "png", "out/stdin_attn.png"},
		{"", "-", "", "png", "stdin.png"},
		{"out", "photos/.hidden", "_a", "png", "out/.hidden_a.png"},
	}
	for _, c := range cases {
		got, err := OutputPath(c.outDir, c.in, c.suffix, c.ext)
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("OutputPath(%q, %q, %q, %q) = %q, %v; want %q", c.outDir, c.in, c.suffix, c.ext, got, err, c.want)
		}
	}
}

func TestOutputPathRefusesInput(t *testing.T) {
	for _, c := range [][4]string{
		{"", "photos/cat.png", "", "png"},
		{"photos", "photos/cat.png", "", ".png"},
		{"./photos/../photos", "photos/cat.png", "", ""},
	} {
		if p, err := OutputPath(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("OutputPath%q = %q, want an error: it is the input", c, p)
		}
	}
	// The same file through a symbolic link is refused too.
	d := t.TempDir()
	in := filepath.Join(d, "a", "cat.png")
	os.MkdirAll(filepath.Dir(in), 0o755)
	os.WriteFile(in, nil, 0o644)
	if err := os.Symlink(filepath.Join(d, "a"), filepath.Join(d, "b")); err == nil {
		if p, err := OutputPath(filepath.Join(d, "b"), in, "", ""); err == nil {
			t.Errorf("got %q through a link to the input's folder, want an error", p)
		}
	}
}

func TestHashedOutputPaths(t *testing.T) {
	a, _ := HashedOutputPath("out", "photos/2023/cat.jpg", "_attn", "png")
	b, _ := HashedOutputPath("out", "photos/2024/cat.jpg", "_attn", "png")
	a2, _ := HashedOutputPath("out", "photos/2023/./cat.jpg", "_attn", "png")
	if a == b || a != a2 || !strings.HasPrefix(a, filepath.FromSlash("out/cat-")) || !strings.HasSuffix(a, "_attn.png") || len(filepath.Base(a)) != len("cat-12345678_attn.png") {
		t.Errorf("hashed names %q, %q, %q", a, b, a2)
	}
}
