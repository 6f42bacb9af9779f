package main

import (
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	nlmodels "github.com/attnkit/attn/models/nonlocal"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
)

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
}

// Usage errors exit 2 with one line saying what is wrong, before any work.
func TestModelUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train"}, "missing -o"},
		{[]string{"train", "--blocks", "2", "-o", filepath.Join(dir, "m")}, "0, 1 or 5"},
		{[]string{"train", "--pairwise", "cosine", "-o", filepath.Join(dir, "m")}, "pairwise"},
		{[]string{"train", "--extent", "time", "-o", filepath.Join(dir, "m")}, "subsample"},
		{[]string{"train", "--mode", "2d", "--task", "sum", "-o", filepath.Join(dir, "m")}, "3d task"},
		{[]string{"train", "--mode", "2d", "--inflate", "-o", filepath.Join(dir, "m")}, "for clips"},
		{[]string{"train", "--epochs", "0", "-o", filepath.Join(dir, "m")}, "--epochs"},
		{[]string{"eval", "--split", "train"}, "--split"},
		{[]string{"eval", "--model", "embedded:big"}, "embedded:nl"},
		{[]string{"attend", "x.gif"}, "missing -o"},
		{[]string{"attend", "--at", "1", "-o", dir, "x.gif"}, "x,y"},
		{[]string{"ablate", "--blocks", "5"}, "reference has one block"},
		{[]string{"ablate", "--only", "nothing"}, "no variant"},
		{[]string{"render"}, "missing -o"},
		{[]string{"render", "--task", "nope", "-o", dir}, "unknown task"},
	}
	for _, tc := range cases {
		r := clitest.Run(t, bin, tc.args...).Want(t, 2)
		if r.Stdout != "" || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%v: want %q on stderr, got %s", tc.args, tc.want, r)
		}
	}
}

// TestEmbeddedModels: each embedded name scores clips when this build has
// that model, and says how to train one (exit 3) when it has not.
func TestEmbeddedModels(t *testing.T) {
	have := nlmodels.Names()
	for _, name := range []string{"c2d", "nl", "cnn", "nl2d"} {
		if !slices.Contains(have, name) {
			r := clitest.Run(t, bin, "eval", "--model", "embedded:"+name).Want(t, 3)
			if !strings.Contains(r.Stderr, "no embedded model embedded:"+name) || !strings.Contains(r.Stderr, "nonlocal train") {
				t.Errorf("%s: %s", name, r)
			}
			continue
		}
		needMNIST(t)
		r := clitest.Run(t, bin, "eval", "--model", "embedded:"+name, "--limit", "20", "--json").Want(t, 0)
		var s map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil || s["n"] != 20.0 || s["gflops_per_clip"] == nil {
			t.Errorf("embedded:%s: %q: %v", name, r.Stdout, err)
		}
	}
}

// A tiny train → eval → predict → attend flow on the built-in tasks,
// with a bad input among good ones.
func TestTrainEvalPredictAttend(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "nl.safetensors")
	tiny := []string{"--epochs", "1", "--limit", "32", "--val-limit", "16", "--batch", "8", "--widths", "4,4,8,8,8", "-q"}
	clitest.Run(t, bin, append([]string{"train", "--blocks", "1", "-o", model}, tiny...)...).Want(t, 0)

	r := clitest.Run(t, bin, "eval", "--model", model, "--limit", "20", "--json").Want(t, 0)
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &ev); err != nil {
		t.Fatalf("eval --json: %v: %s", err, r)
	}
	for _, k := range []string{"error_pct", "n", "gflops_per_clip"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("eval --json lacks %q: %s", k, r.Stdout)
		}
	}
	if ev["n"].(float64) != 20 || ev["gflops_per_clip"].(float64) <= 0 {
		t.Errorf("eval: %s", r.Stdout)
	}

	clips := filepath.Join(dir, "clips")
	r = clitest.Run(t, bin, "render", "--count", "2", "-o", clips).Want(t, 0)
	if len(clitest.Lines(r.Stdout)) != 2 {
		t.Fatalf("render: %s", r)
	}
	// A folder of frames is a clip too.
	frames := filepath.Join(dir, "frames")
	os.Mkdir(frames, 0o755)
	for i, n := range []string{"a.png", "b.png", "c.png"} {
		img := image.NewGray(image.Rect(0, 0, 40, 30))
		img.Pix[i*7] = 255
		if err := imageio.SavePNG(filepath.Join(frames, n), img); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(dir, "bad.gif")
	os.WriteFile(bad, []byte("GIF89a"), 0o644)
	gif0 := filepath.Join(clips, "sum-0000.gif")
	r = clitest.Run(t, bin, "predict", "--model", model, gif0, bad, frames).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 2 || len(clitest.Failures(r.Stderr, name)) != 1 || !strings.Contains(r.Stderr, "bad.gif") {
		t.Fatalf("predict with a bad input: %s", r)
	}

	out := filepath.Join(dir, "out")
	r = clitest.Run(t, bin, "attend", "--model", model, "--at", "10,12,5", "-o", out, gif0, bad).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 1 || len(clitest.Lines(r.Stderr)) != 1 {
		t.Fatalf("attend: %s", r)
	}
	for _, f := range []string{"sum-0000_arrows.png", "sum-0000_arrows.gif"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("attend wrote no %s: %v", f, err)
		}
	}
	// --init needs a readable model of the same trunk (exit 3).
	r = clitest.Run(t, bin, append([]string{"train", "--init", filepath.Join(dir, "none.safetensors"), "-o", filepath.Join(dir, "x.safetensors")}, tiny...)...).Want(t, 3)
	if !strings.Contains(r.Stderr, "--init") {
		t.Errorf("--init of a missing file: %s", r)
	}
	clitest.Run(t, bin, append([]string{"train", "--blocks", "0", "--init", model, "-o", filepath.Join(dir, "c2d.safetensors")}, tiny...)...).Want(t, 0)

	// A query outside the clip is that input's failure.
	clitest.Run(t, bin, "attend", "--model", model, "--at", "10,12,99", "-o", out, gif0).Want(t, 1)
}

// A baseline has no block to draw.
func TestAttendNeedsBlock(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "c2d.safetensors")
	clitest.Run(t, bin, "train", "--blocks", "0", "--epochs", "1", "--limit", "16", "--val-limit", "8", "--batch", "8", "--widths", "4,4,8,8,8", "-q", "-o", model).Want(t, 0)
	r := clitest.Run(t, bin, "attend", "--model", model, "-o", dir, model).Want(t, 3)
	if !strings.Contains(r.Stderr, "no non-local block") {
		t.Fatalf("attend on C2D: %s", r)
	}
}

// A smoke ablation of two variants prints two rows and the Markdown table.
func TestAblateSmoke(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	md := filepath.Join(dir, "t.md")
	r := clitest.Run(t, bin, "ablate", "--only", "baseline,embedded", "--epochs", "1", "--limit", "16", "--val-limit", "8",
		"--test-limit", "8", "--batch", "8", "--widths", "4,4,8,8,8", "--markdown", md, "--json", "-q").Want(t, 0)
	if len(clitest.Lines(r.Stdout)) != 2 {
		t.Fatalf("ablate: %s", r)
	}
	b, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(b), "(a) pairwise function") || !strings.Contains(string(b), "| C2D |") {
		t.Fatalf("markdown: %v\n%s", err, b)
	}
}

// TestPredictFolderOfGIFs: a folder of GIFs, as render writes it, is one
// clip per GIF, not one clip whose frames are the GIFs.
func TestPredictFolderOfGIFs(t *testing.T) {
	needMNIST(t)
	if !slices.Contains(nlmodels.Names(), "nl") {
		t.Skip("no embedded nl model")
	}
	dir := filepath.Join(t.TempDir(), "clips")
	clitest.Run(t, bin, "render", "--count", "2", "-o", dir).Want(t, 0)
	r := clitest.Run(t, bin, "predict", dir).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 2 || !strings.HasSuffix(strings.Fields(lines[0])[0], ".gif") {
		t.Fatalf("predict %s: %s", dir, r)
	}
}

// render --format npz writes a split as one NumPy archive, described in
// its meta, for the PyTorch twin's trainer: clips [N, 1, T, S, S], images
// [N, 1, S, S]; a bad flag is a usage error before any work.
func TestRenderNPZ(t *testing.T) {
	needMNIST(t)
	path := filepath.Join(t.TempDir(), "x.npz")
	r := clitest.Run(t, bin, "render", "--format", "npz", "--split", "train", "--epoch", "2", "--seed", "5",
		"--limit", "40", "--count", "3", "-o", path).Want(t, 0)
	if r.Stdout != path+"\t3\ttrain\t5\n" {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta := clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "(3, 1, 8, 32, 32)") || !strings.Contains(hdr["labels"], "(3,)") ||
		meta["tool"] != "nonlocal" || meta["task"] != "sum" || meta["mode"] != "3d" || meta["split"] != "train" ||
		meta["epoch"] != 2.0 || meta["seed"] != 5.0 || meta["limit"] != 40.0 || meta["frames"] != 8.0 || meta["count"] != 3.0 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	// Without --count: the rest of the split.
	r = clitest.Run(t, bin, "render", "--format", "npz", "--task", "cluttered60", "--limit", "5", "--from", "1", "-o", path).Want(t, 0)
	if !strings.HasPrefix(r.Stdout, path+"\t4\ttest\t") {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta = clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "(4, 1, 60, 60)") || meta["mode"] != "2d" || meta["side"] != 60.0 || meta["classes"] != 10.0 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	for _, args := range [][]string{
		{"--format", "bmp"}, {"--split", "holdout"}, {"--epoch", "0"}, {"--limit", "-1"},
		{"--format", "npz", "--limit", "5", "--from", "5"}, {"--format", "npz", "extra"},
	} {
		r := clitest.Run(t, bin, append([]string{"render", "-o", path}, args...)...).Want(t, 2)
		if r.Stdout != "" {
			t.Errorf("%v: printed %q", args, r.Stdout)
		}
	}
}

// TestDefaultModelForStills: without --model a still picture goes to the
// image model (embedded:nl2d) and a GIF to the clip model: a photograph
// is not scored as a still clip.
func TestDefaultModelForStills(t *testing.T) {
	have := nlmodels.Names()
	if !slices.Contains(have, "nl2d") || !slices.Contains(have, "nl") {
		t.Skip("this build lacks embedded:nl2d or embedded:nl")
	}
	needMNIST(t)
	dir := t.TempDir()
	clitest.Run(t, bin, "render", "--task", "cluttered60", "--count", "1", "-q", "-o", dir).Want(t, 0)
	img := filepath.Join(dir, "cluttered60-0000.png")
	def := clitest.Run(t, bin, "predict", "--json", img).Want(t, 0)
	nl2d := clitest.Run(t, bin, "predict", "--json", "--model", "embedded:nl2d", img).Want(t, 0)
	clip := clitest.Run(t, bin, "predict", "--json", "--model", "embedded:nl", img).Want(t, 0)
	if def.Stdout != nl2d.Stdout || def.Stdout == clip.Stdout {
		t.Errorf("a PNG without --model:\n%s\nwant embedded:nl2d's\n%s\nnot embedded:nl's\n%s", def.Stdout, nl2d.Stdout, clip.Stdout)
	}
}
