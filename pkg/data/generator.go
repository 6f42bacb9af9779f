package data

import (
	"fmt"
	"math/rand/v2"
)

// Generator renders canvas-task samples on the fly. Sample idx is a pure
// function of (seed, idx): the generator reseeds one PCG per sample with
// SampleRNG's recipe, so batches can be drawn in any order or composition
// and are still reproducible. A Generator is not safe for concurrent use;
// give each goroutine its own (they are cheap).
type Generator struct {
	task   Task
	digits *Digits
	base   uint64 // seed given to NewGenerator
	seed   uint64 // seed in force: base, or EpochSeed(base, epoch)
	pcg    rand.PCG
	rng    *rand.Rand
}

// NewGenerator returns a generator of task samples over digits whose
// placements are fixed by seed.
func NewGenerator(task Task, digits *Digits, seed uint64) (*Generator, error) {
	if err := task.Validate(); err != nil {
		return nil, err
	}
	if digits == nil || digits.Len() == 0 {
		return nil, fmt.Errorf("canvas task %q: no digits", task.Name)
	}
	if task.Distractors > 0 && digits.Len() < 2 {
		return nil, fmt.Errorf("canvas task %q: distractors need at least 2 digits, have %d", task.Name, digits.Len())
	}
	g := &Generator{task: task, digits: digits, base: seed, seed: seed}
	g.rng = rand.New(&g.pcg)
	return g, nil
}

// TestSet returns the fixed test set of a canvas task: the 10,000 MNIST
// test digits in their file order, placed by seed (DefaultTestSeed for the
// standard set). Another seed places the same digits, in the same order,
// elsewhere. Samples are rendered on demand, so the set costs no memory
// beyond the digits.
func TestSet(task Task, seed uint64) (*Generator, error) {
	d, err := LoadMNIST("test")
	if err != nil {
		return nil, err
	}
	return NewGenerator(task, d, seed)
}

// EpochSeed derives the seed of one training epoch from a base seed, so
// every epoch sees new placements (and new clutter) of the same digits.
func EpochSeed(base uint64, epoch int) uint64 {
	return splitmix64(base ^ splitmix64(uint64(epoch)+0x6a09e667f3bcc909))
}

// SampleRNG returns the random source a Generator with this seed uses for
// sample idx; Render(task, d, idx, SampleRNG(seed, idx)) reproduces
// Generator.Sample(idx).
func SampleRNG(seed uint64, idx int) *rand.Rand {
	hi, lo := sampleSeed(seed, idx)
	return rand.New(rand.NewPCG(hi, lo))
}

// sampleSeed spreads (seed, idx) over both PCG seed words; neighbouring
// indices must not give correlated streams.
func sampleSeed(seed uint64, idx int) (hi, lo uint64) {
	return seed, splitmix64(seed ^ splitmix64(uint64(idx)))
}

// splitmix64 is the finaliser of Steele et al.'s SplitMix64: a bijective
// mixer whose outputs for nearby inputs look unrelated.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Task returns the generator's task.
func (g *Generator) Task() Task { return g.task }

// Digits returns the digits the generator draws from.
func (g *Generator) Digits() *Digits { return g.digits }

// Len returns the number of samples (one per digit).
func (g *Generator) Len() int { return g.digits.Len() }

// Seed returns the seed in force (after SetEpoch, the epoch's seed).
func (g *Generator) Seed() uint64 { return g.seed }

// SetEpoch switches to the placements of a training epoch:
// EpochSeed(seed given to NewGenerator, epoch).
func (g *Generator) SetEpoch(epoch int) { g.seed = EpochSeed(g.base, epoch) }

// Label returns the class of sample idx.
func (g *Generator) Label(idx int) int { return g.digits.Label(idx) }

// Labels writes the classes of the given samples into dst.
func (g *Generator) Labels(indices []int, dst []int) {
	for i, idx := range indices {
		dst[i] = g.digits.Label(idx)
	}
}

func (g *Generator) reseed(idx int) {
	g.pcg.Seed(sampleSeed(g.seed, idx))
}

// Sample renders sample idx like Render does.
func (g *Generator) Sample(idx int) (img []float32, label int, box Box, mask []bool) {
	g.reseed(idx)
	return Render(g.task, g.digits, idx, g.rng)
}

// Box returns the digit box of sample idx without rendering it.
func (g *Generator) Box(idx int) Box {
	g.reseed(idx)
	x0, y0 := placeDigit(g.task, g.rng)
	b := inkBox(g.digits.Images[idx][:], DigitSize, 0)
	if b.Empty() {
		return b
	}
	return b.Translate(x0, y0)
}

// Batch renders the given samples into dst, one Size×Size image after the
// other (len(indices) × Task.Pixels() values). It panics if dst is too short.
func (g *Generator) Batch(indices []int, dst []float32) {
	p := g.task.Pixels()
	if len(dst) < len(indices)*p {
		panic(fmt.Sprintf("data: Generator.Batch: dst holds %d values, %d samples of %d pixels need %d", len(dst), len(indices), p, len(indices)*p))
	}
	for i, idx := range indices {
		g.reseed(idx)
		renderCanvas(g.task, g.digits, idx, g.rng, dst[i*p:(i+1)*p], nil)
	}
}
