package trainrun

import "testing"

func TestWithDefaults(t *testing.T) {
	d := Defaults{
		Options:     Options{Epochs: 5, Batch: 8, Optimizer: "adam", LR: 1e-3, Schedule: "cosine", Gamma: 0.1, WeightDecay: 1e-4, ClipNorm: 2, Threads: 1},
		ByOptimizer: map[string]Options{"sgd": {LR: 0.1, Momentum: 0.9}},
		BySchedule:  map[string]Options{"plateau": {Gamma: 0.5}},
	}
	for _, c := range []struct {
		name    string
		in, out Options
	}{
		{"zero", Options{}, Options{Epochs: 5, Batch: 8, Optimizer: "adam", LR: 1e-3, Schedule: "cosine", Gamma: 0.1, WeightDecay: 1e-4, ClipNorm: 2, Threads: 1}},
		{"sgd", Options{Optimizer: "sgd"}, Options{Epochs: 5, Batch: 8, Optimizer: "sgd", LR: 0.1, Momentum: 0.9, Schedule: "cosine", Gamma: 0.1, WeightDecay: 1e-4, ClipNorm: 2, Threads: 1}},
		{"plateau", Options{Schedule: "plateau"}, Options{Epochs: 5, Batch: 8, Optimizer: "adam", LR: 1e-3, Schedule: "plateau", Gamma: 0.5, WeightDecay: 1e-4, ClipNorm: 2, Threads: 1}},
		{"negative is none", Options{WeightDecay: -1, ClipNorm: -1, Threads: -1}, Options{Epochs: 5, Batch: 8, Optimizer: "adam", LR: 1e-3, Schedule: "cosine", Gamma: 0.1, Threads: 1}},
		{"set wins", Options{Epochs: 2, LR: 0.5, Optimizer: "sgd", Gamma: 0.9, Seed: 3, Out: "m", Threads: 4},
			Options{Epochs: 2, Batch: 8, Optimizer: "sgd", LR: 0.5, Momentum: 0.9, Schedule: "cosine", Gamma: 0.9, WeightDecay: 1e-4, ClipNorm: 2, Seed: 3, Out: "m", Threads: 4}},
	} {
		if got := c.in.WithDefaults(d); got != c.out {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.out)
		}
	}
}
