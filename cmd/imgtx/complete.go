package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

func completeCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.IntFlag{Name: "rows", Usage: "image rows to keep (default: the top half)"},
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Value: 4, Usage: "completions per input"},
		&cli.IntFlag{Name: "class", Usage: "class-conditional models: the class `C` to complete as"},
		temperatureFlag(1),
		zoomFlag(),
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:      "complete",
		Usage:     "keep the top rows of each image and sample the rest",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Converts each image to the model's input (grey or RGB, resized to its
size, 8 bits), keeps its top --rows rows and samples --count completions
of the rest. Writes one picture per input,
   DIR/<name>_complete.png   the converted original, the kept rows (the
                             rest grey) and the completions, left to right
and prints one line per input: path  rows  count  panel (--json for
objects). A super-resolution model is given the image's own low
resolution as well. An input that cannot be read gets one line on stderr,
no output file, and the others are still processed (exit 1).

Examples:
   imgtx complete --rows 14 --count 4 digit.png -o out/
   imgtx complete --model class.safetensors --class 3 digits/ -o out/`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runPerImage(c, false) },
	}
}

func upscaleCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Value: 4, Usage: "samples per input"},
		temperatureFlag(0.9),
		zoomFlag(),
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:      "upscale",
		Usage:     "super-resolution: sample high-resolution images from low-resolution ones",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Converts each image to the low-resolution input of a super-resolution model
(7x7 or 14x14 for the MNIST models: any image is shrunk to it) and samples
--count high-resolution versions at --temperature (0.9 by default; the
paper found 0.8-0.9 best). Writes one picture per input,
   DIR/<name>_upscale.png   the low-resolution input (enlarged) and the
                            samples, left to right
and prints one line per input: path  count  panel (--json for objects).
An input that cannot be read gets one line on stderr, no output file,
and the others are still processed (exit 1).

Examples:
   imgtx upscale small.png -o out/
   imgtx upscale --model upscale.safetensors --temperature 0.8 digits/ -o out/`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runPerImage(c, true) },
	}
}

// runPerImage is complete (upscale false) and upscale.
func runPerImage(c *cli.Context, upscale bool) error {
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("missing -o DIR (the folder to write the pictures to)")
	}
	zoom, temp, count, threads, err := sampleSettings(c)
	if err != nil {
		return err
	}
	// imgtx.ImagePixels shrinks the image as it reads it: nothing
	// full-size.
	decode, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return err
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	cfg := m.Cfg
	if upscale && cfg.Cond != "lowres" {
		return cliutil.Usagef("%s is not a super-resolution model; train one with --cond lowres", cfg.Name())
	}
	var labels []int
	rows := cfg.Height / 2
	if !upscale {
		if labels, err = classFor(c, m); err != nil {
			return err
		}
		if c.IsSet("rows") {
			rows = c.Int("rows")
		}
		if rows < 0 || rows > cfg.Height {
			return cliutil.Usagef("--rows %d: want 0..%d (the model's image height)", rows, cfg.Height)
		}
	}
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	// Inputs run on workers, and Sample spreads the batches of one
	// input's samples (64 to a batch) over its share of the threads; the
	// products inside stay on one thread, as for 'imgtx sample'.
	workers, each := cliutil.BatchThreads(threads, len(inputs))
	gemm.SetThreads(1)
	suffix := "_complete"
	if upscale {
		suffix = "_upscale"
	}
	plan := cliutil.PlanOutputs(outDir, inputs, cliutil.Output{Suffix: suffix, Ext: "png"})
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), c.Command.Name)
	seed := c.Uint64(cliutil.FlagSeed)
	batch := cliutil.Batch{Tool: c.App.Name, Stderr: c.App.ErrWriter, Printer: pr, Bar: bar, Workers: workers,
		Memory: cliutil.ImageMemory(decode), Budget: decode.MaxMemory}
	// Sample makes its own tapes; every input draws from the same --seed,
	// whatever ran before it, so its samples do not depend on the order
	// or the number of workers.
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, cliutil.NoState, func(_ struct{}, in string) ([]cliutil.Line, error) {
		paths, err := plan.For(in)
		if err != nil {
			return nil, err
		}
		img, err := imageio.Open(in, decode)
		if err != nil {
			return nil, err
		}
		opt := imgtx.SampleOptions{Count: count, Labels: labels, Temperature: temp, Seed: seed, Threads: each}
		var orig, low []uint8
		if upscale {
			low = imgtx.ImagePixels(img, cfg.LowRes, cfg.LowRes, cfg.Channels)
		} else {
			orig = imgtx.ImagePixels(img, cfg.Height, cfg.Width, cfg.Channels)
			opt.KnownMask = cfg.KnownRows(rows)
			for range count {
				opt.Known = append(opt.Known, orig...)
			}
			if cfg.Cond == "lowres" {
				low = imgtx.Downsample(orig, cfg.Height, cfg.Width, cfg.Channels, cfg.LowRes)
			}
		}
		for range count {
			opt.Low = append(opt.Low, low...)
		}
		pix, err := m.Sample(opt)
		if err != nil {
			return nil, err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}}
		if upscale {
			err = imageio.SavePNG(paths[0], cfg.UpscalePanel(low, pix, count, zoom))
		} else {
			err = imageio.SavePNG(paths[0], cfg.CompletionPanel(orig, rows, pix, count, zoom))
			fields = append(fields, cliutil.Field{Key: "rows", Value: rows})
		}
		if err != nil {
			return nil, err
		}
		fields = append(fields, cliutil.Field{Key: "count", Value: count}, cliutil.Field{Key: "panel", Value: paths[0]})
		return []cliutil.Line{fields}, nil
	})
	bar.Finish("")
	return err
}
