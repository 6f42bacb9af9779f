package nonlocal

import (
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// Every task opens every split with samples of its shape, the same on a
// fork, and the digits task is frame 0 of the sum clips with A's class.
func TestOpenTasks(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
	for _, spec := range Tasks() {
		for _, split := range []string{"train", "val", "test"} {
			ds, err := Open(spec.Name, split, 3, 4)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != 4 || ds.Spec().Name != spec.Name {
				t.Fatalf("%s %s: %d samples", spec.Name, split, ds.Len())
			}
			a, b := make([]float32, spec.SampleSize()), make([]float32, spec.SampleSize())
			la, lb := ds.Load(2, a), ds.Fork().Load(2, b)
			if la != lb || !slices.Equal(a, b) || la < 0 || la >= spec.Classes {
				t.Fatalf("%s %s: fork differs or label %d", spec.Name, split, la)
			}
		}
	}
	clips, _ := Open("sum", "val", 3, 4)
	digits, _ := Open("digits", "val", 3, 4)
	sc := data.DefaultSumClip()
	c := make([]float32, sc.Pixels())
	f := make([]float32, sc.Size*sc.Size)
	clips.Load(1, c)
	label := digits.Load(1, f)
	vd, _ := data.LoadMNIST("val")
	if !slices.Equal(f, c[:len(f)]) || label != vd.Label(1) {
		t.Fatal("digits sample is not frame 0 of the clip with digit A's class")
	}
	if _, err := Open("sum", "dev", 0, 0); err == nil {
		t.Fatal("unknown split: no error")
	}
}
