package lpa

import (
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/optim"
)

// BenchmarkTrainStep times one training step of the default
// (VGG-att3)-concat-pc at batch 64 on one thread on the built-in task:
// rendering the batch, forward, cross-entropy, backward and the SGD step.
// images/s is reported as a metric. Run with
//
//	go test ./pkg/lpa -run '^$' -bench TrainStep -benchtime 5x
func BenchmarkTrainStep(b *testing.B) {
	if _, err := data.LoadMNIST("train"); err != nil {
		b.Skip("MNIST not available:", err)
	}
	gemm.SetThreads(1)
	defer gemm.SetThreads(0)
	for _, attention := range []bool{true, false} {
		cfg := DefaultConfig("builtin", 64, 10)
		cfg.Attention = attention
		b.Run(cfg.Name(), func(b *testing.B) {
			ds, err := Open(Source{Kind: "builtin"}, "train", DataOptions{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			m, _ := New(cfg, 1)
			o, _ := optim.NewSGD(m.Params(), optim.SGDConfig{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4})
			const batch = 64
			pix := 3 * 64 * 64
			images := make([]float32, batch*pix)
			labels := make([]int, batch)
			tp := autograd.NewTape()
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for i := range labels {
					labels[i] = ds.Load(it*batch+i, images[i*pix:(i+1)*pix], nil)
				}
				o.ZeroGrad()
				out := m.Forward(tp, tp.Const(tp.View(images, batch, 3, 64, 64)))
				tp.Backward(tp.CrossEntropy(out.Logits, labels, -100))
				tp.Reset()
				o.Step()
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkAttend times the attention forward of one 64×64 image in
// evaluation mode (what 'lpa attend' runs per input, without decoding).
func BenchmarkAttend(b *testing.B) {
	gemm.SetThreads(1)
	defer gemm.SetThreads(0)
	cfg := DefaultConfig("builtin", 64, 10)
	m, _ := New(cfg, 1)
	m.Train(false)
	x := randomImages(1, 3, 64, 1)
	tp := autograd.NewInference()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		m.Forward(tp, tp.Const(x))
		tp.Reset()
	}
}
