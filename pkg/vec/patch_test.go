package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// wholeSlice draws n whole numbers in [0, 255], the pixel values the
// patch kernels are built for.
func wholeSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.IntN(256))
	}
	return x
}

// TestAccSqDiffDelta checks both implementations against exact integer
// arithmetic on every tail length: the running sums of pkg/nlmeans rely on
// it being exact.
func TestAccSqDiffDelta(t *testing.T) {
	withImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range testLengths() {
			acc := make([]float32, n)
			want := make([]int64, n)
			for i := range acc {
				v := r.IntN(1 << 20)
				acc[i], want[i] = float32(v), int64(v)
			}
			a, b, c, d := wholeSlice(r, n), wholeSlice(r, n), wholeSlice(r, n), wholeSlice(r, n)
			AccSqDiffDelta(acc, a, b, c, d)
			AccSqDiffDelta(acc, a, b, a, a) // c = d: add only
			for i := range acc {
				p, q := int64(a[i]-b[i]), int64(c[i]-d[i])
				want[i] += 2*p*p - q*q
				if float64(acc[i]) != float64(want[i]) {
					t.Fatalf("n=%d i=%d: %v, want %d", n, i, acc[i], want[i])
				}
			}
		}
	})
}

// TestPatchWeights compares both implementations with float64 arithmetic
// and with each other.
func TestPatchWeights(t *testing.T) {
	type out struct{ w, den []float32 }
	run := func(t *testing.T, n, patch int, seed uint64) out {
		r := rand.New(rand.NewPCG(seed, 3))
		dist := make([]float32, n+patch-1)
		for i := range dist {
			dist[i] = float32(r.IntN(3000))
		}
		o := out{make([]float32, n), make([]float32, n)}
		for i := range o.den {
			o.den[i] = float32(r.IntN(100)) / 8
		}
		den0 := append([]float32(nil), o.den...)
		const bias, scale = 4000, 1.0 / 1500
		shift := float32(patch % 3 * 20) // 0, 20 or 40
		PatchWeights(o.w, o.den, dist, patch, bias, scale, shift)
		for i := range o.w {
			var d float64
			for k := 0; k < patch; k++ {
				d += float64(dist[i+k])
			}
			want := math.Exp(float64(shift) - max(d-bias, 0)*scale)
			// The float32 argument (up to ~100) is itself rounded by 4e-6.
			if math.Abs(float64(o.w[i])-want) > 1e-5*want+1e-30 {
				t.Fatalf("n=%d patch=%d i=%d: w %v, want %v", n, patch, i, o.w[i], want)
			}
			if o.den[i] != den0[i]+o.w[i] {
				t.Fatalf("n=%d patch=%d i=%d: den not accumulated", n, patch, i)
			}
		}
		return o
	}
	var ref map[[2]int]out
	withImpl(t, func(t *testing.T, impl string) {
		got := map[[2]int]out{}
		for _, patch := range []int{1, 3, 7, 9} {
			for _, n := range testLengths() {
				got[[2]int{n, patch}] = run(t, n, patch, uint64(n*31+patch))
			}
		}
		if ref == nil {
			ref = got
			return
		}
		for k, o := range got {
			for i := range o.w {
				if ulpDiff(o.w[i], ref[k].w[i]) > 3 {
					t.Fatalf("n=%d patch=%d i=%d: %s %v, generic %v", k[0], k[1], i, impl, o.w[i], ref[k].w[i])
				}
			}
		}
	})
}

func TestAccMul(t *testing.T) {
	withImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(4, 5))
		for _, n := range testLengths() {
			acc, a, b := randSlice(r, n, 0, 10, false), randSlice(r, n, 0, 10, false), randSlice(r, n, 0, 10, false)
			want := make([]float64, n)
			for i := range want {
				want[i] = float64(acc[i]) + float64(a[i])*float64(b[i])
			}
			AccMul(acc, a, b)
			for i := range acc {
				if math.Abs(float64(acc[i])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
					t.Fatalf("n=%d i=%d: %v, want %v", n, i, acc[i], want[i])
				}
			}
		}
	})
}

func BenchmarkPatchWeights(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		dist := benchData(n + 6)
		w, den := make([]float32, n), make([]float32, n)
		b.SetBytes(int64(4 * n))
		for b.Loop() {
			PatchWeights(w, den, dist, 7, 3, 0.01, 0)
		}
	})
}
