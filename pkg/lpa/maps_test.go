package lpa

import (
	"image"
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// Explain gives the class of the largest probability, the maps of the
// model's kind, a mask at the image's size, and the same answer as the
// forward pass it wraps.
func TestExplain(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	for _, attention := range []bool{true, false} {
		cfg := tinyConfig()
		cfg.Attention = attention
		m, err := New(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		m.Train(false)
		tp := autograd.NewInference()
		e, err := m.Explain(tp, img, SegMap{})
		if err != nil {
			t.Fatal(err)
		}
		var sum float32
		for k, p := range e.Probs {
			sum += p
			if p > e.Probs[e.Class] {
				t.Errorf("class %d has p %v > the predicted class's %v", k, p, e.Probs[e.Class])
			}
		}
		if len(e.Probs) != cfg.Classes || math.Abs(float64(sum)-1) > 1e-5 {
			t.Errorf("probabilities %v", e.Probs)
		}
		if len(e.Maps) != len(m.MapNames()) || len(e.Names) != len(e.Maps) || len(e.Mask) != 40*30 {
			t.Errorf("attention=%v: %d maps %v, mask of %d", attention, len(e.Maps), e.Names, len(e.Mask))
		}
		want := map[bool]string{true: "level 2 scores", false: "CAM"}[attention]
		if e.MaskOf != want || e.Threshold != (SegMap{}).ThresholdFor(cfg) {
			t.Errorf("mask of %q at %v", e.MaskOf, e.Threshold)
		}
		if c := e.Coverage(); c < 0 || c > 1 {
			t.Errorf("coverage %v", c)
		}
		raw := m.RawMap(e, 0)
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, v := range raw.Data {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo < 0 || hi > 1 || (!attention && (lo != 0 || hi != 1)) {
			t.Errorf("attention=%v: raw map in [%v, %v]", attention, lo, hi)
		}
		p, err := Panel(img, m, e, m, e, PanelOptions{Zoom: 2, Alpha: 0.4})
		if err != nil {
			t.Fatal(err)
		}
		tiles := 1 + len(e.Maps) + 2
		if b := p.Bounds(); b.Dx() != tiles*80+(tiles+1)*panelPad || b.Dy() != 60+2*panelPad {
			t.Errorf("panel %v for %d tiles", b, tiles)
		}
	}
}

func TestMinMaxSoftmax(t *testing.T) {
	got := MinMax(tensor.FromData([]float32{2, 4, 3, 2}, 2, 2))
	for i, w := range []float32{0, 1, 0.5, 0} {
		if got.Data[i] != w {
			t.Fatalf("MinMax = %v", got.Data)
		}
	}
	if c := MinMax(tensor.FromData([]float32{5, 5}, 2)); c.Data[0] != 0 || c.Data[1] != 0 {
		t.Errorf("constant map: %v", c.Data)
	}
	logits := []float32{1, 2, 3}
	p := Softmax(logits)
	if logits[0] != 1 || math.Abs(float64(p[2]/p[1])-math.E) > 1e-5 || math.Abs(float64(p[0]+p[1]+p[2])-1) > 1e-6 {
		t.Errorf("Softmax = %v (logits now %v)", p, logits)
	}
	cfg := Config{ClassNames: []string{"cat", "dog"}}
	if cfg.ClassName(1) != "dog" || cfg.ClassName(2) != "2" || (Config{}).ClassName(0) != "0" {
		t.Error("ClassName")
	}
}
