// Package parallel holds the one way the kernels split work over
// goroutines: contiguous, fixed ranges, so that each element is computed
// by the same code whatever the thread count, and a result summed per
// range is summed in a fixed order.
package parallel

import "sync"

// Ranges cuts [0, n) into t contiguous ranges and calls fn(k, lo, hi)
// for the k-th, ranges 1..t−1 on new goroutines and range 0 on the
// caller's, and returns when all are done. Range k is [k·n/t, (k+1)·n/t).
func Ranges(t, n int, fn func(k, lo, hi int)) {
	var wg sync.WaitGroup
	for k := 1; k < t; k++ {
		lo, hi := k*n/t, (k+1)*n/t
		wg.Go(func() { fn(k, lo, hi) })
	}
	fn(0, 0, n/t)
	wg.Wait()
}
