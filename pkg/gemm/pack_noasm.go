//go:build !amd64 || purego || noasm

package gemm

// copyRows has no fast path in this build; packB falls back to Go loops.
func copyRows(dst, src []float32, ld, kc, n int) bool { return false }

// transpose8 has no fast path in this build; packing falls back to Go loops.
func transpose8(dst []float32, dstStride int, src []float32, ld, blocks int) bool {
	return false
}

// packATrans has no fast path in this build; packA falls back to Go loops.
func packATrans(dst, src []float32, lda, kc, panels, mr int) bool { return false }
