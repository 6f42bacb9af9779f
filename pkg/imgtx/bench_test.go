package imgtx

import (
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// benchStep times one training step (forward, loss, backward) of the
// default 28×28 grey model of an architecture on a batch of 16.
func benchStep(b *testing.B, cfg Config) {
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	batch := randomBatch(cfg, 16, 2)
	tp := autograd.NewTape()
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		autograd.ZeroGrad(m.Params())
		l, err := m.Loss(tp, batch, true, rng)
		if err != nil {
			b.Fatal(err)
		}
		tp.Backward(l)
		tp.Reset()
	}
}

func BenchmarkTrainStepLocal1D(b *testing.B) {
	benchStep(b, DefaultConfig("transformer", 28, 28, 1))
}

func BenchmarkTrainStepLocal2D(b *testing.B) {
	cfg := DefaultConfig("transformer", 28, 28, 1)
	cfg.Attention = "local2d"
	benchStep(b, cfg)
}

func BenchmarkTrainStepPixelCNN(b *testing.B) {
	benchStep(b, DefaultConfig("pixelcnn", 28, 28, 1))
}
