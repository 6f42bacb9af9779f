package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write images of a task's test set as PNGs (to try predict on, or to look at), or a whole split as one .npz for other software",
		Description: `Writes test images N..N+count-1 of a task (the MNIST test digits placed on
the task's canvas exactly as 'glimpse eval' sees them) to DIR/<task>-<index>.png
and prints one line per image:
   index  label  path
(NDJSON with --json). --seed places the digits differently, as eval's --seed.

--format npz writes the images instead into one NumPy archive, -o FILE:
"images" [N, 1, S, S] float32 in [0, 1], "labels" [N] int64 and "meta"
(JSON: task, canvas, split, seeds); without --count it holds the rest of
the split. --split train is what 'glimpse train --seed SEED' sees in
--epoch E (placements are new every epoch), --split val the validation
digits. It is how the PyTorch twin (python/attnkit_torch) trains and is
evaluated on the very images the Go tools use; it prints one line:
   path  n  split  seed

Examples:
   glimpse render --task cluttered60 --count 8 -o samples/
   glimpse render --task cluttered100 --from 100 --count 4 -o samples/ && glimpse predict --task cluttered100 -o out/ samples/
   glimpse render --task mnist --format npz -o mnist-test.npz
   glimpse render --task mnist --format npz --split train --epoch 1 -o mnist-train-1.npz`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: "mnist", Usage: "task `T`: mnist, translated, cluttered60 or cluttered100"},
			&cli.StringFlag{Name: "split", Value: "test", Usage: "test, train (the first 55,000 training digits) or val (the last 5,000)"},
			&cli.IntFlag{Name: "epoch", Value: 1, Usage: "with --split train: the placements of training epoch `E`"},
			&cli.IntFlag{Name: "limit", Usage: "with --split train: only the first `N` training digits, as train --limit"},
			&cli.IntFlag{Name: "from", Usage: "first image `N` of the split"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of images (--format npz: the rest of the split unless set)"},
			&cli.Uint64Flag{Name: "seed", Value: data.DefaultTestSeed, Usage: "placement seed: the default is the fixed test set, and with --split train the training seed 1, val the first validation placement"},
			&cli.StringFlag{Name: "format", Value: "png", Usage: "png (one file per image under -o DIR) or npz (one NumPy archive, -o FILE)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the PNGs under `DIR` (--format npz: the archive to FILE)"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	if _, err := data.TaskByName(c.String("task")); err != nil {
		return cliutil.Usagef("--task: %v", err)
	}
	out := c.String("out")
	if out == "" {
		return cliutil.Usagef("render: missing -o DIR (or -o FILE with --format npz)")
	}
	format := c.String("format")
	if format != "png" && format != "npz" {
		return cliutil.Usagef("--format %q: want png or npz", format)
	}
	split := ram.Split{Task: c.String("task"), Name: c.String("split"), Seed: c.Uint64("seed"),
		Epoch: c.Int("epoch"), Limit: c.Int("limit")}
	if split.Name != "test" && split.Name != "train" && split.Name != "val" {
		return cliutil.Usagef("--split %q: want test, train or val", split.Name)
	}
	if !c.IsSet("seed") {
		split.Seed = ram.DefaultSplitSeed(split.Name)
	}
	if split.Epoch < 1 || split.Limit < 0 {
		return cliutil.Usagef("--epoch must be at least 1 and --limit not negative")
	}
	set, err := split.Images()
	if err != nil {
		return cliutil.ModelErr(err)
	}
	count := c.Int("count")
	if count < 1 {
		return cliutil.Usagef("--count %d: want at least 1", count)
	}
	if format == "npz" && !c.IsSet("count") {
		count = 0 // the rest of the split
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
		err := cliutil.WriteArchive(c, ctx, out, "render "+split.Name, "images", set.Len, func(w io.Writer, before func(int) error) error {
			return data.WriteNPZ(w, set, before)
		})
		if err != nil {
			return err
		}
		return p.Print(cliutil.Field{Key: "path", Value: out}, cliutil.Field{Key: "n", Value: set.Len},
			cliutil.Field{Key: "split", Value: split.Name}, cliutil.Field{Key: "seed", Value: split.Seed})
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
		path := filepath.Join(out, fmt.Sprintf("%s-%04d.png", split.Task, from+i))
		if split.Name != "test" {
			path = filepath.Join(out, fmt.Sprintf("%s-%s-%05d.png", split.Task, split.Name, from+i))
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
