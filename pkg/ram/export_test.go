package ram

import (
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// An exported split holds exactly the canvases and labels that training
// and evaluation render for the same seeds: the test set of eval, an
// epoch's placements of the training digits, the validation placements.
func TestSplitImagesMatchTraining(t *testing.T) {
	all, err := data.LoadMNIST("train")
	if err != nil {
		t.Skip(err)
	}
	task, _ := data.TaskByName("cluttered60")
	trainGen, err := data.NewGenerator(task, all.Slice(0, 300, "train"), 9)
	if err != nil {
		t.Fatal(err)
	}
	trainGen.SetEpoch(3)
	valGen, err := data.NewGenerator(task, all.Slice(all.Len()-data.MNISTValidationSize, all.Len(), "val"), ValSeed+1)
	if err != nil {
		t.Fatal(err)
	}
	testGen, err := data.TestSet(task, data.DefaultTestSeed)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		split Split
		gen   *data.Generator
		n     int
	}{
		{Split{Task: task.Name, Name: "train", Seed: 9, Epoch: 3, Limit: 300}, trainGen, 300},
		{Split{Task: task.Name, Name: "val", Seed: ValSeed + 1}, valGen, data.MNISTValidationSize},
		{Split{Task: task.Name, Name: "test", Seed: DefaultSplitSeed("test")}, testGen, data.MNISTTestSize},
	}
	for _, c := range cases {
		set, err := c.split.Images()
		if err != nil {
			t.Fatalf("%s: %v", c.split.Name, err)
		}
		if set.Len != c.n || set.Channels != 1 || set.Height != 60 || set.Width != 60 {
			t.Fatalf("%s: %d images of %dx%dx%d", c.split.Name, set.Len, set.Channels, set.Height, set.Width)
		}
		got := make([]float32, task.Pixels())
		for _, i := range []int{0, 7, c.n - 1} {
			want, label, _, _ := c.gen.Sample(i)
			if l := set.Load(i, got); l != label || !slices.Equal(got, want) {
				t.Errorf("%s image %d differs from the generator's (label %d, want %d)", c.split.Name, i, l, label)
			}
		}
		if set.Meta["task"] != task.Name || set.Meta["split"] != c.split.Name || set.Meta["seed"] != c.split.Seed {
			t.Errorf("%s: meta %v", c.split.Name, set.Meta)
		}
	}
}

func TestSplitRejects(t *testing.T) {
	for _, s := range []Split{
		{Task: "mnist", Name: "holdout"},
		{Task: "nope", Name: "test"},
		{Task: "mnist", Name: "train", Epoch: 0},
		{Task: "mnist", Name: "val", Val: 60000},
	} {
		if _, err := s.Images(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}
