package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Threading. A product is cut into disjoint rectangles of C (a tm×tn grid
// aligned to the MR×NR tile grid), or, for a batch of small products, into
// runs of whole batch items. In a two-dimensional grid each part runs the
// sequential blocked algorithm with its own packing buffers, so parts share
// nothing but read-only A and B: no barriers, no locks on the hot path. The
// price is that every part packs its own copy of the blocks it shares with
// its row and column neighbours, O(k·(m+n)) against O(m·n·k/threads) of
// arithmetic. When the grid is a row of column strips (short, wide C, as in
// most of the models' products) that copy would be all of op(A) once per
// part, so op(A) is instead packed once into a shared buffer, by all threads
// in pieces, and the strips start after a barrier: 196×512×512 on two
// threads of a Zen 5 went from about 205 to 250 GFLOP/s. Either way the
// tiles, the k blocking and so the result are bit-identical for any thread
// count.
//
// Parts are claimed dynamically from an atomic counter by the caller's
// goroutine and by up to threads-1 helpers from a persistent worker pool
// (woken through a channel: no goroutine creation, no allocation). Large
// products are cut into about twice as many parts as threads, so that when a
// helper starts late (its core busy with another process) the caller takes
// over its share instead of idling. The caller waits for the parts to finish,
// never for a helper to show up; the job is recycled by whichever goroutine
// drops the last reference to it. Helpers and the caller spin for spinWait
// before parking, which took the two-thread rate of 256×256×64 from 89 to
// 159 GFLOP/s and of 128×128×128 from 87 to 152 on an idle 2-core Zen 3.

// parallelMinWork is the multiply-add count (m·n·k summed over the batch)
// below which a call runs single-threaded on the caller's goroutine: handing
// a part to a worker costs a few microseconds, which such products do not
// repay. minPartWork bounds the work given to each additional thread.
const (
	parallelMinWork = 96 * 96 * 96
	minPartWork     = 48 * 48 * 48
)

// maxPrepack bounds the shared packed copy of op(A) (floats, 16 MiB): up to
// it a threaded product packs A once for all parts; past it (A larger than
// 2048×2048) the parts tile C in two dimensions and pack their own blocks.
// A variable so that tests can reach the tiled path with small products.
var maxPrepack = 1 << 22

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
	tn         int          // columns of the part grid (grid mode)
	next       atomic.Int64 // next unclaimed part

	// Shared packing (prepack mode): op(A) is packed once, in pieces
	// claimed like parts, into preBuf; every part then computes a column
	// strip of C from it and packs only its own columns of op(B).
	prepack  bool
	preBuf   *floatBuf // from prePool while the parts run
	pieces   int       // pack pieces: KC slices × groups of MR-row panels
	groups   int       // panel groups per KC slice
	packNext atomic.Int64
	packLeft atomic.Int64
	packDone sync.WaitGroup
	// Small-product mode (small.go): parts are ranges of whole units of
	// smallUnit columns of sp.
	small     bool
	sp        smallProblem
	smallUnit int

	refs atomic.Int32   // goroutines still holding the job
	left atomic.Int64   // parts not finished (spun on by the caller)
	done sync.WaitGroup // parts not finished (slept on after spinning)
}

// spinWait is how long a worker polls for its next part, and the caller for
// the last part to finish, before parking. Waking a parked goroutine on
// another core takes tens of microseconds, as long as a whole 256×256×64
// product; back-to-back products (a layer's forward and backward, a batch
// of attention heads) find their helpers still running, as OpenBLAS's
// spinning threads are.
const spinWait = 50 * time.Microsecond

// task hands a job to a helper.
type task struct{ j *job }

// freeList is a mutex-guarded stack of reusable objects. Unlike sync.Pool
// it keeps items across garbage collections and does not tie them to the P
// that released them: a job is often released by a helper on another P,
// and a sync.Pool would then miss and allocate on the caller's next Get.
//
// With a limit, get returns nil once limit items exist and none is free.
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
	made  int
	limit int // 0: unlimited
}

func (f *freeList[T]) get() *T {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		it := f.items[n-1]
		f.items = f.items[:n-1]
		return it
	}
	if f.limit > 0 && f.made >= f.limit {
		return nil
	}
	f.made++
	return new(T)
}

func (f *freeList[T]) put(it *T) {
	f.mu.Lock()
	f.items = append(f.items, it)
	f.mu.Unlock()
}

var (
	// Jobs are still referenced by helpers that have not started yet; that
	// only happens when the other cores are busy, and then a caller that
	// finds no free job computes alone instead of allocating more.
	jobPool = freeList[job]{limit: 16}
	bufPool freeList[packBufs]
	// Shared packed operands go back to prePool as soon as the parts are
	// done, not with the job, which a late helper may still hold.
	prePool freeList[floatBuf]

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
	for {
		t := receive(ch)
		t.j.drain(bufs)
		t.j.release()
	}
}

// receive takes the next task, polling for up to spinWait before parking.
func receive(ch <-chan task) task {
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case t := <-ch:
			return t
		default:
		}
		if i&255 == 255 && time.Since(start) > spinWait {
			return <-ch
		}
	}
}

// drain computes unclaimed parts until none is left, after helping to pack
// the shared operand in prepack mode.
func (j *job) drain(bufs *packBufs) {
	if j.prepack {
		for {
			i := int(j.packNext.Add(1) - 1)
			if i >= j.pieces {
				break
			}
			j.packPiece(i)
			j.packLeft.Add(-1)
			j.packDone.Done()
		}
		// Every part reads all of the packed operand.
		spinUntilZero(&j.packLeft)
		j.packDone.Wait()
	}
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.parts {
			return
		}
		j.runPart(i, bufs)
		j.left.Add(-1)
		j.done.Done()
	}
}

// release drops one reference; the last one recycles the job.
func (j *job) release() {
	if j.refs.Add(-1) == 0 {
		j.p, j.sp = problem{}, smallProblem{} // drop references to the caller's slices
		jobPool.put(j)
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
	if sp, ok := smallOf(p); ok {
		runSmall(kn, &sp)
		return
	}
	work := p.m * p.n * p.k
	t := min(Threads(), work*p.batch/minPartWork)
	var j *job
	if t > 1 && work*p.batch >= parallelMinWork {
		j = jobPool.get()
	}
	if j == nil {
		bufs := bufPool.get()
		for i := 0; i < p.batch; i++ {
			gemmRegion(kn, bufs, p, i, 0, p.m, 0, p.n, nil)
		}
		bufPool.put(bufs)
		return
	}

	j.p = *p
	j.kern = kn
	j.plan(t)
	helpers := min(t, j.parts) - 1
	if j.prepack {
		j.packNext.Store(0)
		j.packLeft.Store(int64(j.pieces))
		j.packDone.Add(j.pieces)
	}
	j.runParts(helpers)
}

// runParts computes the parts of a planned job with the caller's goroutine
// and helpers from the pool, returns once every part is done, and drops the
// caller's reference to the job.
func (j *job) runParts(helpers int) {
	j.next.Store(0)
	j.refs.Store(int32(helpers + 1))
	j.left.Store(int64(j.parts))
	j.done.Add(j.parts)
	if helpers > 0 {
		ensureWorkers(helpers)
		for i := 0; i < helpers; i++ {
			workers.ch <- task{j}
		}
	}
	bufs := bufPool.get()
	j.drain(bufs)
	bufPool.put(bufs)
	spinUntilZero(&j.left)
	j.done.Wait()
	if j.prepack {
		prePool.put(j.preBuf)
		// j.prepack stays: a late helper may still read it (plan clears
		// it once the job is back from the pool).
		j.preBuf = nil
	}
	j.release()
}

// spinUntilZero polls a countdown for up to spinWait, so that a wait which
// ends within microseconds does not park the goroutine; the caller then
// waits on the matching WaitGroup, which returns at once if it is done.
func spinUntilZero(left *atomic.Int64) {
	for start, i := time.Now(), 0; left.Load() > 0; i++ {
		if i&255 == 255 && time.Since(start) > spinWait {
			return
		}
	}
}

// floatBuf is a reusable buffer of floats.
type floatBuf struct{ f []float32 }

// plan chooses how to cut the job for t threads: about twice as many parts
// as threads when every part keeps at least 4·minPartWork of work.
func (j *job) plan(t int) {
	p := &j.p
	// A pooled job keeps the modes of its last use: clear them all before
	// any early return.
	j.small, j.prepack = false, false
	// Many small products: runs of whole items, no duplicated packing.
	if p.batch >= 2*t || (p.batch >= t && p.batch%t == 0) {
		j.splitBatch, j.tn = true, 1
		j.parts = min(p.batch, 2*t)
		return
	}
	if p.m*p.n*p.k*p.batch >= 2*t*4*minPartWork {
		t *= 2
	}
	j.splitBatch = false
	mt := (p.m + j.kern.mr - 1) / j.kern.mr // tile rows
	nt := (p.n + j.kern.nr - 1) / j.kern.nr // tile columns
	j.parts, j.tn = 1, 1
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
			break
		}
	}
	// Column strips (a short, wide C) would each pack all of op(A): pack
	// it once, shared, instead. Then every element of A and B is packed
	// exactly once; the price is a barrier between packing and computing,
	// which is why two-dimensional grids keep their private packing.
	if j.tn > 1 && j.tn == j.parts && p.batch == 1 && mt*j.kern.mr*p.k <= maxPrepack {
		j.prepack = true
		kc := blockSize(p.k, j.kern.kc, 1)
		slices := (p.k + kc - 1) / kc
		j.groups = min(mt, max(1, (j.parts+slices-1)/slices))
		j.pieces = slices * j.groups
		j.preBuf = prePool.get()
		if need := mt * j.kern.mr * p.k; cap(j.preBuf.f) < need {
			j.preBuf.f = alignedFloats(need)
		}
	}
}

// packPiece packs piece i of the shared operand: one group of MR-row
// panels of one KC slice of op(A).
func (j *job) packPiece(i int) {
	p := &j.p
	kc := blockSize(p.k, j.kern.kc, 1)
	mt := (p.m + j.kern.mr - 1) / j.kern.mr
	s, g := i/j.groups, i%j.groups
	prepackA(j.kern, p, j.preBuf.f, s*kc, g*mt/j.groups, (g+1)*mt/j.groups)
}

// runPart computes part i of the job.
func (j *job) runPart(i int, bufs *packBufs) {
	if j.small {
		j.smallPart(i, bufs)
		return
	}
	p := &j.p
	if j.splitBatch {
		lo, hi := i*p.batch/j.parts, (i+1)*p.batch/j.parts
		for it := lo; it < hi; it++ {
			gemmRegion(j.kern, bufs, p, it, 0, p.m, 0, p.n, nil)
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
	var pre []float32 // prepack mode: one row of strips, batch 1
	if j.prepack {
		pre = j.preBuf.f
	}
	for it := 0; it < p.batch; it++ {
		gemmRegion(j.kern, bufs, p, it, m0, m1, n0, n1, pre)
	}
}
