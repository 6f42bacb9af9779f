package lpa

import (
	"fmt"
	"image"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
)

// An Explanation is a model's answer on one image together with what
// shows where it looked: its maps and the segmentation mask they give.
type Explanation struct {
	Class int
	Probs []float32 // class probabilities
	// Names and Maps are MapNames and Maps of the predicted class: one
	// attention map per level, or the baseline's CAM, on the model's grid.
	Names []string
	Maps  []*tensor.Tensor
	// Mask is the binarised segmentation map (SegmentMap, Binarise) at
	// the image's size, row-major; Threshold is the value it was cut at
	// and MaskOf names the map ("level 2 scores", "CAM", ...).
	Mask      []bool
	Threshold float32
	MaskOf    string
	// Input is the image as the model saw it: [3, Side, Side], RGB in
	// [0, 1] (what Config.Domain scores).
	Input *tensor.Tensor
}

// Explain runs the model on one image, squeezed to the model's input
// side as RGB in [0, 1], and returns its prediction, its maps and the
// mask that sm selects. It resets tp when done.
func (m *Model) Explain(tp *autograd.Tape, img image.Image, sm SegMap) (*Explanation, error) {
	defer tp.Reset()
	S := m.Cfg.Side
	x := InputTensor(img, S)
	out := m.Forward(tp, tp.Const(x.Reshape(1, 3, S, S)))
	e := &Explanation{Probs: Softmax(out.Logits.Value.Data), Names: m.MapNames(), Input: x}
	e.Class = vec.Argmax(e.Probs)
	var err error
	if e.Maps, err = m.Maps(out, 0, e.Class); err != nil {
		return nil, err
	}
	seg, err := m.SegmentMap(out, 0, e.Class, sm)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	e.Threshold, e.MaskOf = sm.ThresholdFor(m.Cfg), sm.describe(m.Cfg)
	if e.Mask, err = Binarise(seg, b.Dy(), b.Dx(), e.Threshold); err != nil {
		return nil, err
	}
	return e, nil
}

// describe names the map sm selects from a model with config cfg.
func (sm SegMap) describe(cfg Config) string {
	if !cfg.Attention {
		return "CAM"
	}
	level, kind := sm.Level, "scores"
	if level == 0 {
		level = DefaultSegLevel(cfg)
	}
	if sm.Attention {
		kind = "attention"
	}
	return fmt.Sprintf("level %d %s", level, kind)
}

// Coverage is the fraction of the image inside the mask.
func (e *Explanation) Coverage() float64 {
	n := 0
	for _, on := range e.Mask {
		if on {
			n++
		}
	}
	return float64(n) / float64(max(1, len(e.Mask)))
}

// RawMap returns map k as it is worth storing: attention weights as they
// are (they lie in [0, 1] already, so maps of different images compare);
// a CAM, which has no fixed range, stretched min-max to [0, 1].
func (m *Model) RawMap(e *Explanation, k int) *tensor.Tensor {
	if !m.Cfg.Attention {
		return MinMax(e.Maps[k])
	}
	return e.Maps[k]
}

// Softmax returns the class probabilities of one row of logits.
func Softmax(logits []float32) []float32 {
	p := make([]float32, len(logits))
	vec.Softmax(p, logits)
	return p
}

// MinMax returns a map stretched to [0, 1]: its smallest value becomes 0
// and its largest 1. A constant map becomes all 0.
func MinMax(a *tensor.Tensor) *tensor.Tensor {
	lo, hi := a.Data[0], a.Data[0]
	for _, v := range a.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	out := tensor.New(a.Shape...)
	if hi > lo {
		for i, v := range a.Data {
			out.Data[i] = (v - lo) / (hi - lo)
		}
	}
	return out
}

// ClassName is the name of class k, or its number when the model has no
// names (the built-in digits).
func (c Config) ClassName(k int) string {
	if k >= 0 && k < len(c.ClassNames) {
		return c.ClassNames[k]
	}
	return fmt.Sprint(k)
}
