package main

import (
	"fmt"
	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

func trainCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "task", Value: "mnist", Usage: "task `T`: mnist, translated, cluttered60 or cluttered100 (sets the paper's canvas, glimpses, patch and scales)"},
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the best model (lowest validation error) to `FILE`; the per-epoch state for --resume goes to FILE.state.safetensors"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run whose state is beside -o (weights, optimizer, schedule, epoch); with another --epochs a cosine schedule anneals to the new end (a finished one restarts from the base rate)"},
		&cli.StringFlag{Name: "init", Usage: "start from the weights of model `FILE` (same task and sensor; --std and --full-reinforce may differ, a new --locator-hidden starts the location network fresh, a new --core keeps only the glimpse network) with a fresh optimizer and schedule"},
		&cli.IntFlag{Name: "glimpses", Usage: "glimpses per image (default: the task's)"},
		&cli.IntFlag{Name: "patch", Usage: "patch side G (default: the task's)"},
		&cli.IntFlag{Name: "scales", Usage: "patches per glimpse K (default: the task's)"},
		&cli.Float64Flag{Name: "std", Value: 0.1, Usage: "std of the Gaussian location policy, in [-1,1] units"},
		&cli.StringFlag{Name: "core", Value: "rnn", Usage: "recurrent core: rnn (ReLU, the paper) or lstm"},
		&cli.BoolFlag{Name: "learned-first", Usage: "learn the first location (default: uniformly random, as the paper)"},
		&cli.IntFlag{Name: "locator-hidden", Usage: "put a ReLU layer of `N` units in the location network (0: one linear layer, as the paper)"},
		&cli.BoolFlag{Name: "full-reinforce", Usage: "let the REINFORCE gradient reach the core and glimpse network (the paper); by default it trains the location network only"},
	}
	flags = append(flags, trainflags.Flags(trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 1e-3, Schedule: "cosine"},
		map[string]string{
			"epochs":    "epochs over the 55,000 training digits (new placements every epoch)",
			"optimizer": "adam, or sgd (momentum 0.9, the paper)",
			"schedule":  "learning-rate schedule: cosine, step, plateau or none",
		}, "epochs", "batch", "optimizer", "lr", "schedule", "warmup", "clip")...)
	flags = append(flags,
		&cli.IntFlag{Name: "val", Value: 5000, Usage: "validation digits held out from the end of the training split"},
		&cli.IntFlag{Name: "limit", Usage: "train on only the first `N` training digits (quick experiments, smoke tests)"},
		&cli.IntFlag{Name: "val-placements", Value: ram.DefaultValPlacements, Usage: "pick the best epoch by the mean validation error over `N` placements of the validation digits (1: a single placement, a noisier ranking)"},
	)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "train",
		Usage: "train a glimpse model on MNIST or a canvas task",
		Description: `Trains the Recurrent Attention Model with the hybrid loss of the paper:
cross-entropy for the classifier, REINFORCE with a learned baseline for the
location policy (reward 1 for a correct final class), and the baseline's
regression onto the reward. Training digits are the first 55,000 of MNIST's
training split, placed anew on the task's canvas every epoch; the last 5,000
choose the best epoch by their mean error over four fixed placements
(--val-placements; one placement's error is too noisy to rank epochs by a
tenth of a point). Training runs on one
core (--threads is used for validation); run several tasks side by side to
use more cores.

stdout gets one line per epoch:
   epoch  lr  loss  train_error_pct  val_error_pct  best_val_error_pct  best_epoch  seconds
(NDJSON with --json); a progress bar with loss, accuracy and reward goes to
stderr when it is a terminal.

` + trainflags.Interrupts + `

Examples:
   glimpse train --task mnist --epochs 200 -o mnist.safetensors
   glimpse train --task cluttered60 --learned-first -o c60.safetensors
   glimpse train --task cluttered60 --learned-first -o c60.safetensors --resume --epochs 300
   glimpse train --task cluttered60 --learned-first --init c60.safetensors --lr 3e-4 --epochs 100 -o c60b.safetensors`,
		Flags:  flags,
		Action: runTrain,
	}
}

func runTrain(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("train takes no arguments, got %q", c.Args().First())
	}
	if c.String("out") == "" {
		return cliutil.Usagef("train: missing -o FILE (where to write the model)")
	}
	cfg, err := ram.TaskConfig(c.String("task"))
	if err != nil {
		return cliutil.Usagef("--task: %v", err)
	}
	if v := c.Int("glimpses"); v != 0 {
		cfg.Glimpses = v
	}
	if v := c.Int("patch"); v != 0 {
		cfg.Patch = v
	}
	if v := c.Int("scales"); v != 0 {
		cfg.Scales = v
	}
	cfg.Std = float32(c.Float64("std"))
	cfg.Core = c.String("core")
	cfg.LearnedFirst = c.Bool("learned-first")
	cfg.DetachPolicy = !c.Bool("full-reinforce")
	cfg.LocatorHidden = c.Int("locator-hidden")
	if err := cfg.Validate(); err != nil {
		return cliutil.Usagef("%v", err)
	}
	if c.Int(cliutil.FlagThreads) < 1 {
		return cliutil.Usagef("--threads must be at least 1")
	}
	if v := c.Float64("clip"); v < 0 { // refused, as before trainrun read a negative norm as "off"
		return flagError(&trainrun.OptionError{Option: "ClipNorm", Err: fmt.Errorf("gradient clipping norm %g: want 0 (off) or more", v)})
	}
	if c.Int("val-placements") < 1 {
		return cliutil.Usagef("--val-placements must be at least 1")
	}
	opt := ram.TrainOptions{Options: trainflags.Options(c),
		Val: c.Int("val"), Init: c.String("init"), Limit: c.Int("limit"), ValPlacements: c.Int("val-placements"),
	}
	if err := trainflags.Start(c, &opt.Options, &opt.Report); err != nil {
		return err
	}
	_, err = ram.Train(cfg, opt)
	return flagError(err)
}

// flagError prefixes an error about a training option with the flag that
// set it.
func flagError(err error) error {
	return trainflags.FlagError(err, map[string]string{"Init": "init", "Val": "val", "ValPlacements": "val-placements"})
}
