// Package trainflags holds the command-line flags of the training loop
// (trainrun.Options) that the tools' train and ablate commands share: the
// flags themselves, the Options they set, the steps every train command
// takes before training, and the flag to name when the loop rejects an
// option.
package trainflags

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

// Usage is the help text of each loop flag when a tool does not give its
// own.
var Usage = map[string]string{
	"epochs":       "epochs",
	"batch":        "images per step",
	"optimizer":    "adam or sgd",
	"lr":           "initial learning rate",
	"momentum":     "sgd momentum",
	"weight-decay": "L2 weight decay (0: none)",
	"schedule":     "learning-rate schedule: cosine, step or none",
	"step-size":    "epochs between step decays",
	"gamma":        "step decay factor",
	"warmup":       "epochs of linear learning-rate warm-up",
	"clip":         "clip gradients to this global norm (0: off)",
}

// flagOption names the flag that sets each Options field.
var flagOption = []struct{ flag, option string }{
	{"epochs", "Epochs"}, {"batch", "Batch"}, {"optimizer", "Optimizer"}, {"lr", "LR"},
	{"momentum", "Momentum"}, {"weight-decay", "WeightDecay"}, {"schedule", "Schedule"},
	{"step-size", "StepSize"}, {"gamma", "Gamma"}, {"warmup", "Warmup"}, {"clip", "ClipNorm"},
	{cliutil.FlagThreads, "Threads"}, {"out", "Out"}, {"resume", "Resume"},
}

// Flags returns the loop flags named, in that order, each showing the
// default d holds for it (none when that is zero) and the help text
// usage gives for it, or Usage's.
func Flags(d trainrun.Options, usage map[string]string, names ...string) []cli.Flag {
	flags := make([]cli.Flag, 0, len(names))
	for _, name := range names {
		u, ok := usage[name]
		if !ok {
			u = Usage[name]
		}
		var f cli.Flag
		switch name {
		case "epochs":
			f = &cli.IntFlag{Name: name, Value: d.Epochs, Usage: u}
		case "batch":
			f = &cli.IntFlag{Name: name, Value: d.Batch, Usage: u}
		case "optimizer":
			f = &cli.StringFlag{Name: name, Value: d.Optimizer, Usage: u}
		case "lr":
			f = &cli.Float64Flag{Name: name, Value: d.LR, Usage: u}
		case "momentum":
			f = &cli.Float64Flag{Name: name, Value: d.Momentum, Usage: u}
		case "weight-decay":
			f = &cli.Float64Flag{Name: name, Value: d.WeightDecay, Usage: u}
		case "schedule":
			f = &cli.StringFlag{Name: name, Value: d.Schedule, Usage: u}
		case "step-size":
			f = &cli.IntFlag{Name: name, Value: d.StepSize, Usage: u}
		case "gamma":
			f = &cli.Float64Flag{Name: name, Value: d.Gamma, Usage: u}
		case "warmup":
			f = &cli.IntFlag{Name: name, Value: d.Warmup, Usage: u}
		case "clip":
			f = &cli.Float64Flag{Name: name, Value: d.ClipNorm, Usage: u}
		default:
			panic(fmt.Sprintf("trainflags: no loop flag %q", name))
		}
		flags = append(flags, f)
	}
	return flags
}

// Options returns the loop settings the flags of c set: the Flags ones
// (zero for those the command lacks, which the model's defaults then
// fill), the seed and the threads. A weight decay or clipping norm of 0
// says none and becomes -1, since Options reads 0 as "the default". Out
// and Resume are the caller's: ablate's -o is a folder.
func Options(c *cli.Context) trainrun.Options {
	return trainrun.Options{
		Epochs: c.Int("epochs"), Batch: c.Int("batch"), Optimizer: c.String("optimizer"), LR: c.Float64("lr"),
		Momentum: c.Float64("momentum"), WeightDecay: noneIfZero(c.Float64("weight-decay")),
		Schedule: c.String("schedule"), StepSize: c.Int("step-size"), Gamma: c.Float64("gamma"),
		Warmup: c.Int("warmup"), ClipNorm: noneIfZero(c.Float64("clip")),
		Seed: c.Uint64(cliutil.FlagSeed), Threads: c.Int(cliutil.FlagThreads),
	}
}

func noneIfZero(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}

// FlagError prefixes an error about a training option with the flag that
// set it: a loop option's flag, or the one extra names for a model's own
// option (such as "Init": "init").
func FlagError(err error, extra map[string]string) error {
	var oe *trainrun.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	if f, ok := extra[oe.Option]; ok {
		return fmt.Errorf("--%s: %w", f, err)
	}
	for _, fo := range flagOption {
		if fo.option == oe.Option {
			return fmt.Errorf("--%s: %w", fo.flag, err)
		}
	}
	return err
}

// Interrupts is the paragraph of every train command's help on what a
// signal does (trainrun.Options.Context).
const Interrupts = `Ctrl-C (SIGINT) or SIGTERM stops the run after the batch in hand, with exit
code 130 or 143 and one line on stderr saying how many epochs are done. The
state file keeps the last finished epoch, and --resume repeats the
interrupted epoch from its start: the run ends with the same bits as one
that was never interrupted. A second signal exits at once.`

// AblationStopped turns the interruption of one of an ablation's runs
// (each variant's trainrun.Fit stops at a signal like a train command) into
// the ablation's own: done of total variants finished, since an ablation
// has no --resume. Other errors pass unchanged.
func AblationStopped(err error, done, total int) error {
	var in *cliutil.Interrupted
	if !errors.As(err, &in) {
		return err
	}
	return &cliutil.Interrupted{Signal: in.Signal, Done: fmt.Sprintf("%d of %d variants done", done, total)}
}

// Start does what a train command does once its options are read and
// before it calls the model's Train: it sets o.Out and o.Resume from -o
// and --resume, makes a signal stop the run between batches (o.Context,
// see Interrupts), points r at the app's stdout (NDJSON with --json) and its
// stderr for the progress bar when that is a terminal, creates the folder
// of -o, and runs GEMM on one thread until trainrun.Fit, which gives the
// training steps --threads GEMM threads and validation one each (it
// spreads its batches over --threads goroutines instead).
func Start(c *cli.Context, o *trainrun.Options, r *trainrun.Report) error {
	o.Out, o.Resume = c.String("out"), c.Bool("resume")
	o.Context = cliutil.Interruptible(c)
	*r = trainrun.Report{Lines: c.App.Writer, JSON: c.Bool(cliutil.FlagJSON)}
	if cliutil.ShowProgress(c) {
		r.Bar = c.App.ErrWriter
	}
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return fmt.Errorf("create folder for -o: %w", err)
	}
	gemm.SetThreads(1)
	return nil
}
