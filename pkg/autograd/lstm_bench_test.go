package autograd

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLSTMCell times one LSTM step at the models' sizes: the glimpse
// model's optional LSTM core (256 → 256) and a Show-Attend-Tell decoder
// (embedding 256 + context 512 → 512), forward+backward on a recording
// tape and forward alone on an inference tape (which must not allocate).
func BenchmarkLSTMCell(b *testing.B) {
	for _, s := range []struct{ n, in, h int }{{128, 256, 256}, {64, 768, 512}} {
		rng := rand.New(rand.NewPCG(9, 10))
		x := NewParam("x", randTensor(rng, s.n, s.in))
		h := NewParam("h", randTensor(rng, s.n, s.h))
		c := NewParam("c", randTensor(rng, s.n, s.h))
		wIH := NewParam("w_ih", randTensor(rng, 4*s.h, s.in))
		wHH := NewParam("w_hh", randTensor(rng, 4*s.h, s.h))
		bIH := NewParam("b_ih", randTensor(rng, 4*s.h))
		bHH := NewParam("b_hh", randTensor(rng, 4*s.h))
		seed := randTensor(rng, s.n, s.h)
		name := fmt.Sprintf("N%d_in%d_H%d", s.n, s.in, s.h)
		b.Run(name+"/train", func(b *testing.B) {
			tp := NewTape()
			b.ReportAllocs()
			for range b.N {
				h2, c2 := tp.LSTMCell(x, h, c, wIH, wHH, bIH, bHH)
				tp.BackwardWith(tp.Add(h2, c2), seed)
				tp.Reset()
			}
		})
		b.Run(name+"/infer", func(b *testing.B) {
			tp := NewInference()
			b.ReportAllocs()
			for range b.N {
				tp.LSTMCell(x, h, c, wIH, wHH, bIH, bHH)
				tp.Reset()
			}
		})
	}
}
