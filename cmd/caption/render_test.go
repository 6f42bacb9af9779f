package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/caption"
)

// render --format npz writes a split as one NumPy archive for the PyTorch
// twin's trainer: the images, every reference as token ids and the
// vocabulary in the meta (pkg/caption's tests check the contents against
// the training loop); a bad flag is a usage error before any work.
func TestRenderNPZ(t *testing.T) {
	needMNIST(t)
	path := filepath.Join(t.TempDir(), "x.npz")
	r := clitest.Run(t, bin, "render", "--format", "npz", "--split", "train", "--epoch", "2", "--seed", "5",
		"--count", "3", "-o", path).Want(t, 0)
	if r.Stdout != path+"\t3\ttrain\t5\n" {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta := clitest.NPZ(t, path)
	words := []any{}
	for _, w := range caption.BuiltinVocab().Words {
		words = append(words, w)
	}
	if !strings.Contains(hdr["images"], "(3, 3, 64, 64)") || !strings.Contains(hdr["lengths"], "(15,)") ||
		!strings.Contains(hdr["captions"], "(15, ") || !strings.Contains(hdr["caption_image"], "(15,)") ||
		meta["tool"] != "caption" || meta["split"] != "train" || meta["epoch"] != 2.0 || meta["seed"] != 5.0 ||
		meta["scenes"] != 3.0 || meta["side"] != 64.0 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	if v, _ := meta["vocab"].([]any); !slices.Equal(v, words) {
		t.Errorf("vocab %v, want %v", meta["vocab"], words)
	}
	r = clitest.Run(t, bin, "render", "--format", "npz", "--count", "2", "--json", "-o", path).Want(t, 0)
	if !strings.Contains(r.Stdout, `"split":"test"`) || !strings.Contains(r.Stdout, `"n":2`) {
		t.Fatalf("printed %q", r.Stdout)
	}
	for _, args := range [][]string{
		{"--format", "bmp"}, {"--split", "holdout"}, {"--epoch", "0"}, {"--epoch", "2"}, // --epoch of the test split
		{"--split", "val", "--epoch", "2"}, {"--count", "0"}, {"extra"},
	} {
		r := clitest.Run(t, bin, append([]string{"render", "--format", "npz", "-o", path}, args...)...).Want(t, 2)
		if r.Stdout != "" {
			t.Errorf("%v: printed %q", args, r.Stdout)
		}
	}
	clitest.Run(t, bin, "render", "--format", "npz").Want(t, 2) // no -o
}
