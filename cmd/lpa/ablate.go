package main

import (
	"os"
	"strings"

	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/urfave/cli/v2"
)

func ablateCommand() *cli.Command {
	flags := append(archFlags(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "keep the trained models in `DIR` (<variant>.safetensors); default: a temporary folder, removed afterwards"},
		&cli.StringFlag{Name: "only", Usage: "run only these comma-separated `VARIANTS` (baseline, reference, dp, indep, att2, sigmoid)"},
		&cli.IntFlag{Name: "test-limit", Value: 2000, Usage: "evaluate on the first `N` test images (0: all 10,000)"},
	)
	flags = append(flags, scheduleFlags(5)...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	for _, f := range flags {
		// A short default budget: the whole table in well under an hour.
		switch f := f.(type) {
		case *cli.IntFlag:
			switch f.Name {
			case "limit":
				f.Value = 10000
			case "val-limit":
				f.Value = 1000
			}
		case *cli.StringFlag:
			if f.Name == "schedule" {
				f.Value = "cosine"
			}
		}
	}
	return &cli.Command{
		Name:  "ablate",
		Usage: "train the paper's variants with one budget and print the table",
		Description: `Trains, with the same data, seed and budget, the baseline (no attention,
GAP head), the reference attention model set by the architecture flags
((VGG-att3)-concat-pc by default), and the reference with one choice flipped
at a time: dp for pc, indep for concat, att2 for att3, sigmoid for softmax.
Each best model is evaluated on the test set; on the built-in task its maps
are also scored as segmentations (mean IoU, the rule of 'lpa eval
--segment'). One line per variant as it finishes:
   variant  name  val_error_pct  error_pct  n  miou  epochs  seconds  model
(--json for objects; miou is -1 without ground-truth masks). The budget is
--epochs over --limit training images; the defaults (5 epochs of 10,000
images, cosine schedule) give a quick comparison, not the paper's figures.

Examples:
   lpa ablate
   lpa ablate --epochs 20 --limit 0 --test-limit 0 -o runs/ablate --json
   lpa ablate --only baseline,reference --epochs 2 --limit 2000`,
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
	cfg, src, err := configFromFlags(c)
	if err != nil {
		return err
	}
	if c.Bool("no-attention") {
		return cliutil.Usagef("--no-attention: the ablation always trains the baseline beside the attention variants")
	}
	var only []string
	if s := c.String("only"); s != "" {
		only = strings.Split(s, ",")
	}
	variants, err := lpa.PickVariants(cfg, only)
	if err != nil {
		return cliutil.Usagef("--only: %v", err)
	}
	dir := c.String("out")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "lpa-ablate-*"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
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
	opt := lpa.AblateOptions{Train: topt, Dir: dir, TestLimit: c.Int("test-limit"), Only: only,
		OnRow: func(r lpa.AblateRow) {
			done++
			model := r.Model
			if !keep {
				model = ""
			}
			p.Print(
				cliutil.Field{Key: "variant", Value: r.Variant},
				cliutil.Field{Key: "name", Value: r.Name},
				cliutil.Field{Key: "val_error_pct", Value: cliutil.Round(r.ValErr, 2)},
				cliutil.Field{Key: "error_pct", Value: cliutil.Round(r.TestErr, 2)},
				cliutil.Field{Key: "n", Value: r.N},
				cliutil.Field{Key: "miou", Value: cliutil.Round(r.MIoU, 4)},
				cliutil.Field{Key: "epochs", Value: r.Epochs},
				cliutil.Field{Key: "seconds", Value: cliutil.Round(r.Seconds, 1)},
				cliutil.Field{Key: "model", Value: model},
			)
		}}
	_, err = lpa.Ablate(cfg, src, opt)
	return flagError(trainflags.AblationStopped(err, done, len(variants)))
}
