package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	capmodels "github.com/attnkit/attn/models/caption"
	"github.com/attnkit/attn/pkg/data"
)

// bin is the caption binary, built once for all tests of this package.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild(name)
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func TestCommon(t *testing.T) {
	clitest.CheckCommon(t, bin, name, "EXAMPLES:", "train", "eval", "predict", "attend", "render")
}

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skipf("no MNIST: %v", err)
	}
}

// tinyTrain is a model small and quick enough for the tests.
var tinyTrain = []string{"train", "--widths", "4,4,8,8", "--convs", "1,1,1,1", "--embed", "8", "--hidden", "16",
	"--attn-dim", "8", "--scenes", "32", "--val-scenes", "8", "--batch", "8", "--epochs", "1", "--max-len", "6"}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"train"}, // no -o
		{"train", "--attention", "sometimes", "-o", filepath.Join(dir, "m.safetensors")},
		{"train", "--encoder", "thawed", "-o", filepath.Join(dir, "m.safetensors")},
		{"train", "--data", "coco", "-o", filepath.Join(dir, "m.safetensors")},
		{"train", "--data", "karpathy:x.json", "-o", filepath.Join(dir, "m.safetensors")}, // no --images
		{"eval", "--beam", "0"},
		{"eval", "--model", "embedded:medium"},
		{"predict"},         // no input
		{"attend", "x.png"}, // no -o
		{"render", "--count", "0", "-o", dir},
	} {
		r := clitest.Run(t, bin, args...).Want(t, 2)
		if !strings.HasPrefix(r.Stderr, "caption: ") || r.Stdout != "" {
			t.Errorf("%v: %s", args, r)
		}
	}
}

// TestEmbeddedModels: each embedded name is in this build and scores a
// scene.
func TestEmbeddedModels(t *testing.T) {
	needMNIST(t)
	have := capmodels.Names()
	for _, name := range []string{"soft", "hard", "baseline", "soft-sup", "hard-sup"} {
		if !slices.Contains(have, name) {
			t.Fatalf("embedded:%s is not in this build (it has %v)", name, have)
		}
		r := clitest.Run(t, bin, "eval", "--model", "embedded:"+name, "--limit", "2", "--json").Want(t, 0)
		var s map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil || s["n"] != 2.0 || s["bleu4"] == nil {
			t.Fatalf("embedded:%s: %q: %v", name, r.Stdout, err)
		}
	}
	clitest.Run(t, bin, "eval", "--model", "embedded:other", "--limit", "1").Want(t, 2)
}

// The new user's path: train, render scenes, caption them, draw the
// attention, score the model; a bad file costs one stderr line.
func TestTrainRenderPredictAttendEval(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	r := clitest.Run(t, bin, append(tinyTrain, "-o", model, "--json")...).Want(t, 0)
	var epoch map[string]any
	if err := json.Unmarshal([]byte(clitest.Lines(r.Stdout)[0]), &epoch); err != nil || epoch["val_nll"] == nil {
		t.Fatalf("train line %q: %v", r.Stdout, err)
	}
	scenes := filepath.Join(dir, "scenes")
	r = clitest.Run(t, bin, "render", "--count", "3", "-o", scenes).Want(t, 0)
	if len(clitest.Lines(r.Stdout)) != 3 {
		t.Fatalf("render: %s", r)
	}
	if b, err := os.ReadFile(filepath.Join(scenes, "references.tsv")); err != nil || len(clitest.Lines(string(b))) != 3 {
		t.Fatalf("references.tsv: %v", err)
	}
	bad := filepath.Join(scenes, "broken.png")
	os.WriteFile(bad, []byte("not a picture"), 0o644)
	r = clitest.Run(t, bin, "predict", "--model", model, scenes).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 3 || len(clitest.Lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "broken.png") {
		t.Fatalf("predict: %s", r)
	}
	os.Remove(bad)
	r = clitest.Run(t, bin, "predict", "--model", model, "--json", "--beam", "1", filepath.Join(scenes, "scene_00000.png")).Want(t, 0)
	var p struct {
		Tokens    []string      `json:"tokens"`
		Attention [][][]float32 `json:"attention"`
		LogProb   float64       `json:"log_prob"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &p); err != nil || len(p.Attention) != len(p.Tokens) || p.LogProb >= 0 {
		t.Fatalf("predict --json %q: %v", r.Stdout, err)
	}
	for _, g := range p.Attention {
		if len(g) != 8 || len(g[0]) != 8 {
			t.Fatalf("attention grid %d×%d, want 8×8", len(g), len(g[0]))
		}
	}
	out := filepath.Join(dir, "out")
	clitest.Run(t, bin, "attend", "--model", model, "-o", out, filepath.Join(scenes, "scene_00001.png")).Want(t, 0)
	for _, f := range []string{"scene_00001_attention.png", "scene_00001_attention.gif"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	// An output that would replace another input of the batch is refused
	// for that input alone; the rest is drawn.
	drawn := filepath.Join(out, "scene_00001_attention.png")
	before, _ := os.ReadFile(drawn)
	r = clitest.Run(t, bin, "attend", "--model", model, "-o", out, filepath.Join(scenes, "scene_00001.png"), drawn).Want(t, 1)
	if len(clitest.Lines(r.Stdout)) != 1 || !strings.Contains(r.Stderr, "would overwrite the input") {
		t.Fatalf("attend over its own input: %s", r)
	}
	if after, _ := os.ReadFile(drawn); string(after) != string(before) {
		t.Fatal("attend overwrote one of its inputs")
	}
	r = clitest.Run(t, bin, "eval", "--model", model, "--limit", "6", "--json").Want(t, 0)
	var s map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
		t.Fatal(err)
	}
	for _, k := range strings.Fields("bleu1 bleu2 bleu3 bleu4 cider object_f1 relation_acc attn_correctness attn_correctness_uniform n") {
		if _, ok := s[k]; !ok {
			t.Errorf("eval --json has no %q: %s", k, r.Stdout)
		}
	}
	if _, ok := s["nll_per_word"]; ok {
		t.Errorf("eval without --nll printed nll_per_word: %s", r.Stdout)
	}
	// --nll adds the teacher-forced NLL per word, the same at any thread
	// count.
	var nll [2]any
	for i, threads := range []string{"1", "2"} {
		r = clitest.Run(t, bin, "eval", "--model", model, "--limit", "6", "--batch", "4", "--beam", "1", "--nll", "--threads", threads, "--json").Want(t, 0)
		s = nil
		if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
			t.Fatal(err)
		}
		if v, ok := s["nll_per_word"].(float64); !ok || !(v > 0) {
			t.Fatalf("eval --nll: %s", r.Stdout)
		}
		nll[i] = s["nll_per_word"]
	}
	if nll[0] != nll[1] {
		t.Errorf("eval --nll: %v at 1 thread, %v at 2", nll[0], nll[1])
	}
}

// A Karpathy file whose test split is empty is a data error, not a line
// of zero scores.
func TestEvalEmptySplit(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	clitest.Run(t, bin, append(tinyTrain, "-o", model)...).Want(t, 0)
	scenes := filepath.Join(dir, "scenes")
	clitest.Run(t, bin, "render", "--count", "1", "-o", scenes).Want(t, 0)
	js := filepath.Join(dir, "d.json")
	os.WriteFile(js, []byte(`{"images":[{"filename":"scene_00000.png","split":"train","sentences":[{"tokens":["a","3"]}]}]}`), 0o644)
	r := clitest.Run(t, bin, "eval", "--model", model, "--data", "karpathy:"+js, "--images", scenes).Want(t, 3)
	if r.Stdout != "" || !strings.Contains(r.Stderr, "test split has no images") {
		t.Fatalf("eval of an empty split: %s", r)
	}
}
