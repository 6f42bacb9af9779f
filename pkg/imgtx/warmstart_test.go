package imgtx

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// A class-conditional or super-resolution model warm-started from an
// unconditional one takes all its weights (with the class embedding at
// zero, it would begin with the same loss); a model neither can extend is
// refused.
func TestWarmStartBeginsAsTheModelItExtends(t *testing.T) {
	base := tinyConfigs()["1d"]
	base.Height, base.Width = 4, 4
	src, err := New(base, 5)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "base.safetensors")
	if err := src.Save(path); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b := Batch{N: 3, Pixels: make([]uint8, 3*base.Len()), Labels: []int{0, 2, 1}, Low: make([]uint8, 3*4)}
	for i := range b.Pixels {
		b.Pixels[i] = uint8(rng.IntN(256))
	}
	for i := range b.Low {
		b.Low[i] = uint8(rng.IntN(256))
	}
	loss := func(m *Model) float64 {
		tp := autograd.NewTape()
		l, err := m.Loss(tp, b, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		return float64(l.Value.Data[0])
	}
	want := loss(src)
	for _, cond := range []string{"class", "lowres"} {
		cfg := base
		cfg.Cond = cond
		if cond == "class" {
			cfg.Classes = 3
		} else {
			cfg.LowRes, cfg.EncLayers = 2, 1
		}
		m, err := New(cfg, 9)
		if err != nil {
			t.Fatal(err)
		}
		note, err := initFrom(m, path)
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		if !strings.Contains(note, "new: ") || cond == "lowres" && !strings.Contains(note, "multihead_attn.out_proj") {
			t.Fatalf("%s: note %q", cond, note)
		}
		if cond == "class" {
			m.tx.classEmb.Weight.Value.Zero()
		}
		if got := loss(m); cond == "class" && math.Abs(got-want) > 1e-5*math.Abs(want) {
			t.Fatalf("%s: warm-started loss %g, the unconditional model's %g", cond, got, want)
		}
	}
	other := base
	other.Cond, other.Classes, other.Embed = "class", 3, 16
	m, err := New(other, 9)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := initFrom(m, path); err == nil {
		t.Fatal("a wider model was warm-started")
	}
}
