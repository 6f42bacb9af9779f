package main

// End-to-end tests of the conventions every tool shares, as nonlocal
// keeps them: output-folder problems, failure lines, model-file errors,
// --threads, in_domain, and what the help says the models learnt from.

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	nlmodels "github.com/attnkit/attn/models/nonlocal"
)

const testImages = "../../testdata/images"

// embeddedNL skips a test when this build has no nl model.
func embeddedNL(t *testing.T) []byte {
	t.Helper()
	raw, ok := nlmodels.Bytes("nl")
	if !ok {
		t.Skip("no embedded nl model")
	}
	return raw
}

func TestOutputFolderErrors(t *testing.T) {
	embeddedNL(t)
	img := filepath.Join(testImages, "rgb.png")
	for _, cmd := range []string{"attend", "render", "denoise"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckOutDir(t, bin, name, func(out string) []string {
				if cmd == "render" {
					return []string{"render", "--count", "1", "-o", out}
				}
				return []string{cmd, "-o", out, img, filepath.Join(testImages, "rgb.jpg")}
			})
		})
	}
}

func TestFailureLines(t *testing.T) {
	embeddedNL(t)
	bad := []string{filepath.Join(testImages, "truncated.png"), filepath.Join(testImages, "not-an-image.png"),
		filepath.Join(testImages, "garbage.jpg"), filepath.Join(testImages, "empty.png")}
	args := append([]string{"predict", "--quiet", filepath.Join(testImages, "rgb.png")}, bad...)
	clitest.CheckFailureLines(t, clitest.Run(t, bin, args...).Want(t, 1), name, bad)
}

// A model file that lost a tensor's header entry says which tensor is
// missing, on one line that names the file once (exit 3).
func TestModelMissingTensor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	tensor := clitest.DropTensor(t, embeddedNL(t), path, "stem.")
	for _, args := range [][]string{{"predict"}, {"attend", "-o", t.TempDir()}} {
		r := clitest.Run(t, bin, append(args, "--model", path, filepath.Join(testImages, "rgb.png"))...).Want(t, 3)
		if want := "nonlocal: " + path + ": missing tensor \"" + tensor + "\"\n"; r.Stderr != want || r.Stdout != "" {
			t.Errorf("%s: want %q, got %s", args[0], want, r)
		}
	}
}

// predict and attend take --threads (at least 1); the result does not
// depend on it.
func TestThreads(t *testing.T) {
	embeddedNL(t)
	img := filepath.Join(testImages, "rgb.jpg")
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
	embeddedNL(t)
	for _, cmd := range []string{"predict", "attend"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckSameAtThreads(t, bin, func(out string) []string {
				args := []string{cmd, "--json"}
				if cmd == "attend" {
					args = append(args, "-o", out)
				}
				return append(args, clitest.BatchInputs(testImages)...)
			})
		})
	}
}

// Clips of the built-in task score high; a photograph, low, with one
// warning for the batch.
func TestInDomain(t *testing.T) {
	embeddedNL(t)
	needMNIST(t)
	dir := t.TempDir()
	clips := filepath.Join(dir, "clips")
	clitest.Run(t, bin, "render", "--count", "2", "-o", clips).Want(t, 0)
	photo := clitest.PhotoPNG(t, dir, 96, 72)
	r := clitest.Run(t, bin, "predict", "--json", clips, photo).Want(t, 0)
	s := clitest.InDomain(t, r.Stdout)
	if len(s) != 3 || s[0] < 0.5 || s[1] < 0.5 || s[2] < 0 || s[2] >= 0.01 {
		t.Fatalf("in_domain %v, want two high and a low last: %s", s, r)
	}
	clitest.WarnedOnce(t, r.Stderr, name, 1)
}

func TestHelpSaysTrainingData(t *testing.T) {
	help := clitest.Run(t, bin, "--help").Want(t, 0).Stdout
	readme := clitest.ReadmeSection(t, "../..", name)
	for _, doc := range []string{help, readme} {
		doc = strings.Join(strings.Fields(doc), " ") // sentences wrap across lines
		for _, w := range []string{"trained on", "55,000", "MNIST", "clips"} {
			if !strings.Contains(strings.ToLower(doc), strings.ToLower(w)) {
				t.Errorf("does not say %q:\n%s", w, doc)
			}
		}
	}
	for _, cmd := range []string{"predict", "attend"} {
		if r := clitest.Run(t, bin, cmd, "--help").Want(t, 0); !strings.Contains(r.Stdout, "--threads") {
			t.Errorf("%s --help lacks --threads", cmd)
		}
	}
	if r := clitest.Run(t, bin, "predict", "--help").Want(t, 0); !strings.Contains(r.Stdout, "in_domain") {
		t.Error("predict --help lacks in_domain")
	}
}
