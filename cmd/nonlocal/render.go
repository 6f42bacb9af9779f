package main

import (
	"fmt"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write test samples of a built-in task (clips as GIFs, images as PNGs) with their labels",
		Description: `Writes test samples N..N+count-1 of a built-in task exactly as 'nonlocal
eval' sees them: sum clips as grey animated GIFs (DIR/sum-<index>.gif, read
back by predict and attend with the same pixels), cluttered60 images as
PNGs. One line per sample:
   index  label  path
(NDJSON with --json).

Examples:
   nonlocal render --count 8 -o clips/
   nonlocal render --task cluttered60 --count 4 -o images/`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: "sum", Usage: "built-in `TASK`: sum or cluttered60"},
			&cli.IntFlag{Name: "from", Usage: "first test sample `N` (0..9999)"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of samples"},
			&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write under `DIR`"},
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
	dir := c.String(cliutil.FlagOut)
	if dir == "" {
		return cliutil.Usagef("render: missing -o DIR")
	}
	from, count := c.Int("from"), c.Int("count")
	if from < 0 || count < 1 {
		return cliutil.Usagef("--from must not be negative and --count at least 1")
	}
	ds, err := nonlocal.Open(task, "test", 0, 0)
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if from+count > ds.Len() {
		return cliutil.Usagef("--from %d --count %d: the test set has samples 0..%d", from, count, ds.Len()-1)
	}
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	x := make([]float32, spec.SampleSize())
	// A signal stops the loop between pictures, each of which is whole.
	ctx := cliutil.Interruptible(c)
	for i := from; i < from+count; i++ {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", i-from, count); err != nil {
			return err
		}
		label := ds.Load(i, x)
		pics := spec.Pictures(x)
		var path string
		if spec.Mode == "3d" {
			path = filepath.Join(dir, fmt.Sprintf("%s-%04d.gif", task, i))
			g, err := nonlocal.GrayGIF(pics, 40)
			if err != nil {
				return err
			}
			if err := imageio.SaveGIF(path, g); err != nil {
				return err
			}
		} else {
			path = filepath.Join(dir, fmt.Sprintf("%s-%04d.png", task, i))
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
