package data

import (
	"slices"
	"testing"
)

func TestSumClip(t *testing.T) {
	task := DefaultSumClip()
	d := fakeDigits(50, 3)
	g, err := NewSumClipGenerator(task, d, 7)
	if err != nil {
		t.Fatal(err)
	}
	S := task.Size
	for idx := 0; idx < d.Len(); idx++ {
		s := g.Sample(idx)
		// Determinism: the same clip again, from a clone, in any order.
		if again := g.Clone().Sample(idx); !slices.Equal(again.Frames, s.Frames) || again.Label != s.Label {
			t.Fatalf("clip %d differs on a second draw", idx)
		}
		buf := make([]float32, task.Pixels())
		if lab := g.Render(idx, buf); lab != s.Label || !slices.Equal(buf, s.Frames) {
			t.Fatalf("clip %d: Render and Sample disagree", idx)
		}
		// Label: A is digit idx, B another one, label their sum mod 10.
		if s.Sources[0] != idx || s.Sources[1] == idx {
			t.Fatalf("clip %d: sources %v", idx, s.Sources)
		}
		if s.Digits[0] != d.Label(idx) || s.Digits[1] != d.Label(s.Sources[1]) || s.Label != (s.Digits[0]+s.Digits[1])%10 {
			t.Fatalf("clip %d: digits %v label %d", idx, s.Digits, s.Label)
		}
		// Never together: every frame's ink lies in the one visible square,
		// A's before the switch and B's after, and that square holds the
		// right digit's ink.
		for f := 0; f < task.Frames; f++ {
			sq := s.Squares[f]
			if sq.Empty() || !sq.Inside(S, S) {
				t.Fatalf("clip %d frame %d: square %v", idx, f, sq)
			}
			src := s.Sources[0]
			if f >= task.Switch {
				src = s.Sources[1]
			}
			want := scaleDigit(&d.Images[src], task.DigitSide)
			for y := 0; y < S; y++ {
				for x := 0; x < S; x++ {
					v := s.Frames[f*S*S+y*S+x]
					if !sq.Contains(x, y) {
						if v != 0 {
							t.Fatalf("clip %d frame %d: ink at (%d,%d) outside %v", idx, f, x, y, sq)
						}
						continue
					}
					if w := float32(want[(y-sq.Y0)*task.DigitSide+x-sq.X0]) * (1.0 / 255); v != w {
						t.Fatalf("clip %d frame %d: pixel (%d,%d) %g, want %g of digit %d", idx, f, x, y, v, w, src)
					}
				}
			}
		}
	}
	// Another epoch draws other partners.
	g.SetEpoch(1)
	changed := false
	for idx := 0; idx < 10; idx++ {
		if g.Sample(idx).Sources[1] != g.Clone().Sample(idx).Sources[1] {
			t.Fatal("clone does not keep the epoch")
		}
	}
	for idx := 0; idx < 10 && !changed; idx++ {
		g.SetEpoch(0)
		a := g.Sample(idx)
		g.SetEpoch(1)
		changed = !slices.Equal(a.Frames, g.Sample(idx).Frames)
	}
	if !changed {
		t.Fatal("epoch 1 repeats epoch 0")
	}
}

// The label is uniform enough over the ten classes, so chance is 90% error.
func TestSumClipLabelsBalanced(t *testing.T) {
	d := fakeDigits(2000, 5)
	g, err := NewSumClipGenerator(DefaultSumClip(), d, 1)
	if err != nil {
		t.Fatal(err)
	}
	var counts [10]int
	buf := make([]float32, DefaultSumClip().Pixels())
	for i := 0; i < d.Len(); i++ {
		counts[g.Render(i, buf)]++
	}
	for k, c := range counts {
		if c < 140 || c > 260 {
			t.Fatalf("class %d: %d of %d clips (%v)", k, c, d.Len(), counts)
		}
	}
}

func TestSumClipValidate(t *testing.T) {
	bad := []SumClip{
		{Frames: 1, Switch: 1, Size: 32, DigitSide: 16},
		{Frames: 8, Switch: 8, Size: 32, DigitSide: 16},
		{Frames: 8, Switch: 4, Size: 12, DigitSide: 16},
		{Frames: 8, Switch: 4, Size: 32, DigitSide: 16, MinSpeed: 3, MaxSpeed: 1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if _, err := NewSumClipGenerator(DefaultSumClip(), fakeDigits(1, 1), 0); err == nil {
		t.Error("one digit: no error")
	}
}
