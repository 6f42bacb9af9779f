package nonlocal

import (
	"fmt"
	"strings"

	"github.com/attnkit/attn/pkg/data"
)

// TaskSpec describes a built-in task: its name, the kind of model it takes
// and the shape of its samples.
type TaskSpec struct {
	Name     string
	Mode     string // "3d" (clips) or "2d" (images)
	Frames   int    // 0 for images
	Side     int
	Channels int
	Classes  int
	About    string
}

// Tasks returns the built-in tasks:
//
//	sum          clips: the sum mod 10 of two digits never on screen together (data.SumClip)
//	cluttered60  images: an MNIST digit among 8×8 fragments on a 60×60 canvas (data.Tasks)
//	digits       images: one frame of a sum clip, labelled with its digit; it
//	             pre-trains the per-frame network (TrainOptions.Init), as the
//	             paper starts its video models from an image network
func Tasks() []TaskSpec {
	sc := data.DefaultSumClip()
	return []TaskSpec{
		{Name: sc.Name, Mode: "3d", Frames: sc.Frames, Side: sc.Size, Channels: 1, Classes: 10,
			About: fmt.Sprintf("%d frames of %d×%d: digit A, then digit B, never together; the label is (A+B) mod 10", sc.Frames, sc.Size, sc.Size)},
		{Name: "cluttered60", Mode: "2d", Side: 60, Channels: 1, Classes: 10,
			About: "a 60×60 canvas with one MNIST digit and 4 fragments of others; the label is the digit"},
		{Name: "digits", Mode: "2d", Side: sc.Size, Channels: 1, Classes: 10,
			About: fmt.Sprintf("the first frame of a sum clip: one %d-pixel digit in %d×%d; the label is the digit (pre-training for the clip models)", sc.DigitSide, sc.Size, sc.Size)},
	}
}

// TaskNames lists the names of Tasks.
func TaskNames() []string {
	var s []string
	for _, t := range Tasks() {
		s = append(s, t.Name)
	}
	return s
}

// TaskByName returns the built-in task of that name.
func TaskByName(name string) (TaskSpec, error) {
	for _, t := range Tasks() {
		if t.Name == name {
			return t, nil
		}
	}
	return TaskSpec{}, fmt.Errorf("unknown task %q (want %s)", name, strings.Join(TaskNames(), " or "))
}

// ModeTask returns the default task of a mode: sum for 3d, cluttered60
// for 2d.
func ModeTask(mode string) (string, error) {
	for _, t := range Tasks() {
		if t.Mode == mode {
			return t.Name, nil
		}
	}
	return "", fmt.Errorf("mode %q: want 2d or 3d", mode)
}

// Dataset is one split of a built-in task, rendered on demand. Sample i
// is a pure function of the split's seed, the epoch and i.
type Dataset interface {
	Len() int
	// Spec is the task.
	Spec() TaskSpec
	// SetEpoch switches a training split to the samples of an epoch.
	SetEpoch(epoch int)
	// Load renders sample i into dst (Channels·[Frames·]Side·Side values)
	// and returns its label.
	Load(i int, dst []float32) int
	// Fork returns an independent copy for another goroutine.
	Fork() Dataset
}

// Open returns a split of a task: "train" (the first 55,000 MNIST training
// digits, new clips every epoch from seed), "val" (the last 5,000, fixed
// by seed) or "test" (the 10,000 test digits at the task's fixed test
// seed). limit > 0 keeps the first limit samples.
func Open(task, split string, seed uint64, limit int) (Dataset, error) {
	spec, err := TaskByName(task)
	if err != nil {
		return nil, err
	}
	mnist := map[string]string{"train": "train55k", "val": "val", "test": "test"}[split]
	if mnist == "" {
		return nil, fmt.Errorf("split %q: want train, val or test", split)
	}
	d, err := data.LoadMNIST(mnist)
	if err != nil {
		return nil, err
	}
	if limit > 0 && limit < d.Len() {
		d = d.Slice(0, limit, d.Split)
	}
	switch {
	case spec.Mode == "3d" || spec.Name == "digits":
		s := seed
		switch split {
		case "val":
			s = seed ^ 0x76616c
		case "test":
			s = TestSeed(spec)
		}
		g, err := data.NewSumClipGenerator(data.DefaultSumClip(), d, s)
		if err != nil {
			return nil, err
		}
		if spec.Mode == "2d" {
			return &digitFrames{clipSet{spec: spec, g: g}}, nil
		}
		return &clipSet{spec: spec, g: g}, nil
	default:
		ct, err := data.TaskByName(spec.Name)
		if err != nil {
			return nil, err
		}
		s := seed
		switch split {
		case "val":
			s = seed ^ 0x76616c
		case "test":
			s = TestSeed(spec)
		}
		g, err := data.NewGenerator(ct, d, s)
		if err != nil {
			return nil, err
		}
		return &imageSet{spec: spec, g: g, task: ct}, nil
	}
}

// clipSet is a split of the sum clip task.
type clipSet struct {
	spec TaskSpec
	g    *data.SumClipGenerator
}

func (s *clipSet) Len() int                      { return s.g.Len() }
func (s *clipSet) Spec() TaskSpec                { return s.spec }
func (s *clipSet) SetEpoch(e int)                { s.g.SetEpoch(e) }
func (s *clipSet) Load(i int, dst []float32) int { return s.g.Render(i, dst) }
func (s *clipSet) Fork() Dataset                 { return &clipSet{spec: s.spec, g: s.g.Clone()} }

// digitFrames is the digits task: frame 0 of every sum clip (digit A
// alone) with A's class.
type digitFrames struct{ clipSet }

func (s *digitFrames) Load(i int, dst []float32) int {
	c := s.g.Sample(i)
	copy(dst, c.Frames[:len(dst)])
	return c.Digits[0]
}
func (s *digitFrames) Fork() Dataset { return &digitFrames{clipSet{spec: s.spec, g: s.g.Clone()}} }

// imageSet is a split of a canvas task.
type imageSet struct {
	spec TaskSpec
	task data.Task
	g    *data.Generator
}

func (s *imageSet) Len() int       { return s.g.Len() }
func (s *imageSet) Spec() TaskSpec { return s.spec }
func (s *imageSet) SetEpoch(e int) { s.g.SetEpoch(e) }
func (s *imageSet) Load(i int, dst []float32) int {
	img, label, _, _ := s.g.Sample(i)
	copy(dst, img)
	return label
}
func (s *imageSet) Fork() Dataset {
	g, _ := data.NewGenerator(s.task, s.g.Digits(), s.g.Seed())
	return &imageSet{spec: s.spec, task: s.task, g: g}
}

// SampleSize returns the values of one sample of a task.
func (t TaskSpec) SampleSize() int {
	return t.Channels * max(t.Frames, 1) * t.Side * t.Side
}

// Shape returns the shape of a batch of n samples.
func (t TaskSpec) Shape(n int) []int {
	if t.Mode == "3d" {
		return []int{n, t.Channels, t.Frames, t.Side, t.Side}
	}
	return []int{n, t.Channels, t.Side, t.Side}
}
