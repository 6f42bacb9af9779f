package domain_test

import (
	"testing"

	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/domain"
)

// photo is testimg.Photo in [0, 1], c channels of side×side.
func photo(c, side int) []float32 {
	x := testimg.Photo(c, side, side, 7)
	for i := range x {
		x[i] /= 255
	}
	return x
}

// The built-in references against held-out images: the test digits of
// each glimpse task score high, and a photograph low, far below the
// warning line for models of digits on black.
func TestBuiltinOnTestImages(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
	for _, task := range data.Tasks() {
		r, ok := domain.Builtin("ram/"+task.Name, 1, task.Size)
		if !ok {
			t.Fatalf("no reference for %s", task.Name)
		}
		g, err := data.TestSet(task, data.DefaultTestSeed)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		const n = 300
		for i := range n {
			img, _, _, _ := g.Sample(i)
			s := r.Score(img)
			if s < domain.WarnBelow {
				t.Errorf("%s test image %d scores %g", task.Name, i, s)
			}
			sum += s
		}
		if mean := sum / n; mean < 0.95 {
			t.Errorf("%s: test images score %.3f on average", task.Name, mean)
		}
		if s := r.Score(photo(1, task.Size)); s >= domain.WarnBelow {
			t.Errorf("%s: a photograph scores %g", task.Name, s)
		}
	}
}

// Every reference scores a photograph low; the colour models of textured
// digits, whose backgrounds are as busy and colourful as a photograph,
// least clearly.
func TestBuiltinOnPhotograph(t *testing.T) {
	for _, key := range domain.Keys() {
		for _, c := range []int{1, 3} {
			for _, side := range []int{28, 32, 60, 64, 100} {
				r, ok := domain.Builtin(key, c, side)
				if !ok {
					continue
				}
				x := photo(c, side)
				if key == "nonlocal/sum" { // a clip of 8 still frames
					x = append(x, x...)
					x = append(x, x...)
					x = append(x, x...)
				}
				s := r.Score(x)
				limit := domain.WarnBelow
				if c == 3 && key != "caption/builtin" {
					limit = 0.1
				}
				if s >= limit {
					t.Errorf("%s: a photograph scores %g, want below %g", key, s, limit)
				}
			}
		}
	}
}
