package caption

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// bleuFixtures is testdata/caption/bleu_fixtures.json, written by
// bench/caption_fixtures/bleu_fixtures.py with NLTK's corpus_bleu.
type bleuFixtures struct {
	NLTKVersion string `json:"nltk_version"`
	Fixtures    []struct {
		Name       string       `json:"name"`
		Candidates [][]string   `json:"candidates"`
		References [][][]string `json:"references"`
		BLEU       [4]float64   `json:"bleu"`
	} `json:"fixtures"`
}

func TestBLEUMatchesNLTK(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "caption", "bleu_fixtures.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fx bleuFixtures
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(fx.Fixtures) < 12 {
		t.Fatalf("%s: %d fixtures", path, len(fx.Fixtures))
	}
	worst := 0.0
	for _, f := range fx.Fixtures {
		got, err := BLEU(f.Candidates, f.References)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for n := range got {
			d := math.Abs(got[n] - f.BLEU[n])
			worst = max(worst, d)
			if d > 1e-6 {
				t.Errorf("%s: BLEU-%d = %.9f, NLTK %.9f", f.Name, n+1, got[n], f.BLEU[n])
			}
			// NLTK's stand-in for a zero precision gives < 1e-76; ours is 0.
			if f.BLEU[n] < 1e-70 && got[n] != 0 {
				t.Errorf("%s: BLEU-%d = %g, want 0", f.Name, n+1, got[n])
			}
		}
	}
	t.Logf("%d fixtures, NLTK %s, max |diff| %.3g", len(fx.Fixtures), fx.NLTKVersion, worst)
}

func TestBLEUErrors(t *testing.T) {
	if _, err := BLEU([][]string{{"a"}}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := BLEU([][]string{{"a"}}, [][][]string{{}}); err == nil {
		t.Error("image without references accepted")
	}
	if s, err := BLEU(nil, nil); err != nil || s != [4]float64{} {
		t.Errorf("empty corpus: %v, %v", s, err)
	}
}
