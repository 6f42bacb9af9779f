package imgtx

import (
	"github.com/attnkit/attn/pkg/data"
)

// SplitImages returns split ("train", "val" or "test") of src at h × w
// with c channels as an image set, the images Open gives (their 8-bit
// values k as k/255, [c, h, w]), with a meta that records the source and
// the model settings it implies (height, width, channels, classes, class
// names), so that other software (the PyTorch twin's trainer) sees
// exactly the images `imgtx train --limit limit` trains on (train),
// validates on (val, with --val-limit limit) or `imgtx eval --limit
// limit` scores (test). The splits are fixed: no seed, no epochs (the
// training loop only shuffles them).
func SplitImages(src Source, split string, h, w, c, limit int) (data.ImageSet, error) {
	ds, err := Open(src, split, h, w, c, limit)
	if err != nil {
		return data.ImageSet{}, err
	}
	meta := map[string]any{"tool": "imgtx", "data": src.String(), "kind": src.Kind, "split": split,
		"height": h, "width": w, "channels": c, "classes": len(ds.Classes), "class_names": ds.Classes}
	if limit > 0 {
		meta["limit"] = limit
	}
	return data.ImageSet{Len: ds.Len(), Channels: c, Height: h, Width: w, Meta: meta,
		Load: func(i int, dst []float32) int {
			// Open keeps the sub-pixels interleaved (raster order, channels
			// innermost: the sequence the model generates); an export is
			// channels first, as the other tools write theirs.
			for k, v := range ds.Image(i) {
				dst[(k%c)*h*w+k/c] = float32(v) / 255
			}
			return ds.Labels[i]
		}}, nil
}
