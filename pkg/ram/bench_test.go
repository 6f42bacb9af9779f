package ram

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// BenchmarkTrainStep is one forward+backward of the paper's configuration
// per task on a batch of 128 random canvases (data generation excluded),
// and of cluttered60 with the LSTM core.
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range slices.Concat(Tasks, []string{"cluttered60-lstm"}) {
		b.Run(name, func(b *testing.B) {
			task, core, _ := strings.Cut(name, "-")
			cfg, _ := TaskConfig(task)
			if core != "" {
				cfg.Core = core
			}
			m, _ := New(cfg, 1)
			const n = 128
			images := randomImages(n, cfg.Canvas*cfg.Canvas, 3)
			labels := make([]int, n)
			for i := range labels {
				labels[i] = i % 10
			}
			tp := autograd.NewTape()
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				autograd.ZeroGrad(m.Params())
				ep := m.Forward(tp, images, n, 1, Sample, rng)
				loss, _ := m.Loss(tp, ep, labels)
				tp.Backward(loss)
				tp.Reset()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
