package vec

import "math"

// sumBlock is how many elements are summed in float32 lanes before the
// partial result is added to a float64 total. Within a block each of the 8
// (Go) or 32 (assembly) lanes adds at most 64 terms, so the rounding error
// of Sum and Dot stays near that of a 64-term sum whatever the length.
const sumBlock = 512

// Sum returns Σ x[i] (0 for an empty slice).
func Sum(x []float32) float32 {
	var total float64
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		total += float64(sumChunk(x[:n]))
		x = x[n:]
	}
	return float32(total)
}

func sumChunk(x []float32) float32 {
	if !useAsm.Load() {
		return sumGeneric(x)
	}
	m := len(x) &^ 7
	var s float32
	if m > 0 {
		s = sumAVX2(&x[0], m)
	}
	for _, v := range x[m:] {
		s += v
	}
	return s
}

// Dot returns Σ x[i]·y[i] (0 for empty slices).
func Dot(x, y []float32) float32 {
	checkLen2("Dot", x, y)
	var total float64
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		total += float64(dotChunk(x[:n], y[:n]))
		x, y = x[n:], y[n:]
	}
	return float32(total)
}

func dotChunk(x, y []float32) float32 {
	if !useAsm.Load() {
		return dotGeneric(x, y)
	}
	m := len(x) &^ 7
	var s float32
	if m > 0 {
		s = dotAVX2(&x[0], &y[0], m)
	}
	for i := m; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// Max returns the largest element: NaN if any element is NaN (as
// torch.max), −Inf for an empty slice.
func Max(x []float32) float32 {
	if !useAsm.Load() || len(x) < 8 {
		return maxGeneric(x)
	}
	m8 := len(x) &^ 7
	m, nan := maxAVX2(&x[0], m8)
	if nan {
		return float32(math.NaN())
	}
	for _, v := range x[m8:] {
		if v > m {
			m = v
		} else if v != v {
			return v
		}
	}
	return m
}

// Argmax returns the index of the first largest element, or of the first
// NaN if there is one (as torch.argmax), and −1 for an empty slice.
func Argmax(x []float32) int {
	if len(x) == 0 {
		return -1
	}
	best, bi := x[0], 0
	if best != best {
		return 0
	}
	for i, v := range x[1:] {
		if v > best {
			best, bi = v, i+1
		} else if v != v {
			return i + 1
		}
	}
	return bi
}
