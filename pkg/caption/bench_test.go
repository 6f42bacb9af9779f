package caption

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/trainrun"
)

// BenchmarkTrainStep times one training step of the default model
// (forward, backward, Adam) on a batch of 32 built-in scenes with their
// 5 references each, at 1 and 2 GEMM threads: the figure bench/caption.sh
// sets beside the PyTorch twin's.
func BenchmarkTrainStep(b *testing.B) {
	if _, err := Open(Source{Kind: "builtin"}, "val", DataOptions{}); err != nil {
		b.Skip(err)
	}
	for _, att := range []string{AttnSoft, AttnHard, AttnNone} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", att, threads), func(b *testing.B) {
				defer gemm.SetThreads(gemm.Threads())
				gemm.SetThreads(threads)
				cfg := DefaultConfig(BuiltinVocab().Len())
				cfg.Attention = att
				m, _ := New(cfg, BuiltinVocab(), 1)
				ds, _ := Open(Source{Kind: "builtin"}, "val", DataOptions{Scenes: 32})
				t := newTrainer(m, ds, ds, TrainOptions{Options: trainrun.Options{Batch: 32}})
				t.BeginEpoch(1)
				t.rng = rand.New(rand.NewPCG(1, 1))
				opt, _ := optim.NewAdam(m.Params(), optim.DefaultAdam())
				tp := autograd.NewTape()
				b.ResetTimer()
				for range b.N {
					opt.ZeroGrad()
					loss, _, err := t.Step(tp, 1, 0)
					if err != nil {
						b.Fatal(err)
					}
					tp.Backward(loss)
					tp.Reset()
					opt.Step()
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
