package ram

import (
	"testing"

	"github.com/attnkit/attn/pkg/trainrun"
)

// TestDefaults pins the loop's effective defaults: each want is what
// defaults() produced before the model declared them as a
// trainrun.Defaults value.
func TestDefaults(t *testing.T) {
	for _, c := range []struct{ in, want trainrun.Options }{
		{trainrun.Options{}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 0.001, Momentum: 0.9, Schedule: "cosine", StepSize: 50, Gamma: 0.1, Patience: 10, Threads: 1}},
		{trainrun.Options{Optimizer: "sgd"}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "sgd", LR: 0.01, Momentum: 0.9, Schedule: "cosine", StepSize: 50, Gamma: 0.1, Patience: 10, Threads: 1}},
		{trainrun.Options{Optimizer: "adam"}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 0.001, Momentum: 0.9, Schedule: "cosine", StepSize: 50, Gamma: 0.1, Patience: 10, Threads: 1}},
		{trainrun.Options{Schedule: "plateau"}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 0.001, Momentum: 0.9, Schedule: "plateau", StepSize: 50, Gamma: 0.5, Patience: 10, Threads: 1}},
		{trainrun.Options{Schedule: "step"}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 0.001, Momentum: 0.9, Schedule: "step", StepSize: 50, Gamma: 0.1, Patience: 10, Threads: 1}},
		{trainrun.Options{Optimizer: "sgd", Schedule: "plateau", Threads: -2}, trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "sgd", LR: 0.01, Momentum: 0.9, Schedule: "plateau", StepSize: 50, Gamma: 0.5, Patience: 10, Threads: 1}},
		{trainrun.Options{Epochs: 7, Batch: 3, LR: 0.2, Momentum: 0.5, WeightDecay: 0.01, StepSize: 2, Gamma: 0.3, Warmup: 2, Patience: 1, ClipNorm: 2, Threads: 2}, trainrun.Options{Epochs: 7, Batch: 3, Optimizer: "adam", LR: 0.2, Momentum: 0.5, WeightDecay: 0.01, Schedule: "cosine", StepSize: 2, Gamma: 0.3, Warmup: 2, Patience: 1, ClipNorm: 2, Threads: 2}},
	} {
		o := TrainOptions{Options: c.in}
		o.defaults()
		if o.Options != c.want {
			t.Errorf("defaults of %+v:\n got %+v\nwant %+v", c.in, o.Options, c.want)
		}
	}
}
