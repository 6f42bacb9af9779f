package vec

// Kernels of patch-similarity filters (non-local means, pkg/nlmeans): a
// running box sum of squared differences, the weights it gives, and a
// weighted accumulation. They keep the package conventions (equal lengths,
// dst first) except where a length is stated otherwise.

// AccSqDiffDelta adds (a[i]−b[i])² − (c[i]−d[i])² to acc[i]: one step of a
// running sum of squared differences that takes a new row (a, b) in and an
// old one (c, d) out. For whole numbers below 2^12 in magnitude every step
// is exact in float32, so a running sum never drifts as long as it stays
// below 2^24; passing c and d as the same slice adds a row without removing
// one.
func AccSqDiffDelta(acc, a, b, c, d []float32) {
	if len(a) != len(acc) || len(b) != len(acc) || len(c) != len(acc) || len(d) != len(acc) {
		panic("vec.AccSqDiffDelta: slice lengths differ")
	}
	n := len(acc)
	if useAsm.Load() && n >= 8 {
		m := n &^ 7
		accSqDiffDeltaAVX2(&acc[0], &a[0], &b[0], &c[0], &d[0], m)
		acc, a, b, c, d = acc[m:], a[m:], b[m:], c[m:], d[m:]
	}
	accSqDiffDeltaGeneric(acc, a, b, c, d)
}

func accSqDiffDeltaGeneric(acc, a, b, c, d []float32) {
	a, b, c, d = a[:len(acc)], b[:len(acc)], c[:len(acc)], d[:len(acc)]
	for i := range acc {
		p := a[i] - b[i]
		q := c[i] - d[i]
		acc[i] += float32(p*p) - float32(q*q)
	}
}

// AccMul adds a[i]·b[i] to acc[i] (one fused multiply-add in assembly, so
// the two implementations may differ by an ulp).
func AccMul(acc, a, b []float32) {
	checkLen3("AccMul", acc, a, b)
	n := len(acc)
	if useAsm.Load() && n >= 8 {
		m := n &^ 7
		accMulAVX2(&acc[0], &a[0], &b[0], m)
		acc, a, b = acc[m:], a[m:], b[m:]
	}
	for i := range acc {
		acc[i] += a[i] * b[i]
	}
}

// PatchWeights turns box sums of squared differences into non-local means
// weights. With d = dist[i] + … + dist[i+patch−1] (the horizontal box of
// column sums; dist holds len(w)+patch−1 values) it sets
//
//	w[i] = e^(shift − max(d − bias, 0)·scale)
//
// and accumulates den[i] += w[i]. w and den have the same length; scale
// must be positive. The exponential is the one of Exp; a box of more than
// about 2^24 would round. A positive shift scales all weights by e^shift,
// which keeps weights far below 1 (down to e^(shift−87)) out of the
// subnormals.
func PatchWeights(w, den, dist []float32, patch int, bias, scale, shift float32) {
	checkLen2("PatchWeights", w, den)
	if patch < 1 || len(dist) != len(w)+patch-1 {
		panic("vec.PatchWeights: dist must hold len(w)+patch-1 values")
	}
	n := len(w)
	if useAsm.Load() && n >= 8 {
		m := n &^ 7
		patchWeightsAVX2(&w[0], &den[0], &dist[0], m, patch, bias, scale, shift)
		w, den, dist = w[m:], den[m:], dist[m:]
	}
	patchWeightsGeneric(w, den, dist, patch, bias, scale, shift)
}

func patchWeightsGeneric(w, den, dist []float32, patch int, bias, scale, shift float32) {
	den = den[:len(w)]
	for i := range w {
		// Two partial sums in the order of the assembly: even and odd
		// terms after the first, so that whole numbers give equal sums
		// either way (they are exact) and others differ by an ulp at most.
		d0, d1 := dist[i], float32(0)
		for k := 1; k+1 < patch; k += 2 {
			d0 += dist[i+k]
			d1 += dist[i+k+1]
		}
		t := float32(d0+d1) - bias
		t = -max(t, 0)*scale + shift
		e := expScalar(t)
		w[i] = e
		den[i] += e
	}
}
