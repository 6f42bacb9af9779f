//go:build amd64 && !purego && !noasm

package vec

import "golang.org/x/sys/cpu"

// hasAsm reports whether this CPU runs kernels_amd64.s: it needs AVX2 for
// the 256-bit integer ops and FMA for the fused multiply-adds. (AVX-512
// machines run the same AVX2 code.)
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The assembly kernels; n > 0 and every pointer addresses n float32s.

//go:noescape
func addAVX2(dst, a, b *float32, n int)

//go:noescape
func subAVX2(dst, a, b *float32, n int)

//go:noescape
func mulAVX2(dst, a, b *float32, n int)

//go:noescape
func divAVX2(dst, a, b *float32, n int)

//go:noescape
func addScalarAVX2(dst, x *float32, n int, s float32)

//go:noescape
func scaleAVX2(dst, x *float32, n int, s float32)

//go:noescape
func axpyAVX2(y, x *float32, n int, alpha float32)

//go:noescape
func axpyToAVX2(dst, x, y *float32, n int, alpha float32)

//go:noescape
func reluAVX2(dst, x *float32, n int)

//go:noescape
func reluBackwardAVX2(dx, dy, y *float32, n int)

//go:noescape
func expAVX2(dst, x *float32, n int)

//go:noescape
func expSumAVX2(dst, x *float32, n int, shift float32) float32

//go:noescape
func sigmoidAVX2(dst, x *float32, n int)

//go:noescape
func tanhAVX2(dst, x *float32, n int)

//go:noescape
func sumAVX2(x *float32, n int) float32

//go:noescape
func dotAVX2(x, y *float32, n int) float32

//go:noescape
func maxAVX2(x *float32, n int) (m float32, nan bool)

// expMath32AVX2 and expMath64AVX2 are in expmath_amd64.s; n is a positive
// multiple of 4.

//go:noescape
func expMath32AVX2(dst, x *float32, n int, shift float32)

//go:noescape
func expMath64AVX2(dst *float64, x *float32, n int, shift float32)
