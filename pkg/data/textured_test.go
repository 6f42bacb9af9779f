package data

import (
	"slices"
	"testing"
)

func TestTexturedByName(t *testing.T) {
	for _, name := range TexturedNames {
		task, err := TexturedByName(name)
		if err != nil || task.Validate() != nil {
			t.Errorf("%s: %v %v", name, err, task.Validate())
		}
	}
	if d, _ := TexturedByName(DefaultTexturedName); d != DefaultTextured() {
		t.Error("DefaultTextured is not the default name's task")
	}
	if _, err := TexturedByName("nope"); err == nil {
		t.Error("unknown name accepted")
	}
}

func TestTexturedValidate(t *testing.T) {
	good := DefaultTextured()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Textured)
	}{
		{"small canvas", func(x *Textured) { x.Size = 40 }},
		{"empty scale", func(x *Textured) { x.MinScale, x.MaxScale = 2, 1 }},
		{"negative distractors", func(x *Textured) { x.MinDistractors = -1 }},
		{"empty distractors", func(x *Textured) { x.MinDistractors, x.MaxDistractors = 3, 2 }},
		{"fragment 1", func(x *Textured) { x.Fragment = 1 }},
		{"dilate", func(x *Textured) { x.MaskDilate = 9 }},
		{"empty whole", func(x *Textured) { x.MinWhole, x.MaxWhole = 2, 1 }},
		{"margin below 1", func(x *Textured) { x.MaxWhole, x.Margin = 1, 0.9 }},
		{"margin too wide", func(x *Textured) { x.MaxWhole, x.Margin = 1, 2 }},
	} {
		x := good
		tc.edit(&x)
		if x.Validate() == nil {
			t.Errorf("%s: Validate accepted %+v", tc.name, x)
		}
		if _, err := NewTexturedGenerator(x, fakeDigits(10, 1), 1); err == nil {
			t.Errorf("%s: NewTexturedGenerator accepted %+v", tc.name, x)
		}
	}
	if _, err := NewTexturedGenerator(good, fakeDigits(1, 1), 1); err == nil {
		t.Error("one digit with distractors accepted")
	}
	if _, err := NewTexturedGenerator(good, nil, 1); err == nil {
		t.Error("nil digits accepted")
	}
}

// Same seed, same bytes; another seed or epoch, another image of the same
// digit; a sample does not depend on what was rendered before it.
func TestTexturedDeterminism(t *testing.T) {
	for _, name := range TexturedNames {
		t.Run(name, func(t *testing.T) { testTexturedDeterminism(t, name) })
	}
}

func testTexturedDeterminism(t *testing.T, name string) {
	d := fakeDigits(50, 3)
	task, err := TexturedByName(name)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := NewTexturedGenerator(task, d, 7)
	b, _ := NewTexturedGenerator(task, d, 7)
	b.Sample(12) // a different history
	for _, idx := range []int{0, 5, 49} {
		sa, sb := a.Sample(idx), b.Sample(idx)
		if !slices.Equal(sa.Image, sb.Image) || !slices.Equal(sa.Mask, sb.Mask) || sa.Label != sb.Label || sa.Box != sb.Box {
			t.Fatalf("sample %d differs between two generators with one seed", idx)
		}
		c := b.Clone()
		if sc := c.Sample(idx); !slices.Equal(sa.Image, sc.Image) {
			t.Fatalf("sample %d differs on a clone", idx)
		}
	}
	c, _ := NewTexturedGenerator(task, d, 8)
	if slices.Equal(a.Sample(3).Image, c.Sample(3).Image) {
		t.Error("seeds 7 and 8 render sample 3 identically")
	}
	before := a.Sample(3).Image
	a.SetEpoch(1)
	if slices.Equal(before, a.Sample(3).Image) {
		t.Error("epoch 1 renders sample 3 like the base seed")
	}
	// Batch agrees with Sample.
	idx := []int{4, 9, 4}
	p, q := task.Pixels(), task.Size*task.Size
	imgs := make([]float32, len(idx)*p)
	masks := make([]bool, len(idx)*q)
	labels := make([]int, len(idx))
	a.Batch(idx, imgs, masks, labels)
	for i, k := range idx {
		s := a.Sample(k)
		if !slices.Equal(imgs[i*p:(i+1)*p], s.Image) || !slices.Equal(masks[i*q:(i+1)*q], s.Mask) || labels[i] != s.Label {
			t.Fatalf("Batch item %d differs from Sample(%d)", i, k)
		}
	}
}

// The mask covers the target's ink and only its neighbourhood; the image
// holds ink over the mask; 2–4 fragments are pasted; values stay in [0, 1].
func TestTexturedMaskAndDistractors(t *testing.T) {
	d, err := LoadMNIST("test")
	if err != nil {
		t.Skip("MNIST not available:", err)
	}
	task, _ := TexturedByName("fragments")
	g, _ := NewTexturedGenerator(task, d, TexturedTestSeed)
	S := task.Size
	kinds := map[string]int{}
	counts := map[int]int{}
	for idx := 0; idx < 200; idx++ {
		s := g.Sample(idx)
		if s.Label != d.Label(idx) {
			t.Fatalf("sample %d: label %d, want %d", idx, s.Label, d.Label(idx))
		}
		kinds[s.Background]++
		counts[len(s.Distractors)]++
		for _, v := range s.Image {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("sample %d: value %g outside [0, 1]", idx, v)
			}
		}
		if s.Box.Empty() || !s.Box.Inside(S, S) {
			t.Fatalf("sample %d: target box %v", idx, s.Box)
		}
		// Every mask pixel is within MaskDilate of the ink box, and the
		// ink box's pixels above threshold are all masked.
		grown := Box{s.Box.X0 - task.MaskDilate, s.Box.Y0 - task.MaskDilate, s.Box.X1 + task.MaskDilate, s.Box.Y1 + task.MaskDilate}
		n := 0
		for y := 0; y < S; y++ {
			for x := 0; x < S; x++ {
				if s.Mask[y*S+x] {
					n++
					if !grown.Contains(x, y) {
						t.Fatalf("sample %d: mask pixel (%d,%d) outside the grown box %v", idx, x, y, grown)
					}
				}
			}
		}
		area := s.Box.W() * s.Box.H()
		if n < area/8 || n > area+4*task.MaskDilate*(s.Box.W()+s.Box.H()+2*task.MaskDilate) {
			t.Fatalf("sample %d: mask of %d pixels for an ink box of %d", idx, n, area)
		}
		for _, b := range s.Distractors {
			if b.Empty() || !b.Inside(S, S) {
				t.Fatalf("sample %d: fragment box %v", idx, b)
			}
			if b.W() >= max(s.Box.W(), s.Box.H()) {
				t.Fatalf("sample %d: fragment %v as large as the target %v", idx, b, s.Box)
			}
		}
	}
	for _, k := range TexturedBackgrounds {
		if kinds[k] == 0 {
			t.Errorf("no %s background in 200 samples", k)
		}
	}
	for n := task.MinDistractors; n <= task.MaxDistractors; n++ {
		if counts[n] == 0 {
			t.Errorf("no sample with %d fragments", n)
		}
	}
	if len(counts) != task.MaxDistractors-task.MinDistractors+1 {
		t.Errorf("fragment counts %v outside [%d, %d]", counts, task.MinDistractors, task.MaxDistractors)
	}
}

// The mask matches the target digit: rendering the same sample with no
// fragments changes nothing under the mask's core (the target is drawn on
// top) and the mask is identical.
func TestTexturedMaskIsTarget(t *testing.T) {
	d := fakeDigits(20, 5)
	for _, name := range TexturedNames {
		task, _ := TexturedByName(name)
		bare := task
		bare.MinDistractors, bare.MaxDistractors, bare.MinWhole, bare.MaxWhole = 0, 0, 0, 0
		a, _ := NewTexturedGenerator(task, d, 11)
		b, _ := NewTexturedGenerator(bare, d, 11)
		for idx := 0; idx < 20; idx++ {
			sa, sb := a.Sample(idx), b.Sample(idx)
			if len(sb.Distractors)+len(sb.Whole) != 0 || len(sa.Distractors)+len(sa.Whole) == 0 {
				t.Fatalf("%s: distractors: %d with, %d without", name, len(sa.Distractors)+len(sa.Whole), len(sb.Distractors)+len(sb.Whole))
			}
			if task.MaxWhole > 0 {
				// Without whole digits the target is drawn from another
				// scale range, so the two masks cannot be compared.
				continue
			}
			if !slices.Equal(sa.Mask, sb.Mask) || sa.Box != sb.Box {
				t.Fatalf("%s: sample %d: fragments changed the target's mask", name, idx)
			}
		}
	}
}

// With whole digits, every one of them is smaller than the target by the
// margin, keeps clear of the target's and each other's ink, and fragments
// keep off them; digit sizes overlap across images, so size alone does not
// say which digit is the target.
func TestTexturedWholeDigits(t *testing.T) {
	d, err := LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	task, _ := TexturedByName("largest")
	if err := task.Validate(); err != nil {
		t.Fatal(err)
	}
	g, _ := NewTexturedGenerator(task, d, TexturedTestSeed)
	S := task.Size
	counts := map[int]int{}
	minTarget, maxWhole := S, 0
	for idx := 0; idx < 300; idx++ {
		s := g.Sample(idx)
		if s.Label != d.Label(idx) {
			t.Fatalf("sample %d: label %d, want %d", idx, s.Label, d.Label(idx))
		}
		if len(s.Whole) != len(s.WholeSides) {
			t.Fatalf("sample %d: %d boxes, %d sides", idx, len(s.Whole), len(s.WholeSides))
		}
		counts[len(s.Whole)]++
		minTarget = min(minTarget, s.Side)
		for k, b := range s.Whole {
			maxWhole = max(maxWhole, s.WholeSides[k])
			if float64(s.WholeSides[k])*task.Margin > float64(s.Side) {
				t.Fatalf("sample %d: whole digit of side %d beside a target of %d", idx, s.WholeSides[k], s.Side)
			}
			if b.Empty() || !b.Inside(S, S) || b.Overlaps(s.Box) {
				t.Fatalf("sample %d: whole digit %v, target %v", idx, b, s.Box)
			}
			if overlapsAny(b, s.Whole[:k]) {
				t.Fatalf("sample %d: whole digits overlap: %v", idx, s.Whole)
			}
		}
		for _, f := range s.Distractors {
			if f.Overlaps(s.Box) || overlapsAny(f, s.Whole) {
				t.Fatalf("sample %d: fragment %v over a whole digit (target %v, others %v)", idx, f, s.Box, s.Whole)
			}
		}
	}
	if counts[1] == 0 || counts[2] == 0 {
		t.Errorf("whole-digit counts %v, want both 1 and 2", counts)
	}
	// Digits that find no free place are left out; that must stay rare, or
	// the task drifts back towards the first version.
	if counts[0] > 300/20 {
		t.Errorf("%d of 300 images have no whole digit beside the target", counts[0])
	}
	if maxWhole <= minTarget {
		t.Errorf("sizes do not overlap across images: largest whole digit %d, smallest target %d", maxWhole, minTarget)
	}
}
