package caption

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/attnkit/attn/pkg/data"
)

// SceneExport is one split of the built-in scenes as other software (the
// PyTorch twin's trainer) reads it: the images and every reference caption
// as token ids of the built-in vocabulary.
type SceneExport struct {
	Data  Dataset
	Vocab *data.Vocab
	// Meta says what the scenes are (tool, split, seeds, side, vocabulary);
	// WriteNPZ stores it as JSON.
	Meta map[string]any
}

// ExportScenes returns split ("train", "val" or "test") of the built-in
// scenes as Open gives it to training and evaluation: with opt.Seed and
// epoch (from 1) the scenes `caption train --seed SEED` trains on in that
// epoch (they are rendered anew every epoch), the validation scenes it
// watches, or the test scenes `caption eval` scores (opt.TestSeed). The
// first n scenes of a split do not depend on its size, so opt.Scenes
// = N is `train --scenes N`, `--val-scenes N` or `eval --scenes N`.
func ExportScenes(split string, opt DataOptions, epoch int) (*SceneExport, error) {
	ds, err := Open(Source{Kind: "builtin"}, split, opt)
	if err != nil {
		return nil, err
	}
	vocab := BuiltinVocab()
	meta := map[string]any{"tool": "caption", "data": "builtin", "split": split, "side": ds.Side(),
		"scenes": ds.Len(), "vocab": vocab.Words}
	switch split {
	case "train":
		if epoch < 1 {
			return nil, fmt.Errorf("epoch %d: epochs count from 1", epoch)
		}
		ds.SetEpoch(epoch) // what trainer.BeginEpoch selects
		meta["seed"], meta["epoch"] = opt.Seed, epoch
	case "val":
		meta["seed"] = ValSeed // fixed: the run's seed does not change it
	case "test":
		meta["seed"] = TestSeed
		if opt.TestSeed != 0 {
			meta["seed"] = opt.TestSeed
		}
	}
	return &SceneExport{Data: ds, Vocab: vocab, Meta: meta}, nil
}

// WriteNPZ writes the split as an .npz archive (data.NPZ):
//
//	meta           JSON: "format" data.DatasetFormat and e.Meta
//	images         [N, 3, S, S] float32 in [0, 1]
//	captions       [M, T] int64, every reference of every image in order:
//	               <start>, the words, <end>, then <pad> (0) up to T,
//	               as data.Vocab.Encode gives them to the loss
//	lengths        [M] int64, the ids of each caption up to its <end>
//	caption_image  [M] int64, the image each caption describes
//
// Images are rendered and written one at a time; only the captions are
// kept until the end. before, when not nil, is called before each image
// with the number written so far; an error from it stops the export.
func (e *SceneExport) WriteNPZ(w io.Writer, before func(done int) error) error {
	n, S := e.Data.Len(), e.Data.Side()
	if n < 1 {
		return errors.New("npz export: no scenes")
	}
	meta := map[string]any{"format": data.DatasetFormat}
	for k, v := range e.Meta {
		meta[k] = v
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("npz export: meta: %w", err)
	}
	z := data.NewNPZ(w)
	if err := z.String("meta", string(js)); err != nil {
		return err
	}
	iw, err := z.Array("images", data.NPYFloat32, n, 3, S, S)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(iw, 1<<16)
	var caps [][]int
	var owner []int64
	T := 0
	for i := range n {
		if before != nil {
			if err := before(i); err != nil {
				return err
			}
		}
		s, err := e.Data.Sample(i)
		if err != nil {
			return fmt.Errorf("scene %d: %w", i, err)
		}
		if len(s.Image) != 3*S*S {
			return fmt.Errorf("scene %d: %d values, want 3x%dx%d", i, len(s.Image), S, S)
		}
		if err := data.WriteFloat32s(bw, s.Image); err != nil {
			return err
		}
		for _, r := range s.Refs {
			ids := e.Vocab.Encode(r)
			caps = append(caps, ids)
			owner = append(owner, int64(i))
			T = max(T, len(ids))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	flat, lengths := make([]int64, len(caps)*T), make([]int64, len(caps))
	for k, ids := range caps {
		for t, id := range ids {
			flat[k*T+t] = int64(id) // the rest stays data.PadID
		}
		lengths[k] = int64(len(ids))
	}
	if err := z.Int64s("captions", flat, len(caps), T); err != nil {
		return err
	}
	if err := z.Int64s("lengths", lengths, len(caps)); err != nil {
		return err
	}
	if err := z.Int64s("caption_image", owner, len(caps)); err != nil {
		return err
	}
	return z.Close()
}
