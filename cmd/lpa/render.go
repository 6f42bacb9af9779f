package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write images of the built-in test set as PNGs (to try attend and segment on), or a whole split as one .npz for other software",
		Description: `Writes test images N..N+count-1 of the built-in task (textured digits,
64x64 RGB, exactly as 'lpa eval' sees them) to DIR/<task>-<index>.png and
prints one line per image:
   index  label  path
(NDJSON with --json).

--format npz writes the images instead into one NumPy archive, -o FILE:
"images" [N, 3, S, S] float32 in [0, 1], "labels" [N] int64 and "meta"
(JSON: data, task, side, classes, class names, split, seeds); without
--count it holds the rest of the split. --split train is what 'lpa train
--seed SEED' sees in --epoch E (the built-in task renders anew every epoch;
CIFAR and image folders are exported without their training augmentation),
--split val the held-out images; --data exports CIFAR or an image folder
decoded and resized as the Go tools do. It is how the PyTorch twin
(python/attnkit_torch) trains and is evaluated on the very images the Go
tools use; it prints one line:
   path  n  split  seed

Examples:
   lpa render --count 8 -o samples/
   lpa render --from 100 --count 4 -o samples/ && lpa attend --panel -o out/ samples/
   lpa render --format npz --count 1000 -o lpa-test.npz
   lpa render --format npz --split train --epoch 1 -o lpa-train-1.npz
   lpa render --format npz --data imagefolder:photos --split train -o photos-train.npz`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: data.DefaultTexturedName, Usage: "version `T` of the built-in task: fragments or largest"},
			&cli.StringFlag{Name: "data", Usage: "with --format npz: another `SOURCE`, as train's --data (cifar10:DIR, cifar100:DIR, imagefolder:DIR)"},
			&cli.StringFlag{Name: "split", Value: "test", Usage: "test, train or val (the images training holds out)"},
			&cli.IntFlag{Name: "epoch", Value: 1, Usage: "built-in --split train: the rendering of training epoch `E`"},
			&cli.IntFlag{Name: "from", Usage: "first image `N` of the split"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of images (--format npz: the rest of the split unless set)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "--split train or val: the training run's --seed (the built-in renderings; an image folder's hold-out)"},
			&cli.Uint64Flag{Name: "test-seed", Value: data.TexturedTestSeed, Usage: "rendering seed (the default is the fixed test set)"},
			&cli.IntFlag{Name: "val", Usage: "images held out for validation, as train's --val"},
			&cli.IntFlag{Name: "side", Usage: "imagefolder: the input side (default 64), as train's --side"},
			&cli.StringFlag{Name: "format", Value: "png", Usage: "png (one file per image under -o DIR) or npz (one NumPy archive, -o FILE)"},
			&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the PNGs under `DIR` (--format npz: the archive to FILE)"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	name := c.String("task")
	if _, err := data.TexturedByName(name); err != nil {
		return cliutil.Usagef("--task: %v", err)
	}
	out := c.String(cliutil.FlagOut)
	if out == "" {
		return cliutil.Usagef("render: missing -o DIR (or -o FILE with --format npz)")
	}
	format := c.String("format")
	if format != "png" && format != "npz" {
		return cliutil.Usagef("--format %q: want png or npz", format)
	}
	src := lpa.Source{Kind: "builtin", Task: name}
	if c.IsSet("data") {
		var err error
		if src, err = lpa.ParseSource(c.String("data")); err != nil {
			return cliutil.Usagef("--data: %v", err)
		}
		if src.Kind == "builtin" && src.Task == "" {
			src.Task = name
		}
		if format != "npz" && src.Kind != "builtin" {
			return cliutil.Usagef("--data %s: PNGs are for the built-in task; use --format npz", src)
		}
	}
	split := c.String("split")
	if split != "test" && split != "train" && split != "val" {
		return cliutil.Usagef("--split %q: want test, train or val", split)
	}
	count := c.Int("count")
	if count < 1 || c.Int("epoch") < 1 || c.Int("val") < 0 || c.Int("side") < 0 {
		return cliutil.Usagef("--count and --epoch must be at least 1, --val and --side not negative")
	}
	if format == "npz" && !c.IsSet("count") {
		count = 0 // the rest of the split
	}
	opt := lpa.DataOptions{Side: c.Int("side"), Val: c.Int("val"), Seed: c.Uint64("seed"), TestSeed: c.Uint64("test-seed")}
	set, err := lpa.SplitImages(src, split, opt, c.Int("epoch"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	from := c.Int("from")
	if set, err = set.Range(from, count); err != nil {
		return cliutil.Usagef("--from %d --count %d: %v", from, count, err)
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	// A signal stops the loop between pictures, each of which is whole;
	// an archive is written whole or not at all.
	ctx := cliutil.Interruptible(c)
	if format == "npz" {
		err := cliutil.WriteArchive(c, ctx, out, "render "+split, "images", set.Len, func(w io.Writer, before func(int) error) error {
			return data.WriteNPZ(w, set, before)
		})
		if err != nil {
			return err
		}
		seed, ok := set.Meta["seed"]
		if !ok {
			seed = "-" // a stored test split has no randomness
		}
		return p.Print(cliutil.Field{Key: "path", Value: out}, cliutil.Field{Key: "n", Value: set.Len},
			cliutil.Field{Key: "split", Value: split}, cliutil.Field{Key: "seed", Value: seed})
	}
	if err := cliutil.PrepareOutDir(out); err != nil {
		return err
	}
	img := make([]float32, set.Channels*set.Height*set.Width)
	for i := range set.Len {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", i, set.Len); err != nil {
			return err
		}
		label := set.Load(i, img)
		path := filepath.Join(out, fmt.Sprintf("%s-%04d.png", src.TaskName(), from+i))
		if split != "test" {
			path = filepath.Join(out, fmt.Sprintf("%s-%s-%05d.png", src.TaskName(), split, from+i))
		}
		t := tensor.FromData(img, set.Channels, set.Height, set.Width)
		if err := imageio.SavePNG(path, imageio.FromTensor(t)); err != nil {
			return err
		}
		if err := p.Print(cliutil.Field{Key: "index", Value: from + i}, cliutil.Field{Key: "label", Value: label}, cliutil.Field{Key: "path", Value: path}); err != nil {
			return err
		}
	}
	return nil
}
