package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSizes are a cache-resident row, an L2-sized slice and a 1M-element
// slice that streams from memory.
var benchSizes = []int{256, 16 << 10, 1 << 20}

// benchImpls runs f under each available implementation.
func benchImpls(b *testing.B, f func(b *testing.B, n int)) {
	impls := []bool{true}
	if hasAsm {
		impls = append(impls, false)
	}
	for _, generic := range impls {
		name := "avx2"
		if generic {
			name = "generic"
		}
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/n=%d", name, n), func(b *testing.B) {
				defer UseGeneric(UseGeneric(generic))
				b.ReportAllocs()
				f(b, n)
			})
		}
	}
}

func benchData(n int) []float32 {
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n)
	for i := range x {
		x[i] = 8*r.Float32() - 4
	}
	return x
}

// SetBytes counts the bytes each kernel reads and writes, so -bench
// reports memory throughput.

func BenchmarkAdd(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, y, d := benchData(n), benchData(n), make([]float32, n)
		b.SetBytes(int64(12 * n))
		for b.Loop() {
			Add(d, x, y)
		}
	})
}

func BenchmarkMul(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, y, d := benchData(n), benchData(n), make([]float32, n)
		b.SetBytes(int64(12 * n))
		for b.Loop() {
			Mul(d, x, y)
		}
	})
}

func BenchmarkScale(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Scale(d, 0.5, x)
		}
	})
}

func BenchmarkAxpy(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, y := benchData(n), benchData(n)
		b.SetBytes(int64(12 * n))
		for b.Loop() {
			Axpy(1e-3, x, y)
		}
	})
}

func BenchmarkDot(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, y := benchData(n), benchData(n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Dot(x, y)
		}
	})
}

func BenchmarkSum(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x := benchData(n)
		b.SetBytes(int64(4 * n))
		for b.Loop() {
			Sum(x)
		}
	})
}

func BenchmarkMax(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x := benchData(n)
		b.SetBytes(int64(4 * n))
		for b.Loop() {
			Max(x)
		}
	})
}

func BenchmarkReLU(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			ReLU(d, x)
		}
	})
}

func BenchmarkExp(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Exp(d, x)
		}
	})
}

func BenchmarkSigmoid(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Sigmoid(d, x)
		}
	})
}

func BenchmarkTanh(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Tanh(d, x)
		}
	})
}

func BenchmarkSoftmaxRow(b *testing.B) {
	benchImpls(b, func(b *testing.B, n int) {
		x, d := benchData(n), make([]float32, n)
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Softmax(d, x)
		}
	})
}
