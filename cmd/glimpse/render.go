package main

import (
	"fmt"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write images of a task's test set as PNGs (to try predict on, or to look at)",
		Description: `Writes test images N..N+count-1 of a task (the MNIST test digits placed on
the task's canvas exactly as 'glimpse eval' sees them) to DIR/<task>-<index>.png
and prints one line per image:
   index  label  path
(NDJSON with --json). --seed places the digits differently, as eval's --seed.

Examples:
   glimpse render --task cluttered60 --count 8 -o samples/
   glimpse render --task cluttered100 --from 100 --count 4 -o samples/ && glimpse predict --task cluttered100 -o out/ samples/`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: "mnist", Usage: "task `T`: mnist, translated, cluttered60 or cluttered100"},
			&cli.IntFlag{Name: "from", Usage: "first test image `N` (0..9999)"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of images"},
			&cli.Uint64Flag{Name: "seed", Value: data.DefaultTestSeed, Usage: "placement seed (the default is the fixed test set)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the PNGs under `DIR`"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	task, err := data.TaskByName(c.String("task"))
	if err != nil {
		return cliutil.Usagef("--task: %v", err)
	}
	dir := c.String("out")
	if dir == "" {
		return cliutil.Usagef("render: missing -o DIR")
	}
	from, count := c.Int("from"), c.Int("count")
	if from < 0 || count < 1 || from+count > data.MNISTTestSize {
		return cliutil.Usagef("--from %d --count %d: the test set has images 0..%d", from, count, data.MNISTTestSize-1)
	}
	gen, err := data.TestSet(task, c.Uint64("seed"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	// A signal stops the loop between pictures, each of which is whole.
	ctx := cliutil.Interruptible(c)
	for i := from; i < from+count; i++ {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", i-from, count); err != nil {
			return err
		}
		img, label, _, _ := gen.Sample(i)
		path := filepath.Join(dir, fmt.Sprintf("%s-%04d.png", task.Name, i))
		t := tensor.FromData(img, 1, task.Size, task.Size)
		if err := imageio.SavePNG(path, imageio.FromTensor(t)); err != nil {
			return err
		}
		if err := p.Print(cliutil.Field{Key: "index", Value: i}, cliutil.Field{Key: "label", Value: label}, cliutil.Field{Key: "path", Value: path}); err != nil {
			return err
		}
	}
	return nil
}
