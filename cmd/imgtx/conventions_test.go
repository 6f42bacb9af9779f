package main

// End-to-end tests of the conventions every tool shares, as imgtx keeps
// them: output-folder problems, model-file errors, --threads, and what
// the help says of the models.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/imgtx"
)

const digit = "../../testdata/imgtx/digit7.png"

// tinyModel writes an untrained 8×8 transformer, small enough to run in
// an instant, and returns its path; edit, if given, changes its
// configuration first.
func tinyModel(t *testing.T, edit ...func(*imgtx.Config)) string {
	t.Helper()
	cfg := imgtx.DefaultConfig("transformer", 8, 8, 1)
	cfg.Layers, cfg.Embed, cfg.Heads, cfg.FF = 1, 8, 2, 16
	for _, e := range edit {
		e(&cfg)
	}
	m, err := imgtx.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOutputFolderErrors(t *testing.T) {
	model := tinyModel(t)
	for _, cmd := range []string{"sample", "complete", "attend"} {
		t.Run(cmd, func(t *testing.T) {
			clitest.CheckOutDir(t, bin, name, func(out string) []string {
				switch cmd {
				case "sample":
					return []string{"sample", "--model", model, "--count", "1", "-o", out}
				case "complete":
					return []string{cmd, "--model", model, "--count", "1", "-o", out, digit}
				}
				return []string{cmd, "--model", model, "-o", out, digit}
			})
		})
	}
}

func TestFailureLines(t *testing.T) {
	bad := []string{"../../testdata/images/truncated.png", "../../testdata/images/not-an-image.png", "../../testdata/images/empty.png"}
	args := append([]string{"attend", "--model", tinyModel(t), "-o", t.TempDir(), digit}, bad...)
	clitest.CheckFailureLines(t, clitest.Run(t, bin, args...).Want(t, 1), name, bad)
}

// A model file that lost a tensor's header entry says which tensor is
// missing, on one line that names the file once (exit 3).
func TestModelMissingTensor(t *testing.T) {
	raw, err := os.ReadFile(tinyModel(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	tensor := clitest.DropTensor(t, raw, path, "")
	r := clitest.Run(t, bin, "attend", "--model", path, "-o", t.TempDir(), digit).Want(t, 3)
	if want := "imgtx: " + path + ": missing tensor \"" + tensor + "\"\n"; r.Stderr != want || r.Stdout != "" {
		t.Fatalf("want %q, got %s", want, r)
	}
}

// attend takes --threads like every command that runs a model; the
// pictures do not depend on it.
func TestAttendThreads(t *testing.T) {
	model := tinyModel(t)
	clitest.Run(t, bin, "attend", "--model", model, "--threads", "0", "-o", t.TempDir(), digit).Want(t, 2)
	var pics [2][]byte
	for i, n := range []string{"1", "2"} {
		out := t.TempDir()
		clitest.Run(t, bin, "attend", "--model", model, "--threads", n, "--queries", "4,4", "-o", out, digit).Want(t, 0)
		b, err := os.ReadFile(filepath.Join(out, "digit7_attn_4_4.png"))
		if err != nil {
			t.Fatal(err)
		}
		pics[i] = b
	}
	if string(pics[0]) != string(pics[1]) {
		t.Fatal("--threads 1 and 2 drew different pictures")
	}
	for _, cmd := range []string{"train", "eval", "sample", "complete", "upscale", "attend"} {
		if r := clitest.Run(t, bin, cmd, "--help").Want(t, 0); !strings.Contains(r.Stdout, "--threads") {
			t.Errorf("%s --help lacks --threads", cmd)
		}
	}
}

// Over a batch, attend, complete and upscale run several inputs at once;
// lines, failures and pictures are those of one thread (complete and
// upscale: every input's samples start from --seed, whatever ran before
// it).
func TestBatchThreads(t *testing.T) {
	model := tinyModel(t)
	up := tinyModel(t, func(c *imgtx.Config) { c.Cond, c.LowRes, c.EncLayers = "lowres", 4, 1 })
	for _, cmd := range [][]string{{"attend", "--queries", "4,4;2,6", "--model", model}, {"complete", "--count", "3", "--model", model},
		{"upscale", "--count", "2", "--model", up}} {
		t.Run(cmd[0], func(t *testing.T) {
			clitest.CheckSameAtThreads(t, bin, func(out string) []string {
				return append(append(cmd, "--json", "-o", out), clitest.BatchInputs("../../testdata/images")...)
			})
		})
	}
}

// The help and the README say what the embedded models were trained on.
func TestHelpSaysTrainingData(t *testing.T) {
	help := clitest.Run(t, bin, "--help").Want(t, 0).Stdout
	readme := clitest.ReadmeSection(t, "../..", name)
	for _, doc := range []string{help, readme} {
		doc = strings.Join(strings.Fields(doc), " ") // sentences wrap across lines
		for _, w := range []string{"trained on", "8-bit", "MNIST", "28"} {
			if !strings.Contains(doc, w) {
				t.Errorf("does not say %q:\n%s", w, doc)
			}
		}
	}
}
