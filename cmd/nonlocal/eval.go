package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test (the 10,000 MNIST test digits at the task's fixed seed) or val (the held-out training digits)"},
		&cli.IntFlag{Name: "limit", Usage: "evaluate only the first `N` samples (0: all)"},
		&cli.IntFlag{Name: "batch", Value: 50, Usage: "samples per forward pass"},
		&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "the training seed whose validation clips --split val draws"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[:1]...) // --threads
	return &cli.Command{
		Name:  "eval",
		Usage: "test error and GFLOPs per clip of a model",
		Description: `Classifies the test split of the task the model was trained on and prints
one line:
   model  name  task  split  n  errors  error_pct  gflops_per_clip
(with --json an object with those keys). gflops_per_clip counts the
multiply-adds of one forward pass on one clip (or image): convolutions,
non-local blocks and the classifier, as the paper counts FLOPs.

Examples:
   nonlocal eval --model nl.safetensors --json
   nonlocal eval --model c2d.safetensors --limit 1000
   nonlocal eval --model embedded:c2d --json`,
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
	split := c.String("split")
	if split != "test" && split != "val" {
		return cliutil.Usagef("--split %q: want test or val", split)
	}
	m, name, err := loadModel(c)
	if err != nil {
		return err
	}
	ds, err := nonlocal.Open(m.Cfg.Task, split, c.Uint64("seed"), c.Int("limit"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	gemm.SetThreads(1) // parallel over batches instead
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), ds.Len(), "eval")
	res := m.Evaluate(ds, nonlocal.EvalOptions{Batch: c.Int("batch"), Threads: threads, Progress: bar.Add})
	bar.Finish("")
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(
		cliutil.Field{Key: "model", Value: name},
		cliutil.Field{Key: "name", Value: m.Cfg.Name()},
		cliutil.Field{Key: "task", Value: m.Cfg.Task},
		cliutil.Field{Key: "split", Value: split},
		cliutil.Field{Key: "n", Value: res.N},
		cliutil.Field{Key: "errors", Value: res.Errors},
		cliutil.Field{Key: "error_pct", Value: cliutil.Round(res.ErrorPct(), 2)},
		cliutil.Field{Key: "gflops_per_clip", Value: cliutil.Round(res.GFLOPs, 6)},
	)
}
