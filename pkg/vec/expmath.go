package vec

import "math"

// ExpMath sets dst[i] = float32(math.Exp(float64(x[i] − shift))), the
// subtraction done in float32: the same bits as that scalar expression,
// several times faster. The models' softmaxes were trained and measured
// with math.Exp, so their published figures stay exactly reproducible,
// which Exp's faster float32 polynomial (2 ulp) would not allow.
func ExpMath(dst, x []float32, shift float32) {
	checkLen2("ExpMath", dst, x)
	n := 0
	if useAsm.Load() {
		if n = len(x) &^ 3; n > 0 {
			expMath32AVX2(&dst[0], &x[0], n, shift)
		}
	}
	for i := n; i < len(x); i++ {
		dst[i] = float32(math.Exp(float64(x[i] - shift)))
	}
}

// ExpMath64 sets dst[i] = math.Exp(float64(x[i] − shift)), the
// subtraction done in float32, with the bits math.Exp gives, except that
// results below 2^−1022 (x[i] − shift < −708.4), subnormal in math.Exp,
// may come back as 0. A softmax accumulating its sum in float64 uses it.
func ExpMath64(dst []float64, x []float32, shift float32) {
	if len(dst) != len(x) {
		panic("vec.ExpMath64: slice lengths differ")
	}
	n := 0
	if useAsm.Load() {
		if n = len(x) &^ 3; n > 0 {
			expMath64AVX2(&dst[0], &x[0], n, shift)
		}
	}
	for i := n; i < len(x); i++ {
		dst[i] = math.Exp(float64(x[i] - shift))
	}
}
