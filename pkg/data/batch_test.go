package data

import (
	"slices"
	"testing"
)

func TestBatcher(t *testing.T) {
	cases := []struct {
		b       Batcher
		batches int
		last    int
	}{
		{Batcher{N: 10, BatchSize: 3}, 4, 1},
		{Batcher{N: 10, BatchSize: 3, DropLast: true}, 3, 3},
		{Batcher{N: 9, BatchSize: 3, DropLast: true, Shuffle: true}, 3, 3},
		{Batcher{N: 2, BatchSize: 5, DropLast: true}, 0, 0},
		{Batcher{N: 0, BatchSize: 5}, 0, 0},
	}
	for _, c := range cases {
		bs, err := c.b.Batches(0)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != c.batches || c.b.NumBatches() != c.batches || (c.batches > 0 && len(bs[len(bs)-1]) != c.last) {
			t.Fatalf("%+v: %d batches %v", c.b, len(bs), bs)
		}
		var all []int
		for _, b := range bs {
			all = append(all, b...)
		}
		seen := map[int]bool{}
		for _, i := range all {
			if i < 0 || i >= c.b.N || seen[i] {
				t.Fatalf("%+v: index %d repeated or out of range", c.b, i)
			}
			seen[i] = true
		}
		if !c.b.DropLast && len(all) != c.b.N {
			t.Fatalf("%+v: %d of %d indices", c.b, len(all), c.b.N)
		}
	}
	for _, bad := range []Batcher{{N: 3}, {N: -1, BatchSize: 2}} {
		if _, err := bad.Batches(0); err == nil {
			t.Fatalf("%+v accepted", bad)
		}
	}
}

func TestBatcherShuffle(t *testing.T) {
	b := Batcher{N: 100, BatchSize: 8, Seed: 5, Shuffle: true}
	e0, e0again, e1 := b.Order(0), b.Order(0), b.Order(1)
	other := Batcher{N: 100, BatchSize: 8, Seed: 6, Shuffle: true}.Order(0)
	if !slices.Equal(e0, e0again) || slices.Equal(e0, e1) || slices.Equal(e0, other) {
		t.Fatal("order is not a function of (seed, epoch)")
	}
	sorted := slices.Clone(e0)
	slices.Sort(sorted)
	if !slices.Equal(sorted, Batcher{N: 100, BatchSize: 8}.Order(3)) {
		t.Fatal("shuffled order is not a permutation, or the unshuffled one is not 0..N-1")
	}
}
