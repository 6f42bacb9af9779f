// Package gemm computes single-precision matrix products,
// C = alpha·op(A)·op(B) + beta·C, with the BLAS conventions for leading
// dimensions (row-major storage).
package gemm

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices.
// op(A) is m×k (A is m×k with lda ≥ k, or k×m with lda ≥ m when transA);
// op(B) is k×n (B is k×n with ldb ≥ n, or n×k with ldb ≥ k when transB);
// C is m×n with ldc ≥ n. When beta is 0, C is not read (NaNs in C do not
// propagate), as in the reference BLAS.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmRef is the naive triple loop every kernel is tested against.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
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
