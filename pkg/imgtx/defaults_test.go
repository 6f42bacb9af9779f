package imgtx

import (
	"testing"

	"github.com/attnkit/attn/pkg/trainrun"
)

// TestDefaults pins the loop's effective defaults: each want is what
// defaults() produced before the model declared them as a
// trainrun.Defaults value.
func TestDefaults(t *testing.T) {
	for _, c := range []struct{ in, want trainrun.Options }{
		{trainrun.Options{}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 0.001, Schedule: "cosine", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{Optimizer: "sgd"}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "sgd", LR: 0.001, Schedule: "cosine", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{Optimizer: "adam"}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 0.001, Schedule: "cosine", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{Schedule: "plateau"}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 0.001, Schedule: "plateau", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{Schedule: "step"}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 0.001, Schedule: "step", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{ClipNorm: -1}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 0.001, Schedule: "cosine", Threads: 1}},
		{trainrun.Options{Optimizer: "sgd", Schedule: "plateau", Threads: -2}, trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "sgd", LR: 0.001, Schedule: "plateau", ClipNorm: 1, Threads: 1}},
		{trainrun.Options{Epochs: 7, Batch: 3, LR: 0.2, Momentum: 0.5, WeightDecay: 0.01, StepSize: 2, Gamma: 0.3, Warmup: 2, Patience: 1, ClipNorm: 2, Threads: 2}, trainrun.Options{Epochs: 7, Batch: 3, Optimizer: "adam", LR: 0.2, Momentum: 0.5, WeightDecay: 0.01, Schedule: "cosine", StepSize: 2, Gamma: 0.3, Warmup: 2, Patience: 1, ClipNorm: 2, Threads: 2}},
	} {
		o := TrainOptions{Options: c.in}
		o.defaults()
		if o.Options != c.want {
			t.Errorf("defaults of %+v:\n got %+v\nwant %+v", c.in, o.Options, c.want)
		}
	}
}
