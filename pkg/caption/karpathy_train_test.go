package caption

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/trainrun"
)

// writeKarpathyFixture renders built-in scenes as a Karpathy-split
// dataset: PNG files and the JSON naming them, 6 train, 2 val, 2 test.
func writeKarpathyFixture(t *testing.T, dir string) string {
	t.Helper()
	ds, err := Open(Source{Kind: "builtin"}, "test", DataOptions{Scenes: 10})
	if err != nil {
		t.Fatal(err)
	}
	type sent struct {
		Tokens []string `json:"tokens"`
	}
	type img struct {
		Filename  string `json:"filename"`
		Split     string `json:"split"`
		Sentences []sent `json:"sentences"`
	}
	var images []img
	for i := 0; i < ds.Len(); i++ {
		s, err := ds.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("s%d.png", i)
		if err := imageio.SavePNG(filepath.Join(dir, name), imageio.FromTensor(tensor.FromData(s.Image, 3, 64, 64))); err != nil {
			t.Fatal(err)
		}
		split := []string{"train", "train", "train", "restval", "train", "train", "val", "val", "test", "test"}[i]
		it := img{Filename: name, Split: split}
		for _, r := range s.Refs {
			it.Sentences = append(it.Sentences, sent{r})
		}
		images = append(images, it)
	}
	b, _ := json.Marshal(map[string]any{"dataset": "scenes", "images": images})
	path := filepath.Join(dir, "dataset.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Users' data train end to end: the vocabulary comes from the training
// split and travels in the model file; images are read and converted.
func TestTrainKarpathy(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	src, err := ParseSource("karpathy:"+writeKarpathyFixture(t, dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.safetensors")
	cfg := sceneConfig(AttnSoft)
	m, err := Train(cfg, src, TrainOptions{Options: trainrun.Options{Epochs: 1, Batch: 3, Out: out}, MinCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.Cfg.Data != "karpathy" || m.Vocab.Len() >= BuiltinVocab().Len() || m.Vocab.Len() < 10 {
		t.Fatalf("data %s, %d words", m.Cfg.Data, m.Vocab.Len())
	}
	saved, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(saved.Vocab.Words) != fmt.Sprint(m.Vocab.Words) {
		t.Fatal("the vocabulary did not survive the model file")
	}
	test, err := Open(src, "test", DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saved.Train(false)
	r, err := saved.Evaluate(test, EvalOptions{})
	if err != nil || r.Scores.N != 2 || r.Scenes != nil {
		t.Fatalf("evaluate: %+v %v", r.Scores, err)
	}
}

// A minimum count no training word reaches is reported as such.
func TestSplitsMinCountTooHigh(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	src, err := ParseSource("karpathy:"+writeKarpathyFixture(t, dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = Splits(src, 64, TrainOptions{MinCount: 1000})
	if err == nil || !strings.Contains(err.Error(), "minimum count") {
		t.Fatalf("got %v, want an error about the minimum count", err)
	}
}
