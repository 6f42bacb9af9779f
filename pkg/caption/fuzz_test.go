package caption

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// The fuzz target of this package. Its seed corpus lives in
// testdata/fuzz/FuzzReadKarpathy/ (made by testdata/fuzzseeds/gen.go) and
// runs as an ordinary test under go test; bench/fuzz.sh runs the fuzzer.

// FuzzReadKarpathy feeds arbitrary bytes as a Karpathy-split JSON file,
// next to an image folder holding a.jpg, b.jpg, val2014/c.jpg and a
// folder named d.jpg. An accepted file yields one item per image entry,
// each naming an existing regular file inside the image folder with at
// least one caption of non-empty tokens, "restval" after "train", and a
// vocabulary holding every training word; a refusal is one line naming
// the file.
func FuzzReadKarpathy(f *testing.F) {
	f.Fuzz(func(t *testing.T, text []byte) {
		dir := t.TempDir()
		images := filepath.Join(dir, "images")
		for _, p := range []string{"a.jpg", "b.jpg", "val2014/c.jpg"} {
			os.MkdirAll(filepath.Dir(filepath.Join(images, p)), 0o755)
			os.WriteFile(filepath.Join(images, p), []byte("x"), 0o644)
		}
		os.MkdirAll(filepath.Join(images, "d.jpg"), 0o755)
		path := filepath.Join(dir, "captions.json")
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := ReadKarpathy(path, images)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "captions "+path) || strings.ContainsRune(msg, '\n') {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		// The reference: the same JSON, decoded loosely.
		var ref struct {
			Images []struct {
				Split string `json:"split"`
			} `json:"images"`
		}
		if err := json.Unmarshal(text, &ref); err != nil {
			t.Fatalf("accepted, but does not decode: %v", err)
		}
		var want [4]int // train, restval, val, test
		for _, im := range ref.Images {
			want[slices.Index([]string{"train", "restval", "val", "test"}, im.Split)]++
		}
		if len(d.Train) != want[0]+want[1] || len(d.Val) != want[2] || len(d.Test) != want[3] {
			t.Fatalf("splits %d/%d/%d, want %d+%d/%d/%d", len(d.Train), len(d.Val), len(d.Test), want[0], want[1], want[2], want[3])
		}
		for i, it := range d.Train {
			if wantSplit := map[bool]string{true: "train", false: "restval"}[i < want[0]]; it.Split != wantSplit {
				t.Fatalf("train item %d has split %q, want %q", i, it.Split, wantSplit)
			}
		}
		for _, split := range []string{"train", "val", "test"} {
			items, err := d.Split(split)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				rel, err := filepath.Rel(images, it.Image)
				if err != nil || !filepath.IsLocal(rel) {
					t.Fatalf("image %q is outside the image folder %q", it.Image, images)
				}
				if st, err := os.Stat(it.Image); err != nil || !st.Mode().IsRegular() {
					t.Fatalf("image %q is not a file: %v", it.Image, err)
				}
				if len(it.Refs) == 0 {
					t.Fatalf("image %q without captions", it.Image)
				}
				for _, ref := range it.Refs {
					if len(ref) == 0 || slices.Contains(ref, "") {
						t.Fatalf("image %q: caption %q has an empty token", it.Image, ref)
					}
				}
			}
		}
		v := d.Vocab(1)
		if len(v.Words) < 4 || v.Words[0] != data.PadToken || v.Words[3] != data.UnkToken {
			t.Fatalf("vocabulary starts %q", v.Words[:min(4, len(v.Words))])
		}
		seen := map[string]bool{}
		for _, w := range v.Words {
			if seen[w] {
				t.Fatalf("word %q twice in the vocabulary", w)
			}
			seen[w] = true
		}
		for _, it := range d.Train {
			for _, ref := range it.Refs {
				for _, w := range ref {
					if !seen[w] {
						t.Fatalf("training word %q not in the vocabulary", w)
					}
				}
			}
		}
	})
}
