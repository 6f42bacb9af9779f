package data

import (
	"fmt"
	"math"
)

// SumClip is the built-in clip task of the non-local networks: two moving
// MNIST digits that are never on screen together, labelled with the sum of
// the two digits modulo 10.
//
// Digit A moves through frames [0, Switch) and digit B through frames
// [Switch, Frames), each from its own random place with its own random
// velocity, bouncing off the borders as in Moving MNIST. No frame shows
// both, so a network that looks at one frame at a time (C2D: 2-D
// convolutions per frame, then pooling over time) sees A and B only as
// separate feature vectors that the final average adds up. A linear
// classifier on a sum of per-digit features scores class k as
// u_k(A) + u_k(B), and the sum modulo 10 is not of that form: it contains
// exclusive-or (for A, B ∈ {0, 5}, the label is 5 exactly when A ≠ B,
// and u(0)+u(5) cannot be both above and below threshold), so C2D is
// capped well below what a model that relates A to B can reach: even with
// perfect digit features, a gradient search over additive scorers
// u_k(A) + u_k(B) finds none above 13% accuracy (chance is 10%). A
// non-local block over spacetime lets every position in B's frames read
// A's features directly, and the convolutions after it can then compute
// the pair. Inflated 3-D kernels can also bridge the cut, but only through
// the frames on either side of it. The sum is uniform over the ten
// classes (B is drawn uniformly from the whole split), so the label says
// nothing about either digit alone: a network learning it from scratch
// gets no signal until it relates the two, and the clip models start from
// a per-frame digit classifier instead, as the paper starts from an image
// network.
//
// Digits are shrunk to DigitSide pixels so clips stay small enough to
// train on a couple of CPU cores: the default is 8 frames of 32×32 grey
// pixels with 16-pixel digits.
type SumClip struct {
	Name      string  // "sum"
	Frames    int     // clip length T
	Switch    int     // first frame of digit B (A is shown before it)
	Size      int     // frame side
	DigitSide int     // side of the shrunk digit square
	MinSpeed  float64 // pixels per frame
	MaxSpeed  float64
}

// SumClipTestSeed fixes the test clips (the 10,000 MNIST test digits as
// digit A, their partners and trajectories): every model is scored on the
// same clips.
const SumClipTestSeed uint64 = 20180618

// DefaultSumClip returns the task as fixed for the model comparisons.
func DefaultSumClip() SumClip {
	return SumClip{Name: "sum", Frames: 8, Switch: 4, Size: 32, DigitSide: 16, MinSpeed: 1, MaxSpeed: 3}
}

// Pixels returns the values of one clip, Frames·Size·Size.
func (t SumClip) Pixels() int { return t.Frames * t.Size * t.Size }

// Validate reports whether clips can be generated.
func (t SumClip) Validate() error {
	switch {
	case t.Frames < 2 || t.Switch < 1 || t.Switch >= t.Frames:
		return fmt.Errorf("sum clip: %d frames switching at %d, want 1 ≤ switch < frames", t.Frames, t.Switch)
	case t.DigitSide < 4 || t.DigitSide > DigitSize || t.Size < t.DigitSide:
		return fmt.Errorf("sum clip: %d-pixel digits in %d-pixel frames", t.DigitSide, t.Size)
	case !(t.MinSpeed >= 0 && t.MaxSpeed >= t.MinSpeed && t.MaxSpeed < 1e3):
		return fmt.Errorf("sum clip: speeds %g–%g", t.MinSpeed, t.MaxSpeed)
	}
	return nil
}

// SumClipSample is one clip with its ground truth.
type SumClipSample struct {
	Frames  []float32 // [Frames][Size][Size] in [0, 1]
	Label   int       // (Digits[0] + Digits[1]) mod 10
	Digits  [2]int    // the classes of A and B
	Sources [2]int    // their indices in the generator's digits
	// Squares[t] is where the visible digit's square sits in frame t (A
	// before Switch, B from it on).
	Squares []Box
}

// SumClipGenerator renders SumClip samples on the fly. Clip idx has digit
// idx as A and is a pure function of (seed, idx), as with Generator. It is
// not safe for concurrent use; Clone gives each goroutine its own.
type SumClipGenerator struct {
	task   SumClip
	digits *Digits
	scaled [][]uint8 // shrunk digits, filled on demand
	base   uint64
	seed   uint64
}

// NewSumClipGenerator returns a generator over digits (at least two) whose
// partners and trajectories are fixed by seed.
func NewSumClipGenerator(task SumClip, digits *Digits, seed uint64) (*SumClipGenerator, error) {
	if err := task.Validate(); err != nil {
		return nil, err
	}
	if digits == nil || digits.Len() < 2 {
		return nil, fmt.Errorf("sum clip: need at least 2 digits")
	}
	return &SumClipGenerator{task: task, digits: digits, scaled: make([][]uint8, digits.Len()), base: seed, seed: seed}, nil
}

// SumClipTestSet returns the fixed test clips of the task: the 10,000 MNIST
// test digits as digit A, placed and partnered by seed (SumClipTestSeed for
// the standard set).
func SumClipTestSet(task SumClip, seed uint64) (*SumClipGenerator, error) {
	d, err := LoadMNIST("test")
	if err != nil {
		return nil, err
	}
	return NewSumClipGenerator(task, d, seed)
}

// Clone returns an independent generator over the same digits and seed.
func (g *SumClipGenerator) Clone() *SumClipGenerator {
	c := *g
	c.scaled = make([][]uint8, len(g.scaled))
	return &c
}

// Task returns the task.
func (g *SumClipGenerator) Task() SumClip { return g.task }

// Len returns the number of clips, one per digit.
func (g *SumClipGenerator) Len() int { return g.digits.Len() }

// SetEpoch switches to the partners and trajectories of a training epoch.
func (g *SumClipGenerator) SetEpoch(epoch int) { g.seed = EpochSeed(g.base, epoch) }

// Sample renders clip idx.
func (g *SumClipGenerator) Sample(idx int) SumClipSample {
	s := SumClipSample{Frames: make([]float32, g.task.Pixels()), Squares: make([]Box, g.task.Frames)}
	g.render(idx, s.Frames, &s)
	return s
}

// Render draws clip idx into frames (Pixels values, overwritten) and
// returns its label.
func (g *SumClipGenerator) Render(idx int, frames []float32) int {
	var s SumClipSample
	g.render(idx, frames, &s)
	return s.Label
}

func (g *SumClipGenerator) render(idx int, frames []float32, s *SumClipSample) {
	t := g.task
	clear(frames)
	rng := SampleRNG(g.seed, idx)
	other := rng.IntN(g.digits.Len() - 1)
	if other >= idx {
		other++ // B is another digit, never A's own image
	}
	s.Sources = [2]int{idx, other}
	s.Digits = [2]int{g.digits.Label(idx), g.digits.Label(other)}
	s.Label = (s.Digits[0] + s.Digits[1]) % 10
	S, D := t.Size, t.DigitSide
	limit := float64(S - D)
	for k, src := range s.Sources {
		pix := g.digit(src)
		speed := t.MinSpeed + (t.MaxSpeed-t.MinSpeed)*rng.Float64()
		angle := 2 * math.Pi * rng.Float64()
		x, y := limit*rng.Float64(), limit*rng.Float64()
		vx, vy := speed*math.Cos(angle), speed*math.Sin(angle)
		t0, t1 := 0, t.Switch
		if k == 1 {
			t0, t1 = t.Switch, t.Frames
		}
		for f := t0; f < t1; f++ {
			x0, y0 := int(math.Round(x)), int(math.Round(y))
			if s.Squares != nil {
				s.Squares[f] = Box{x0, y0, x0 + D, y0 + D}
			}
			frame := frames[f*S*S : (f+1)*S*S]
			for yy := 0; yy < D; yy++ {
				row := frame[(y0+yy)*S+x0 : (y0+yy)*S+x0+D]
				for xx, p := range pix[yy*D : (yy+1)*D] {
					row[xx] = float32(p) * (1.0 / 255)
				}
			}
			x, vx = bounce(x+vx, vx, limit)
			y, vy = bounce(y+vy, vy, limit)
		}
	}
}

// digit returns digit i shrunk to DigitSide, cached.
func (g *SumClipGenerator) digit(i int) []uint8 {
	if g.scaled[i] == nil {
		g.scaled[i] = scaleDigit(&g.digits.Images[i], g.task.DigitSide)
	}
	return g.scaled[i]
}
