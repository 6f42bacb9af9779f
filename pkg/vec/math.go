package vec

import "math"

// Exp sets dst[i] = e^x[i]. The relative error is within 2 ulp (about
// 2.4e-7) for results in the normal range, x ∈ [−87.3, 88.7]; larger x give
// +Inf, smaller x go through the subnormals to 0, and NaN stays NaN.
func Exp(dst, x []float32) {
	checkLen2("Exp", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		expAVX2(&dst[0], &x[0], len(dst))
		return
	}
	expGeneric(dst, x)
}

// ExpSum sets dst[i] = e^(x[i]−shift) and returns Σ dst[i], in one pass.
// It is the inner step of a stable softmax (shift = max x). The sum is
// accumulated in float32 lanes over blocks of 512 and in float64 across
// blocks.
func ExpSum(dst, x []float32, shift float32) float32 {
	checkLen2("ExpSum", dst, x)
	var total float64
	asm := useAsm.Load()
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		if asm {
			total += float64(expSumAVX2(&dst[0], &x[0], n, shift))
		} else {
			total += float64(expSumGeneric(dst[:n], x[:n], shift))
		}
		dst, x = dst[n:], x[n:]
	}
	return float32(total)
}

// Sigmoid sets dst[i] = 1/(1+e^−x[i]), accurate to about 2 ulp relative
// (well under 1e-6 absolute); it saturates to exactly 0 and 1 without
// overflow and keeps NaN.
func Sigmoid(dst, x []float32) {
	checkLen2("Sigmoid", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		sigmoidAVX2(&dst[0], &x[0], len(dst))
		return
	}
	sigmoidGeneric(dst, x)
}

// Tanh sets dst[i] = tanh x[i], accurate to about 3e-7 relative everywhere
// (small |x| use the Taylor series, so tiny inputs come back unchanged);
// ±Inf give ±1 and NaN stays NaN.
func Tanh(dst, x []float32) {
	checkLen2("Tanh", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		tanhAVX2(&dst[0], &x[0], len(dst))
		return
	}
	tanhGeneric(dst, x)
}

// Log sets dst[i] = ln x[i] (−Inf at 0, NaN below 0, correctly rounded
// from float64). It is not vectorised: the models take logs of one value
// per row (log-sum-exp, cross-entropy), never of whole activations.
func Log(dst, x []float32) {
	checkLen2("Log", dst, x)
	for i, v := range x {
		dst[i] = float32(math.Log(float64(v)))
	}
}

// Softmax sets dst = exp(x − max x) / Σ exp(x − max x), the numerically
// stable softmax of one row. −Inf entries (masked positions) get
// probability 0. As in PyTorch, a row that is entirely −Inf, or that holds
// a NaN or +Inf, gives NaN everywhere: there is no distribution to return.
func Softmax(dst, x []float32) {
	checkLen2("Softmax", dst, x)
	if len(x) == 0 {
		return
	}
	m := Max(x)
	s := ExpSum(dst, x, m)
	Scale(dst, 1/s, dst)
}

// LogSoftmax sets dst = x − max x − ln Σ exp(x − max x), the numerically
// stable log-softmax of one row. tmp is scratch of the same length (it may
// be dst itself only if x is not dst). Masked (−Inf) entries give −Inf; an
// all −Inf row gives NaN, as in PyTorch.
func LogSoftmax(dst, x, tmp []float32) {
	checkLen3("LogSoftmax", dst, x, tmp)
	if len(x) == 0 {
		return
	}
	m := Max(x)
	s := ExpSum(tmp, x, m)
	// Subtract m and ln s separately: their float32 sum would round to
	// the ulp of m, which for large logits is far coarser than ln s.
	AddScalar(dst, -m, x)
	AddScalar(dst, -float32(math.Log(float64(s))), dst)
}
