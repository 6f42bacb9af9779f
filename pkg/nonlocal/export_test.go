package nonlocal

import (
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// An exported split holds the samples training and evaluation load: the
// training loop's clips (or images) of an epoch, the validation ones drawn
// from the run's seed, and the fixed test set, each built from the first
// limit digits as Open builds it.
func TestSplitSamplesMatchOpen(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip(err)
	}
	const seed, epoch, limit = 7, 3, 12
	for _, task := range []string{"sum", "cluttered60"} {
		spec, _ := TaskByName(task)
		for _, split := range []string{"train", "val", "test"} {
			ds, err := Open(task, split, seed, limit)
			if err != nil {
				t.Fatal(err)
			}
			if split == "train" { // the training loop's own epoch switch
				cfg, _ := DefaultConfig(task)
				m, err := New(cfg, seed)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := (&trainer{m: m, train: ds, seed: seed, batch: 2}).BeginEpoch(epoch); err != nil {
					t.Fatal(err)
				}
			}
			set, err := SplitSamples(task, split, seed, epoch, limit)
			if err != nil {
				t.Fatalf("%s %s: %v", task, split, err)
			}
			if set.Len != limit || !slices.Equal(set.Shape(), spec.Shape(1)[1:]) {
				t.Fatalf("%s %s: %d samples of %v, want %d of %v", task, split, set.Len, set.Shape(), limit, spec.Shape(1)[1:])
			}
			got, want := make([]float32, spec.SampleSize()), make([]float32, spec.SampleSize())
			for _, i := range []int{0, limit - 1} {
				if lg, lw := set.Load(i, got), ds.Load(i, want); lg != lw || !slices.Equal(got, want) {
					t.Errorf("%s %s sample %d differs from Open's", task, split, i)
				}
			}
			wantSeed := uint64(seed)
			if split == "test" {
				wantSeed = TestSeed(spec)
			}
			m := set.Meta
			if m["tool"] != "nonlocal" || m["task"] != task || m["mode"] != spec.Mode || m["split"] != split ||
				m["seed"] != wantSeed || m["classes"] != 10 || m["side"] != spec.Side || m["frames"] != spec.Frames ||
				m["limit"] != limit || (split == "train") != (m["epoch"] == epoch) {
				t.Errorf("%s %s: meta %v", task, split, m)
			}
		}
	}
	// A different epoch is a different rendering: the export follows it.
	a, _ := SplitSamples("sum", "train", seed, 1, limit)
	b, _ := SplitSamples("sum", "train", seed, 2, limit)
	x, y := make([]float32, 8*32*32), make([]float32, 8*32*32)
	a.Load(0, x)
	b.Load(0, y)
	if slices.Equal(x, y) {
		t.Error("epochs 1 and 2 gave the same clip 0")
	}
	if _, err := SplitSamples("sum", "train", seed, 0, limit); err == nil {
		t.Error("epoch 0: no error")
	}
	if _, err := SplitSamples("sum", "holdout", seed, 1, limit); err == nil {
		t.Error("split holdout: no error")
	}
}
