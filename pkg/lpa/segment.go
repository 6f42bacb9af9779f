package lpa

import (
	"fmt"
	"math"
	"slices"

	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
)

// Default binarisation thresholds of a min-max normalised map, one per
// kind of map, each chosen on the validation split of the built-in task
// (1,000 images, thresholds 0.15 to 0.95 and Otsu's, with the embedded
// models; go run ./bench/lpa_segsweep, table in docs/experiments.md): each
// method is scored at its own best rule, not at one that happens to suit
// one of them.
// Level-2 scores peak at 0.30 (mean IoU 0.474; 0.399 at 0.5), the level-2
// attention weights at 0.15 (0.313), the baseline's CAM at 0.85 (0.431;
// 0.179 at 0.5): a CAM's peak is narrow and its tails are wide.
const (
	ScoreThreshold     = 0.30
	AttentionThreshold = 0.15
	CAMThreshold       = 0.85
)

// Binarise turns a map (attention or CAM, [h, w] on any grid) into a mask
// of an H×W image by the rule used for every segmentation figure:
//
//  1. upsample bilinearly to H×W (align_corners=false, as viz.Heatmap
//     draws it);
//  2. normalise min-max to [0, 1];
//  3. keep the pixels ≥ threshold (SegMap.ThresholdFor gives the default
//     of each kind of map).
//
// A constant map gives an empty mask: it points nowhere.
func Binarise(m *tensor.Tensor, H, W int, threshold float32) ([]bool, error) {
	// Two passes over the upsampled rows (the range, then the cut) instead
	// of one over a stored copy: at a photo's size the copy would be 4
	// bytes a pixel beside the 1-byte mask.
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	if err := viz.UpsampleRows(m, H, W, func(_ int, row []float32) {
		for _, v := range row {
			if v == v {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}); err != nil {
		return nil, err
	}
	out := make([]bool, H*W)
	if !(hi > lo) {
		return out, nil
	}
	viz.UpsampleRows(m, H, W, func(y int, row []float32) {
		mask := out[y*W : (y+1)*W]
		for x, v := range row {
			mask[x] = (v-lo)/(hi-lo) >= threshold
		}
	})
	return out, nil
}

// IoU returns |a ∩ b| / |a ∪ b| of two same-sized masks; two empty masks
// agree perfectly (1).
func IoU(a, b []bool) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("lpa: IoU of masks of %d and %d pixels", len(a), len(b)))
	}
	inter, union := 0, 0
	for i := range a {
		if a[i] && b[i] {
			inter++
		}
		if a[i] || b[i] {
			union++
		}
	}
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

// CAM returns the class activation map of class c for image i of a
// baseline output (Zhou et al. 2016): M_c(x, y) = Σ_k w_{c,k} f_k(x, y)
// over the last block's feature maps f [C, h, w] and the classifier's
// weights w, as [h, w]. The bias is left out: it shifts every pixel alike.
func (m *Model) CAM(out *Output, i, c int) (*tensor.Tensor, error) {
	if m.Cfg.Attention || out.Features == nil {
		return nil, fmt.Errorf("lpa: CAM needs the baseline (a model without attention)")
	}
	f := out.Features.Value
	C, h, w := f.Shape[1], f.Shape[2], f.Shape[3]
	wt := m.classify[0].Weight.Value.Data[c*C : (c+1)*C]
	cam := tensor.New(h, w)
	feat := f.Data[i*C*h*w : (i+1)*C*h*w]
	for k, wk := range wt {
		plane := feat[k*h*w : (k+1)*h*w]
		for j, v := range plane {
			cam.Data[j] += wk * v
		}
	}
	return cam, nil
}

// Maps returns the maps that explain the prediction for image i of an
// output: one attention map [side, side] per level (AttnLevels order) for
// an attention model, or the CAM of class c for the baseline. The values
// are copied out of the tape.
func (m *Model) Maps(out *Output, i, c int) ([]*tensor.Tensor, error) {
	if !m.Cfg.Attention {
		cam, err := m.CAM(out, i, c)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{cam}, nil
	}
	var maps []*tensor.Tensor
	for k, lv := range m.Cfg.AttnLevels() {
		s := m.Cfg.LevelSide(lv)
		a := out.Attn[k].Value
		t := tensor.New(s, s)
		copy(t.Data, a.Data[i*s*s:(i+1)*s*s])
		maps = append(maps, t)
	}
	return maps, nil
}

// MapNames names what Maps returns: "level1".."level3" or "cam".
func (m *Model) MapNames() []string {
	if !m.Cfg.Attention {
		return []string{"cam"}
	}
	var names []string
	for _, lv := range m.Cfg.AttnLevels() {
		names = append(names, fmt.Sprintf("level%d", lv))
	}
	return names
}

// SegMap says which map a segmentation binarises.
type SegMap struct {
	// Level is the attention level (1..3); 0 means DefaultSegLevel.
	Level int
	// Attention binarises the normalised attention weights a instead of
	// the compatibility scores c.
	Attention bool
	// Threshold binarises the normalised map; 0 means the default of the
	// kind of map (ScoreThreshold, AttentionThreshold or CAMThreshold).
	Threshold float32
}

// ThresholdFor returns the threshold Binarise applies to the map sm selects
// from a model with config cfg.
func (sm SegMap) ThresholdFor(cfg Config) float32 {
	switch {
	case sm.Threshold != 0:
		return sm.Threshold
	case !cfg.Attention:
		return CAMThreshold
	case sm.Attention:
		return AttentionThreshold
	}
	return ScoreThreshold
}

// Validate reports a level the model has no attention at (the baseline,
// which segments with its CAM, accepts any).
func (sm SegMap) Validate(cfg Config) error {
	if !(sm.Threshold >= 0 && sm.Threshold < 1) {
		return fmt.Errorf("threshold %g: want a value in (0, 1), or 0 for the default", sm.Threshold)
	}
	if cfg.Attention && sm.Level != 0 && !slices.Contains(cfg.AttnLevels(), sm.Level) {
		return fmt.Errorf("level %d: %s has attention at levels %v", sm.Level, cfg.Name(), cfg.AttnLevels())
	}
	return nil
}

// DefaultSegLevel is the attention level whose map segments by default:
// level 2 (8×8 on a 64×64 input) when the model has it, else its finest.
// The choice was made on the validation split of the built-in task with
// the embedded attention model (docs/experiments.md, lpa segmentation: on
// 1,000 validation images the scores of level 2 reach a mean IoU of 0.474 at
// their best threshold, those of levels 1 and 3 at most 0.118 at any
// threshold; go run ./bench/lpa_segsweep). Level 3's 4×4 grid is too
// coarse to outline a digit: a perfect 4×4 map scores 0.515 at best
// (go run ./bench/lpa_oracle).
func DefaultSegLevel(cfg Config) int {
	if lv := cfg.AttnLevels(); !slices.Contains(lv, 2) {
		return lv[0]
	}
	return 2
}

// SegmentMap returns the map Binarise turns into image i's mask: the
// compatibility scores c of the chosen level (or its attention weights a,
// with sm.Attention) for an attention model, [side, side]; the CAM of
// class c for the baseline. Scores are what the baseline's CAM is too: a
// linear read-out of the features before any normalisation; the softmax
// over space keeps only the peak of the scores, which marks where the
// digit is but not its extent.
func (m *Model) SegmentMap(out *Output, i, c int, sm SegMap) (*tensor.Tensor, error) {
	if !m.Cfg.Attention {
		return m.CAM(out, i, c)
	}
	if err := sm.Validate(m.Cfg); err != nil {
		return nil, err
	}
	level := sm.Level
	if level == 0 {
		level = DefaultSegLevel(m.Cfg)
	}
	k := slices.Index(m.Cfg.AttnLevels(), level)
	src := out.Scores[k]
	if sm.Attention {
		src = out.Attn[k]
	}
	side := m.Cfg.LevelSide(level)
	t := tensor.New(side, side)
	copy(t.Data, src.Value.Data[i*side*side:(i+1)*side*side])
	return t, nil
}
