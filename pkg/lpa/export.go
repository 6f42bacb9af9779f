package lpa

import (
	"fmt"

	"github.com/attnkit/attn/pkg/data"
)

// SplitImages returns split ("train", "val" or "test") of src as an image
// set, the images Open gives without augmentation ([3, Side, Side] in
// [0, 1]), with a meta that records the source, the model settings it
// implies (side, classes, class names, the built-in task's version) and
// the seeds, so that other software (the PyTorch twin's trainer) sees
// exactly the images `lpa train` and `lpa eval` see. For the built-in
// training split, epoch (from 1) selects that epoch's rendering; stored
// datasets have one, and their training augmentation (random crops and
// flips) is left to the reader.
func SplitImages(src Source, split string, opt DataOptions, epoch int) (data.ImageSet, error) {
	ds, err := Open(src, split, opt)
	if err != nil {
		return data.ImageSet{}, err
	}
	meta := map[string]any{"tool": "lpa", "data": src.String(), "kind": src.Kind, "split": split,
		"side": ds.Side(), "channels": 3, "classes": ds.Classes()}
	if names := ds.ClassNames(); names != nil {
		meta["class_names"] = names
	}
	switch {
	case src.Kind == "builtin" && split == "train":
		if epoch < 1 {
			return data.ImageSet{}, fmt.Errorf("epoch %d: epochs count from 1", epoch)
		}
		ds.SetEpoch(epoch)
		meta["seed"], meta["epoch"] = opt.Seed, epoch
	case src.Kind == "builtin" && split == "val":
		meta["seed"] = ValSeed
	case src.Kind == "builtin":
		seed := opt.TestSeed
		if seed == 0 {
			seed = data.TexturedTestSeed
		}
		meta["seed"] = seed
	case split != "test":
		meta["seed"], meta["val"] = opt.Seed, opt.Val // the hold-out depends on them
	}
	if src.Kind == "builtin" {
		meta["task"] = src.TaskName()
	}
	if opt.Limit > 0 {
		meta["limit"] = opt.Limit
	}
	s := ds.Side()
	return data.ImageSet{Len: ds.Len(), Channels: 3, Height: s, Width: s, Meta: meta,
		Load: func(i int, dst []float32) int { return ds.Load(i, dst, nil) }}, nil
}
