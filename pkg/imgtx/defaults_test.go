package imgtx

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
		o.Batch = 16
	}
	if o.Optimizer == "" {
		o.Optimizer = "adam"
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.Schedule == "" {
		o.Schedule = "cosine"
	}
	if o.ClipNorm == 0 {
		o.ClipNorm = 1
	}
	if o.ClipNorm < 0 {
		o.ClipNorm = 0
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
		{ClipNorm: -1},
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
