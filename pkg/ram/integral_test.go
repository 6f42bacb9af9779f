package ram

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The summed-area path must give Extract's values at every scale, for
// locations inside, on the border of and outside the image.
func TestExtractIntegralMatchesExtract(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	for _, c := range []struct{ ch, h, w, g, k int }{{1, 100, 100, 12, 4}, {1, 60, 60, 12, 3}, {3, 17, 23, 4, 3}, {1, 28, 28, 8, 1}} {
		img := make([]float32, c.ch*c.h*c.w)
		for i := range img {
			img[i] = float32(rng.Float64())
		}
		var it Integral
		it.Reset(img, c.ch, c.h, c.w)
		s := Sensor{Patch: c.g, Scales: c.k}
		want := make([]float32, c.ch*s.Size())
		got := make([]float32, c.ch*s.Size())
		for trial := 0; trial < 50; trial++ {
			lx := float32(rng.Float64()*2.6 - 1.3)
			ly := float32(rng.Float64()*2.6 - 1.3)
			s.Extract(want, img, c.ch, c.h, c.w, lx, ly)
			s.ExtractIntegral(got, img, &it, lx, ly)
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Fatalf("%+v at (%g,%g): element %d = %g, Extract gives %g", c, lx, ly, i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkSensor(b *testing.B) {
	img := make([]float32, 100*100)
	for i := range img {
		img[i] = float32(i%7) / 7
	}
	s := Sensor{Patch: 12, Scales: 4}
	dst := make([]float32, s.Size())
	b.Run("direct", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for t := 0; t < 8; t++ {
				s.Extract(dst, img, 1, 100, 100, 0.1*float32(t-4), 0.05*float32(t))
			}
		}
	})
	b.Run("integral", func(b *testing.B) {
		var it Integral
		for i := 0; i < b.N; i++ {
			it.Reset(img, 1, 100, 100)
			for t := 0; t < 8; t++ {
				s.ExtractIntegral(dst, img, &it, 0.1*float32(t-4), 0.05*float32(t))
			}
		}
	})
}
