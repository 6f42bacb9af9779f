package nonlocal

import (
	"testing"

	"github.com/attnkit/attn/pkg/trainrun"
)

// legacyDefaults is the defaults code before trainrun.Defaults, kept to
// check that the effective defaults did not change.
func legacyDefaults(o *TrainOptions) {
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.Batch == 0 {
		o.Batch = 32
	}
	if o.Optimizer == "" {
		o.Optimizer = "sgd"
	}
	if o.LR == 0 {
		o.LR = 0.05
		if o.Optimizer == "adam" {
			o.LR = 1e-3
		}
	}
	if o.Momentum == 0 {
		o.Momentum = 0.9
	}
	if o.WeightDecay == 0 {
		o.WeightDecay = 1e-4
	}
	if o.WeightDecay < 0 {
		o.WeightDecay = 0
	}
	if o.Schedule == "" {
		o.Schedule = "cosine"
	}
	if o.StepSize == 0 {
		o.StepSize = 10
	}
	if o.Gamma == 0 {
		o.Gamma = 0.1
	}
	if o.Patience == 0 {
		o.Patience = 5
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
}

func TestDefaultsUnchanged(t *testing.T) {
	for _, in := range []trainrun.Options{
		{},
		{Optimizer: "sgd"},
		{Optimizer: "adam"},
		{Schedule: "plateau"},
		{Schedule: "step"},
		{WeightDecay: -1},
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
