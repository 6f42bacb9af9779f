package trainrun

import "math/rand/v2"

// StreamSlice returns the sample indices of epoch (1-based) when a run's
// epochs are slices of per samples from one endless stream of shuffled
// passes over n samples: pass p is a permutation seeded by (seed, p), and
// epoch e takes the stream's samples (e−1)·per … e·per−1, crossing into
// the next pass where it must. It depends only on its arguments, so a
// resumed run continues the same stream. Models whose full pass is too
// long to validate after (hours) use it to make epochs of any size.
func StreamSlice(seed uint64, n, per, epoch int) []int {
	if n <= 0 || per <= 0 || epoch < 1 {
		return nil
	}
	out := make([]int, 0, per)
	pos := (epoch - 1) * per
	var perm []int
	pass := -1
	for len(out) < per {
		if p := pos / n; p != pass {
			pass = p
			// Offset the pass number so stream passes never reuse the
			// permutation of a whole-pass epoch with the same seed.
			perm = rand.New(rand.NewPCG(seed, uint64(p)|1<<62)).Perm(n)
		}
		out = append(out, perm[pos%n])
		pos++
	}
	return out
}
