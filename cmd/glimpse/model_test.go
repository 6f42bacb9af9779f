package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
)

// tinyModel trains a 3-glimpse MNIST model on 256 digits for one epoch:
// seconds of work, enough to exercise train, eval and predict end to end.
func tinyModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "runs", "tiny.safetensors")
	r := clitest.Run(t, bin, "train", "--task", "mnist", "--glimpses", "3", "--epochs", "1",
		"--limit", "256", "--val", "100", "--quiet", "--json", "-o", out).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 1 {
		t.Fatalf("train printed %d epoch lines, want 1:\n%s", len(lines), r.Stdout)
	}
	var ep map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ep); err != nil {
		t.Fatalf("epoch line is not JSON: %v", err)
	}
	for _, k := range []string{"epoch", "loss", "val_error_pct", "best_epoch"} {
		if _, ok := ep[k]; !ok {
			t.Errorf("epoch line lacks %q: %s", k, lines[0])
		}
	}
	for _, f := range []string{out, strings.TrimSuffix(out, ".safetensors") + ".state.safetensors"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("train did not write %s", f)
		}
	}
	return out
}

func TestTrainEvalPredict(t *testing.T) {
	model := tinyModel(t)

	// Resume continues from the state file: one more epoch, numbered 2.
	r := clitest.Run(t, bin, "train", "--task", "mnist", "--glimpses", "3", "--epochs", "2",
		"--limit", "256", "--val", "100", "--quiet", "--resume", "-o", model).Want(t, 0)
	if lines := clitest.Lines(r.Stdout); len(lines) != 1 || !strings.HasPrefix(lines[0], "2\t") {
		t.Fatalf("resumed run printed %q, want one line for epoch 2", r.Stdout)
	}

	// --init starts a new run from the model's weights (another std is
	// fine); a model of another architecture is refused with exit 1.
	init2 := filepath.Join(t.TempDir(), "init.safetensors")
	r = clitest.Run(t, bin, "train", "--task", "mnist", "--glimpses", "3", "--epochs", "1", "--std", "0.05",
		"--limit", "256", "--val", "100", "--quiet", "--init", model, "-o", init2).Want(t, 0)
	if lines := clitest.Lines(r.Stdout); len(lines) != 1 || !strings.HasPrefix(lines[0], "1\t") {
		t.Fatalf("--init run printed %q, want one line for epoch 1", r.Stdout)
	}
	// A deeper location network starts fresh; the rest comes from the model.
	clitest.Run(t, bin, "train", "--task", "mnist", "--glimpses", "3", "--epochs", "1", "--locator-hidden", "8",
		"--limit", "256", "--val", "100", "--quiet", "--init", model, "-o", init2).Want(t, 0)
	r = clitest.Run(t, bin, "train", "--task", "mnist", "--glimpses", "4", "--epochs", "1",
		"--limit", "256", "--val", "100", "--quiet", "--init", model, "-o", init2).Want(t, 1)
	if !strings.Contains(r.Stderr, "--init") {
		t.Fatalf("--init with another architecture: stderr %q", r.Stderr)
	}

	r = clitest.Run(t, bin, "eval", "--model", model, "--limit", "200", "--json").Want(t, 0)
	var ev struct {
		Task     string  `json:"task"`
		ErrorPct float64 `json:"error_pct"`
		N        int     `json:"n"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.Stdout)), &ev); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, r.Stdout)
	}
	if ev.Task != "mnist" || ev.N != 200 || ev.ErrorPct < 0 || ev.ErrorPct > 100 {
		t.Fatalf("eval = %+v", ev)
	}
	// The same model, seed and flags give the same figure, whatever the
	// thread count.
	r2 := clitest.Run(t, bin, "eval", "--model", model, "--limit", "200", "--json", "--threads", "1").Want(t, 0)
	if r2.Stdout != r.Stdout {
		t.Fatalf("eval differs with --threads 1:\n%s\n%s", r.Stdout, r2.Stdout)
	}

	// Predict: good images give a line and two artifacts; broken ones one
	// stderr line each; exit 1; nothing half-written.
	out := t.TempDir()
	args := []string{"predict", "--model", model, "--json", "-o", out}
	for _, g := range []string{"gray.png", "rgb.jpg", "anim.gif"} {
		args = append(args, filepath.Join(images, g))
	}
	for _, b := range brokenImages {
		args = append(args, filepath.Join(images, b))
	}
	r = clitest.Run(t, bin, args...).Want(t, 1)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 3 {
		t.Fatalf("predict printed %d lines, want 3:\n%s", len(lines), r.Stdout)
	}
	for _, l := range lines {
		var p struct {
			Class     int          `json:"class"`
			Probs     []float64    `json:"probs"`
			Locations [][2]float64 `json:"locations"`
			PNG, GIF  string
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatal(err)
		}
		if p.Class < 0 || p.Class > 9 || len(p.Probs) != 10 || len(p.Locations) != 3 {
			t.Fatalf("predict line %s", l)
		}
		for _, f := range []string{p.PNG, p.GIF} {
			if st, err := os.Stat(f); err != nil || st.Size() == 0 {
				t.Fatalf("artifact %s missing or empty", f)
			}
		}
	}
	errLines := clitest.Failures(r.Stderr, "glimpse") // inputs unlike MNIST add a warning
	if len(errLines) != len(brokenImages) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(errLines), len(brokenImages), r.Stderr)
	}
	for i, b := range brokenImages {
		if !strings.Contains(errLines[i], b) {
			t.Errorf("stderr line %q does not name %s", errLines[i], b)
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if len(entries) != 6 {
		t.Errorf("output folder holds %d files, want 6", len(entries))
	}
}

func TestModelErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json      "), 0o644)
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, []byte{1, 2, 3}, 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval", "--model", bad}, 3, "bad.safetensors"},
		{[]string{"eval", "--model", trunc}, 3, "trunc.safetensors"},
		{[]string{"eval", "--model", filepath.Join(dir, "missing.safetensors")}, 3, "missing.safetensors"},
		{[]string{"predict", "--model", bad, filepath.Join(images, "gray.png")}, 3, "bad.safetensors"},
		{[]string{"eval", "--task", "nosuch"}, 2, "nosuch"},
		{[]string{"eval", "--mc", "x"}, 2, "mc"},
		{[]string{"train", "--task", "mnist"}, 2, "-o FILE"},
		{[]string{"train", "--task", "mnist", "--std", "-1", "-o", filepath.Join(dir, "x.safetensors")}, 2, "std"},
		{[]string{"train", "--core", "gru", "-o", filepath.Join(dir, "x.safetensors")}, 2, "core"},
		{[]string{"train", "--resume", "--limit", "10", "--val", "10", "-o", filepath.Join(dir, "none.safetensors")}, 1, "none.state.safetensors"},
		{[]string{"predict", "--invert", "maybe", "--model", bad, "x.png"}, 2, "invert"},
	} {
		r := clitest.Run(t, bin, c.args...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("glimpse %s: exit %d, stderr %q; want exit %d naming %q", strings.Join(c.args, " "), r.Code, r.Stderr, c.code, c.want)
		}
		if n := len(clitest.Lines(r.Stderr)); n == 0 || n > 2 {
			t.Errorf("glimpse %s: %d stderr lines, want one (plus a usage hint)", strings.Join(c.args, " "), n)
		}
	}
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	r := clitest.Run(t, bin, "render", "--task", "cluttered60", "--from", "5", "--count", "2", "-o", dir).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "5\t") {
		t.Fatalf("render printed %q", r.Stdout)
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if st, err := os.Stat(f[2]); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written", f[2])
		}
	}
	clitest.Run(t, bin, "render", "--from", "9999", "--count", "2", "-o", dir).Want(t, 2)
	clitest.Run(t, bin, "render", "--task", "mnist").Want(t, 2)
}

// render --format npz writes a split as one NumPy archive, described in
// its meta, for the PyTorch twin's trainer.
func TestRenderNPZ(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.npz")
	r := clitest.Run(t, bin, "render", "--task", "translated", "--format", "npz", "--split", "train", "--epoch", "2",
		"--from", "10", "--count", "5", "-o", path).Want(t, 0)
	if want := path + "\t5\ttrain\t1\n"; r.Stdout != want {
		t.Fatalf("printed %q, want %q", r.Stdout, want)
	}
	hdr, meta := clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "'<f4'") || !strings.Contains(hdr["images"], "(5, 1, 60, 60)") ||
		!strings.Contains(hdr["labels"], "'<i8'") || !strings.Contains(hdr["labels"], "(5,)") {
		t.Errorf("arrays %v", hdr)
	}
	if meta["task"] != "translated" || meta["split"] != "train" || meta["epoch"] != 2.0 || meta["from"] != 10.0 ||
		meta["canvas"] != 60.0 || meta["format"] != "attnkit.dataset/1" {
		t.Errorf("meta %v", meta)
	}
	// Without --count the archive holds the rest of the split.
	r = clitest.Run(t, bin, "render", "--format", "npz", "--from", "9990", "-o", path).Want(t, 0)
	if !strings.HasPrefix(r.Stdout, path+"\t10\ttest\t20140624") {
		t.Errorf("printed %q", r.Stdout)
	}
	for _, args := range [][]string{
		{"--format", "bmp"}, {"--split", "holdout"}, {"--count", "0"}, {"--split", "train", "--epoch", "0"},
		{"--format", "npz", "--split", "val", "--from", "5000"},
	} {
		clitest.Run(t, bin, append([]string{"render", "-o", path}, args...)...).Want(t, 2)
	}
}
