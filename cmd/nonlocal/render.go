package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write test samples of a built-in task (clips as GIFs, images as PNGs) with their labels, or a whole split as one .npz for other software",
		Description: `Writes samples N..N+count-1 of a built-in task's test split exactly as
'nonlocal eval' sees them (--split: the training or validation split):
sum clips as grey animated GIFs (DIR/sum-<index>.gif, read back by
predict and attend with the same pixels), cluttered60 images as PNGs. One
line per sample:
   index  label  path
(NDJSON with --json).

--format npz writes the samples instead into one NumPy archive, -o FILE:
"images" float32 in [0, 1], [N, 1, T, S, S] for clips and [N, 1, S, S]
for images, "labels" [N] int64 and "meta" (JSON: tool, task, mode,
frames, side, channels, classes, split, seed); without --count it holds
the rest of the split. --split train is what 'nonlocal train --seed SEED'
sees in --epoch E (every epoch draws new clips), --split val what it
validates on, --split test what 'nonlocal eval' scores. --limit N builds
the split from its first N digits, as train's --limit (train), --val-limit
(val) and eval's --limit (test) do; that changes the partners and the
clutter, so it is not the first N samples of the whole split. It is how
the PyTorch twin (python/attnkit_torch) trains and is evaluated on the
very samples the Go tool uses; it prints one line:
   path  n  split  seed

Examples:
   nonlocal render --count 8 -o clips/
   nonlocal render --task cluttered60 --count 4 -o images/
   nonlocal render --format npz --limit 2000 -o sum-test.npz
   nonlocal render --format npz --split train --epoch 1 -o sum-train-1.npz
   nonlocal render --format npz --task cluttered60 --split val -o c60-val.npz`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: "sum", Usage: "built-in `TASK`: sum or cluttered60"},
			&cli.StringFlag{Name: "split", Value: "test", Usage: "test, train or val (the clips training holds out)"},
			&cli.IntFlag{Name: "epoch", Value: 1, Usage: "--split train: the samples of training epoch `E`"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "--split train or val: the training run's --seed"},
			&cli.IntFlag{Name: "limit", Usage: "build the split from its first `N` digits, as train's --limit, --val-limit and eval's --limit"},
			&cli.IntFlag{Name: "from", Usage: "first sample `N` of the split"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of samples (--format npz: the rest of the split unless set)"},
			&cli.StringFlag{Name: "format", Value: "png", Usage: "png (GIFs or PNGs under -o DIR) or npz (one NumPy archive, -o FILE)"},
			&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write under `DIR` (--format npz: the archive to FILE)"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	task := c.String("task")
	spec, err := nonlocal.TaskByName(task)
	if err != nil {
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
	split := c.String("split")
	if split != "test" && split != "train" && split != "val" {
		return cliutil.Usagef("--split %q: want test, train or val", split)
	}
	from, count := c.Int("from"), c.Int("count")
	if from < 0 || count < 1 || c.Int("epoch") < 1 || c.Int("limit") < 0 {
		return cliutil.Usagef("--from and --limit must not be negative, --count and --epoch at least 1")
	}
	if format == "npz" && !c.IsSet("count") {
		count = 0 // the rest of the split
	}
	set, err := nonlocal.SplitSamples(task, split, c.Uint64("seed"), c.Int("epoch"), c.Int("limit"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if set, err = set.Range(from, count); err != nil {
		return cliutil.Usagef("--from %d --count %d: %v", from, count, err)
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	// A signal stops the loop between samples, each of which is whole;
	// an archive is written whole or not at all.
	ctx := cliutil.Interruptible(c)
	if format == "npz" {
		err := cliutil.WriteArchive(c, ctx, out, "render "+split, "samples", set.Len, func(w io.Writer, before func(int) error) error {
			return data.WriteNPZ(w, set, before)
		})
		if err != nil {
			return err
		}
		return p.Print(cliutil.Field{Key: "path", Value: out}, cliutil.Field{Key: "n", Value: set.Len},
			cliutil.Field{Key: "split", Value: split}, cliutil.Field{Key: "seed", Value: set.Meta["seed"]})
	}
	if err := cliutil.PrepareOutDir(out); err != nil {
		return err
	}
	x := make([]float32, spec.SampleSize())
	for k := range set.Len {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", k, set.Len); err != nil {
			return err
		}
		i := from + k
		label := set.Load(k, x)
		pics := spec.Pictures(x)
		name := fmt.Sprintf("%s-%04d", task, i)
		if split != "test" { // not to be taken for the test samples of the same index
			name = fmt.Sprintf("%s-%s-%05d", task, split, i)
		}
		var path string
		if spec.Mode == "3d" {
			path = filepath.Join(out, name+".gif")
			g, err := nonlocal.GrayGIF(pics, 40)
			if err != nil {
				return err
			}
			if err := imageio.SaveGIF(path, g); err != nil {
				return err
			}
		} else {
			path = filepath.Join(out, name+".png")
			if err := imageio.SavePNG(path, pics[0]); err != nil {
				return err
			}
		}
		if err := p.Print(cliutil.Field{Key: "index", Value: i}, cliutil.Field{Key: "label", Value: label}, cliutil.Field{Key: "path", Value: path}); err != nil {
			return err
		}
	}
	return nil
}
