package nonlocal

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/optim"
)

// BenchmarkTrainStep times one training step of the sum-task network
// (forward, cross-entropy, backward, SGD with momentum and weight decay)
// on a batch of 32 random clips, for C2D, one block and five blocks, on 1
// and 2 threads as 'nonlocal train --threads' runs it (GEMM on as many
// threads, and the tape's convolutions, elementwise ops and batch norms
// splitting their work over them): what
// bench/nonlocal_train.sh sets beside the
// PyTorch twin's `bench/torch/nonlocal_net.py --bench`, which times the
// same step on the same shapes.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 32
	for _, blocks := range []int{0, 1, 5} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("blocks=%d/threads=%d", blocks, threads), func(b *testing.B) {
				defer gemm.SetThreads(gemm.Threads())
				gemm.SetThreads(threads)
				cfg, err := DefaultConfig("sum")
				if err != nil {
					b.Fatal(err)
				}
				cfg.Blocks = blocks
				m, err := New(cfg, 1)
				if err != nil {
					b.Fatal(err)
				}
				m.Train(true)
				rng := rand.New(rand.NewPCG(1, 2))
				shape := []int{batch, cfg.Channels, cfg.Frames, cfg.Side, cfg.Side}
				x := make([]float32, batch*cfg.Channels*cfg.Frames*cfg.Side*cfg.Side)
				for i := range x {
					x[i] = rng.Float32()
				}
				labels := make([]int, batch)
				for i := range labels {
					labels[i] = rng.IntN(cfg.Classes)
				}
				opt, err := optim.NewSGD(m.Params(), optim.SGDConfig{LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4})
				if err != nil {
					b.Fatal(err)
				}
				tp := autograd.NewTape()
				tp.SetThreads(threads)
				b.ResetTimer()
				for range b.N {
					opt.ZeroGrad()
					out := m.Forward(tp, tp.Const(tp.View(x, shape...)))
					tp.Backward(tp.CrossEntropy(out.Logits, labels, -100))
					tp.Reset()
					opt.Step()
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "clips/s")
			})
		}
	}
}
