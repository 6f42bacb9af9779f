package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Threading. A product is cut into disjoint rectangles of C (a tm×tn grid
// aligned to the MR×NR tile grid), or, for a batch of small products, into
// runs of whole batch items. Each part runs the sequential blocked algorithm
// with its own packing buffers, so parts share nothing but read-only A and B:
// no barriers, no locks on the hot path, and a bit-identical result for any
// thread count. The price is that every part packs its own copy of the
// operand it shares (B when C is cut by rows), which costs O(k·n) against
// O(m·n·k/threads) of arithmetic.
//
// The caller's goroutine always computes part 0; parts 1.. go to a persistent
// pool of worker goroutines through a channel, so a call costs a few channel
// operations and no goroutine creation or allocation.

// parallelMinWork is the multiply-add count (m·n·k summed over the batch)
// below which a call runs single-threaded on the caller's goroutine: handing
// a part to a worker costs a few microseconds, which such products do not
// repay. minPartWork bounds the work given to each additional thread.
const (
	parallelMinWork = 96 * 96 * 96
	minPartWork     = 48 * 48 * 48
)

var threads atomic.Int32

func init() { threads.Store(int32(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many threads (goroutines) one Sgemm or SgemmBatched
// call may use; n ≤ 0 restores the default, GOMAXPROCS at the time of the
// call. Small products always run on the caller's goroutine alone.
func SetThreads(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(n))
}

// Threads returns the thread count set by SetThreads (GOMAXPROCS by default).
func Threads() int { return int(threads.Load()) }

// job is one parallel call; jobs are recycled through jobPool.
type job struct {
	p          problem
	kern       *kernel
	splitBatch bool // parts own runs of batch items, else rectangles of C
	parts      int
	tn         int // columns of the part grid (grid mode)
	wg         sync.WaitGroup
}

// task hands part of a job to a worker.
type task struct {
	j    *job
	part int
}

var (
	jobPool = sync.Pool{New: func() any { return new(job) }}
	bufPool = sync.Pool{New: func() any { return new(packBufs) }}

	workers struct {
		sync.Mutex
		n  int
		ch chan task
	}
)

// ensureWorkers starts workers until at least n are running. Workers live
// for the rest of the process and each keeps its own packing buffers.
func ensureWorkers(n int) {
	workers.Lock()
	defer workers.Unlock()
	if workers.ch == nil {
		workers.ch = make(chan task, 256)
	}
	for ; workers.n < n; workers.n++ {
		go worker(workers.ch)
	}
}

func worker(ch <-chan task) {
	bufs := new(packBufs)
	for t := range ch {
		t.j.runPart(t.part, bufs)
		t.j.wg.Done()
	}
}

// run computes a checked problem, on the caller's goroutine or in parallel.
func run(p *problem) {
	if p.m == 0 || p.n == 0 || p.batch == 0 {
		return
	}
	if p.alpha == 0 || p.k == 0 {
		for i := 0; i < p.batch; i++ {
			scaleC(p.c[i*p.strideC:], p.m, p.n, p.ldc, p.beta)
		}
		return
	}
	kn := active.Load()
	work := p.m * p.n * p.k
	t := min(Threads(), work*p.batch/minPartWork)
	if t <= 1 || work*p.batch < parallelMinWork {
		bufs := bufPool.Get().(*packBufs)
		for i := 0; i < p.batch; i++ {
			gemmRegion(kn, bufs, p, i, 0, p.m, 0, p.n)
		}
		bufPool.Put(bufs)
		return
	}

	j := jobPool.Get().(*job)
	j.p = *p
	j.kern = kn
	j.plan(t)
	if j.parts > 1 {
		ensureWorkers(j.parts - 1)
		j.wg.Add(j.parts - 1)
		for i := 1; i < j.parts; i++ {
			workers.ch <- task{j, i}
		}
	}
	bufs := bufPool.Get().(*packBufs)
	j.runPart(0, bufs)
	bufPool.Put(bufs)
	j.wg.Wait()
	j.p = problem{} // drop references to the caller's slices
	jobPool.Put(j)
}

// plan chooses how to cut the job into at most t parts.
func (j *job) plan(t int) {
	p := &j.p
	// Many small products: whole items per thread, no duplicated packing.
	if p.batch >= 2*t || (p.batch >= t && p.batch%t == 0) {
		j.splitBatch, j.parts, j.tn = true, t, 1
		return
	}
	j.splitBatch = false
	mt := (p.m + j.kern.mr - 1) / j.kern.mr // tile rows
	nt := (p.n + j.kern.nr - 1) / j.kern.nr // tile columns
	// Pick the tm×tn grid (tm·tn = t, shrinking t if no grid fits) that
	// minimises the packing overhead per part, tm/m + tn/n.
	for ; t > 1; t-- {
		best, bestCost := 0, 0.0
		for tm := 1; tm <= t; tm++ {
			tn := t / tm
			if tm*tn != t || tm > mt || tn > nt {
				continue
			}
			cost := float64(tm)/float64(p.m) + float64(tn)/float64(p.n)
			if best == 0 || cost < bestCost {
				best, bestCost = tm, cost
			}
		}
		if best != 0 {
			j.parts, j.tn = t, t/best
			return
		}
	}
	j.parts, j.tn = 1, 1
}

// runPart computes part i of the job.
func (j *job) runPart(i int, bufs *packBufs) {
	p := &j.p
	if j.splitBatch {
		lo, hi := i*p.batch/j.parts, (i+1)*p.batch/j.parts
		for it := lo; it < hi; it++ {
			gemmRegion(j.kern, bufs, p, it, 0, p.m, 0, p.n)
		}
		return
	}
	tm := j.parts / j.tn
	pm, pn := i/j.tn, i%j.tn
	mr, nr := j.kern.mr, j.kern.nr
	mt := (p.m + mr - 1) / mr
	nt := (p.n + nr - 1) / nr
	m0, m1 := pm*mt/tm*mr, min(p.m, (pm+1)*mt/tm*mr)
	n0, n1 := pn*nt/j.tn*nr, min(p.n, (pn+1)*nt/j.tn*nr)
	for it := 0; it < p.batch; it++ {
		gemmRegion(j.kern, bufs, p, it, m0, m1, n0, n1)
	}
}
