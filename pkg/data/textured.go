package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Textured describes the built-in task of the Learn-to-Pay-Attention model
// (pkg/lpa): one MNIST digit, the target, on a procedurally textured colour
// background among other digits and fragments of digits, with a per-pixel
// mask of the target as ground truth for weakly supervised segmentation.
//
// The task is built so that attention pays: fragments of other digits
// (drawn at the same scale and stroke width, in the same kind of colours)
// add evidence for wrong classes that a global average over the image
// mixes in, and, in the version "largest", whole digits smaller than the
// target can only be told from it by comparing sizes across the image,
// which a softmax over space does and an average does not. The target is
// complete and larger than everything else, so the label is always well
// defined. TexturedByName gives the versions.
type Textured struct {
	Size           int     // canvas side in pixels (64)
	MinScale       float64 // digits are scaled by U(MinScale, MaxScale) (targets by U(MinScale·Margin, MaxScale) with whole digits)
	MaxScale       float64
	MinDistractors int     // fragments per image, uniform in [Min, Max]
	MaxDistractors int     //
	Fragment       float64 // side of a fragment as a fraction of its scaled digit frame (0.5)
	// MaskDilate grows the target's ink mask by a disc of this radius in
	// pixels. Ink alone is a few thin strokes; an attention map lives on a
	// grid 4–16 pixels coarse and can only say where the digit is, so the
	// ground truth describes the digit's region at that scale: its strokes
	// thickened by MaskDilate pixels on each side.
	MaskDilate int
	// MinWhole..MaxWhole whole digits of other classes or the same are
	// drawn beside the fragments, each smaller than the target by at
	// least the factor Margin (in side), so the label is that of the
	// largest whole digit. Digit sizes overlap across images, so whether
	// a digit is the target cannot be told from the digit alone, only by
	// comparing it with the others in the image. 0 whole digits: the
	// target is the only whole digit, as in the first version of the task.
	MinWhole, MaxWhole int
	Margin             float64
}

// The built-in task comes in two versions, named so a model file can say
// which one it was trained on:
//
//   - "fragments" (the default): the target is the only whole digit,
//     scaled by 1.2–1.6, among 2–4 fragments of half a frame.
//   - "largest": 1–2 smaller whole digits beside the target and 1–3
//     fragments (a digit or fragment that finds no free place after a few
//     tries is left out, so a few percent of images have no whole digit
//     beside the target, as TestTexturedWholeDigits bounds); the label is
//     that of the largest whole digit. Digits are
//     scaled by 0.8–1.5 (targets 1.0–1.5, every other whole digit at least
//     1.25 times smaller than its target), so whether a digit is the target
//     can only be told by comparing it with the others in the image: a
//     task made for a softmax over space, which picks the strongest
//     location where an average mixes them.
//
// Masks are the target's ink dilated by 2 pixels in both.
const DefaultTexturedName = "fragments"

// TexturedNames lists the built-in task's versions, the default first.
var TexturedNames = []string{"fragments", "largest"}

// TexturedByName returns a version of the built-in task.
func TexturedByName(name string) (Textured, error) {
	switch name {
	case "largest":
		return Textured{Size: 64, MinScale: 0.8, MaxScale: 1.5, MinDistractors: 1, MaxDistractors: 3, Fragment: 0.5, MaskDilate: 2,
			MinWhole: 1, MaxWhole: 2, Margin: 1.25}, nil
	case "fragments":
		return Textured{Size: 64, MinScale: 1.2, MaxScale: 1.6, MinDistractors: 2, MaxDistractors: 4, Fragment: 0.5, MaskDilate: 2}, nil
	}
	return Textured{}, fmt.Errorf("textured task %q: want one of %s", name, strings.Join(TexturedNames, ", "))
}

// DefaultTextured returns the default version of the built-in task.
func DefaultTextured() Textured {
	t, _ := TexturedByName(DefaultTexturedName)
	return t
}

// TexturedTestSeed fixes the renderings of the textured test set (the
// 10,000 MNIST test digits), so every model is scored on the same images.
const TexturedTestSeed uint64 = 20180430

// TexturedChannels is the number of colour channels of a textured image.
const TexturedChannels = 3

// Background kinds of the textured task, in the order they are drawn.
var TexturedBackgrounds = []string{"grating", "blobs", "checker", "noise"}

// Pixels returns the number of values of one image (3·Size²).
func (t Textured) Pixels() int { return TexturedChannels * t.Size * t.Size }

// Validate reports whether the task can be rendered.
func (t Textured) Validate() error {
	switch {
	case t.MinScale <= 0 || t.MaxScale < t.MinScale:
		return fmt.Errorf("textured task: scale range [%g, %g] is empty or not positive", t.MinScale, t.MaxScale)
	case t.Size < int(math.Ceil(DigitSize*t.MaxScale)):
		return fmt.Errorf("textured task: canvas %d is smaller than a digit at scale %g", t.Size, t.MaxScale)
	case t.MinDistractors < 0 || t.MaxDistractors < t.MinDistractors:
		return fmt.Errorf("textured task: distractor range [%d, %d] is empty", t.MinDistractors, t.MaxDistractors)
	case !(t.Fragment > 0 && t.Fragment < 1):
		return fmt.Errorf("textured task: fragment fraction %g, want (0, 1)", t.Fragment)
	case t.MaskDilate < 0 || t.MaskDilate > 8:
		return fmt.Errorf("textured task: mask dilation %d, want 0..8", t.MaskDilate)
	case t.MinWhole < 0 || t.MaxWhole < t.MinWhole:
		return fmt.Errorf("textured task: whole-digit range [%d, %d] is empty", t.MinWhole, t.MaxWhole)
	case t.MaxWhole > 0 && !(t.Margin >= 1 && t.MinScale*t.Margin <= t.MaxScale):
		return fmt.Errorf("textured task: margin %g, want ≥ 1 and at most MaxScale/MinScale = %g", t.Margin, t.MaxScale/t.MinScale)
	}
	return nil
}

// TexturedSample is one rendered image with its ground truth.
type TexturedSample struct {
	Image       []float32 // [3][Size][Size], planar RGB in [0, 1]
	Label       int       // class of the target digit
	Mask        []bool    // [Size][Size]: the target's dilated ink
	Box         Box       // tight box around the target's ink
	Distractors []Box     // where each fragment was pasted
	Whole       []Box     // ink boxes of the smaller whole digits, if the task has them
	Side        int       // side of the target's scaled digit frame
	WholeSides  []int     // sides of the whole digits' frames
	Background  string    // one of TexturedBackgrounds
}

// TexturedGenerator renders textured samples on the fly. As with
// Generator, sample idx is a pure function of (seed, idx), so batches can
// be drawn in any order. It is not safe for concurrent use; Clone gives
// each goroutine its own.
type TexturedGenerator struct {
	task   Textured
	digits *Digits
	base   uint64
	seed   uint64
	pcg    rand.PCG
	rng    *rand.Rand
	// scratch
	digit, frag, weight []float32
}

// NewTexturedGenerator returns a generator over digits whose renderings
// are fixed by seed. Distractors need at least two digits.
func NewTexturedGenerator(task Textured, digits *Digits, seed uint64) (*TexturedGenerator, error) {
	if err := task.Validate(); err != nil {
		return nil, err
	}
	if digits == nil || digits.Len() == 0 {
		return nil, fmt.Errorf("textured task: no digits")
	}
	if task.MaxDistractors > 0 && digits.Len() < 2 {
		return nil, fmt.Errorf("textured task: distractors need at least 2 digits, have %d", digits.Len())
	}
	g := &TexturedGenerator{task: task, digits: digits, base: seed, seed: seed}
	g.rng = rand.New(&g.pcg)
	return g, nil
}

// TexturedTestSet returns the fixed test set: the 10,000 MNIST test digits
// in file order, rendered with seed (TexturedTestSeed for the standard set).
func TexturedTestSet(task Textured, seed uint64) (*TexturedGenerator, error) {
	d, err := LoadMNIST("test")
	if err != nil {
		return nil, err
	}
	return NewTexturedGenerator(task, d, seed)
}

// Clone returns an independent generator with the same task, digits and
// seed in force.
func (g *TexturedGenerator) Clone() *TexturedGenerator {
	c := &TexturedGenerator{task: g.task, digits: g.digits, base: g.base, seed: g.seed}
	c.rng = rand.New(&c.pcg)
	return c
}

// Task returns the generator's task.
func (g *TexturedGenerator) Task() Textured { return g.task }

// Len returns the number of samples (one per digit).
func (g *TexturedGenerator) Len() int { return g.digits.Len() }

// Label returns the class of sample idx.
func (g *TexturedGenerator) Label(idx int) int { return g.digits.Label(idx) }

// SetEpoch switches to the renderings of a training epoch:
// EpochSeed(seed given to NewTexturedGenerator, epoch).
func (g *TexturedGenerator) SetEpoch(epoch int) { g.seed = EpochSeed(g.base, epoch) }

// Seed returns the seed in force.
func (g *TexturedGenerator) Seed() uint64 { return g.seed }

// Sample renders sample idx with all its ground truth.
func (g *TexturedGenerator) Sample(idx int) TexturedSample {
	s := TexturedSample{Image: make([]float32, g.task.Pixels()), Mask: make([]bool, g.task.Size*g.task.Size)}
	s.Label = g.digits.Label(idx)
	g.render(idx, s.Image, s.Mask, &s)
	return s
}

// Render writes sample idx into img (Pixels() values) and, when mask is
// not nil, its mask (Size² values), and returns the label.
func (g *TexturedGenerator) Render(idx int, img []float32, mask []bool) int {
	g.render(idx, img, mask, nil)
	return g.digits.Label(idx)
}

// render draws sample idx into img and mask (if not nil) and, when s is
// not nil, records where everything went in it.
func (g *TexturedGenerator) render(idx int, img []float32, mask []bool, s *TexturedSample) {
	t := g.task
	S := t.Size
	img = img[:t.Pixels()]
	g.pcg.Seed(sampleSeed(g.seed, idx))
	rng := g.rng

	// The background decides whether ink is light or dark, so every digit
	// and fragment contrasts with it while none stands out by colour.
	kind := rng.IntN(len(TexturedBackgrounds))
	dark := rng.IntN(2) == 0
	if len(g.weight) < S*S {
		g.weight = make([]float32, S*S)
	}
	drawBackground(img, g.weight[:S*S], S, kind, dark, rng)

	// Target first in the random stream: its scale and place do not
	// depend on how many fragments follow.
	scale := t.MinScale + rng.Float64()*(t.MaxScale-t.MinScale)
	if t.MaxWhole > 0 {
		// Room below the target for whole digits Margin times smaller.
		scale = t.MinScale*t.Margin + (scale-t.MinScale)*(t.MaxScale-t.MinScale*t.Margin)/(t.MaxScale-t.MinScale)
	}
	side := min(S, int(math.Round(DigitSize*scale)))
	g.digit = resampleDigit(g.digit[:0], &g.digits.Images[idx], side)
	tx, ty := rng.IntN(S-side+1), rng.IntN(S-side+1)
	inkCol := inkColour(dark, rng)
	box := inkBoxF(g.digit, side, MaskThreshold).Translate(tx, ty)

	var wholes []Box
	if t.MaxWhole > 0 {
		nw := t.MinWhole + rng.IntN(t.MaxWhole-t.MinWhole+1)
		taken := []Box{box}
		for k := 0; k < nw; k++ {
			j := g.other(idx, rng)
			hi := min(scale/t.Margin, float64(side-1)/DigitSize/t.Margin)
			ws := int(math.Floor(DigitSize * (t.MinScale + rng.Float64()*max(0, hi-t.MinScale))))
			ws = max(8, min(ws, int(float64(side)/t.Margin)))
			g.frag = resampleDigit(g.frag[:0], &g.digits.Images[j], ws)
			ink := inkBoxF(g.frag, ws, MaskThreshold)
			// A few tries to keep whole digits apart, so each stays
			// readable; when none fits, the digit is left out rather than
			// drawn over another.
			for try := 0; try < 12; try++ {
				px, py := rng.IntN(S-ws+1), rng.IntN(S-ws+1)
				b := ink.Translate(px, py)
				if !overlapsAny(b, taken) {
					col := inkColour(dark, rng)
					blendInk(img, S, g.frag, ws, 0, 0, ws, ws, px, py, col)
					taken = append(taken, b)
					wholes = append(wholes, b)
					if s != nil {
						s.WholeSides = append(s.WholeSides, ws)
					}
					break
				}
			}
		}
	}

	n := t.MinDistractors + rng.IntN(t.MaxDistractors-t.MinDistractors+1)
	frags := make([]Box, 0, n)
	for k := 0; k < n; k++ {
		j := g.other(idx, rng)
		fs := scaledSide(t, rng)
		g.frag = resampleDigit(g.frag[:0], &g.digits.Images[j], fs)
		f := max(4, int(math.Round(t.Fragment*float64(fs))))
		cx, cy := inkiestCrop(g.frag, fs, f, rng)
		// A few tries to keep fragments off the target's ink box, so the
		// target stays whole; the last try is taken regardless.
		// With whole digits, a fragment that finds no free place is left
		// out, so no digit is covered.
		var px, py int
		fits := false
		for try := 0; try < 8 && !fits; try++ {
			px, py = rng.IntN(S-f+1), rng.IntN(S-f+1)
			fb := Box{px, py, px + f, py + f}
			fits = !fb.Overlaps(box) && !overlapsAny(fb, wholes)
		}
		if !fits && t.MaxWhole > 0 {
			continue
		}
		col := inkColour(dark, rng)
		blendInk(img, S, g.frag, fs, cx, cy, f, f, px, py, col)
		frags = append(frags, Box{px, py, px + f, py + f})
	}
	// The target is drawn last, on top: fragments never hide it.
	blendInk(img, S, g.digit, side, 0, 0, side, side, tx, ty, inkCol)
	if mask != nil {
		mask = mask[:S*S]
		clear(mask)
		r := t.MaskDilate
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				if g.digit[y*side+x] <= MaskThreshold {
					continue
				}
				for dy := -r; dy <= r; dy++ {
					for dx := -r; dx <= r; dx++ {
						X, Y := tx+x+dx, ty+y+dy
						if dx*dx+dy*dy <= r*r && X >= 0 && Y >= 0 && X < S && Y < S {
							mask[Y*S+X] = true
						}
					}
				}
			}
		}
	}
	if s != nil {
		s.Box, s.Distractors, s.Whole, s.Side, s.Background = box, frags, wholes, side, TexturedBackgrounds[kind]
	}
}

// Batch renders the given samples one after the other into images
// (len(indices)·Pixels() values) and, if masks is not nil, their masks
// (len(indices)·Size² values); labels receives the classes.
func (g *TexturedGenerator) Batch(indices []int, images []float32, masks []bool, labels []int) {
	p, q := g.task.Pixels(), g.task.Size*g.task.Size
	for i, idx := range indices {
		var m []bool
		if masks != nil {
			m = masks[i*q : (i+1)*q]
		}
		labels[i] = g.Render(idx, images[i*p:(i+1)*p], m)
	}
}

// other draws the index of a digit other than idx, for distractors.
func (g *TexturedGenerator) other(idx int, rng *rand.Rand) int {
	j := rng.IntN(g.digits.Len() - 1)
	if j >= idx {
		j++
	}
	return j
}

// overlapsAny reports whether b overlaps one of boxes.
func overlapsAny(b Box, boxes []Box) bool {
	for _, c := range boxes {
		if b.Overlaps(c) {
			return true
		}
	}
	return false
}

// scaledSide draws the side of a scaled 28-pixel digit frame.
func scaledSide(t Textured, rng *rand.Rand) int {
	s := t.MinScale + rng.Float64()*(t.MaxScale-t.MinScale)
	return min(t.Size, int(math.Round(DigitSize*s)))
}

// resampleDigit resamples a 28×28 digit to side×side with bilinear
// interpolation (pixel centres aligned, align_corners=false), values in
// [0, 1], appended to dst.
func resampleDigit(dst []float32, src *[DigitPixels]uint8, side int) []float32 {
	r := float64(DigitSize) / float64(side)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= DigitSize || y >= DigitSize {
			return 0
		}
		return float64(src[y*DigitSize+x]) / 255
	}
	for y := 0; y < side; y++ {
		sy := (float64(y)+0.5)*r - 0.5
		y0 := int(math.Floor(sy))
		fy := sy - float64(y0)
		for x := 0; x < side; x++ {
			sx := (float64(x)+0.5)*r - 0.5
			x0 := int(math.Floor(sx))
			fx := sx - float64(x0)
			v := (1-fy)*((1-fx)*at(x0, y0)+fx*at(x0+1, y0)) + fy*((1-fx)*at(x0, y0+1)+fx*at(x0+1, y0+1))
			dst = append(dst, float32(v))
		}
	}
	return dst
}

// inkBoxF is inkBox for a float image.
func inkBoxF(pix []float32, w int, thresh float32) Box {
	h := len(pix) / w
	b := Box{X0: w, Y0: h}
	for y := 0; y < h; y++ {
		for x, p := range pix[y*w : y*w+w] {
			if p > thresh {
				b.X0, b.X1 = min(b.X0, x), max(b.X1, x+1)
				b.Y0, b.Y1 = min(b.Y0, y), y+1
			}
		}
	}
	if b.X1 == 0 {
		return Box{}
	}
	return b
}

// inkiestCrop picks, of four random f×f windows of a side×side digit, the
// one holding the most ink, so fragments are rarely blank.
func inkiestCrop(pix []float32, side, f int, rng *rand.Rand) (cx, cy int) {
	best := float32(-1)
	for try := 0; try < 4; try++ {
		x0, y0 := rng.IntN(side-f+1), rng.IntN(side-f+1)
		var s float32
		for y := y0; y < y0+f; y++ {
			for _, p := range pix[y*side+x0 : y*side+x0+f] {
				s += p
			}
		}
		if s > best {
			best, cx, cy = s, x0, y0
		}
	}
	return cx, cy
}

// blendInk paints the w×h window at (cx, cy) of a side-wide digit onto the
// planar RGB canvas at (px, py): out = (1−a)·out + a·colour with a the ink
// intensity, clipped at the canvas edge.
func blendInk(img []float32, S int, pix []float32, side, cx, cy, w, h, px, py int, col [3]float32) {
	for y := 0; y < h; y++ {
		Y := py + y
		if Y < 0 || Y >= S {
			continue
		}
		for x := 0; x < w; x++ {
			X := px + x
			if X < 0 || X >= S {
				continue
			}
			a := pix[(cy+y)*side+cx+x]
			if a == 0 {
				continue
			}
			for c := 0; c < 3; c++ {
				o := &img[c*S*S+Y*S+X]
				*o = (1-a)**o + a*col[c]
			}
		}
	}
}

// bgColour draws a background colour: dark backgrounds keep every channel
// in [0.05, 0.45], light ones in [0.55, 0.95].
func bgColour(dark bool, rng *rand.Rand) [3]float32 {
	var c [3]float32
	for i := range c {
		v := 0.05 + 0.4*rng.Float32()
		if !dark {
			v += 0.5
		}
		c[i] = v
	}
	return c
}

// inkColour draws an ink colour that contrasts with the background: on
// dark backgrounds a bright colour (one channel at full strength, the
// others in [0.6, 1]), on light ones a dark colour (one channel at zero,
// the others in [0, 0.3]).
func inkColour(dark bool, rng *rand.Rand) [3]float32 {
	var c [3]float32
	k := rng.IntN(3)
	for i := range c {
		if dark {
			c[i] = 0.6 + 0.4*rng.Float32()
		} else {
			c[i] = 0.3 * rng.Float32()
		}
	}
	if dark {
		c[k] = 1
	} else {
		c[k] = 0
	}
	return c
}

// drawBackground fills the planar canvas with one of the procedural
// textures, blending two or more background colours with a weight field
// w(x, y) ∈ [0, 1].
func drawBackground(img, weight []float32, S, kind int, dark bool, rng *rand.Rand) {
	c0, c1 := bgColour(dark, rng), bgColour(dark, rng)
	clear(weight)
	switch TexturedBackgrounds[kind] {
	case "grating":
		// A sinusoidal grating of random orientation, period 5–16 pixels.
		th := rng.Float64() * math.Pi
		period := 5 + 11*rng.Float64()
		ph := rng.Float64() * 2 * math.Pi
		ct, st := math.Cos(th), math.Sin(th)
		for y := 0; y < S; y++ {
			for x := 0; x < S; x++ {
				u := float64(x)*ct + float64(y)*st
				weight[y*S+x] = float32(0.5 + 0.5*math.Sin(2*math.Pi*u/period+ph))
			}
		}
	case "blobs":
		// 4–8 Gaussian blobs of width 3–10 pixels.
		n := 4 + rng.IntN(5)
		for k := 0; k < n; k++ {
			bx, by := rng.Float64()*float64(S), rng.Float64()*float64(S)
			sg := 3 + 7*rng.Float64()
			for y := 0; y < S; y++ {
				for x := 0; x < S; x++ {
					d2 := (float64(x)-bx)*(float64(x)-bx) + (float64(y)-by)*(float64(y)-by)
					w := float32(math.Exp(-d2 / (2 * sg * sg)))
					weight[y*S+x] = max(weight[y*S+x], w)
				}
			}
		}
	case "checker":
		// A checkerboard of 4–12-pixel cells rotated by a random angle.
		cell := 4 + 8*rng.Float64()
		th := rng.Float64() * math.Pi / 2
		ct, st := math.Cos(th), math.Sin(th)
		for y := 0; y < S; y++ {
			for x := 0; x < S; x++ {
				u := (float64(x)*ct + float64(y)*st) / cell
				v := (-float64(x)*st + float64(y)*ct) / cell
				if (int(math.Floor(u))+int(math.Floor(v)))&1 == 0 {
					weight[y*S+x] = 1
				}
			}
		}
	default: // noise
		// Value noise: a random 5×5–9×9 lattice, bilinearly interpolated.
		n := 5 + rng.IntN(5)
		lat := make([]float64, n*n)
		for i := range lat {
			lat[i] = rng.Float64()
		}
		for y := 0; y < S; y++ {
			fy := float64(y) / float64(S) * float64(n-1)
			y0 := min(int(fy), n-2)
			ay := fy - float64(y0)
			for x := 0; x < S; x++ {
				fx := float64(x) / float64(S) * float64(n-1)
				x0 := min(int(fx), n-2)
				ax := fx - float64(x0)
				v := (1-ay)*((1-ax)*lat[y0*n+x0]+ax*lat[y0*n+x0+1]) + ay*((1-ax)*lat[(y0+1)*n+x0]+ax*lat[(y0+1)*n+x0+1])
				weight[y*S+x] = float32(v)
			}
		}
	}
	for c := 0; c < 3; c++ {
		plane := img[c*S*S : (c+1)*S*S]
		for i, w := range weight {
			plane[i] = (1-w)*c0[c] + w*c1[c]
		}
	}
}
