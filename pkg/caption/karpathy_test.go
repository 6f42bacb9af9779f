package caption

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// writePNG writes a 2×2 image to path.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// karpathyFixture makes imageDir/{a.png, sub/b.png, c.png} and returns
// the folder.
func karpathyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.png", "sub/b.png", "c.png"} {
		writePNG(t, filepath.Join(dir, name))
	}
	return dir
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const karpathyJSON = `{"dataset": "tiny", "images": [
 {"filename": "a.png", "split": "train", "imgid": 0, "sentences": [
   {"tokens": ["a", "red", "dog"], "raw": "A red dog.", "sentid": 0},
   {"tokens": ["a", "dog"], "raw": "A dog", "sentid": 1}]},
 {"filepath": "sub", "filename": "b.png", "split": "test", "sentences": [
   {"tokens": ["two", "cats"], "raw": "Two cats"}]},
 {"filename": "c.png", "split": "restval", "sentences": [
   {"tokens": ["a", "cat", "and", "a", "dog"], "raw": "A cat and a dog."}]}]}`

func TestReadKarpathy(t *testing.T) {
	dir := karpathyFixture(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "dataset_tiny.json"), karpathyJSON)
	d, err := ReadKarpathy(path, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &KarpathyData{
		Dataset: "tiny",
		Train: []KarpathyItem{
			{Image: filepath.Join(dir, "a.png"), Split: "train", Refs: [][]string{{"a", "red", "dog"}, {"a", "dog"}}},
			{Image: filepath.Join(dir, "c.png"), Split: "restval", Refs: [][]string{{"a", "cat", "and", "a", "dog"}}},
		},
		Test: []KarpathyItem{{Image: filepath.Join(dir, "sub", "b.png"), Split: "test", Refs: [][]string{{"two", "cats"}}}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("read %+v\nwant %+v", d, want)
	}
	if items, err := d.Split("test"); err != nil || len(items) != 1 {
		t.Fatalf("Split(test): %v, %v", items, err)
	}
	if _, err := d.Split("restval"); err == nil {
		t.Fatal("Split(restval) accepted")
	}

	// Training words only: "a" ×4, "dog" ×3, then "and", "cat", "red" once
	// each (byte order); "two" and "cats" are test words.
	v := d.Vocab(1)
	if !slices.Equal(v.Words, []string{"<pad>", "<start>", "<end>", "<unk>", "a", "dog", "and", "cat", "red"}) {
		t.Fatalf("vocab %v", v.Words)
	}
	if v2 := d.Vocab(2); !slices.Equal(v2.Words[4:], []string{"a", "dog"}) {
		t.Fatalf("min count 2: %v", v2.Words)
	}
	if v0 := d.Vocab(0); !slices.Equal(v0.Words, v.Words) {
		t.Fatalf("min count 0: %v", v0.Words)
	}
}

func TestReadKarpathyErrors(t *testing.T) {
	dir := karpathyFixture(t)
	tmp := t.TempDir()
	entry := func(filename, split, sentences string) string {
		return `{"images": [{"filename": "a.png", "split": "train", "sentences": [{"tokens": ["x"]}]}, {"filename": "` +
			filename + `", "split": "` + split + `", "sentences": ` + sentences + `}]}`
	}
	tests := []struct {
		name, json string
		want       []string // substrings of the error
	}{
		{"bad JSON", `{"images": [`, []string{"bad JSON.json", "unexpected end"}},
		{"not the format", `{"annotations": []}`, []string{"no images"}},
		{"image missing", entry("nope.png", "val", `[{"tokens": ["x"]}]`), []string{"images[1]", `"nope.png"`, "no such file"}},
		{"image is a folder", entry("sub", "val", `[{"tokens": ["x"]}]`), []string{"images[1]", "not a file"}},
		{"empty tokens", entry("c.png", "val", `[{"tokens": ["x"]}, {"tokens": [], "raw": ""}]`), []string{"images[1]", `"c.png"`, "sentences[1]: no tokens"}},
		{"empty token", entry("c.png", "val", `[{"tokens": ["x", ""]}]`), []string{"sentences[0]: token 1 is empty"}},
		{"no sentences", entry("c.png", "val", `[]`), []string{"images[1]", "no sentences"}},
		{"unknown split", entry("c.png", "dev", `[{"tokens": ["x"]}]`), []string{"images[1]", `split "dev"`}},
		{"no filename", entry("", "val", `[{"tokens": ["x"]}]`), []string{"images[1]", "no filename"}},
	}
	for _, tc := range tests {
		path := writeFile(t, filepath.Join(tmp, tc.name+".json"), tc.json)
		_, err := ReadKarpathy(path, dir)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range append(tc.want, path) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
	_, err := ReadKarpathy(filepath.Join(tmp, "absent.json"), dir)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestVocabJSON(t *testing.T) {
	v := data.BuildVocab([][]string{data.SceneWords()}, 1)
	b, err := MarshalVocab(v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"words":["<pad>","<start>","<end>","<unk>",`) {
		t.Fatalf("JSON %s", b)
	}
	w, err := UnmarshalVocab(b)
	if err != nil || !reflect.DeepEqual(w, v) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{`{"words": ["a"]}`, `{"words": ["<pad>", "<start>", "<end>", "<unk>", "a", "a"]}`, `[1, 2]`, ``} {
		if _, err := UnmarshalVocab([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := MarshalVocab(nil); err == nil {
		t.Error("nil vocabulary accepted")
	}
}
