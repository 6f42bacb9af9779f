package main

import (
	"os"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	flags := append(modelFlags(),
		&cli.IntFlag{Name: "mc", Usage: "average the class probabilities of `M` sampled glimpse paths per image; 0 follows the policy's mean (deterministic)"},
		&cli.Uint64Flag{Name: "seed", Value: data.DefaultTestSeed, Usage: "placement seed of the test digits on the canvas (the default is the fixed test set)"},
		&cli.Uint64Flag{Name: "policy-seed", Value: 1, Usage: "seed of the random first location and of the policy samples"},
		&cli.IntFlag{Name: "limit", Usage: "evaluate only the first `N` test images (0: all 10,000)"},
		&cli.IntFlag{Name: "batch", Value: 250, Usage: "images per forward pass"},
	)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[:1]...) // --threads
	return &cli.Command{
		Name:  "eval",
		Usage: "test error of a model on the 10,000 MNIST test digits placed on the task's canvas",
		Description: `Renders the MNIST test split on the task's canvas (the 10,000 digits in
file order, placed by --seed; the default seed is the fixed test set every
figure in README uses), classifies each image and prints one line:
   task  error_pct  n  errors  mc  seed  model
or, with --json, an object with those keys.

Examples:
   glimpse eval --task cluttered60
   glimpse eval --model runs/mnist.safetensors --mc 10 --json
   for s in 1 2 3; do glimpse eval --task translated --seed $s; done`,
		Flags:  flags,
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("eval takes no arguments, got %q", c.Args().First())
	}
	m, name, err := loadModel(c)
	if err != nil {
		return err
	}
	task, err := data.TaskByName(m.Cfg.Task)
	if err != nil {
		return cliutil.ModelErr(err)
	}
	gen, err := data.TestSet(task, c.Uint64("seed"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	threads := c.Int(cliutil.FlagThreads)
	if threads < 1 {
		return cliutil.Usagef("--threads must be at least 1")
	}
	gemm.SetThreads(1) // parallel over batches instead
	n := gen.Len()
	if l := c.Int("limit"); l > 0 && l < n {
		n = l
	}
	bar := cliutil.NewProgress(os.Stderr, cliutil.ShowProgress(c), n, "eval "+task.Name)
	res := m.Evaluate(gen, ram.EvalOptions{
		MC: c.Int("mc"), Seed: c.Uint64("policy-seed"), Batch: c.Int("batch"),
		Threads: threads, Limit: n, Progress: bar.Add,
	})
	bar.Finish("")
	p := cliutil.NewPrinter(os.Stdout, c.Bool(cliutil.FlagJSON))
	return p.Print(
		cliutil.Field{Key: "task", Value: task.Name},
		cliutil.Field{Key: "error_pct", Value: cliutil.Round(res.ErrorPct(), 2)},
		cliutil.Field{Key: "n", Value: res.N},
		cliutil.Field{Key: "errors", Value: res.Errors},
		cliutil.Field{Key: "mc", Value: c.Int("mc")},
		cliutil.Field{Key: "seed", Value: c.Uint64("seed")},
		cliutil.Field{Key: "model", Value: name},
	)
}
