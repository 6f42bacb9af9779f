package vec

import "math"

// The pure-Go twins of the assembly kernels. They are the reference the
// assembly is tested against, and the implementation on every machine
// without AVX2+FMA. Each reslices its inputs to len(dst) first so the
// compiler drops the bounds checks in the loop.

func addGeneric(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func subGeneric(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func mulGeneric(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func divGeneric(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

func addScalarGeneric(dst []float32, s float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + s
	}
}

func scaleGeneric(dst []float32, s float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = s * x[i]
	}
}

func axpyGeneric(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func axpyToGeneric(dst []float32, alpha float32, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = alpha*x[i] + y[i]
	}
}

// reluGeneric uses the builtin max, which keeps NaN like the assembly and
// compiles without a branch: an if would mispredict on half of all
// activations (4× slower on random signs). Unlike the assembly it turns −0
// into +0, which compares equal.
func reluGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = max(x[i], 0)
	}
}

func reluBackwardGeneric(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		if y[i] > 0 {
			dx[i] += dy[i]
		}
	}
}

// sumGeneric adds in 8 independent lanes, like one AVX2 register, which is
// both more accurate than a single running sum and faster (the adds do not
// wait on each other).
func sumGeneric(x []float32) float32 {
	var s [8]float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		s[0] += v[0]
		s[1] += v[1]
		s[2] += v[2]
		s[3] += v[3]
		s[4] += v[4]
		s[5] += v[5]
		s[6] += v[6]
		s[7] += v[7]
	}
	t := ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
	for _, v := range x[i:] {
		t += v
	}
	return t
}

// dotGeneric is sumGeneric over x[i]·y[i].
func dotGeneric(x, y []float32) float32 {
	var s [8]float32
	y = y[:len(x)]
	i := 0
	for ; i+8 <= len(x); i += 8 {
		a, b := x[i:i+8:i+8], y[i:i+8:i+8]
		s[0] += a[0] * b[0]
		s[1] += a[1] * b[1]
		s[2] += a[2] * b[2]
		s[3] += a[3] * b[3]
		s[4] += a[4] * b[4]
		s[5] += a[5] * b[5]
		s[6] += a[6] * b[6]
		s[7] += a[7] * b[7]
	}
	t := ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
	for ; i < len(x); i++ {
		t += x[i] * y[i]
	}
	return t
}

func maxGeneric(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		} else if v != v {
			return v
		}
	}
	return m
}

// expScalar is the scalar twin of the assembly exp body (see expconst.go
// and asmgen.go's expBody for the method).
func expScalar(x float32) float32 {
	// Comparisons with NaN are false, so NaN passes both clamps.
	if x > expHi {
		x = expHi
	}
	if x < expLo {
		x = expLo
	}
	// Round to nearest even by adding and removing 1.5·2^23; the explicit
	// conversions stop the compiler from keeping extra precision.
	const magic = 12582912
	n := float32(float32(x*expLog2e+magic) - magic)
	r := float32(x - n*expLn2Hi)
	r = float32(r - n*expLn2Lo)
	p := float32(expC7)
	p = p*r + expC6
	p = p*r + expC5
	p = p*r + expC4
	p = p*r + expC3
	p = p*r + expC2
	p = p*r + 1
	p = p*r + 1
	ni := int32(n)
	n1 := ni >> 1
	n2 := ni - n1
	s1 := math.Float32frombits(uint32(n1+127) << 23)
	s2 := math.Float32frombits(uint32(n2+127) << 23)
	return p * s1 * s2
}

func expGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = expScalar(x[i])
	}
}

func expSumGeneric(dst, x []float32, shift float32) float32 {
	x = x[:len(dst)]
	var s [8]float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		for j := 0; j < 8; j++ {
			e := expScalar(x[i+j] - shift)
			dst[i+j] = e
			s[j] += e
		}
	}
	t := ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
	for ; i < len(x); i++ {
		e := expScalar(x[i] - shift)
		dst[i] = e
		t += e
	}
	return t
}

func sigmoidGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = 1 / (1 + expScalar(-x[i]))
	}
}

func tanhScalar(x float32) float32 {
	a := float32(math.Abs(float64(x)))
	if a < tanhSmall {
		x2 := x * x
		p := float32(tanhT9)
		p = p*x2 + tanhT7
		p = p*x2 + tanhT5
		p = p*x2 + tanhT3
		return x + x*(x2*p)
	}
	t := expScalar(-2 * a)
	r := (1 - t) / (1 + t)
	if math.Signbit(float64(x)) {
		r = -r
	}
	return r
}

func tanhGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = tanhScalar(x[i])
	}
}
