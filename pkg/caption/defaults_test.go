package caption

import (
	"testing"

	"github.com/attnkit/attn/pkg/trainrun"
)

// legacyDefaults is the defaults code before trainrun.Defaults, kept to
// check that the effective defaults did not change.
func legacyDefaults(o *TrainOptions) {
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	if o.Batch == 0 {
		o.Batch = 32
	}
	if o.Optimizer == "" {
		o.Optimizer = "adam"
	}
	if o.LR == 0 {
		o.LR = 1e-3
		if o.Optimizer == "sgd" {
			o.LR = 0.1
		}
	}
	if o.Momentum == 0 && o.Optimizer == "sgd" {
		o.Momentum = 0.9
	}
	o.WeightDecay = max(o.WeightDecay, 0)
	if o.Schedule == "" {
		o.Schedule = "cosine"
	}
	if o.StepSize == 0 {
		o.StepSize = 5
	}
	if o.Gamma == 0 {
		o.Gamma = 0.5
	}
	switch {
	case o.ClipNorm == 0:
		o.ClipNorm = 5
	case o.ClipNorm < 0:
		o.ClipNorm = 0
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.MinCount == 0 {
		o.MinCount = 5
	}
	if o.PretrainEpochs == 0 {
		o.PretrainEpochs = 3
	}
}

func TestDefaultsUnchanged(t *testing.T) {
	for _, in := range []trainrun.Options{
		{},
		{Optimizer: "sgd"},
		{Optimizer: "adam"},
		{Schedule: "plateau"},
		{Schedule: "step"},
		{WeightDecay: -1, ClipNorm: -1},
		{Optimizer: "sgd", Schedule: "plateau", Threads: -2},
		{Epochs: 7, Batch: 3, LR: 0.2, Momentum: 0.5, WeightDecay: 0.01, StepSize: 2, Gamma: 0.3, Warmup: 2, Patience: 1, ClipNorm: 2, Threads: 2},
	} {
		got, want := TrainOptions{Options: in}, TrainOptions{Options: in}
		got.defaults()
		legacyDefaults(&want)
		if got.Options != want.Options {
			t.Errorf("defaults of %+v:\n got %+v\nwant %+v", in, got.Options, want.Options)
		}
	}
}
