package imageio

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// EstimateFile and EstimateClip are the figures Open and ReadFrames weigh
// against MaxMemory: a budget one byte under refuses the input, the
// estimate itself admits it.
func TestEstimateMatchesRefusal(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"rgb.png", "gray.png"} {
		b, err := os.ReadFile(sample(n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := Options{WorkBytesPerPixel: RGBABytes}
	for _, c := range []struct {
		path string
		clip bool
	}{
		{sample("rgb.png"), false}, {sample("cmyk.jpg"), false}, {sample("exif-orient-6.jpg"), false},
		{sample("anim.gif"), false}, {sample("anim.gif"), true}, {dir, true}, {sample("rgb.png"), true},
	} {
		estimate, read := EstimateFile, func(p string, o Options) error { _, err := Open(p, o); return err }
		if c.clip {
			estimate, read = EstimateClip, func(p string, o Options) error { _, err := ReadFrames(p, o); return err }
		}
		need, err := estimate(c.path, work)
		if err != nil || need <= 0 {
			t.Fatalf("%s (clip %v): estimate %d, %v", c.path, c.clip, need, err)
		}
		o := work
		if o.MaxMemory = need; read(c.path, o) != nil {
			t.Errorf("%s (clip %v): refused at its estimate %d: %v", c.path, c.clip, need, read(c.path, o))
		}
		if o.MaxMemory = need - 1; !errors.Is(read(c.path, o), ErrTooMuchMemory) {
			t.Errorf("%s (clip %v): admitted one byte under its estimate %d", c.path, c.clip, need)
		}
	}
}
