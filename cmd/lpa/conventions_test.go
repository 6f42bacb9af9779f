package main

// End-to-end tests of the conventions every tool shares, as lpa keeps
// them: output-folder problems, failure lines, model-file errors,
// --threads, segment's threshold, in_domain, and what the help says the
// models learnt from.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
)

func TestOutputFolderErrors(t *testing.T) {
	model := tinyModel(t, true)
	img := filepath.Join(images, "rgb.png")
	for _, cmd := range []string{"attend", "segment", "render"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckOutDir(t, bin, name, func(out string) []string {
				if cmd == "render" {
					return []string{"render", "--count", "1", "-o", out}
				}
				return []string{cmd, "--model", model, "-o", out, img, filepath.Join(images, "rgb.jpg")}
			})
		})
	}
}

func TestFailureLines(t *testing.T) {
	bad := []string{filepath.Join(images, "truncated.png"), filepath.Join(images, "not-an-image.png"),
		filepath.Join(images, "garbage.jpg"), filepath.Join(images, "empty.png")}
	args := append([]string{"segment", "--quiet", "--model", tinyModel(t, true), "-o", t.TempDir(), filepath.Join(images, "rgb.png")}, bad...)
	clitest.CheckFailureLines(t, clitest.Run(t, bin, args...).Want(t, 1), name, bad)
}

// A model file that lost a tensor's header entry says which tensor is
// missing, on one line that names the file once (exit 3), not which
// bytes of the file nothing claims.
func TestModelMissingTensor(t *testing.T) {
	raw, err := os.ReadFile(tinyModel(t, true))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	tensor := clitest.DropTensor(t, raw, path, "attn1.")
	for _, cmd := range []string{"attend", "segment"} {
		r := clitest.Run(t, bin, cmd, "--model", path, "-o", t.TempDir(), filepath.Join(images, "rgb.png")).Want(t, 3)
		if want := "lpa: " + path + ": missing tensor \"" + tensor + "\"\n"; r.Stderr != want || r.Stdout != "" {
			t.Errorf("%s: want %q, got %s", cmd, want, r)
		}
	}
}

// attend and segment take --threads (at least 1); the result does not
// depend on it.
func TestThreads(t *testing.T) {
	model := tinyModel(t, true)
	img := filepath.Join(images, "rgb.jpg")
	for _, cmd := range []string{"attend", "segment"} {
		clitest.Run(t, bin, cmd, "--model", model, "--threads", "0", "-o", t.TempDir(), img).Want(t, 2)
		var out [2]string
		for i, n := range []string{"1", "2"} {
			dir := t.TempDir()
			r := clitest.Run(t, bin, cmd, "--model", model, "--json", "--threads", n, "-o", dir, img).Want(t, 0)
			out[i] = strings.ReplaceAll(r.Stdout, dir, "DIR")
		}
		if out[0] != out[1] {
			t.Errorf("%s: --threads 1 and 2 differ:\n%s\n%s", cmd, out[0], out[1])
		}
	}
}

// Over a batch, attend and segment run several inputs at once; lines,
// failures and pictures are those of one thread.
func TestBatchThreads(t *testing.T) {
	model := tinyModel(t, true)
	for _, cmd := range [][]string{{"attend"}, {"attend", "--panel", "--cam-model", "none"}, {"segment"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			clitest.CheckSameAtThreads(t, bin, func(out string) []string {
				return append(append(cmd, "--model", model, "--json", "--display", "64", "-o", out), clitest.BatchInputs(images)...)
			})
		})
	}
}

// segment --json says which threshold it cut the map at, and which map.
func TestSegmentThreshold(t *testing.T) {
	img := filepath.Join(images, "rgb.jpg")
	for _, c := range []struct {
		attention bool
		args      []string
		threshold float64
		mapName   string
	}{
		{true, nil, 0.3, "level 2 scores"},
		{true, []string{"--map", "attention"}, 0.15, "level 2 attention"},
		{true, []string{"--threshold", "0.55", "--level", "3"}, 0.55, "level 3 scores"},
		{false, nil, 0.85, "CAM"},
	} {
		args := append([]string{"segment", "--model", tinyModel(t, c.attention), "--json", "-o", t.TempDir(), img}, c.args...)
		r := clitest.Run(t, bin, args...).Want(t, 0)
		var rec struct {
			Threshold *float64
			Map       string
		}
		if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil || rec.Threshold == nil || *rec.Threshold != c.threshold || rec.Map != c.mapName {
			t.Errorf("%v: %s (%v)", c.args, r.Stdout, err)
		}
	}
}

// Images of the built-in task score high; an MNIST-like digit on black is
// far from the textured training images and warns; a photograph scores
// lower than the task's images.
func TestInDomain(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "samples")
	clitest.Run(t, bin, "render", "--count", "2", "-o", samples).Want(t, 0)
	photo := clitest.PhotoPNG(t, dir, 96, 72)
	digit := "../../testdata/imgtx/digit7.png"
	for _, cmd := range []string{"attend", "segment"} {
		r := clitest.Run(t, bin, cmd, "--model", tinyModel(t, true), "--json", "-o", t.TempDir(), samples, digit, photo).Want(t, 0)
		s := clitest.InDomain(t, r.Stdout)
		if len(s) != 4 || s[0] < 0.5 || s[1] < 0.5 || s[2] < 0 || s[2] >= 0.01 || s[3] < 0 || s[3] >= 0.1 {
			t.Errorf("%s: in_domain %v, want two high, then below 0.01 and below 0.1: %s", cmd, s, r)
		}
		clitest.WarnedOnce(t, r.Stderr, name, 1)
	}
}

func TestHelpSaysTrainingData(t *testing.T) {
	help := clitest.Run(t, bin, "--help").Want(t, 0).Stdout
	readme := clitest.ReadmeSection(t, "../..", name)
	for _, doc := range []string{help, readme} {
		doc = strings.Join(strings.Fields(doc), " ") // sentences wrap across lines
		for _, w := range []string{"embedded models", "trained on", "55,000", "MNIST", "textured digits"} {
			if !strings.Contains(strings.ToLower(doc), strings.ToLower(w)) {
				t.Errorf("does not say %q:\n%s", w, doc)
			}
		}
	}
	for _, cmd := range []string{"attend", "segment"} {
		if r := clitest.Run(t, bin, cmd, "--help").Want(t, 0); !strings.Contains(r.Stdout, "--threads") || !strings.Contains(r.Stdout, "in_domain") {
			t.Errorf("%s --help lacks --threads or in_domain", cmd)
		}
	}
}
