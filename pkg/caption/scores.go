package caption

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/data"
)

// Scores are the corpus-level figures of a captioning evaluation. A figure
// that was not measured (content metrics without scenes, attention without
// maps, relation accuracy when no relation was stated) is NaN, and null in
// JSON.
type Scores struct {
	BLEU1, BLEU2, BLEU3, BLEU4 float64 // BLEU, 0–1 scale
	CIDEr                      float64 // CIDEr-D, COCO's ×10 scale
	ObjectF1                   float64 // ContentTally.ObjectF1
	RelationAcc                float64 // ContentTally.RelationAcc
	Relations                  int     // stated relations RelationAcc is over
	AttnCorrectness            float64 // AttentionTally.Mean
	AttnCorrectnessUniform     float64 // the same for uniform maps
	N                          int     // images evaluated
}

// scoresJSON fixes the JSON keys; nil pointers are the unmeasured figures.
type scoresJSON struct {
	BLEU1                  *float64 `json:"bleu1"`
	BLEU2                  *float64 `json:"bleu2"`
	BLEU3                  *float64 `json:"bleu3"`
	BLEU4                  *float64 `json:"bleu4"`
	CIDEr                  *float64 `json:"cider"`
	ObjectF1               *float64 `json:"object_f1"`
	RelationAcc            *float64 `json:"relation_acc"`
	Relations              int      `json:"relations"`
	AttnCorrectness        *float64 `json:"attn_correctness"`
	AttnCorrectnessUniform *float64 `json:"attn_correctness_uniform"`
	N                      int      `json:"n"`
}

// MarshalJSON writes the keys bleu1 bleu2 bleu3 bleu4 cider object_f1
// relation_acc relations attn_correctness attn_correctness_uniform n, with
// null for NaN (JSON has no NaN).
func (s Scores) MarshalJSON() ([]byte, error) {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(scoresJSON{
		BLEU1: num(s.BLEU1), BLEU2: num(s.BLEU2), BLEU3: num(s.BLEU3), BLEU4: num(s.BLEU4),
		CIDEr: num(s.CIDEr), ObjectF1: num(s.ObjectF1), RelationAcc: num(s.RelationAcc), Relations: s.Relations,
		AttnCorrectness: num(s.AttnCorrectness), AttnCorrectnessUniform: num(s.AttnCorrectnessUniform), N: s.N,
	})
}

// UnmarshalJSON reads MarshalJSON's form back, null (or a missing key) as
// NaN.
func (s *Scores) UnmarshalJSON(b []byte) error {
	var j scoresJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	num := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	*s = Scores{
		BLEU1: num(j.BLEU1), BLEU2: num(j.BLEU2), BLEU3: num(j.BLEU3), BLEU4: num(j.BLEU4),
		CIDEr: num(j.CIDEr), ObjectF1: num(j.ObjectF1), RelationAcc: num(j.RelationAcc), Relations: j.Relations,
		AttnCorrectness: num(j.AttnCorrectness), AttnCorrectnessUniform: num(j.AttnCorrectnessUniform), N: j.N,
	}
	return nil
}

// Attention holds the attention maps of generated captions for Evaluate.
type Attention struct {
	// Maps[i][t] is the GridH×GridW map (row-major) the model attended with
	// when it emitted token t of caption i; one map per token, none for
	// <end>.
	Maps         [][][]float32
	GridH, GridW int
}

// Evaluate scores generated captions: cands[i] for image i, with refs[i]
// its references. BLEU-1..4 and CIDEr-D are always computed. With scenes
// (scenes[i] the generated scene image i shows), the content metrics are
// too, micro-averaged over the corpus (see SceneContent); with att as well,
// attention correctness, averaged over every word that names an object
// (see AttentionCorrectness). Pass nil for what is not available.
func Evaluate(cands [][]string, refs [][][]string, scenes []data.Scene, att *Attention) (Scores, error) {
	nan := math.NaN()
	s := Scores{ObjectF1: nan, RelationAcc: nan, AttnCorrectness: nan, AttnCorrectnessUniform: nan, N: len(cands)}
	b, err := BLEU(cands, refs)
	if err != nil {
		return s, fmt.Errorf("evaluate: %w", err)
	}
	s.BLEU1, s.BLEU2, s.BLEU3, s.BLEU4 = b[0], b[1], b[2], b[3]
	if s.CIDEr, _, err = CIDErD(cands, refs); err != nil {
		return s, fmt.Errorf("evaluate: %w", err)
	}
	if scenes == nil {
		if att != nil {
			return s, fmt.Errorf("evaluate: attention correctness needs the scenes' boxes")
		}
		return s, nil
	}
	if len(scenes) != len(cands) {
		return s, fmt.Errorf("evaluate: %d scenes for %d captions", len(scenes), len(cands))
	}
	if att != nil && len(att.Maps) != len(cands) {
		return s, fmt.Errorf("evaluate: attention maps for %d captions, want %d", len(att.Maps), len(cands))
	}
	var content ContentTally
	var attn AttentionTally
	for i := range scenes {
		sc := &scenes[i]
		t, _, _ := SceneContent(cands[i], sc.Objects, sc.Size)
		content.Add(t)
		if att != nil {
			a, err := AttentionCorrectness(att.Maps[i], att.GridH, att.GridW, sc.Size, sc.Size, cands[i], sc.Objects)
			if err != nil {
				return s, fmt.Errorf("evaluate: caption %d: %w", i, err)
			}
			attn.Add(a)
		}
	}
	s.ObjectF1, s.RelationAcc, s.Relations = content.ObjectF1(), content.RelationAcc(), content.Relations
	if att != nil {
		s.AttnCorrectness, s.AttnCorrectnessUniform = attn.Mean()
	}
	return s, nil
}
