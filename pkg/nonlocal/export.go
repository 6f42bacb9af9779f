package nonlocal

import (
	"fmt"

	"github.com/attnkit/attn/pkg/data"
)

// SplitSamples returns split ("train", "val" or "test") of a built-in
// task as a sample set, exactly as Open gives it (clips [1, T, S, S],
// images [1, S, S], in [0, 1]), with a meta that records the task, the
// model settings it implies (mode, frames, side, channels, classes) and
// the seeds, so that other software (the PyTorch twin's trainer) sees the
// samples `nonlocal train --seed seed --limit limit` trains on in epoch
// (from 1), validates on (val, with --val-limit limit), or that
// `nonlocal eval --limit limit` scores (test).
//
// The seed recorded is the one a user passes: the training run's --seed
// for train and val (validation clips are drawn from it), the task's
// fixed test seed for test.
func SplitSamples(task, split string, seed uint64, epoch, limit int) (data.ImageSet, error) {
	ds, err := Open(task, split, seed, limit)
	if err != nil {
		return data.ImageSet{}, err
	}
	spec := ds.Spec()
	meta := map[string]any{"tool": "nonlocal", "task": spec.Name, "mode": spec.Mode, "split": split,
		"frames": spec.Frames, "side": spec.Side, "channels": spec.Channels, "classes": spec.Classes, "seed": seed}
	switch split {
	case "train":
		if epoch < 1 {
			return data.ImageSet{}, fmt.Errorf("epoch %d: epochs count from 1", epoch)
		}
		ds.SetEpoch(epoch)
		meta["epoch"] = epoch
	case "test":
		meta["seed"] = TestSeed(spec)
	}
	if limit > 0 {
		meta["limit"] = limit
	}
	return data.ImageSet{Len: ds.Len(), Channels: spec.Channels, Frames: spec.Frames, Height: spec.Side, Width: spec.Side,
		Meta: meta, Load: ds.Load}, nil
}

// TestSeed returns the fixed seed of a task's test split.
func TestSeed(spec TaskSpec) uint64 {
	if spec.Mode == "3d" || spec.Name == "digits" {
		return data.SumClipTestSeed
	}
	return data.DefaultTestSeed
}
