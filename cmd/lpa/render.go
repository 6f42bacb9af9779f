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
		Usage: "write images of the built-in test set as PNGs (to try attend and segment on)",
		Description: `Writes test images N..N+count-1 of the built-in task (textured digits,
64x64 RGB, exactly as 'lpa eval' sees them) to DIR/<task>-<index>.png and
prints one line per image:
   index  label  path
(NDJSON with --json).

Examples:
   lpa render --count 8 -o samples/
   lpa render --from 100 --count 4 -o samples/ && lpa attend --panel -o out/ samples/`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "task", Value: data.DefaultTexturedName, Usage: "version `T` of the built-in task: fragments or largest"},
			&cli.IntFlag{Name: "from", Usage: "first test image `N` (0..9999)"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of images"},
			&cli.Uint64Flag{Name: "test-seed", Value: data.TexturedTestSeed, Usage: "rendering seed (the default is the fixed test set)"},
			&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the PNGs under `DIR`"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	name := c.String("task")
	task, err := data.TexturedByName(name)
	if err != nil {
		return cliutil.Usagef("--task: %v", err)
	}
	dir := c.String(cliutil.FlagOut)
	if dir == "" {
		return cliutil.Usagef("render: missing -o DIR")
	}
	from, count := c.Int("from"), c.Int("count")
	if from < 0 || count < 1 || from+count > data.MNISTTestSize {
		return cliutil.Usagef("--from %d --count %d: the test set has images 0..%d", from, count, data.MNISTTestSize-1)
	}
	gen, err := data.TexturedTestSet(task, c.Uint64("test-seed"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	img := make([]float32, task.Pixels())
	// A signal stops the loop between pictures, each of which is whole.
	ctx := cliutil.Interruptible(c)
	for i := from; i < from+count; i++ {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", i-from, count); err != nil {
			return err
		}
		label := gen.Render(i, img, nil)
		path := filepath.Join(dir, fmt.Sprintf("%s-%04d.png", name, i))
		t := tensor.FromData(img, data.TexturedChannels, task.Size, task.Size)
		if err := imageio.SavePNG(path, imageio.FromTensor(t)); err != nil {
			return err
		}
		if err := p.Print(cliutil.Field{Key: "index", Value: i}, cliutil.Field{Key: "label", Value: label}, cliutil.Field{Key: "path", Value: path}); err != nil {
			return err
		}
	}
	return nil
}
