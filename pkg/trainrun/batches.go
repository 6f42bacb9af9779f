package trainrun

import "sync"

// ForBatches cuts n items into batches of size items (the last may be
// shorter) and calls fn(w, b, lo, hi) for every batch b, covering items
// [lo, hi), on up to threads goroutines. Each goroutine first makes its
// own worker state w with setup (a tape, buffers, a forked data view), so
// fn needs no locking except where it adds to a shared result. Batches
// are handed out in order but finish in any order: a result that must not
// depend on the thread count has to draw any randomness from b, not from
// the order of calls. It is the evaluation loop of every model.
func ForBatches[W any](n, size, threads int, setup func() W, fn func(w W, b, lo, hi int)) {
	if n <= 0 {
		return
	}
	size = max(size, 1)
	nb := (n + size - 1) / size
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(max(threads, 1), nb) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := setup()
			for b := range jobs {
				fn(w, b, b*size, min((b+1)*size, n))
			}
		}()
	}
	for b := 0; b < nb; b++ {
		jobs <- b
	}
	close(jobs)
	wg.Wait()
}
