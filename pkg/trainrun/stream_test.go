package trainrun

import (
	"slices"
	"testing"
)

// Consecutive epochs tile the stream: every pass is a permutation, and an
// epoch that straddles two passes continues the first and starts the second.
func TestStreamSliceTilesPasses(t *testing.T) {
	const n, per = 10, 4
	var stream []int
	for e := 1; e <= 10; e++ {
		s := StreamSlice(7, n, per, e)
		if len(s) != per {
			t.Fatalf("epoch %d: %d samples, want %d", e, len(s), per)
		}
		stream = append(stream, s...)
	}
	for p := 0; p < 4; p++ {
		pass := slices.Clone(stream[p*n : (p+1)*n])
		slices.Sort(pass)
		for i, v := range pass {
			if v != i {
				t.Fatalf("pass %d is not a permutation: %v", p, stream[p*n:(p+1)*n])
			}
		}
	}
	if slices.Equal(stream[:n], stream[n:2*n]) {
		t.Fatal("two passes in the same order")
	}
	if !slices.Equal(StreamSlice(7, n, per, 3), stream[8:12]) {
		t.Fatal("an epoch is not a function of its number")
	}
	if StreamSlice(7, 0, per, 1) != nil || StreamSlice(7, n, per, 0) != nil {
		t.Fatal("empty data or epoch 0 gave samples")
	}
}
