package ram

import (
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// The validator's placement 0 is the single placement earlier runs chose
// epochs by, placement s is seed ValSeed+s, and the mean is their mean.
func TestValidatorPlacements(t *testing.T) {
	d, err := data.LoadMNIST("test")
	if err != nil {
		t.Skip(err)
	}
	val := d.Slice(0, 200, "val")
	task, _ := data.TaskByName("translated")
	cfg, _ := TaskConfig("translated")
	cfg.Glimpses, cfg.GlimpseHidden, cfg.GlimpseOut, cfg.Hidden = 2, 8, 8, 8
	m, _ := New(cfg, 1)
	if _, err := NewValidator(task, val, 0, 1); err == nil {
		t.Fatal("0 placements accepted")
	}
	v, err := NewValidator(task, val, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	per, mean := v.Errors(m)
	if len(per) != 3 {
		t.Fatalf("%d placements, want 3", len(per))
	}
	sum := 0.0
	for s, e := range per {
		gen, _ := data.NewGenerator(task, val, ValSeed+uint64(s))
		want := m.Evaluate(gen, EvalOptions{Seed: ValSeed, Threads: 1}).ErrorPct()
		if e != want {
			t.Errorf("placement %d: %g%%, Evaluate gives %g%%", s, e, want)
		}
		sum += want
	}
	if mean != sum/3 {
		t.Errorf("mean %g, want %g", mean, sum/3)
	}
	// The placements are different images of the same digits.
	g0, _ := data.NewGenerator(task, val, ValSeed)
	g1, _ := data.NewGenerator(task, val, ValSeed+1)
	a, _, _, _ := g0.Sample(0)
	b, _, _, _ := g1.Sample(0)
	same := true
	for i := range a {
		same = same && a[i] == b[i]
	}
	if same {
		t.Error("placements 0 and 1 render the same image")
	}
}
