// Package gemm computes single-precision matrix products,
// C = alpha·op(A)·op(B) + beta·C, with the BLAS conventions for leading
// dimensions on row-major storage. It is the numeric core under every dense
// layer, convolution (im2col) and attention product of the toolkit.
//
// # Algorithm
//
// Sgemm follows the GotoBLAS/BLIS structure. C is computed in MR×NR register
// tiles by a micro-kernel that reads two packed operands: a KC-deep micro-panel
// of MR rows of op(A) and one of NR columns of op(B). Around it, three cache
// blocks decide what is packed when (driver.go):
//
//   - KC, the depth of a packed slice of k, is sized so that one KC×NR
//     micro-panel of B stays in the L1 data cache while the kernel sweeps the
//     MR-row panels of A past it;
//   - MC, the rows of a packed block of A, is sized so the MC×KC block lives
//     in the per-core L2;
//   - NC, the columns of a packed block of B, is sized so the KC×NC block
//     lives in the shared L3.
//
// Packing (pack.go) also absorbs the transposes and leading dimensions, so all
// four transpose combinations run the same kernel, and zero-pads the last
// panels, so the kernel always computes full tiles; tiles that overhang C are
// computed into a scratch tile and only their valid corner is written back.
// On amd64 the packing inner loops use small AVX helpers (pack_amd64.s: a
// strided row copy and an 8×8 transpose); elsewhere they are plain Go.
// Block sizes per kernel, for the Zen 3 / Zen 4 / Zen 5 class of core
// (L1d 32–48 KiB, L2 0.5–1 MiB per core, shared L3):
//
//	kernel   MR×NR   KC   MC    NC    registers
//	avx512   14×32   192  168   3072  28 zmm accumulators
//	avx2      6×16   256  144   4080  12 ymm accumulators
//	generic   4×4    256  128   4096  16 scalar accumulators
//
// A k longer than KC (or a block longer than MC/NC) is cut into nearly equal
// blocks rather than full blocks plus a sliver.
//
// # Small products
//
// A product with m ≤ 16 rows, or with n = 1 (computed as its transpose, a
// single row), skips the blocked algorithm: packing op(B) would cost about
// as much as the m multiply-adds each of its elements takes part in.
// small.go computes it from A and B where they lie, in one of three forms:
// m ≤ 4 with op(B) = B streams rows of B into up to four rows of C (the
// sgemv order, y += x[p]·B[p,:]); 5 ≤ m ≤ 16 with op(B) = B runs register
// tiles over a copy of op(A) packed once (m·k floats) and B read in place;
// op(B) = Bᵀ takes dot products of rows of A and rows of B. Each form has
// AVX2 and AVX-512 kernels (small_amd64.s, from gen_small.go) and pure-Go
// twins (kernel_small.go) that the "generic" kernel uses. Threads split
// the columns of C; only batch-1 calls take this path.
//
// # Kernel dispatch
//
// At start the package picks the best kernel the CPU supports (via
// golang.org/x/sys/cpu): "avx512" when AVX-512F is available, else "avx2"
// when AVX2 and FMA are, else the pure-Go "generic" kernel, which is also
// the only one on non-amd64 machines and in builds with -tags purego or
// -tags noasm. The assembly (kernels_amd64.s) is generated from one template
// by gen_kernels.go, so the AVX-512 kernel shares the code that the AVX2 one
// proves. Kernels lists what this machine supports; SetKernel, or the
// environment variable ATTNKIT_GEMM_KERNEL read at start, forces one.
//
// # Threads
//
// A call uses up to Threads() goroutines (GOMAXPROCS by default, see
// SetThreads): the caller's own and helpers from a persistent worker pool.
// Large products are cut into disjoint rectangles of C aligned to the tile
// grid (split along the longer of m and n), about two per thread, claimed
// dynamically so a helper whose core is busy elsewhere does not hold the
// call up; batches of small products are cut into runs of whole items.
// Products with m·n·k below 96³ (about 1.8 MFLOP; 2¹⁸ multiply-adds for
// small products, which run at memory speed) run on the caller's
// goroutine alone, with no synchronisation. The result does not depend on
// the thread count, bit for bit. Packing buffers and job records are
// reused, so calls allocate nothing once warm.
package gemm

import "fmt"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices.
// op(A) is m×k (A is m×k with lda ≥ k, or k×m with lda ≥ m when transA);
// op(B) is k×n (B is k×n with ldb ≥ n, or n×k with ldb ≥ k when transB);
// C is m×n with ldc ≥ n. When beta is 0, C is not read (NaNs in C do not
// propagate), as in the reference BLAS; when alpha is 0 or k is 0, A and B
// are not read and C = beta·C.
//
// Sgemm panics, like a BLAS xerbla, when a dimension is negative, a leading
// dimension is too small or a slice is too short for the dimensions given:
// these are programming errors, not input errors.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	p := problem{
		transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, batch: 1,
	}
	p.check("Sgemm")
	run(&p)
}

// SgemmBatched computes batch independent products of one shape,
// C_i = alpha·op(A_i)·op(B_i) + beta·C_i for i in [0, batch), where
// A_i = a[i·strideA:], B_i = b[i·strideB:] and C_i = c[i·strideC:], each
// with the layout Sgemm describes. It is meant for many small products such
// as attention over batch×heads: when the products are small the batch itself
// is spread over the threads. A stride of 0 reuses one A or B for every item
// (shared weights); the C_i must not overlap.
func SgemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a []float32, strideA, lda int, b []float32, strideB, ldb int, beta float32, c []float32, strideC, ldc int) {
	p := problem{
		transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, strideA: strideA, b: b, ldb: ldb, strideB: strideB,
		c: c, ldc: ldc, strideC: strideC, batch: batch,
	}
	p.check("SgemmBatched")
	run(&p)
}

// check panics with a precise message when the arguments cannot describe
// valid matrices, so that the packing and the kernels never index outside
// the caller's slices.
func (p *problem) check(fn string) {
	if p.m < 0 || p.n < 0 || p.k < 0 || p.batch < 0 {
		panic(fmt.Sprintf("gemm: %s: negative dimension: batch=%d m=%d n=%d k=%d", fn, p.batch, p.m, p.n, p.k))
	}
	if p.strideA < 0 || p.strideB < 0 || p.strideC < 0 {
		panic(fmt.Sprintf("gemm: %s: negative stride: strideA=%d strideB=%d strideC=%d", fn, p.strideA, p.strideB, p.strideC))
	}
	ar, ac := p.m, p.k
	if p.transA {
		ar, ac = p.k, p.m
	}
	br, bc := p.k, p.n
	if p.transB {
		br, bc = p.n, p.k
	}
	checkMatrix(fn, "A", p.a, ar, ac, p.lda, p.batch, p.strideA)
	checkMatrix(fn, "B", p.b, br, bc, p.ldb, p.batch, p.strideB)
	checkMatrix(fn, "C", p.c, p.m, p.n, p.ldc, p.batch, p.strideC)
	if p.batch > 1 && p.m > 0 && p.n > 0 && p.strideC < (p.m-1)*p.ldc+p.n {
		panic(fmt.Sprintf("gemm: %s: strideC=%d makes the %d×%d outputs overlap", fn, p.strideC, p.m, p.n))
	}
}

// checkMatrix checks one rows×cols operand with leading dimension ld,
// repeated batch times every stride elements.
func checkMatrix(fn, name string, s []float32, rows, cols, ld, batch, stride int) {
	if ld < cols {
		panic(fmt.Sprintf("gemm: %s: ld%s=%d < %d columns of %s", fn, name, ld, cols, name))
	}
	if rows == 0 || cols == 0 || batch == 0 {
		return
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if len(s) < need {
		panic(fmt.Sprintf("gemm: %s: len(%s)=%d < %d needed for %d×%d (ld %d, batch %d, stride %d)",
			fn, name, len(s), need, rows, cols, ld, batch, stride))
	}
}

// sgemmRef is the naive triple loop every kernel is tested against. Like
// Sgemm it reads neither A nor B when alpha is 0, and not C when beta is 0.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k && alpha != 0; p++ {
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
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
