package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the squares and the model shapes the issue tracks
// (m×n×k): linear layers of the caption and non-local models and a
// transformer block's attention products.
var benchShapes = [][3]int{
	{64, 64, 64}, {128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
	{128, 784, 256}, {196, 512, 512}, {128, 256, 1024}, {256, 256, 64},
}

// BenchmarkSgemm reports GFLOP/s (2·m·n·k flops per call) for every shape
// with the default kernel and thread count; run with -cpu 1,2 to vary
// GOMAXPROCS, which sets the default thread count.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			SetThreads(0)
			r := rand.New(rand.NewPCG(1, 1))
			a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
			Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
			}
			b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmBatched measures attention-sized products: 32 heads of
// 64×64×64 (scores) per call.
func BenchmarkSgemmBatched(b *testing.B) {
	const batch, m, n, k = 32, 64, 64, 64
	r := rand.New(rand.NewPCG(1, 1))
	a, bb, c := randSlice(r, batch*m*k), randSlice(r, batch*k*n), make([]float32, batch*m*n)
	SetThreads(0)
	for i := 0; i < b.N; i++ {
		SgemmBatched(false, true, batch, m, n, k, 1, a, m*k, k, bb, k*n, k, 0, c, m*n, n)
	}
	b.ReportMetric(2*float64(batch*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMicroKernel measures each micro-kernel alone on L1-resident
// packed panels (k=256): the ceiling the blocked driver can approach.
func BenchmarkMicroKernel(b *testing.B) {
	const k = 256
	for _, kn := range available {
		b.Run(kn.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			pa, pb := randSlice(r, kn.mr*k), randSlice(r, kn.nr*k)
			c := make([]float32, kn.mr*kn.nr)
			for i := 0; i < b.N; i++ {
				kn.fn(k, &pa[0], &pb[0], &c[0], kn.nr, 1, 1)
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkPack reports the cost of packing per element for each operand
// and transpose (kc=256; A block 144 rows, B block 512 columns).
func BenchmarkPack(b *testing.B) {
	const kc, mc, nc, ld = 256, 144, 512, 1024
	r := rand.New(rand.NewPCG(1, 1))
	src := randSlice(r, ld*ld)
	dst := make([]float32, 512*kc+64)
	for _, tc := range []struct {
		name string
		n    int
		f    func()
	}{
		{"A_N", mc * kc, func() { packA(dst, src, ld, false, 0, 0, mc, kc, 6) }},
		{"A_T", mc * kc, func() { packA(dst, src, ld, true, 0, 0, mc, kc, 6) }},
		// The AVX-512 kernel's panels of 14 rows (140 = 10 of them).
		{"A_T14", 140 * kc, func() { packA(dst, src, ld, true, 0, 0, 140, kc, 14) }},
		{"B_N", nc * kc, func() { packB(dst, src, ld, false, 0, 0, kc, nc, 16) }},
		{"B_T", nc * kc, func() { packB(dst, src, ld, true, 0, 0, kc, nc, 16) }},
		{"memmove", nc * kc, func() { copy(dst[:nc*kc], src) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				tc.f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tc.n), "ns/elem")
		})
	}
}

// BenchmarkSgemmSmall measures the small-product path (small.go): m in
// {1, 2, 4, 8, 16} rows against n, k in {256, 1024}, with op(B) = B (the
// axpy and rows forms) and op(B) = Bᵀ (the dot form, as in a dense layer's
// x·Wᵀ), reporting GFLOP/s. Run with -cpu 1,2 to vary the thread count.
func BenchmarkSgemmSmall(b *testing.B) {
	for _, transB := range []bool{false, true} {
		for _, m := range []int{1, 2, 4, 8, 16} {
			for _, n := range []int{256, 1024} {
				for _, k := range []int{256, 1024} {
					name := fmt.Sprintf("NN/%dx%dx%d", m, n, k)
					ldb := n
					if transB {
						name, ldb = fmt.Sprintf("NT/%dx%dx%d", m, n, k), k
					}
					b.Run(name, func(b *testing.B) {
						SetThreads(0)
						r := rand.New(rand.NewPCG(1, 1))
						a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
						Sgemm(false, transB, m, n, k, 1, a, k, bb, ldb, 0, c, n)
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							Sgemm(false, transB, m, n, k, 1, a, k, bb, ldb, 0, c, n)
						}
						b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}

// BenchmarkAxpySplit times axpy-form products (m ≤ 4, op(B) = B) on two
// threads, split over both or kept on one (axpySplitMaxM), reporting
// GFLOP/s: the measurement behind axpySplitMaxM. Run with -cpu 2.
func BenchmarkAxpySplit(b *testing.B) {
	for _, m := range []int{1, 2, 3, 4} {
		for _, nk := range [][2]int{{256, 256}, {1024, 256}, {256, 1024}, {1024, 1024}} {
			for _, split := range []bool{false, true} {
				n, k := nk[0], nk[1]
				name := fmt.Sprintf("%dx%dx%d/one", m, n, k)
				if split {
					name = fmt.Sprintf("%dx%dx%d/split", m, n, k)
				}
				b.Run(name, func(b *testing.B) {
					defer func(old int) { axpySplitMaxM = old }(axpySplitMaxM)
					SetThreads(0)
					axpySplitMaxM = 0
					if split {
						axpySplitMaxM = maxAxpy
					}
					r := rand.New(rand.NewPCG(1, 1))
					a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
					for i := 0; i < b.N; i++ {
						Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
					}
					b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
