package main

// End-to-end tests of the conventions every tool shares, as glimpse
// keeps them: output-folder problems, failure lines, model-file errors,
// --threads, in_domain, and what the help says the models learnt from.

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	rammodels "github.com/attnkit/attn/models/ram"
	"github.com/attnkit/attn/pkg/data"
)

func TestOutputFolderErrors(t *testing.T) {
	img := filepath.Join(images, "gray.png")
	for _, cmd := range []string{"predict", "sensor", "render"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckOutDir(t, bin, "glimpse", func(out string) []string {
				if cmd == "render" {
					return []string{"render", "--count", "1", "-o", out}
				}
				return []string{cmd, "-o", out, img, filepath.Join(images, "rgb.png")}
			})
		})
	}
}

func TestFailureLines(t *testing.T) {
	bad := []string{filepath.Join(images, "truncated.png"), filepath.Join(images, "not-an-image.png"),
		filepath.Join(images, "garbage.jpg"), filepath.Join(images, "zero-size.png"), filepath.Join(images, "empty.png")}
	args := append([]string{"predict", "--quiet", filepath.Join(images, "gray.png")}, bad...) // --quiet: no domain warning
	r := clitest.Run(t, bin, args...).Want(t, 1)
	clitest.CheckFailureLines(t, r, "glimpse", bad)
}

// A model file that lost a tensor's header entry says which tensor is
// missing, on one line that names the file once (exit 3).
func TestModelMissingTensor(t *testing.T) {
	raw, ok := rammodels.Bytes("mnist")
	if !ok {
		t.Skip("no embedded mnist model")
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	tensor := clitest.DropTensor(t, raw, path, "core.")
	r := clitest.Run(t, bin, "predict", "--model", path, filepath.Join(images, "gray.png")).Want(t, 3)
	if want := "glimpse: " + path + ": missing tensor \"" + tensor + "\"\n"; r.Stderr != want || r.Stdout != "" {
		t.Fatalf("want %q, got %s", want, r)
	}
}

// --threads sets the thread count of the forward pass: it must be at
// least 1, and the result does not depend on it.
func TestPredictThreads(t *testing.T) {
	img := filepath.Join(images, "rgb.jpg")
	clitest.Run(t, bin, "predict", "--threads", "0", img).Want(t, 2)
	one := clitest.Run(t, bin, "predict", "--json", "--threads", "1", img).Want(t, 0)
	two := clitest.Run(t, bin, "predict", "--json", "--threads", "2", img).Want(t, 0)
	if one.Stdout != two.Stdout {
		t.Fatalf("--threads 1 and 2 differ:\n%s\n%s", one.Stdout, two.Stdout)
	}
}

// Over a batch, predict runs several inputs at once; lines, failures and
// pictures are those of one thread (--mc: every input's draws start from
// the seed, whatever ran before it).
func TestPredictBatchThreads(t *testing.T) {
	clitest.CheckSameAtThreads(t, bin, func(out string) []string {
		return append([]string{"predict", "--json", "--mc", "3", "-o", out}, clitest.BatchInputs(images)...)
	})
}

// Test digits as the task draws them score high; a photograph, low, with
// one warning for the batch (none with --quiet).
func TestPredictInDomain(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "samples")
	clitest.Run(t, bin, "render", "--task", "cluttered60", "--count", "2", "-o", samples).Want(t, 0)
	photo := clitest.PhotoPNG(t, dir, 160, 120)
	r := clitest.Run(t, bin, "predict", "--task", "cluttered60", "--json", samples, photo).Want(t, 0)
	s := clitest.InDomain(t, r.Stdout)
	if len(s) != 3 || s[0] < 0.5 || s[1] < 0.5 || s[2] < 0 || s[2] >= 0.01 {
		t.Fatalf("in_domain %v, want two high and a low last: %s", s, r)
	}
	clitest.WarnedOnce(t, r.Stderr, "glimpse", 1)
	r = clitest.Run(t, bin, "predict", "--task", "cluttered60", "--json", "--quiet", photo, photo).Want(t, 0)
	if r.Stderr != "" {
		t.Fatalf("--quiet still warned: %q", r.Stderr)
	}
	// TSV keeps its columns; the warning comes all the same.
	r = clitest.Run(t, bin, "predict", "--task", "cluttered60", photo).Want(t, 0)
	if n := len(strings.Split(strings.TrimRight(r.Stdout, "\n"), "\t")); n != 5 {
		t.Fatalf("TSV has %d columns: %q", n, r.Stdout)
	}
	clitest.WarnedOnce(t, r.Stderr, "glimpse", 1)
}

func TestHelpSaysTrainingData(t *testing.T) {
	help := clitest.Run(t, bin, "--help").Want(t, 0).Stdout
	readme := clitest.ReadmeSection(t, "../..", "glimpse")
	for _, doc := range []string{help, readme} {
		doc = strings.Join(strings.Fields(doc), " ") // sentences wrap across lines
		for _, w := range []string{"embedded models", "trained on", "55,000", "MNIST", "60x60"} {
			if !strings.Contains(strings.ReplaceAll(doc, "×", "x"), w) {
				t.Errorf("does not say %q:\n%s", w, doc)
			}
		}
	}
	for _, cmd := range []string{"predict"} {
		if r := clitest.Run(t, bin, cmd, "--help").Want(t, 0); !strings.Contains(r.Stdout, "--threads") || !strings.Contains(r.Stdout, "in_domain") {
			t.Errorf("%s --help lacks --threads or in_domain", cmd)
		}
	}
}

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
}
