package data

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Task describes one of the canvas tasks of the glimpse model (Mnih et al.
// 2014, section 4.1): an MNIST digit placed on a Size×Size black canvas,
// optionally with Distractors 8×8 fragments of other digits as clutter.
type Task struct {
	Name        string
	Size        int // canvas side in pixels, at least DigitSize
	Distractors int // number of 8×8 clutter fragments
}

// DistractorSize is the side of a clutter fragment (Mnih et al. 2014).
const DistractorSize = 8

// MaskThreshold is the intensity above which a pixel of the target digit
// counts as part of its mask: the usual binarisation of MNIST at 0.5.
const MaskThreshold = 0.5

// DefaultTestSeed fixes the placement of the digits in the canvas test sets
// so that every run and every model is scored on the same images.
const DefaultTestSeed uint64 = 20140624

// Tasks returns the four canvas tasks of the paper:
//
//	mnist         28×28, the digit as is
//	translated    60×60, the digit at a uniformly random position
//	cluttered60   60×60, translated plus 4 distractors
//	cluttered100  100×100, translated plus 8 distractors
func Tasks() []Task {
	return []Task{
		{Name: "mnist", Size: DigitSize},
		{Name: "translated", Size: 60},
		{Name: "cluttered60", Size: 60, Distractors: 4},
		{Name: "cluttered100", Size: 100, Distractors: 8},
	}
}

// TaskByName returns the task of that name from Tasks.
func TaskByName(name string) (Task, error) {
	var names []string
	for _, t := range Tasks() {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Task{}, fmt.Errorf("unknown canvas task %q (want one of %s)", name, strings.Join(names, ", "))
}

// Pixels returns the number of pixels of one canvas.
func (t Task) Pixels() int { return t.Size * t.Size }

// Validate reports whether the task can be rendered.
func (t Task) Validate() error {
	if t.Size < DigitSize {
		return fmt.Errorf("canvas task %q: size %d is smaller than a %d-pixel digit", t.Name, t.Size, DigitSize)
	}
	if t.Distractors < 0 {
		return fmt.Errorf("canvas task %q: %d distractors", t.Name, t.Distractors)
	}
	return nil
}

// Render draws digit idx of d on the task's canvas using rng and returns
// the image (Size×Size, row-major, values in [0, 1]), the digit's label,
// the tight box around the digit's non-zero pixels in canvas coordinates,
// and the mask of the digit's pixels above MaskThreshold (distractor ink
// is never part of the mask).
//
// The digit is placed uniformly at random so that its whole 28×28 square
// lies inside the canvas. Each distractor is an 8×8 crop of a random other
// digit of d, pasted uniformly at random inside the canvas. Overlaps are
// combined with max, so distractors can add ink but never erase the digit.
//
// Render panics if t is invalid (see Validate), idx is out of range, or
// the task has distractors and d holds fewer than two digits.
func Render(t Task, d *Digits, idx int, rng *rand.Rand) (img []float32, label int, box Box, mask []bool) {
	if err := t.Validate(); err != nil {
		panic(err)
	}
	img = make([]float32, t.Pixels())
	mask = make([]bool, t.Pixels())
	box = renderCanvas(t, d, idx, rng, img, mask)
	return img, d.Label(idx), box, mask
}

// renderCanvas is Render into caller-provided buffers: img must hold
// t.Pixels() values and is overwritten; mask may be nil.
func renderCanvas(t Task, d *Digits, idx int, rng *rand.Rand, img []float32, mask []bool) Box {
	s := t.Size
	img = img[:s*s]
	clear(img)
	// The digit's position is drawn first so that, for one seed, the
	// translated and cluttered tasks put the digit in the same place.
	x0, y0 := placeDigit(t, rng)
	if t.Distractors > 0 && d.Len() < 2 {
		panic(fmt.Sprintf("canvas task %q: distractors need at least 2 digits, have %d", t.Name, d.Len()))
	}
	for k := 0; k < t.Distractors; k++ {
		j := rng.IntN(d.Len() - 1)
		if j >= idx {
			j++ // skip the target: distractors come from other digits
		}
		cx, cy := inkyCrop(&d.Images[j], rng)
		px := rng.IntN(s - DistractorSize + 1)
		py := rng.IntN(s - DistractorSize + 1)
		src := &d.Images[j]
		for y := 0; y < DistractorSize; y++ {
			row := img[(py+y)*s+px : (py+y)*s+px+DistractorSize]
			srow := src[(cy+y)*DigitSize+cx : (cy+y)*DigitSize+cx+DistractorSize]
			for x, p := range srow {
				row[x] = max(row[x], float32(p)*(1.0/255))
			}
		}
	}
	src := &d.Images[idx]
	for y := 0; y < DigitSize; y++ {
		row := img[(y0+y)*s+x0 : (y0+y)*s+x0+DigitSize]
		srow := src[y*DigitSize : y*DigitSize+DigitSize]
		for x, p := range srow {
			row[x] = max(row[x], float32(p)*(1.0/255))
		}
	}
	if mask != nil {
		mask = mask[:s*s]
		clear(mask)
		for y := 0; y < DigitSize; y++ {
			for x := 0; x < DigitSize; x++ {
				if float32(src[y*DigitSize+x])*(1.0/255) > MaskThreshold {
					mask[(y0+y)*s+x0+x] = true
				}
			}
		}
	}
	b := inkBox(src[:], DigitSize, 0)
	if b.Empty() {
		return b
	}
	return b.Translate(x0, y0)
}

// placeDigit draws the top-left corner of the digit's 28×28 square.
func placeDigit(t Task, rng *rand.Rand) (x0, y0 int) {
	free := t.Size - DigitSize + 1
	return rng.IntN(free), rng.IntN(free)
}

// inkyCrop draws the corner of an 8×8 crop of img. MNIST digits sit in a
// 20×20 box inside the 28×28 frame, so a uniform crop is blank often enough
// to thin out the clutter; a few redraws make a blank one rare while the
// result stays a deterministic function of rng.
func inkyCrop(img *[DigitPixels]uint8, rng *rand.Rand) (cx, cy int) {
	const tries = 4
	for try := 0; ; try++ {
		cx = rng.IntN(DigitSize - DistractorSize + 1)
		cy = rng.IntN(DigitSize - DistractorSize + 1)
		if try == tries-1 {
			return cx, cy
		}
		for y := 0; y < DistractorSize; y++ {
			for _, p := range img[(cy+y)*DigitSize+cx : (cy+y)*DigitSize+cx+DistractorSize] {
				if p != 0 {
					return cx, cy
				}
			}
		}
	}
}
