package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// withKernel runs f with kernel k forced and the thread count set, restoring
// both afterwards. Tests that use it must not run in parallel.
func withKernel(t *testing.T, k *kernel, threads int, f func()) {
	t.Helper()
	prevK, prevT := active.Load(), Threads()
	active.Store(k)
	SetThreads(threads)
	defer func() {
		active.Store(prevK)
		SetThreads(prevT)
	}()
	f()
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// operand returns a random rows×cols matrix with leading dimension ld.
func operand(r *rand.Rand, rows, cols, ld int) []float32 {
	if rows == 0 {
		return nil
	}
	return randSlice(r, (rows-1)*ld+cols)
}

// magnitude returns |alpha|·Σ_p |op(A)[i,p]|·|op(B)[p,j]| + |beta|·|C[i,j]|,
// the scale of rounding error in C[i,j].
func magnitude(transA, transB bool, i, j, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta, c float32) float64 {
	var s float64
	for p := 0; p < k; p++ {
		var av, bv float32
		if transA {
			av = a[p*lda+i]
		} else {
			av = a[i*lda+p]
		}
		if transB {
			bv = b[j*ldb+p]
		} else {
			bv = b[p*ldb+j]
		}
		s += math.Abs(float64(av) * float64(bv))
	}
	if beta == 0 {
		c = 0
	}
	return math.Abs(float64(alpha))*s + math.Abs(float64(beta))*math.Abs(float64(c))
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int // extra elements per row of every operand
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s_%dx%dx%d_a%g_b%g_pad%d", t(tc.transA), t(tc.transB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// checkCase runs one case through Sgemm and sgemmRef and compares element by
// element with a tolerance proportional to the magnitude of the terms.
func checkCase(t *testing.T, r *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+tc.pad, bc+tc.pad, tc.n+tc.pad
	a := operand(r, ar, ac, lda)
	b := operand(r, br, bc, ldb)
	c := operand(r, tc.m, tc.n, ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN()) // must not be read
		}
	}
	want := slices.Clone(c)
	sgemmRef(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)
	got := slices.Clone(c)
	Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			g, w := got[i*ldc+j], want[i*ldc+j]
			mag := magnitude(tc.transA, tc.transB, i, j, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c[i*ldc+j])
			tol := 2*float64(tc.k+2)*0x1p-24*mag + 1e-30
			if !close32(g, w, tol) {
				t.Fatalf("%v: C[%d,%d] = %g, want %g (tol %g)", tc, i, j, g, w, tol)
			}
		}
	}
	// Padding between rows of C must be untouched.
	for i := 0; i+1 < tc.m; i++ {
		for j := tc.n; j < ldc; j++ {
			if math.Float32bits(got[i*ldc+j]) != math.Float32bits(c[i*ldc+j]) {
				t.Fatalf("%v: padding C[%d,%d] changed", tc, i, j)
			}
		}
	}
}

func close32(g, w float32, tol float64) bool {
	if math.IsNaN(float64(w)) || math.IsNaN(float64(g)) {
		return math.IsNaN(float64(w)) && math.IsNaN(float64(g))
	}
	if math.IsInf(float64(w), 0) || math.IsInf(float64(g), 0) {
		return g == w
	}
	return math.Abs(float64(g)-float64(w)) <= tol
}

// kernelsUnderTest is every kernel this machine supports (generic always).
func kernelsUnderTest() []*kernel { return available }

func TestSgemmAgainstReference(t *testing.T) {
	casesPerCombo := 6
	if raceEnabled {
		casesPerCombo = 2
	}
	sizes := []int{0, 1, 2, 3, 5, 7, 13, 16, 17, 31, 32, 33, 47, 61, 67}
	for _, kn := range kernelsUnderTest() {
		for _, threads := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/threads%d", kn.name, threads), func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, uint64(threads)))
				var cases []gemmCase
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-1.5, 0.75}, {0, 0.5}, {0.5, 0}, {2, -1}} {
							for i := 0; i < casesPerCombo; i++ {
								cases = append(cases, gemmCase{ta, tb,
									sizes[r.IntN(len(sizes))], sizes[r.IntN(len(sizes))], sizes[r.IntN(len(sizes))],
									ab[0], ab[1], r.IntN(3) * 3})
							}
						}
						// Shapes that span several blocks and partial tiles, and
						// enough work to take the threaded path.
						cases = append(cases,
							gemmCase{ta, tb, 300, 257, 129, 1, 0, 0},
							gemmCase{ta, tb, 67, 61, 300, -0.5, 1.25, 5},
							gemmCase{ta, tb, 1, 200, 67, 1, 1, 0},
							gemmCase{ta, tb, 200, 1, 67, 1, 0, 1},
						)
					}
				}
				if raceEnabled {
					// The race detector slows the reference tenfold: keep the
					// random shapes and one threaded large product per combo.
					cases = slices.DeleteFunc(cases, func(tc gemmCase) bool { return tc.m*tc.n*tc.k > 1e6 && threads != 2 })
				}
				if threads == 1 {
					// k beyond two KC blocks, m beyond two MC blocks.
					cases = append(cases, gemmCase{false, true, 301, 35, 530, 1, 0.5, 0})
				}
				for _, tc := range cases {
					withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
				}
			})
		}
	}
}

// TestSgemmTiledParts checks the threaded path that cuts C into a grid of
// parts each packing its own blocks, which products only take when op(A) is
// too large to pack once for all parts.
func TestSgemmTiledParts(t *testing.T) {
	defer func(old int) { maxPrepack = old }(maxPrepack)
	maxPrepack = 0
	for _, kn := range kernelsUnderTest() {
		for _, threads := range []int{2, 3, 4} {
			r := rand.New(rand.NewPCG(9, uint64(threads)))
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, tc := range []gemmCase{
						{ta, tb, 300, 257, 129, 1, 0, 0},
						{ta, tb, 67, 61, 300, -0.5, 1.25, 5},
						{ta, tb, 200, 1, 67, 1, 0, 1},
					} {
						withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
					}
				}
			}
		}
	}
}

// TestSgemmSharedPacking checks the threaded path for short, wide
// products, whose column strips share one packing of op(A) (prepack mode),
// including row counts that end in a partial row panel and k that spans
// several KC slices (TestSgemmDeterministic checks that the thread count
// does not change the result).
func TestSgemmSharedPacking(t *testing.T) {
	shapes := [][3]int{{50, 700, 200}, {13, 400, 700}, {97, 333, 417}}
	combos := [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}
	if raceEnabled {
		// The race detector slows the reference tenfold: one combination
		// still runs the shared packing from several goroutines.
		combos = combos[:1]
	}
	for _, kn := range kernelsUnderTest() {
		for _, sh := range shapes {
			p := problem{m: sh[0], n: sh[1], k: sh[2], batch: 1}
			j := &job{p: p, kern: kn}
			j.plan(2)
			if !j.prepack {
				t.Fatalf("%s %v: the planner does not share the packing of A", kn.name, sh)
			}
			prePool.put(j.preBuf)
		}
		for _, threads := range []int{2, 3} {
			r := rand.New(rand.NewPCG(11, uint64(threads)))
			for _, tr := range combos {
				for i, sh := range shapes {
					tc := gemmCase{tr[0], tr[1], sh[0], sh[1], sh[2], 1, 0, 0}
					if i == 1 {
						tc.alpha, tc.beta, tc.pad = -0.5, 1.25, 3
					}
					withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
				}
			}
		}
	}
}

// TestSgemmDeterministic checks that the thread count does not change a bit
// of the result (the tile grid is global, see gemmRegion), for a product
// cut into a two-dimensional grid and for a short, wide one whose column
// strips share the packing of op(A).
func TestSgemmDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, sh := range [][3]int{{131, 157, 301}, {97, 333, 417}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		for _, kn := range kernelsUnderTest() {
			var ref []float32
			for _, threads := range []int{1, 2, 3, 4} {
				c := make([]float32, m*n)
				withKernel(t, kn, threads, func() { Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) })
				if ref == nil {
					ref = c
				} else if !slices.Equal(ref, c) {
					t.Fatalf("%s %v: threads=%d changes the result", kn.name, sh, threads)
				}
			}
		}
	}
}

// TestSgemmConcurrentCallers runs threaded products from several goroutines
// at once; with -race it checks the worker pool and buffer reuse.
func TestSgemmConcurrentCallers(t *testing.T) {
	const m, n, k = 96, 80, 112
	r := rand.New(rand.NewPCG(5, 5))
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	want := make([]float32, m*n)
	sgemmRef(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	withKernel(t, available[0], 2, func() {
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := make([]float32, m*n)
				for it := 0; it < 5; it++ {
					Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
					for i := range c {
						if !close32(c[i], want[i], 1e-3) {
							errs <- fmt.Sprintf("C[%d] = %g, want %g", i, c[i], want[i])
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatal(e)
		}
	})
}

func TestSgemmNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	const m, n, k = 192, 160, 200
	r := rand.New(rand.NewPCG(6, 6))
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	for _, kn := range kernelsUnderTest() {
		for _, threads := range []int{1, 2} {
			withKernel(t, kn, threads, func() {
				f := func() { Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }
				f() // warm up: buffers, workers
				if got := testing.AllocsPerRun(20, f); got != 0 {
					t.Errorf("%s threads=%d: %v allocations per call, want 0", kn.name, threads, got)
				}
				g := func() { SgemmBatched(false, false, 8, 16, 16, 16, 1, a, 256, 16, b, 256, 16, 0, c, 256, 16) }
				g()
				if got := testing.AllocsPerRun(20, g); got != 0 {
					t.Errorf("%s threads=%d batched: %v allocations per call, want 0", kn.name, threads, got)
				}
				// The small-product forms: axpy, rows, dot (with A copied
				// to rows) and n = 1 through a scratch row; large enough
				// to be split over the threads.
				for _, tc := range []gemmCase{
					{false, false, 1, 160, 200, 1, 0, 0},
					{false, false, 3, 160, 200, 1, 0, 0},
					{true, false, 13, 160, 200, 1, 0, 0},
					{true, true, 5, 160, 200, 1, 0, 0},
					{true, false, 160, 1, 200, 1, 0, 0},
				} {
					lda, ldb := tc.k, tc.n
					if tc.transA {
						lda = tc.m
					}
					if tc.transB {
						ldb = tc.k
					}
					ldc := tc.n
					if tc.n == 1 {
						ldc = 2
					}
					h := func() { Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, a, lda, b, ldb, 0, c, ldc) }
					h()
					if got := testing.AllocsPerRun(20, h); got != 0 {
						t.Errorf("%s threads=%d %v: %v allocations per call, want 0", kn.name, threads, tc, got)
					}
				}
			})
		}
	}
}

func TestKernelSelection(t *testing.T) {
	names := Kernels()
	if len(names) == 0 || names[len(names)-1] != "generic" {
		t.Fatalf("Kernels() = %v, want generic last", names)
	}
	prev := Kernel()
	defer SetKernel(prev)
	for _, name := range names {
		if err := SetKernel(name); err != nil || Kernel() != name {
			t.Fatalf("SetKernel(%q) = %v, Kernel() = %q", name, err, Kernel())
		}
	}
	if err := SetKernel("GENERIC"); err != nil || Kernel() != "generic" {
		t.Fatalf("SetKernel is not case-insensitive: %v", err)
	}
	if err := SetKernel("auto"); err != nil || Kernel() != names[0] {
		t.Fatalf("SetKernel(auto) = %v, Kernel() = %q, want %q", err, Kernel(), names[0])
	}
	if err := SetKernel("sse9"); err == nil {
		t.Fatal("SetKernel(sse9) succeeded")
	}
	for _, name := range []string{"avx512", "avx2"} {
		err := SetKernel(name)
		if supported := slices.Contains(names, name); supported != (err == nil) {
			t.Fatalf("SetKernel(%q) = %v, supported = %v", name, err, supported)
		}
	}
}

func TestSgemmPanicsOnBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }},
		{"short A", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"small lda", func() {
			Sgemm(false, false, 2, 2, 3, 1, make([]float32, 9), 2, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		}},
		{"short C", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}},
		{"overlapping batch C", func() {
			SgemmBatched(false, false, 2, 2, 2, 2, 1, make([]float32, 8), 4, 2, make([]float32, 8), 4, 2, 0, make([]float32, 8), 2, 2)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tc.f()
		})
	}
}

// TestSgemmJobReuse runs a product in the shared-packing mode and then a
// batch of products that the planner splits by item, on two threads: the
// pooled job of the first must not carry its packing mode into the second
// (it did, and the second crashed on the buffer the first had returned).
func TestSgemmJobReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	const m, n, k = 50, 700, 200 // shared packing (TestSgemmSharedPacking)
	const batch, bm, bn, bk = 4, 64, 64, 64
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	ba, bb := randSlice(r, batch*bm*bk), randSlice(r, batch*bk*bn)
	for _, kn := range kernelsUnderTest() {
		want := make([]float32, batch*bm*bn)
		withKernel(t, kn, 1, func() {
			SgemmBatched(false, false, batch, bm, bn, bk, 1, ba, bm*bk, bk, bb, bk*bn, bn, 0, want, bm*bn, bn)
		})
		for range 3 {
			got := make([]float32, batch*bm*bn)
			withKernel(t, kn, 2, func() {
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				SgemmBatched(false, false, batch, bm, bn, bk, 1, ba, bm*bk, bk, bb, bk*bn, bn, 0, got, bm*bn, bn)
			})
			if !slices.Equal(got, want) {
				t.Fatalf("%s: a batched product after a shared-packing one differs from the one-thread result", kn.name)
			}
		}
	}
}
