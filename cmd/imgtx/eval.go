package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "data", Value: "mnist", Usage: "`SOURCE`: mnist (its test split) or imagefolder:DIR (every image, converted to the model's size)"},
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test, or val: the validation images training held out"},
		&cli.IntFlag{Name: "limit", Usage: "evaluate only the first `N` images (0: all)"},
		&cli.IntFlag{Name: "batch", Value: 32, Usage: "images per forward pass"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[:1]...) // --threads
	return &cli.Command{
		Name:  "eval",
		Usage: "negative log-likelihood of a test set in bits/dim",
		Description: `Scores every image of the test set by the model's discrete likelihood of
its 8-bit values (no dequantisation) and prints one line:
   model  variant  data  split  n  bits_per_dim  nll_nats_per_image
(with --json an object with those keys). bits_per_dim is the mean
negative log2-likelihood per sub-pixel; nll_nats_per_image the mean
negative log-likelihood of a whole image in nats.

Examples:
   imgtx eval --json
   imgtx eval --model tx.safetensors --split val
   imgtx eval --model faces.safetensors --data imagefolder:faces`,
		Flags:  flags,
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("eval takes no arguments, got %q", c.Args().First())
	}
	threads := c.Int(cliutil.FlagThreads)
	if threads < 1 || c.Int("batch") < 1 || c.Int("limit") < 0 {
		return cliutil.Usagef("--threads and --batch must be at least 1, --limit not negative")
	}
	src, err := imgtx.ParseSource(c.String("data"))
	if err != nil {
		return cliutil.Usagef("--data: %v", err)
	}
	split := c.String("split")
	if split != "test" && split != "val" {
		return cliutil.Usagef("--split %q: want test or val", split)
	}
	m, name, err := loadModel(c)
	if err != nil {
		return err
	}
	cfg := m.Cfg
	ds, err := imgtx.Open(src, split, cfg.Height, cfg.Width, cfg.Channels, c.Int("limit"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if cfg.Cond == "class" && len(ds.Classes) != cfg.Classes {
		return cliutil.Usagef("%s knows %d classes; %s has %d", name, cfg.Classes, src, len(ds.Classes))
	}
	gemm.SetThreads(1) // parallel over batches instead
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), ds.Len(), "eval")
	res, err := m.Evaluate(ds, imgtx.EvalOptions{Batch: c.Int("batch"), Threads: threads, Progress: bar.Add})
	bar.Finish("")
	if err != nil {
		return cliutil.ModelErr(err)
	}
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(
		cliutil.Field{Key: "model", Value: name}, cliutil.Field{Key: "variant", Value: cfg.Name()},
		cliutil.Field{Key: "data", Value: src.String()}, cliutil.Field{Key: "split", Value: split},
		cliutil.Field{Key: "n", Value: res.N},
		cliutil.Field{Key: "bits_per_dim", Value: cliutil.Round(res.BitsPerDim(), 4)},
		cliutil.Field{Key: "nll_nats_per_image", Value: cliutil.Round(res.NatsPerImage(), 2)},
	)
}
