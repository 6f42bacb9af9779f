//go:build !amd64 || purego || noasm

package vec

// hasAsm is false: this build has no assembly kernels, and the stubs below
// are never called because useAsm stays false.
const hasAsm = false

func addAVX2(dst, a, b *float32, n int)                   { panic("vec: no assembly") }
func subAVX2(dst, a, b *float32, n int)                   { panic("vec: no assembly") }
func mulAVX2(dst, a, b *float32, n int)                   { panic("vec: no assembly") }
func divAVX2(dst, a, b *float32, n int)                   { panic("vec: no assembly") }
func addScalarAVX2(dst, x *float32, n int, s float32)     { panic("vec: no assembly") }
func scaleAVX2(dst, x *float32, n int, s float32)         { panic("vec: no assembly") }
func axpyAVX2(y, x *float32, n int, alpha float32)        { panic("vec: no assembly") }
func axpyToAVX2(dst, x, y *float32, n int, alpha float32) { panic("vec: no assembly") }
func reluAVX2(dst, x *float32, n int)                     { panic("vec: no assembly") }
func reluBackwardAVX2(dx, dy, y *float32, n int)          { panic("vec: no assembly") }
func expAVX2(dst, x *float32, n int)                      { panic("vec: no assembly") }
func expSumAVX2(dst, x *float32, n int, shift float32) float32 {
	panic("vec: no assembly")
}
func sigmoidAVX2(dst, x *float32, n int)                  { panic("vec: no assembly") }
func tanhAVX2(dst, x *float32, n int)                     { panic("vec: no assembly") }
func sumAVX2(x *float32, n int) float32                   { panic("vec: no assembly") }
func dotAVX2(x, y *float32, n int) float32                { panic("vec: no assembly") }
func maxAVX2(x *float32, n int) (float32, bool)           { panic("vec: no assembly") }
func expMath32AVX2(dst, x *float32, n int, shift float32) { panic("vec: no assembly") }
func expMath64AVX2(dst *float64, x *float32, n int, shift float32) {
	panic("vec: no assembly")
}
