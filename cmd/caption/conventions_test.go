package main

// End-to-end tests of the conventions every tool shares, as caption
// keeps them: output-folder problems, failure lines, model-file errors,
// --threads, in_domain, and what the help says the models learnt from.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	capmodels "github.com/attnkit/attn/models/caption"
)

const images = "../../testdata/images"

// embedded skips a test when this build has no soft model.
func embedded(t *testing.T) []byte {
	t.Helper()
	raw, ok := capmodels.Bytes("soft")
	if !ok {
		t.Skip("no embedded soft model")
	}
	return raw
}

func TestOutputFolderErrors(t *testing.T) {
	embedded(t)
	img := filepath.Join(images, "rgb.png")
	for _, cmd := range []string{"attend", "render"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckOutDir(t, bin, name, func(out string) []string {
				if cmd == "render" {
					return []string{"render", "--count", "1", "-o", out}
				}
				return []string{cmd, "-o", out, img, filepath.Join(images, "rgb.jpg")}
			})
		})
	}
}

func TestFailureLines(t *testing.T) {
	embedded(t)
	bad := []string{filepath.Join(images, "truncated.png"), filepath.Join(images, "not-an-image.png"),
		filepath.Join(images, "garbage.jpg"), filepath.Join(images, "empty.png")}
	args := append([]string{"predict", "--quiet", "--beam", "1", filepath.Join(images, "rgb.png")}, bad...)
	clitest.CheckFailureLines(t, clitest.Run(t, bin, args...).Want(t, 1), name, bad)
}

// A model file that lost a tensor's header entry says which tensor is
// missing, on one line that names the file once (exit 3).
func TestModelMissingTensor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	tensor := clitest.DropTensor(t, embedded(t), path, "att.")
	r := clitest.Run(t, bin, "predict", "--model", path, filepath.Join(images, "rgb.png")).Want(t, 3)
	if want := "caption: " + path + ": missing tensor \"" + tensor + "\"\n"; r.Stderr != want || r.Stdout != "" {
		t.Fatalf("want %q, got %s", want, r)
	}
}

// predict and attend take --threads (at least 1); the caption does not
// depend on it.
func TestThreads(t *testing.T) {
	embedded(t)
	img := filepath.Join(images, "rgb.jpg")
	clitest.Run(t, bin, "predict", "--threads", "0", img).Want(t, 2)
	clitest.Run(t, bin, "attend", "--threads", "0", "-o", t.TempDir(), img).Want(t, 2)
	one := clitest.Run(t, bin, "predict", "--json", "--threads", "1", img).Want(t, 0)
	two := clitest.Run(t, bin, "predict", "--json", "--threads", "2", img).Want(t, 0)
	if one.Stdout != two.Stdout {
		t.Fatalf("--threads 1 and 2 differ:\n%s\n%s", one.Stdout, two.Stdout)
	}
}

// Over a batch, predict and attend run several inputs at once; lines,
// failures and pictures are those of one thread.
func TestBatchThreads(t *testing.T) {
	embedded(t)
	for _, cmd := range []string{"predict", "attend"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckSameAtThreads(t, bin, func(out string) []string {
				args := []string{cmd, "--json"}
				if cmd == "attend" {
					args = append(args, "-o", out)
				}
				return append(args, clitest.BatchInputs(images)...)
			})
		})
	}
}

// Built-in scenes score high; a photograph, low, with one warning for
// the batch.
func TestInDomain(t *testing.T) {
	embedded(t)
	needMNIST(t)
	dir := t.TempDir()
	scenes := filepath.Join(dir, "scenes")
	clitest.Run(t, bin, "render", "--count", "2", "-o", scenes).Want(t, 0)
	os.Remove(filepath.Join(scenes, "references.tsv"))
	photo := clitest.PhotoPNG(t, dir, 96, 72)
	for _, cmd := range [][]string{{"predict"}, {"attend", "-o", filepath.Join(dir, "out")}} {
		r := clitest.Run(t, bin, append(cmd, "--json", "--beam", "1", scenes, photo)...).Want(t, 0)
		s := clitest.InDomain(t, r.Stdout)
		if len(s) != 3 || s[0] < 0.5 || s[1] < 0.5 || s[2] < 0 || s[2] >= 0.01 {
			t.Errorf("%s: in_domain %v, want two high and a low last: %s", cmd[0], s, r)
		}
		clitest.WarnedOnce(t, r.Stderr, name, 1)
	}
}

func TestHelpSaysTrainingData(t *testing.T) {
	help := clitest.Run(t, bin, "--help").Want(t, 0).Stdout
	readme := clitest.ReadmeSection(t, "../..", name)
	for _, doc := range []string{help, readme} {
		doc = strings.Join(strings.Fields(doc), " ") // sentences wrap across lines
		for _, w := range []string{"embedded models", "trained on", "55,000", "MNIST", "scenes"} {
			if !strings.Contains(strings.ToLower(doc), strings.ToLower(w)) {
				t.Errorf("does not say %q:\n%s", w, doc)
			}
		}
	}
	for _, cmd := range []string{"predict", "attend"} {
		if r := clitest.Run(t, bin, cmd, "--help").Want(t, 0); !strings.Contains(r.Stdout, "--threads") || !strings.Contains(r.Stdout, "in_domain") {
			t.Errorf("%s --help lacks --threads or in_domain", cmd)
		}
	}
}
