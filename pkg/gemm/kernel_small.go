package gemm

import "unsafe"

// The pure-Go small-product kernels: the only ones off amd64 and under
// -tags purego/noasm, and those of the "generic" kernel everywhere. They
// follow the contracts of axpyKernel, rowsKernel and dotKernel (small.go)
// with tiles of 8 (rows) and 4 (dot) columns, narrow enough that the
// accumulators of a tile stay small.

// smallGeneric is the generic kernel's small-product set.
var smallGeneric = newSmallGeneric()

func newSmallGeneric() *smallKernels {
	s := &smallKernels{lanes: 4, rowsKC: 256, rowsMax: 6, rowsGroup: 6}
	for r := 1; r <= maxAxpy; r++ {
		s.axpy[r], s.axpy1[r], s.axpyG[r] = axpyGo(r, 4), axpyGo(r, 1), 4
	}
	for r := 2; r <= s.rowsMax; r++ {
		s.rows[r], s.rowsNarrow[r], s.rowsW[r] = rowsGo(r, 8), rowsGo(r, 4), 8
	}
	for r := 1; r <= maxDot; r++ {
		s.dot[r], s.dot1[r], s.dotJ[r] = dotGo(r, 4), dotGo(r, 1), 4
	}
	return s
}

// axpyGo returns the axpyKernel for r rows of y and g rows of B.
func axpyGo(r, g int) axpyKernel {
	return func(n int, s, b *float32, ldb int, y *float32, ldy int) {
		ss := unsafe.Slice(s, g*r)
		ys := unsafe.Slice(y, (r-1)*ldy+n)
		bs := unsafe.Slice(b, (g-1)*ldb+n)
		for gg := 0; gg < g; gg++ {
			row := bs[gg*ldb : gg*ldb+n]
			for i := 0; i < r; i++ {
				sv := ss[gg*r+i]
				yr := ys[i*ldy : i*ldy+n]
				for j, bv := range row {
					yr[j] += sv * bv
				}
			}
		}
	}
}

// rowsGo returns the rowsKernel for rows×w tiles (w ≤ 8).
func rowsGo(rows, w int) rowsKernel {
	return func(k int, a *float32, ap int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
		var acc [maxRows * 8]float32
		if k > 0 {
			as := unsafe.Slice(a, (k-1)*ap+rows)
			bs := unsafe.Slice(b, (k-1)*ldb+w)
			for p := 0; p < k; p++ {
				brow := bs[p*ldb : p*ldb+w]
				for i, av := range as[p*ap : p*ap+rows] {
					t := acc[i*w : i*w+w]
					for j, bv := range brow {
						t[j] += av * bv
					}
				}
			}
		}
		cs := unsafe.Slice(c, (rows-1)*ldc+w)
		for i := 0; i < rows; i++ {
			d := cs[i*ldc : i*ldc+w]
			t := acc[i*w : i*w+w]
			for j, v := range t {
				if beta == 0 {
					d[j] = alpha * v
				} else {
					d[j] = alpha*v + beta*d[j]
				}
			}
		}
	}
}

// dotGo returns the dotKernel for rows×cols tiles. Each dot product keeps
// four partial sums (p mod 4), so that consecutive adds are independent.
func dotGo(rows, cols int) dotKernel {
	return func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, incc int, alpha, beta float32) {
		cs := unsafe.Slice(c, (rows-1)*ldc+(cols-1)*incc+1)
		var as, bs []float32
		if k > 0 {
			as = unsafe.Slice(a, (rows-1)*lda+k)
			bs = unsafe.Slice(b, (cols-1)*ldb+k)
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				var s float32
				if k > 0 {
					s = dotGoRow(as[i*lda:i*lda+k], bs[j*ldb:j*ldb+k])
				}
				d := &cs[i*ldc+j*incc]
				if beta == 0 {
					*d = alpha * s
				} else {
					*d = alpha*s + beta**d
				}
			}
		}
	}
}

// dotGoRow is Σ x[p]·y[p] with four partial sums.
func dotGoRow(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	p := 0
	for ; p+4 <= len(x); p += 4 {
		s0 += x[p] * y[p]
		s1 += x[p+1] * y[p+1]
		s2 += x[p+2] * y[p+2]
		s3 += x[p+3] * y[p+3]
	}
	for ; p < len(x); p++ {
		s0 += x[p] * y[p]
	}
	return (s0 + s1) + (s2 + s3)
}
