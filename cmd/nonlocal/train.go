package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

// archFlags choose the network; train and ablate share them.
func archFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "mode", Value: "3d", Usage: "3d (clips, the sum task) or 2d (images, the cluttered60 task)"},
		&cli.StringFlag{Name: "task", Usage: "built-in `TASK`: " + strings.Join(nonlocal.TaskNames(), " or ") + " (default: the mode's task)"},
		&cli.StringFlag{Name: "pairwise", Value: string(nonlocal.Embedded), Usage: "pairwise function f: gaussian, embedded (softmax), dot or concat"},
		&cli.IntFlag{Name: "blocks", Value: 1, Usage: "non-local blocks: 0 (the C2D baseline), 1 (in --stage) or 5 (two in res3, three in res4)"},
		&cli.IntFlag{Name: "stage", Value: 4, Usage: "stage of a single block: 2..5 (res2..res5)"},
		&cli.BoolFlag{Name: "subsample", Value: true, Usage: "max-pool φ and g by 2x2, a quarter of the pairs (--subsample=false for all)"},
		&cli.BoolFlag{Name: "scale", Usage: "divide θᵀφ by √d before normalising (the released code's choice)"},
		&cli.StringFlag{Name: "extent", Value: nonlocal.SpaceTime, Usage: "clips: spacetime, space (within each frame) or time (same pixel across frames; needs --subsample=false)"},
		&cli.BoolFlag{Name: "inflate", Usage: "I3D: 3x3x3 first kernel in every residual block (clips)"},
		&cli.StringFlag{Name: "widths", Value: cliutil.JoinInts(nonlocal.DefaultWidths), Usage: "channels of the stem and res2..res5"},
		&cli.StringFlag{Name: "depths", Value: cliutil.JoinInts(nonlocal.DefaultDepths), Usage: "residual blocks of res2..res5"},
	}
}

// scheduleFlags are the optimisation settings of train and ablate.
func scheduleFlags(epochs int) []cli.Flag {
	d := trainrun.Options{Epochs: epochs, Batch: 32, Optimizer: "sgd", Momentum: 0.9, WeightDecay: 1e-4,
		Schedule: "cosine", StepSize: 10, Gamma: 0.1}
	flags := trainflags.Flags(d, map[string]string{
		"epochs":    "epochs (every epoch draws new clips of the same training digits)",
		"batch":     "clips (or images) per step",
		"optimizer": "sgd (momentum) or adam",
		"lr":        "initial learning rate (default 0.05 for sgd, 0.001 for adam)",
		"schedule":  "learning-rate schedule: cosine, step (x gamma every --step-size epochs) or none",
	}, "epochs", "batch", "optimizer", "lr", "momentum", "weight-decay", "schedule", "step-size", "gamma", "clip")
	return append(flags,
		&cli.IntFlag{Name: "limit", Usage: "train on only the first `N` of the 55,000 training clips (quick runs)"},
		&cli.IntFlag{Name: "val-limit", Usage: "validate on only the first `N` of the 5,000 validation clips"},
		&cli.StringFlag{Name: "init", Usage: "start the per-frame network from the model in `FILE` (e.g. trained with --mode 2d --task digits); the classifier and the blocks start fresh"},
	)
}

func trainCommand() *cli.Command {
	flags := append(archFlags(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the best model (lowest validation error) to `FILE`; the per-epoch state for --resume goes to FILE.state.safetensors"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run whose state is beside -o"},
	)
	flags = append(flags, scheduleFlags(30)...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "train",
		Usage: "train the C2D baseline or a network with non-local blocks on a built-in task",
		Description: `Trains a small ResNet (C2D: 2-D convolutions on every frame, averaged over
space and time at the end) with cross-entropy; --blocks adds non-local
blocks. The clip task (sum): 8 frames of 32x32, digit A moves through the
first four, digit B through the last four, never on screen together; the
label is (A+B) mod 10. Training clips take digit A from the first 55,000
MNIST training digits (new partners and paths every epoch), validation the
last 5,000; 'nonlocal eval' uses the 10,000 test digits at a fixed seed.
--mode 2d trains the same network with 2-D blocks on the cluttered60 images;
--mode 2d --task digits on single frames of the clips, labelled with their
digit, which --init then uses to start a clip model's per-frame network (as
the paper starts its video networks from an image network; the label of a
clip says nothing about either digit alone, so a network learning it from
scratch gets no signal until it relates the two).
After every epoch the best model so far is written to -o, and the whole
training state to FILE.state.safetensors for --resume.

stdout gets one line per epoch:
   epoch  lr  loss  train_error_pct  val_error_pct  best_val_error_pct  best_epoch  seconds
(NDJSON with --json); a progress bar goes to stderr when it is a terminal.

` + trainflags.Interrupts + `

Examples:
   nonlocal train --blocks 0 -o c2d.safetensors
   nonlocal train --blocks 1 -o nl.safetensors
   nonlocal train --blocks 5 --pairwise dot --epochs 40 -o nl5.safetensors
   nonlocal train --mode 2d --blocks 1 --stage 3 -o cluttered.safetensors
   nonlocal train --mode 2d --task digits --blocks 0 --epochs 3 -o digits.safetensors
   nonlocal train --blocks 1 --init digits.safetensors -o nl.safetensors
   nonlocal train --blocks 0 --epochs 2 --limit 2000 -o quick.safetensors`,
		Flags:  flags,
		Action: runTrain,
	}
}

// configFromFlags builds the model configuration the flags describe.
func configFromFlags(c *cli.Context) (nonlocal.Config, error) {
	mode := c.String("mode")
	task := c.String("task")
	if task == "" {
		var err error
		if task, err = nonlocal.ModeTask(mode); err != nil {
			return nonlocal.Config{}, cliutil.Usagef("--mode: %v", err)
		}
	}
	cfg, err := nonlocal.DefaultConfig(task)
	if err != nil {
		return cfg, cliutil.Usagef("--task: %v", err)
	}
	if cfg.Mode != mode {
		return cfg, cliutil.Usagef("--task %s is a %s task, not --mode %s", task, cfg.Mode, mode)
	}
	if cfg.Widths, err = cliutil.ParseInts(c.String("widths")); err != nil {
		return cfg, cliutil.Usagef("--widths: %v", err)
	}
	if cfg.Depths, err = cliutil.ParseInts(c.String("depths")); err != nil {
		return cfg, cliutil.Usagef("--depths: %v", err)
	}
	p, err := nonlocal.ParsePairwise(c.String("pairwise"))
	if err != nil {
		return cfg, cliutil.Usagef("--pairwise: %v", err)
	}
	cfg.Pairwise, cfg.Blocks, cfg.Stage = p, c.Int("blocks"), c.Int("stage")
	cfg.Subsample, cfg.Scale, cfg.Inflate = c.Bool("subsample"), c.Bool("scale"), c.Bool("inflate")
	if cfg.Clip() {
		cfg.Extent = c.String("extent")
	} else {
		cfg.Extent = ""
		if c.IsSet("extent") || c.IsSet("inflate") {
			return cfg, cliutil.Usagef("--extent and --inflate are for clips (--mode 3d)")
		}
	}
	// Block flags are checked even with --blocks 0, so a typo is never
	// silently ignored.
	check := cfg
	if check.Blocks == 0 {
		check.Blocks = 1
	}
	if err := check.Validate(); err != nil {
		return cfg, cliutil.Usagef("%v", err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, cliutil.Usagef("%v", err)
	}
	return cfg, nil
}

// trainOptions reads the schedule flags.
func trainOptions(c *cli.Context) (nonlocal.TrainOptions, error) {
	o := nonlocal.TrainOptions{Options: trainflags.Options(c),
		Limit: c.Int("limit"), ValLimit: c.Int("val-limit"), Init: c.String("init")}
	switch {
	case o.Epochs < 1:
		return o, cliutil.Usagef("--epochs %d: want at least 1", o.Epochs)
	case o.Batch < 2 || o.Batch > 4096:
		return o, cliutil.Usagef("--batch %d: want 2..4096 (batch norm needs two samples)", o.Batch)
	case o.Optimizer != "sgd" && o.Optimizer != "adam":
		return o, cliutil.Usagef("--optimizer %q: want sgd or adam", o.Optimizer)
	case o.Schedule != "step" && o.Schedule != "cosine" && o.Schedule != "none":
		return o, cliutil.Usagef("--schedule %q: want cosine, step or none", o.Schedule)
	case o.LR < 0 || o.Momentum < 0 || o.Momentum >= 1 || o.WeightDecay < -1 || c.Float64("clip") < 0:
		return o, cliutil.Usagef("--lr, --momentum, --weight-decay and --clip must be non-negative (momentum below 1)")
	case o.StepSize < 1 || !(o.Gamma > 0 && o.Gamma <= 1):
		return o, cliutil.Usagef("--step-size must be at least 1 and --gamma in (0, 1]")
	case o.Limit < 0 || o.ValLimit < 0:
		return o, cliutil.Usagef("--limit and --val-limit must not be negative")
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
	cfg, err := configFromFlags(c)
	if err != nil {
		return err
	}
	if err := trainflags.Start(c, &opt.Options, &opt.Report); err != nil {
		return err
	}
	_, err = nonlocal.Train(cfg, opt)
	return flagError(err)
}

// flagError prefixes an error about a training option with the flag that
// set it.
func flagError(err error) error {
	var oe *trainrun.OptionError
	if errors.As(err, &oe) && oe.Option == "Init" { // an unreadable or unfit model file
		return cliutil.ModelErr(fmt.Errorf("--init: %w", err))
	}
	return trainflags.FlagError(err, nil)
}
