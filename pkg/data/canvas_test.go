package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTasks(t *testing.T) {
	want := map[string][2]int{"mnist": {28, 0}, "translated": {60, 0}, "cluttered60": {60, 4}, "cluttered100": {100, 8}}
	for name, w := range want {
		task, err := TaskByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if task.Size != w[0] || task.Distractors != w[1] {
			t.Fatalf("%s = %+v", name, task)
		}
	}
	if _, err := TaskByName("cluttered"); err == nil {
		t.Fatal("unknown task accepted")
	}
	for _, bad := range []Task{{Size: 27}, {Size: 60, Distractors: -1}} {
		if bad.Validate() == nil {
			t.Fatalf("%+v validated", bad)
		}
	}
}

// checkSample verifies the invariants of one rendered sample: values in
// [0, 1], the digit's whole 28×28 square inside the canvas and intact
// (never darker than the source), the box tight around its ink, and the
// mask exactly its pixels above MaskThreshold.
func checkSample(t *testing.T, task Task, d *Digits, idx int, img []float32, label int, box Box, mask []bool) {
	t.Helper()
	s := task.Size
	if len(img) != s*s || len(mask) != s*s || label != d.Label(idx) {
		t.Fatalf("sample %d: %d pixels, %d mask, label %d", idx, len(img), len(mask), label)
	}
	for _, v := range img {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("sample %d: pixel value %v", idx, v)
		}
	}
	src := d.Images[idx][:]
	local := inkBox(src, DigitSize, 0)
	if !box.Inside(s, s) || box.W() != local.W() || box.H() != local.H() {
		t.Fatalf("sample %d: box %v for a %dx%d digit in a %d canvas", idx, box, local.W(), local.H(), s)
	}
	x0, y0 := box.X0-local.X0, box.Y0-local.Y0
	if x0 < 0 || y0 < 0 || x0+DigitSize > s || y0+DigitSize > s {
		t.Fatalf("sample %d: digit square at (%d,%d) leaves the %d canvas", idx, x0, y0, s)
	}
	nmask := 0
	for _, m := range mask {
		if m {
			nmask++
		}
	}
	want := 0
	for y := 0; y < DigitSize; y++ {
		for x := 0; x < DigitSize; x++ {
			v := float32(src[y*DigitSize+x]) / 255
			if img[(y0+y)*s+x0+x] < v {
				t.Fatalf("sample %d: digit pixel (%d,%d) dimmed", idx, x, y)
			}
			if in := v > MaskThreshold; in {
				want++
				if !mask[(y0+y)*s+x0+x] {
					t.Fatalf("sample %d: digit pixel (%d,%d) missing from mask", idx, x, y)
				}
			}
		}
	}
	if nmask != want {
		t.Fatalf("sample %d: mask has %d pixels, digit %d", idx, nmask, want)
	}
	if task.Distractors == 0 {
		// Without clutter the box is the tight box of all ink on the canvas.
		q := make([]uint8, len(img))
		for i, v := range img {
			if v > 0 {
				q[i] = 1
			}
		}
		if got := inkBox(q, s, 0); got != box {
			t.Fatalf("sample %d: box %v, ink spans %v", idx, box, got)
		}
	}
}

func TestRender(t *testing.T) {
	d := fakeDigits(50, 7)
	for _, task := range Tasks() {
		t.Run(task.Name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			seen := map[Box]bool{}
			for i := 0; i < 200; i++ {
				idx := i % d.Len()
				img, label, box, mask := Render(task, d, idx, rng)
				checkSample(t, task, d, idx, img, label, box, mask)
				if idx == 0 {
					seen[box] = true
				}
			}
			if task.Size > DigitSize && len(seen) < 3 {
				t.Fatal("digit 0 is always placed in the same spot")
			}
		})
	}
}

func TestRenderRealMNIST(t *testing.T) {
	d := loadMNISTOrSkip(t, "test")
	for _, task := range Tasks() {
		g, err := TestSet(task, DefaultTestSeed)
		if err != nil {
			t.Fatal(err)
		}
		if g.Len() != MNISTTestSize {
			t.Fatalf("test set of %d", g.Len())
		}
		for idx := 0; idx < 30; idx++ {
			img, label, box, mask := g.Sample(idx)
			checkSample(t, task, d, idx, img, label, box, mask)
		}
	}
}

// TestDistractors uses full 8×8-ink "digits" so each distractor shows as a
// solid square: never more ink than 64 pixels per distractor, and with
// enough samples some canvas shows them all disjoint. The target is
// brighter than every other digit, so a distractor cut from it would show.
func TestDistractors(t *testing.T) {
	d := &Digits{Images: make([][DigitPixels]uint8, 6), Labels: make([]uint8, 6)}
	for i := range d.Images {
		for p := range d.Images[i] {
			d.Images[i][p] = 100
		}
	}
	target := 0
	d.Images[target] = [DigitPixels]uint8{} // blank target: only clutter shows
	for _, k := range []int{0, 1, 4, 8} {
		task := Task{Name: "clutter", Size: 100, Distractors: k}
		rng := rand.New(rand.NewPCG(3, uint64(k)))
		most := 0
		for i := 0; i < 100; i++ {
			img, _, box, _ := Render(task, d, target, rng)
			if !box.Empty() {
				t.Fatalf("blank digit has box %v", box)
			}
			ink := 0
			for _, v := range img {
				if v != 0 {
					ink++
					if v != float32(100)*(1.0/255) {
						t.Fatalf("pixel %v is not clutter", v)
					}
				}
			}
			if ink > 64*k {
				t.Fatalf("%d distractors inked %d pixels", k, ink)
			}
			most = max(most, ink)
		}
		if most != 64*k {
			t.Fatalf("%d distractors never showed as %d disjoint squares (max ink %d)", k, k, most)
		}
	}
	// Distractors come from other digits only: a bright target must not
	// leave bright ink outside its own square.
	d.Images[target] = [DigitPixels]uint8{}
	for p := range d.Images[target] {
		d.Images[target][p] = 255
	}
	task := Task{Name: "clutter", Size: 100, Distractors: 8}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 50; i++ {
		img, _, box, _ := Render(task, d, target, rng)
		for y := 0; y < task.Size; y++ {
			for x := 0; x < task.Size; x++ {
				if img[y*task.Size+x] == 1 && !box.Contains(x, y) {
					t.Fatalf("target ink at (%d,%d) outside its box %v", x, y, box)
				}
			}
		}
	}
}

func TestGeneratorDeterminism(t *testing.T) {
	d := fakeDigits(40, 9)
	task, _ := TaskByName("cluttered60")
	g1, _ := NewGenerator(task, d, 42)
	g2, _ := NewGenerator(task, d, 42)
	g3, _ := NewGenerator(task, d, 43)
	idx := []int{5, 0, 39, 17, 5}
	p := task.Pixels()
	b1, b2, b3 := make([]float32, len(idx)*p), make([]float32, len(idx)*p), make([]float32, len(idx)*p)
	g1.Batch(idx, b1)
	g2.Batch(idx, b2)
	g3.Batch(idx, b3)
	if !slices.Equal(b1, b2) {
		t.Fatal("same seed, different batches")
	}
	if slices.Equal(b1[:p], b3[:p]) {
		t.Fatal("different seeds, same sample")
	}
	if !slices.Equal(b1[:p], b1[4*p:]) {
		t.Fatal("the same index rendered twice in one batch differs")
	}
	// A sample does not depend on its batch, and Sample/Render agree.
	one := make([]float32, p)
	g1.Batch([]int{17}, one)
	img, _, box, _ := g1.Sample(17)
	rimg, _, rbox, _ := Render(task, d, 17, SampleRNG(42, 17))
	if !slices.Equal(one, b1[3*p:4*p]) || !slices.Equal(one, img) || !slices.Equal(img, rimg) || box != rbox || g1.Box(17) != box {
		t.Fatal("sample 17 depends on how it is drawn")
	}

	// Another seed moves the same digits: same labels and box sizes,
	// different positions for most samples.
	moved := 0
	for i := 0; i < d.Len(); i++ {
		a, b := g1.Box(i), g3.Box(i)
		if a.W() != b.W() || a.H() != b.H() || g1.Label(i) != g3.Label(i) {
			t.Fatalf("sample %d: %v vs %v", i, a, b)
		}
		if a != b {
			moved++
		}
	}
	if moved < d.Len()*3/4 {
		t.Fatalf("only %d of %d digits moved with the seed", moved, d.Len())
	}

	// Epochs: each one a new placement, reproducible.
	g1.SetEpoch(0)
	e0 := g1.Box(3)
	g1.SetEpoch(1)
	e1 := g1.Box(3)
	g1.SetEpoch(2)
	e2 := g1.Box(3)
	g1.SetEpoch(0)
	if g1.Box(3) != e0 || (e0 == e1 && e1 == e2) {
		t.Fatalf("epoch boxes %v %v %v", e0, e1, e2)
	}
	labels := make([]int, len(idx))
	g1.Labels(idx, labels)
	if labels[2] != d.Label(39) {
		t.Fatal("Labels")
	}
}

func TestNewGeneratorErrors(t *testing.T) {
	task, _ := TaskByName("cluttered60")
	for _, d := range []*Digits{nil, {}, fakeDigits(1, 1)} {
		if _, err := NewGenerator(task, d, 1); err == nil {
			t.Fatalf("generator over %v digits", d)
		}
	}
	if _, err := NewGenerator(Task{Size: 10}, fakeDigits(3, 1), 1); err == nil {
		t.Fatal("invalid task accepted")
	}
}

func BenchmarkGeneratorBatch(b *testing.B) {
	d := fakeDigits(1000, 1)
	if real, err := LoadMNIST("test"); err == nil {
		d = real
	}
	for _, name := range []string{"translated", "cluttered60", "cluttered100"} {
		b.Run(name, func(b *testing.B) {
			task, _ := TaskByName(name)
			g, _ := NewGenerator(task, d, 1)
			const batch = 64
			idx := make([]int, batch)
			dst := make([]float32, batch*task.Pixels())
			n := 0
			for b.Loop() {
				for i := range idx {
					idx[i] = (n + i*37) % d.Len()
				}
				n += batch
				g.Batch(idx, dst)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
