package ram

import (
	"fmt"

	"github.com/attnkit/attn/pkg/data"
)

// Split names the canvases of one split of a task as training,
// validation and evaluation see them, so that other software (the
// PyTorch twin's trainer) can be given exactly those images.
type Split struct {
	Task string // mnist, translated, cluttered60 or cluttered100
	// Name is train (the first 55,000 MNIST training digits, placed anew
	// every epoch), val (the last 5,000, with fixed placements) or test
	// (the 10,000 test digits).
	Name string
	// Seed places the digits: for train the training run's --seed, for val
	// ValSeed + k (k < the validation placements), for test the
	// placement seed of eval (data.DefaultTestSeed for the standard set).
	Seed uint64
	// Epoch (train only, from 1) selects the placements of that epoch.
	Epoch int
	// Val is the number of validation digits held out from the end of the
	// training split (default data.MNISTValidationSize).
	Val int
	// Limit, when > 0, keeps only the first Limit training digits, as
	// `glimpse train --limit` does (on the cluttered tasks it also changes
	// which digits the clutter is cut from, so it is not the same as
	// taking the first Limit images of the whole split).
	Limit int
}

// DefaultSplitSeed returns the seed a split uses unless told otherwise:
// the default training seed (1), ValSeed, or data.DefaultTestSeed.
func DefaultSplitSeed(split string) uint64 {
	switch split {
	case "train":
		return 1
	case "val":
		return ValSeed
	}
	return data.DefaultTestSeed
}

// Images returns the split's canvases as an image set (images rendered on
// demand, [1, S, S] in [0, 1]) with a meta that records the task, the
// model settings of the task (canvas, classes) and the split's seeds.
// Train with the same Seed and Epoch renders what `glimpse train --seed
// Seed` trains on in that epoch (before its shuffle); test what `glimpse
// eval --seed Seed` scores.
func (s Split) Images() (data.ImageSet, error) {
	task, err := data.TaskByName(s.Task)
	if err != nil {
		return data.ImageSet{}, err
	}
	val := s.Val
	if val == 0 {
		val = data.MNISTValidationSize
	}
	var gen *data.Generator
	meta := map[string]any{"tool": "glimpse", "task": task.Name, "split": s.Name, "seed": s.Seed,
		"canvas": task.Size, "channels": 1, "classes": 10}
	switch s.Name {
	case "test":
		gen, err = data.TestSet(task, s.Seed)
	case "train", "val":
		var all *data.Digits
		if all, err = data.LoadMNIST("train"); err != nil {
			return data.ImageSet{}, err
		}
		if val < 1 || val >= all.Len() {
			return data.ImageSet{}, fmt.Errorf("validation size %d out of range 1..%d", val, all.Len()-1)
		}
		meta["val"] = val
		nTrain := all.Len() - val
		if s.Limit > 0 && s.Limit < nTrain && s.Name == "train" {
			nTrain = s.Limit
			meta["limit"] = s.Limit
		}
		digits := all.Slice(0, nTrain, "train")
		if s.Name == "val" {
			digits = all.Slice(all.Len()-val, all.Len(), "val")
		}
		gen, err = data.NewGenerator(task, digits, s.Seed)
		if err == nil && s.Name == "train" {
			if s.Epoch < 1 {
				return data.ImageSet{}, fmt.Errorf("epoch %d: epochs count from 1", s.Epoch)
			}
			gen.SetEpoch(s.Epoch)
			meta["epoch"] = s.Epoch
		}
	default:
		return data.ImageSet{}, fmt.Errorf("split %q: want train, val or test", s.Name)
	}
	if err != nil {
		return data.ImageSet{}, err
	}
	return data.ImageSet{Len: gen.Len(), Channels: 1, Height: task.Size, Width: task.Size, Meta: meta,
		Load: func(i int, dst []float32) int {
			gen.Batch([]int{i}, dst)
			return gen.Label(i)
		}}, nil
}
