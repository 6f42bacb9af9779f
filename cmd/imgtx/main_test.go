package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/data"
)

// bin is the imgtx binary, built once for all tests of this package.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild(name)
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func TestCommon(t *testing.T) {
	clitest.CheckCommon(t, bin, name, "imgtx sample", "imgtx complete", "imgtx upscale", "imgtx attend")
}

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skipf("no MNIST: %v", err)
	}
}

// tiny is a model small and quick enough for the tests: 8×8 digits.
var tiny = []string{"train", "--size", "8", "--layers", "1", "--embed", "8", "--heads", "2", "--ff", "16",
	"--limit", "64", "--val-limit", "16", "--batch", "16", "--epochs", "1", "--threads", "1"}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.safetensors")
	for _, args := range [][]string{
		{"train"}, // no -o
		{"train", "--arch", "rnn", "-o", out},
		{"train", "--attention", "global", "-o", out},
		{"train", "--cond", "text", "-o", out},
		{"train", "--data", "cifar", "-o", out},
		{"train", "--channels", "3", "-o", out},
		{"train", "--embed", "10", "--heads", "4", "-o", out},
		{"eval", "--split", "train"},
		{"eval", "--model", "embedded:large"},
		{"sample", "-o", dir, "--count", "0"},
		{"sample"}, // no -o
		{"complete", "x.png"},
		{"upscale", "-o", dir}, // no input
		{"attend", "x.png"},
	} {
		r := clitest.Run(t, bin, args...).Want(t, 2)
		if !strings.HasPrefix(r.Stderr, "imgtx: ") || r.Stdout != "" {
			t.Errorf("%v: %s", args, r)
		}
	}
}

// sample --class and upscale default to the embedded class-conditional
// and super-resolution models; a class for an unconditional model is a
// usage error.
func TestEmbeddedDefaults(t *testing.T) {
	dir := t.TempDir()
	r := clitest.Run(t, bin, "sample", "--class", "3", "--count", "2", "--threads", "1", "--json", "-o", dir).Want(t, 0)
	if !strings.Contains(r.Stdout, `"count":2`) {
		t.Fatalf("sample --class 3: %s", r)
	}
	r = clitest.Run(t, bin, "upscale", "--count", "1", "--threads", "1", "--json", "-o", dir, "../../testdata/imgtx/digit7.png").Want(t, 0)
	if _, err := os.Stat(filepath.Join(dir, "digit7_upscale.png")); err != nil || len(clitest.Lines(r.Stdout)) != 1 {
		t.Fatalf("upscale: %s (%v)", r, err)
	}
	r = clitest.Run(t, bin, "sample", "--model", "embedded:transformer", "--class", "3", "-o", dir).Want(t, 2)
	if !strings.Contains(r.Stderr, "not class-conditional") {
		t.Fatalf("sample --class with the unconditional model: %s", r)
	}
}

// The embedded models score the first MNIST test digits near their
// figures over all 10,000 (models/imgtx/README.md): far under the 8
// bits/dim of a uniform guess and the 1.4 of either architecture after one
// epoch of warm-up; the super-resolution model, given the 7×7 digits,
// below the unconditional one.
func TestEmbeddedModelsScore(t *testing.T) {
	needMNIST(t)
	for _, c := range []struct {
		model string
		max   float64
	}{{"embedded:transformer", 1.1}, {"embedded:pixelcnn", 1.3}, {"embedded:class", 1.1}, {"embedded:upscale", 1.0}} {
		r := clitest.Run(t, bin, "eval", "--model", c.model, "--limit", "32", "--json").Want(t, 0)
		var ev map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &ev); err != nil {
			t.Fatalf("%s: %q: %v", c.model, r.Stdout, err)
		}
		if b, _ := ev["bits_per_dim"].(float64); !(b > 0.5 && b < c.max) || ev["n"] != 32.0 {
			t.Errorf("%s: %s", c.model, r.Stdout)
		}
	}
}

// The new user's path: train, score, sample, complete a digit scan and a
// photo, upscale, draw the attention; a bad file costs one stderr line.
func TestTrainEvalSampleCompleteUpscaleAttend(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	r := clitest.Run(t, bin, append(tiny, "-o", model, "--json")...).Want(t, 0)
	var epoch map[string]any
	if err := json.Unmarshal([]byte(clitest.Lines(r.Stdout)[0]), &epoch); err != nil || epoch["val_bits_per_dim"] == nil {
		t.Fatalf("train line %q: %v", r.Stdout, err)
	}
	r = clitest.Run(t, bin, "eval", "--model", model, "--limit", "8", "--json").Want(t, 0)
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &ev); err != nil || ev["n"] != 8.0 || ev["bits_per_dim"].(float64) <= 0 ||
		ev["nll_nats_per_image"].(float64) <= 0 {
		t.Fatalf("eval %q: %v", r.Stdout, err)
	}

	samples := filepath.Join(dir, "samples")
	r = clitest.Run(t, bin, "sample", "--model", model, "--count", "3", "-o", samples).Want(t, 0)
	for _, f := range []string{"grid.png", "sample_0000.png", "sample_0002.png"} {
		if _, err := os.Stat(filepath.Join(samples, f)); err != nil {
			t.Fatal(err)
		}
	}

	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	out := filepath.Join(dir, "out")
	r = clitest.Run(t, bin, "complete", "--model", model, "--rows", "4", "--count", "2",
		"../../testdata/imgtx/digit7.png", bad, "../../testdata/imgtx/photo.png", "-o", out).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 2 || len(clitest.Lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "bad.png") {
		t.Fatalf("complete: %s", r)
	}
	for _, f := range []string{"digit7_complete.png", "photo_complete.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}

	r = clitest.Run(t, bin, "attend", "--model", model, "--queries", "4,4;7,0", "../../testdata/imgtx/digit7.png", "-o", out).Want(t, 0)
	if len(clitest.Lines(r.Stdout)) != 2 {
		t.Fatalf("attend: %s", r)
	}
	if _, err := os.Stat(filepath.Join(out, "digit7_attn_7_0.png")); err != nil {
		t.Fatal(err)
	}
	clitest.Run(t, bin, "upscale", "--model", model, "../../testdata/imgtx/digit7.png", "-o", out).Want(t, 2)

	up := filepath.Join(dir, "up.safetensors")
	clitest.Run(t, bin, append(tiny, "--cond", "lowres", "--lowres", "2", "--attention", "local2d",
		"--query-h", "2", "--query-w", "4", "--mem-h", "1", "--mem-w", "2", "-o", up)...).Want(t, 0)
	r = clitest.Run(t, bin, "upscale", "--model", up, "--count", "2", "--json",
		"../../testdata/imgtx/digit7.png", bad, "../../testdata/imgtx/photo.png", "-o", out).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 2 || len(clitest.Lines(r.Stderr)) != 1 {
		t.Fatalf("upscale: %s", r)
	}
	if _, err := os.Stat(filepath.Join(out, "photo_upscale.png")); err != nil {
		t.Fatal(err)
	}

	pc := filepath.Join(dir, "pc.safetensors")
	clitest.Run(t, bin, "train", "--arch", "pixelcnn", "--size", "8", "--layers", "2", "--filters", "4", "--kernel", "3",
		"--limit", "32", "--val-limit", "8", "--epochs", "1", "--cond", "class", "-o", pc).Want(t, 0)
	clitest.Run(t, bin, "sample", "--model", pc, "--class", "7", "--count", "2", "-o", samples).Want(t, 0)
	clitest.Run(t, bin, "sample", "--model", pc, "--class", "12", "-o", samples).Want(t, 2)
	clitest.Run(t, bin, "sample", "--model", pc, "--class", "3,x", "-o", samples).Want(t, 2)
	clitest.Run(t, bin, "sample", "--model", pc, "-o", samples).Want(t, 2)
	// Several classes: --count of each, one grid row per class.
	rows := filepath.Join(dir, "rows")
	r = clitest.Run(t, bin, "sample", "--model", pc, "--class", "all", "--count", "3", "--zoom", "1", "--json", "-o", rows).Want(t, 0)
	if !strings.Contains(r.Stdout, `"count":30`) {
		t.Fatalf("sample --class all: %s", r)
	}
	f, err := os.Open(filepath.Join(rows, "grid.png"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || g.Width >= g.Height {
		t.Fatalf("grid of 10 classes × 3: %d×%d (%v), want one row per class", g.Width, g.Height, err)
	}
	clitest.Run(t, bin, "attend", "--model", pc, "../../testdata/imgtx/digit7.png", "-o", out).Want(t, 2)
}

// render writes a split as PNGs or, --format npz, as one NumPy archive
// for the PyTorch twin's trainer; a bad flag is a usage error before any
// work.
func TestRender(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.npz")
	r := clitest.Run(t, bin, "render", "--format", "npz", "--split", "val", "--size", "14", "--count", "3", "-o", path).Want(t, 0)
	if r.Stdout != path+"\t3\tval\t-\n" {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta := clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "(3, 1, 14, 14)") || meta["tool"] != "imgtx" || meta["data"] != "mnist" ||
		meta["split"] != "val" || meta["height"] != 14.0 || meta["channels"] != 1.0 || meta["classes"] != 10.0 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	pngs := filepath.Join(dir, "pngs")
	r = clitest.Run(t, bin, "render", "--from", "2", "--count", "1", "-o", pngs).Want(t, 0)
	if !strings.HasPrefix(r.Stdout, "2\t") || !strings.HasSuffix(r.Stdout, filepath.Join(pngs, "test-00002.png")+"\n") {
		t.Errorf("printed %q", r.Stdout)
	}
	for _, args := range [][]string{
		{"--format", "bmp"}, {"--split", "holdout"}, {"--channels", "3"}, {"--size", "1"}, {"--limit", "-1"},
		{"--data", "nope"}, {"--format", "npz", "--limit", "5", "--from", "5"}, {"extra"},
	} {
		if r := clitest.Run(t, bin, append([]string{"render", "-o", path}, args...)...).Want(t, 2); r.Stdout != "" {
			t.Errorf("%v: printed %q", args, r.Stdout)
		}
	}
}
