//go:build amd64 && !purego && !noasm

package vec

// Assembly kernels of patch.go, in patch_amd64.s; n > 0 is a multiple of
// 8 and every pointer addresses what the Go twin reads.

//go:noescape
func accSqDiffDeltaAVX2(acc, a, b, c, d *float32, n int)

//go:noescape
func accMulAVX2(acc, a, b *float32, n int)

//go:noescape
func patchWeightsAVX2(w, den, dist *float32, n, patch int, bias, scale, shift float32)
