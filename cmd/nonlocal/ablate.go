package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

func ablateCommand() *cli.Command {
	flags := append(archFlags(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "keep the trained models in `DIR` (<variant>.safetensors) and the table in DIR/ablation.md; default: a temporary folder, removed afterwards"},
		&cli.StringFlag{Name: "markdown", Usage: "write the table as Markdown to `FILE` (default: DIR/ablation.md with -o)"},
		&cli.StringFlag{Name: "only", Usage: "run only these comma-separated `VARIANTS` (baseline, gaussian, embedded, dot, concat, res2, res3, res5, '5 blocks', space, time)"},
		&cli.IntFlag{Name: "test-limit", Value: 2000, Usage: "evaluate on the first `N` test clips (0: all 10,000)"},
	)
	flags = append(flags, scheduleFlags(3)...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	for _, f := range flags {
		// A short default budget: a quick table, not the paper's figures.
		if f, ok := f.(*cli.IntFlag); ok {
			switch f.Name {
			case "limit":
				f.Value = 5000
			case "val-limit":
				f.Value = 1000
			}
		}
	}
	return &cli.Command{
		Name:  "ablate",
		Usage: "train the variants of the paper's Table 2 with one budget and print the table",
		Description: `Trains, with the same data, seed and budget, the baseline (no block) and
the variants of the paper's Table 2 around the reference the flags set (one
embedded-Gaussian block in res4 over spacetime by default): (a) the four
pairwise functions; (b) the block in res2, res3, res4 or res5; (c) one
against five blocks; (d) space-only, time-only (without subsampling) and
spacetime. Each best model is evaluated on the test set. One line per
variant as it finishes:
   group  variant  name  error_pct  val_error_pct  n  gflops_per_clip  epochs  train_seconds  model
(--json for objects), and at the end the table as Markdown (to --markdown,
or DIR/ablation.md with -o). The budget is --epochs over --limit training
clips; the defaults (3 epochs of 5,000 clips) make a quick comparison;
--epochs 1 --limit 200 --val-limit 100 --test-limit 200 is a smoke run.

Examples:
   nonlocal ablate --json -o runs/ablate
   nonlocal ablate --epochs 30 --limit 0 --test-limit 0 -o runs/ablate-full
   nonlocal ablate --only baseline,embedded --epochs 1 --limit 200 --val-limit 100 --test-limit 200`,
		Flags:  flags,
		Action: runAblate,
	}
}

func runAblate(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("ablate takes no arguments, got %q", c.Args().First())
	}
	topt, err := trainOptions(c)
	if err != nil {
		return err
	}
	if c.Int("test-limit") < 0 {
		return cliutil.Usagef("--test-limit must not be negative")
	}
	cfg, err := configFromFlags(c)
	if err != nil {
		return err
	}
	if cfg.Blocks != 1 {
		return cliutil.Usagef("--blocks %d: the ablation's reference has one block; it trains the baseline and five blocks itself", cfg.Blocks)
	}
	var only []string
	if s := c.String("only"); s != "" {
		only = strings.Split(s, ",")
	}
	variants, err := nonlocal.PickVariants(cfg, only)
	if err != nil {
		return cliutil.Usagef("--only: %v", err)
	}
	dir := c.String("out")
	md := c.String("markdown")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "nonlocal-ablate-*"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else {
		if err := cliutil.PrepareOutDir(dir); err != nil {
			return err
		}
		if md == "" {
			md = filepath.Join(dir, "ablation.md")
		}
	}
	gemm.SetThreads(1)
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	if cliutil.ShowProgress(c) {
		topt.Report.Bar = c.App.ErrWriter
	}
	keep := c.String("out") != ""
	// A signal stops the variant in training between batches; the
	// variants finished so far keep their lines (and --markdown).
	topt.Context = cliutil.Interruptible(c)
	done := 0
	opt := nonlocal.AblateOptions{Train: topt, Dir: dir, TestLimit: c.Int("test-limit"), Only: only,
		OnRow: func(r nonlocal.AblateRow) {
			done++
			model := r.Model
			if !keep {
				model = ""
			}
			p.Print(
				cliutil.Field{Key: "group", Value: r.Group},
				cliutil.Field{Key: "variant", Value: r.Variant},
				cliutil.Field{Key: "name", Value: r.Name},
				cliutil.Field{Key: "error_pct", Value: cliutil.Round(r.ErrorPct, 2)},
				cliutil.Field{Key: "val_error_pct", Value: cliutil.Round(r.ValErr, 2)},
				cliutil.Field{Key: "n", Value: r.N},
				cliutil.Field{Key: "gflops_per_clip", Value: cliutil.Round(r.GFLOPs, 6)},
				cliutil.Field{Key: "epochs", Value: r.Epochs},
				cliutil.Field{Key: "train_seconds", Value: cliutil.Round(r.Seconds, 1)},
				cliutil.Field{Key: "model", Value: model},
			)
		}}
	rows, err := nonlocal.Ablate(cfg, opt)
	if md != "" && len(rows) > 0 {
		text := nonlocal.AblationMarkdown(rows, cfg)
		if werr := atomicfile.Write(md, func(w io.Writer) error { _, e := io.WriteString(w, text); return e }); werr != nil && err == nil {
			err = fmt.Errorf("write --markdown: %w", werr)
		}
	}
	return flagError(trainflags.AblationStopped(err, done, len(variants)))
}
