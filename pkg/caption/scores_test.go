package caption

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

func TestEvaluateReferencesAsCandidates(t *testing.T) {
	cfg := data.SceneConfig{Digits: blockDigits(30, 9)}
	rng := rand.New(rand.NewPCG(3, 4))
	var scenes []data.Scene
	var cands [][]string
	var refs [][][]string
	for range 20 {
		sc, err := data.GenerateScene(rng, cfg)
		if err != nil {
			t.Fatal(err)
		}
		scenes = append(scenes, sc)
		cands = append(cands, sc.Captions[0])
		refs = append(refs, sc.Captions)
	}
	// Attention on the box of the named object: a map over a grid as fine
	// as the image, all its mass on the box's first pixel; elsewhere on
	// pixel (0, 0).
	const grid = 64
	sharp := &Attention{GridH: grid, GridW: grid}
	flat := &Attention{GridH: grid, GridW: grid}
	for _, sc := range scenes {
		var m, f [][]float32
		for _, obj := range sc.WordObjects[0] {
			a := make([]float32, grid*grid)
			if obj >= 0 {
				b := sc.Objects[obj].Box
				a[b.Y0*grid+b.X0] = 1
			} else {
				a[0] = 1
			}
			m = append(m, a)
			f = append(f, uniformMap(grid*grid))
		}
		sharp.Maps = append(sharp.Maps, m)
		flat.Maps = append(flat.Maps, f)
	}
	s, err := Evaluate(cands, refs, scenes, sharp)
	if err != nil {
		t.Fatal(err)
	}
	if s.BLEU1 != 1 || s.BLEU4 != 1 || s.ObjectF1 != 1 || s.RelationAcc != 1 || s.AttnCorrectness != 1 || s.N != 20 {
		t.Fatalf("%+v", s)
	}
	if !(s.CIDEr > 1) || !(s.AttnCorrectnessUniform > 0 && s.AttnCorrectnessUniform < 0.3) {
		t.Fatalf("CIDEr %v, uniform %v", s.CIDEr, s.AttnCorrectnessUniform)
	}
	u, err := Evaluate(cands, refs, scenes, flat)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(u.AttnCorrectness-s.AttnCorrectnessUniform) > 1e-5 || u.AttnCorrectnessUniform != s.AttnCorrectnessUniform {
		t.Fatalf("uniform maps score %v, area share %v", u.AttnCorrectness, s.AttnCorrectnessUniform)
	}

	// Without scenes only the n-gram metrics are measured.
	n, err := Evaluate(cands, refs, nil, nil)
	if err != nil || n.BLEU4 != s.BLEU4 || n.CIDEr != s.CIDEr || !math.IsNaN(n.ObjectF1) || !math.IsNaN(n.AttnCorrectness) {
		t.Fatalf("%+v, %v", n, err)
	}

	for name, call := range map[string]func() error{
		"attention without scenes": func() error { _, err := Evaluate(cands, refs, nil, sharp); return err },
		"too few scenes":           func() error { _, err := Evaluate(cands, refs, scenes[1:], nil); return err },
		"too few refs":             func() error { _, err := Evaluate(cands, refs[1:], nil, nil); return err },
		"too few maps": func() error {
			_, err := Evaluate(cands, refs, scenes, &Attention{Maps: sharp.Maps[1:], GridH: grid, GridW: grid})
			return err
		},
		"wrong grid": func() error {
			_, err := Evaluate(cands, refs, scenes, &Attention{Maps: sharp.Maps, GridH: 8, GridW: 8})
			return err
		},
	} {
		if call() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestScoresJSON(t *testing.T) {
	s := Scores{BLEU1: 0.7, BLEU2: 0.5, BLEU3: 0.3, BLEU4: 0.2, CIDEr: 1.5, ObjectF1: 0.9, RelationAcc: math.NaN(),
		AttnCorrectness: math.NaN(), AttnCorrectnessUniform: math.NaN(), N: 12}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"attn_correctness", "attn_correctness_uniform", "bleu1", "bleu2", "bleu3", "bleu4", "cider", "n", "object_f1", "relation_acc", "relations"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v", keys)
	}
	if m["relation_acc"] != nil || m["bleu4"] != 0.2 || m["n"] != 12.0 {
		t.Fatalf("JSON %s", b)
	}
	var back Scores
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.BLEU4 != 0.2 || back.N != 12 || !math.IsNaN(back.RelationAcc) || back.ObjectF1 != 0.9 {
		t.Fatalf("round trip %+v", back)
	}
}
