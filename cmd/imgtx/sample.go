package main

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

func sampleCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Value: 16, Usage: "images to draw (of each class, with --class)"},
		&cli.StringFlag{Name: "class", Usage: "class-conditional models: the class `C` to draw, a list (3,5,8) or all; one grid row per class when there are several"},
		temperatureFlag(1),
		&cli.IntFlag{Name: "cols", Usage: "columns of the grid (0: about square)"},
		zoomFlag(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the pictures under `DIR` (created if missing)"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "sample",
		Usage: "draw new images, a PNG grid and one PNG each",
		Description: `Draws --count images from the model (--count of each class for a
class-conditional model), decoding all of them together one sub-pixel at
a time with a key/value cache, and writes
   DIR/grid.png          all of them, --zoom pixels per pixel
   DIR/sample_NNNN.png   each at its own size
With several classes the grid has one row per class. It prints one line:
grid  count  dir (--json for an object), count being all images. The same seed
gives the same images. A super-resolution model needs its low-resolution
inputs: use 'imgtx upscale'.

Examples:
   imgtx sample --count 16 -o samples/
   imgtx sample --class 7 --temperature 0.9 -o sevens/
   imgtx sample --class all --count 10 -o digits/      # ten of each digit, a row each`,
		Flags:  flags,
		Action: runSample,
	}
}

func runSample(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("sample takes no arguments, got %q", c.Args().First())
	}
	dir := c.String("out")
	if dir == "" {
		return cliutil.Usagef("sample: missing -o DIR (where to write the images)")
	}
	zoom, temp, count, threads, err := sampleSettings(c)
	if err != nil {
		return err
	}
	if c.Int("cols") < 0 {
		return cliutil.Usagef("--cols %d: want 0 or more", c.Int("cols"))
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	if m.Cfg.Cond == "lowres" {
		return cliutil.Usagef("%s is a super-resolution model; draw from it with 'imgtx upscale'", m.Cfg.Name())
	}
	classes, err := classesFor(c, m)
	if err != nil {
		return err
	}
	cols := c.Int("cols")
	var labels []int // --count of each class, in the order given
	if perClass := count; len(classes) > 0 {
		if perClass*len(classes) > 10000 {
			return cliutil.Usagef("--count %d of %d classes: want at most 10000 images in all", perClass, len(classes))
		}
		for _, k := range classes {
			labels = append(labels, slices.Repeat([]int{k}, perClass)...)
		}
		count = len(labels)
		if cols == 0 && len(classes) > 1 {
			cols = perClass // a row per class
		}
	}
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	gemm.SetThreads(1)
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), count*m.Cfg.Len(), "sample")
	last := 0
	pix, err := m.Sample(imgtx.SampleOptions{Count: count, Labels: labels, Temperature: temp, Seed: c.Uint64(cliutil.FlagSeed),
		Threads: threads, Progress: func(done, _ int) { bar.Add(done - last); last = done }})
	bar.Finish("")
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	cfg := m.Cfg
	var out atomicfile.Set // the samples and their grid appear together or not at all
	defer out.Abort()
	for i := 0; i < count; i++ {
		p := filepath.Join(dir, fmt.Sprintf("sample_%04d.png", i))
		if err := out.Write(p, imageio.PNG(cfg.Tile(pix[i*cfg.Len():(i+1)*cfg.Len()], 1))); err != nil {
			return err
		}
	}
	grid := filepath.Join(dir, "grid.png")
	if err := out.Write(grid, imageio.PNG(cfg.SampleGrid(pix, count, cols, zoom))); err != nil {
		return err
	}
	if err := out.Commit(); err != nil {
		return err
	}
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(
		cliutil.Field{Key: "grid", Value: grid}, cliutil.Field{Key: "count", Value: count}, cliutil.Field{Key: "dir", Value: dir})
}
