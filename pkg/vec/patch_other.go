//go:build !amd64 || purego || noasm

package vec

func accSqDiffDeltaAVX2(acc, a, b, c, d *float32, n int) { panic("vec: no assembly") }
func accMulAVX2(acc, a, b *float32, n int)               { panic("vec: no assembly") }
func patchWeightsAVX2(w, den, dist *float32, n, patch int, bias, scale, shift float32) {
	panic("vec: no assembly")
}
