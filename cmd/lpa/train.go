package main

import (
	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

// archFlags choose the architecture; they are shared by train and ablate.
func archFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "data", Value: "builtin", Usage: "`SOURCE`: builtin (textured digits, the same as builtin:fragments; builtin:largest for the version with several whole digits), cifar10:DIR, cifar100:DIR or imagefolder:DIR"},
		&cli.StringFlag{Name: "attn", Value: "pc", Usage: "compatibility: pc (<u, l_i + g>) or dp (<l_i, g>)"},
		&cli.StringFlag{Name: "norm", Value: "softmax", Usage: "normalisation: softmax over space (g_a = sum a_i l_i) or sigmoid (g_a = mean a_i l_i)"},
		&cli.StringFlag{Name: "head", Value: "concat", Usage: "concat (one classifier on all g_a) or indep (one per level, logits averaged)"},
		&cli.IntFlag{Name: "levels", Value: 3, Usage: "attention levels: 3 (att3) or 2 (att2, the two deepest)"},
		&cli.StringFlag{Name: "placement", Value: "before", Usage: "take l^s before or after its block's max-pool"},
		&cli.BoolFlag{Name: "no-attention", Usage: "train the baseline: the same VGG with a global-average-pooling head"},
		&cli.StringFlag{Name: "widths", Value: cliutil.JoinInts(lpa.DefaultWidths), Usage: "channels of the 5 blocks"},
		&cli.StringFlag{Name: "convs", Value: cliutil.JoinInts(lpa.DefaultConvs), Usage: "3x3 convolutions in each of the 5 blocks"},
		&cli.IntFlag{Name: "side", Value: 64, Usage: "input side for imagefolder data (a multiple of 32); builtin is 64, CIFAR 32"},
	}
}

// scheduleFlags are the optimisation settings of train and ablate.
func scheduleFlags(epochs int) []cli.Flag {
	d := trainrun.Options{Epochs: epochs, Batch: 64, Optimizer: "sgd", Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: "step", StepSize: 25, Gamma: 0.5}
	flags := trainflags.Flags(d, map[string]string{
		"epochs":    "epochs (the built-in task renders new images every epoch)",
		"optimizer": "sgd (momentum, the paper) or adam",
		"lr":        "initial learning rate (default 0.05 for sgd, 0.001 for adam)",
		"schedule":  "learning-rate schedule: step (x gamma every --step-size epochs), cosine or none",
		"gamma":     "step decay factor (the paper halves the rate every 25 epochs)",
	}, "epochs", "batch", "optimizer", "lr", "momentum", "weight-decay", "schedule", "step-size", "gamma", "clip")
	return append(flags,
		&cli.IntFlag{Name: "val", Usage: "images held out for validation (default: the last 5,000 MNIST training digits for builtin, 5,000 for CIFAR, 10% of an image folder)"},
		&cli.IntFlag{Name: "limit", Usage: "train on only the first `N` training images (quick runs)"},
		&cli.IntFlag{Name: "renders", Usage: "builtin: a finite training set of `K` renderings of each digit, cycled through by the epochs (1: one fixed set, like a stored dataset; 0: new images every epoch)"},
		&cli.IntFlag{Name: "val-limit", Usage: "validate on only the first `N` validation images"},
	)
}

func trainCommand() *cli.Command {
	flags := append(archFlags(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the best model (lowest validation error) to `FILE`; the per-epoch state for --resume goes to FILE.state.safetensors"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run whose state is beside -o (weights, optimizer, schedule, epoch); with another --epochs a cosine schedule anneals to the new end (a finished one restarts from the base rate)"},
	)
	flags = append(flags, scheduleFlags(300)...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "train",
		Usage: "train an attention VGG (or the baseline) on the built-in task, CIFAR or an image folder",
		Description: `Trains with cross-entropy, by default as the paper does: SGD with momentum
0.9 and weight decay 5e-4, the rate halved every 25 epochs. The built-in task
(textured digits) renders the first 55,000 MNIST training digits anew every
epoch and validates on the last 5,000. It has two versions: builtin, or
builtin:fragments, the target is the only whole digit among fragments of
others; builtin:largest adds smaller whole digits, and the label is the
largest one's. The model file records the version. CIFAR is augmented with random crops
of the image padded by 4 pixels and horizontal flips. After every epoch the
model with the lowest validation error so far is written to -o, and the whole
training state to FILE.state.safetensors for --resume. Training runs on one
core; --threads speeds up validation.

stdout gets one line per epoch:
   epoch  lr  loss  train_error_pct  val_error_pct  best_val_error_pct  best_epoch  seconds
(NDJSON with --json); a progress bar goes to stderr when it is a terminal.

` + trainflags.Interrupts + `

Examples:
   lpa train --data builtin --epochs 30 --schedule cosine -o att.safetensors
   lpa train --data builtin --no-attention --epochs 30 --schedule cosine -o baseline.safetensors
   lpa train --data cifar100:cifar-100-binary --attn dp --head indep -o c100.safetensors
   lpa train --data builtin -o att.safetensors --resume --epochs 40
   lpa train --data builtin:largest --optimizer adam --schedule cosine --epochs 5 -o largest.safetensors`,
		Flags:  flags,
		Action: runTrain,
	}
}

// configFromFlags builds the model configuration the flags describe.
func configFromFlags(c *cli.Context) (lpa.Config, lpa.Source, error) {
	src, err := lpa.ParseSource(c.String("data"))
	if err != nil {
		return lpa.Config{}, src, cliutil.Usagef("--data: %v", err)
	}
	if src.Kind != "imagefolder" && c.IsSet("side") {
		return lpa.Config{}, src, cliutil.Usagef("--side is for imagefolder data; %s images are %d pixels", src.Kind, src.DefaultSide())
	}
	side, classes, names, err := src.Describe(c.Int("side"))
	if err != nil {
		return lpa.Config{}, src, cliutil.ModelErr(err)
	}
	cfg := lpa.DefaultConfig(src.Kind, side, classes)
	cfg.ClassNames = names
	if cfg.Widths, err = cliutil.ParseInts(c.String("widths")); err != nil {
		return cfg, src, cliutil.Usagef("--widths: %v", err)
	}
	if cfg.Convs, err = cliutil.ParseInts(c.String("convs")); err != nil {
		return cfg, src, cliutil.Usagef("--convs: %v", err)
	}
	cfg.Attention = !c.Bool("no-attention")
	cfg.Compat, cfg.Norm, cfg.Head = c.String("attn"), c.String("norm"), c.String("head")
	cfg.Levels, cfg.Placement = c.Int("levels"), c.String("placement")
	// Attention flags are checked even with --no-attention, so a typo is
	// never silently ignored.
	check := cfg
	check.Attention = true
	if err := check.Validate(); err != nil {
		return cfg, src, cliutil.Usagef("%v", err)
	}
	return cfg, src, nil
}

// trainOptions reads the schedule flags.
func trainOptions(c *cli.Context) (lpa.TrainOptions, error) {
	o := lpa.TrainOptions{Options: trainflags.Options(c),
		Val: c.Int("val"), Limit: c.Int("limit"), ValLimit: c.Int("val-limit"), Renders: c.Int("renders"), Side: c.Int("side")}
	switch {
	case o.Epochs < 1:
		return o, cliutil.Usagef("--epochs %d: want at least 1", o.Epochs)
	case o.Batch < 2 || o.Batch > 4096:
		return o, cliutil.Usagef("--batch %d: want 2..4096 (batch norm needs two images)", o.Batch)
	case o.Optimizer != "sgd" && o.Optimizer != "adam":
		return o, cliutil.Usagef("--optimizer %q: want sgd or adam", o.Optimizer)
	case o.Schedule != "step" && o.Schedule != "cosine" && o.Schedule != "none":
		return o, cliutil.Usagef("--schedule %q: want step, cosine or none", o.Schedule)
	case o.LR < 0 || o.Momentum < 0 || o.Momentum >= 1 || o.WeightDecay < -1 || c.Float64("clip") < 0:
		return o, cliutil.Usagef("--lr, --momentum, --weight-decay and --clip must be non-negative (momentum below 1)")
	case o.StepSize < 1 || !(o.Gamma > 0 && o.Gamma <= 1):
		return o, cliutil.Usagef("--step-size must be at least 1 and --gamma in (0, 1]")
	case o.Val < 0 || o.Limit < 0 || o.ValLimit < 0 || o.Renders < 0:
		return o, cliutil.Usagef("--val, --limit, --val-limit and --renders must not be negative")
	case o.Threads < 1:
		return o, cliutil.Usagef("--threads must be at least 1")
	}
	return o, nil
}

func runTrain(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("train takes no arguments, got %q", c.Args().First())
	}
	if c.String("out") == "" {
		return cliutil.Usagef("train: missing -o FILE (where to write the model)")
	}
	opt, err := trainOptions(c)
	if err != nil {
		return err
	}
	cfg, src, err := configFromFlags(c)
	if err != nil {
		return err
	}
	if opt.Renders > 0 && src.Kind != "builtin" {
		return cliutil.Usagef("--renders: only the built-in task is rendered (%s is a stored dataset)", src)
	}
	if err := trainflags.Start(c, &opt.Options, &opt.Report); err != nil {
		return err
	}
	_, err = lpa.Train(cfg, src, opt)
	return flagError(err)
}

// flagError prefixes an error about a training option with the flag that
// set it.
func flagError(err error) error { return trainflags.FlagError(err, nil) }
