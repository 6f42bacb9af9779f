package vec

import (
	"math"
	"testing"
)

// expMathInputs walks the float32 bit patterns with a stride prime to
// 2^32 (all signs, exponents, NaNs and infinities), plus the edges of the
// kernels' clamps.
func expMathInputs(stride uint32) []float32 {
	var xs []float32
	for b := uint64(0); b < 1<<32; b += uint64(stride) {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	return append(xs, 0, -0.0, 88.72283, 88.72284, -87.33654, -103.97208, -103.97209, -708.39, -745.2, -1000, -1001,
		709.78, 709.79, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
}

func sameBits32(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestExpMathBits checks that ExpMath gives float32(math.Exp(x − shift))
// bit for bit, for a sweep of every kind of float32 and several shifts,
// with the assembly kernels and without.
func TestExpMathBits(t *testing.T) {
	xs := expMathInputs(9973)
	got := make([]float32, len(xs))
	for _, asm := range []bool{true, false} {
		was := UseGeneric(!asm)
		for _, shift := range []float32{0, 1.5, -3.25, 80, float32(math.Inf(1))} {
			ExpMath(got, xs, shift)
			bad := 0
			for i, x := range xs {
				want := float32(math.Exp(float64(x - shift)))
				if !sameBits32(got[i], want) {
					if bad++; bad <= 5 {
						t.Errorf("asm %v: ExpMath(%g − %g) = %g (%#x), math.Exp gives %g (%#x)", asm, x, shift, got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
					}
				}
			}
			if bad > 0 {
				t.Errorf("asm %v shift %g: %d of %d differ", asm, shift, bad, len(xs))
			}
		}
		// Every length up to 13: one group, pairs, a lone group after
		// the pairs, and the scalar tail.
		small := make([]float32, 13)
		for i := range small {
			small[i] = float32(i)*0.37 - 4
		}
		for n := range 14 {
			ExpMath(got[:n], small[:n], 2)
			for i, x := range small[:n] {
				if want := float32(math.Exp(float64(x - 2))); !sameBits32(got[i], want) {
					t.Errorf("asm %v, length %d: element %d is %g, math.Exp gives %g", asm, n, i, got[i], want)
				}
			}
		}
		UseGeneric(was)
	}
}

// TestExpMath64Bits checks ExpMath64 against math.Exp bit for bit, apart
// from results math.Exp gives as subnormals, which may be 0.
func TestExpMath64Bits(t *testing.T) {
	xs := expMathInputs(9973)
	got := make([]float64, len(xs))
	for _, shift := range []float32{0, 2.5, -7} {
		ExpMath64(got, xs, shift)
		bad := 0
		for i, x := range xs {
			want := math.Exp(float64(x - shift))
			ok := math.Float64bits(got[i]) == math.Float64bits(want) || got[i] != got[i] && want != want ||
				got[i] == 0 && want < 0x1p-1022
			if !ok {
				if bad++; bad <= 5 {
					t.Errorf("ExpMath64(%g − %g) = %g, math.Exp gives %g", x, shift, got[i], want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("shift %g: %d of %d differ", shift, bad, len(xs))
		}
	}
}

func BenchmarkExpMath(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, dst := benchData(n), make([]float32, n)
		for b.Loop() {
			ExpMath(dst, x, 1)
		}
	})
}
