//go:build amd64 && !purego && !noasm

package gemm

import "golang.org/x/sys/cpu"

// copyRowsAVX copies kc rows of vecs·8 floats, src stride ld, into dst
// contiguously (pack_amd64.s).
//
//go:noescape
func copyRowsAVX(dst, src *float32, ld, kc, vecs int)

// packATransAVX packs panels full micro-panels of a transposed A, mr
// floats (4 ≤ mr ≤ 16) per k step, k steps outermost (pack_amd64.s).
//
//go:noescape
func packATransAVX(dst, src *float32, lda, kc, panels, mr int)

// transpose8AVX transposes blocks 8×8 tiles (pack_amd64.s).
//
//go:noescape
func transpose8AVX(dst *float32, dstStride int, src *float32, ld, blocks int)

// haveAVX gates the assembly packing helpers.
var haveAVX = cpu.X86.HasAVX

// copyRows packs kc rows of n floats (src row stride ld) contiguously into
// dst. It reports false, doing nothing, when it has no fast path for n.
func copyRows(dst, src []float32, ld, kc, n int) bool {
	if !haveAVX || n%16 != 0 || kc == 0 {
		return false
	}
	_ = dst[kc*n-1]
	_ = src[(kc-1)*ld+n-1]
	copyRowsAVX(&dst[0], &src[0], ld, kc, n/8)
	return true
}

// packATrans packs panels full mr-row micro-panels of a transposed A
// (column p of op(A) is row p of src, stride lda) into dst. It reports
// false, doing nothing, when it has no fast path for mr.
func packATrans(dst, src []float32, lda, kc, panels, mr int) bool {
	if !haveAVX || mr < 4 || mr > 16 || kc == 0 || panels == 0 {
		return false
	}
	_ = dst[panels*mr*kc-1]
	_ = src[(kc-1)*lda+panels*mr-1]
	packATransAVX(&dst[0], &src[0], lda, kc, panels, mr)
	return true
}

// transpose8 writes dst[(8b+j)·dstStride + r] = src[r·ld + 8b + j] for
// r, j in [0, 8) and b in [0, blocks). It reports false, doing nothing,
// without a fast path.
func transpose8(dst []float32, dstStride int, src []float32, ld, blocks int) bool {
	if !haveAVX || blocks == 0 {
		return false
	}
	_ = dst[(8*blocks-1)*dstStride+7]
	_ = src[7*ld+8*blocks-1]
	transpose8AVX(&dst[0], dstStride, &src[0], ld, blocks)
	return true
}
