package data

import (
	"fmt"
	"math/rand/v2"
)

// Batcher cuts the indices 0..N-1 into mini-batches, in a fresh shuffled
// order every epoch. The order of an epoch depends only on (Seed, epoch).
type Batcher struct {
	N         int    // number of samples
	BatchSize int    // samples per batch
	Seed      uint64 // base seed; epoch e shuffles with EpochSeed(Seed, e)
	Shuffle   bool   // false keeps 0..N-1 in order (evaluation)
	DropLast  bool   // drop a final batch smaller than BatchSize
}

// Validate reports whether the batcher's settings make sense.
func (b Batcher) Validate() error {
	if b.N < 0 {
		return fmt.Errorf("batcher: %d samples", b.N)
	}
	if b.BatchSize <= 0 {
		return fmt.Errorf("batcher: batch size %d, want at least 1", b.BatchSize)
	}
	return nil
}

// NumBatches returns how many batches an epoch holds.
func (b Batcher) NumBatches() int {
	if b.BatchSize <= 0 {
		return 0
	}
	if b.DropLast {
		return b.N / b.BatchSize
	}
	return (b.N + b.BatchSize - 1) / b.BatchSize
}

// Order returns the permutation of 0..N-1 visited in the given epoch.
func (b Batcher) Order(epoch int) []int {
	order := make([]int, b.N)
	for i := range order {
		order[i] = i
	}
	if b.Shuffle {
		s := EpochSeed(b.Seed, epoch)
		rng := rand.New(rand.NewPCG(s, splitmix64(s)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	return order
}

// Batches returns the epoch's batches, in order; they are views into one
// Order slice. It returns an error for invalid settings.
func (b Batcher) Batches(epoch int) ([][]int, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	order := b.Order(epoch)
	batches := make([][]int, 0, b.NumBatches())
	for lo := 0; lo < len(order); lo += b.BatchSize {
		hi := min(lo+b.BatchSize, len(order))
		if hi-lo < b.BatchSize && b.DropLast {
			break
		}
		batches = append(batches, order[lo:hi:hi])
	}
	return batches, nil
}
