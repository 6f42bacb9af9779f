package main

import (
	"strings"

	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

func trainCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "data", Value: "builtin", Usage: "`SOURCE`: builtin (captioned digit scenes) or karpathy:FILE (a Karpathy-split JSON; --images gives the image folder)"},
		&cli.StringFlag{Name: "images", Usage: "karpathy data: the `DIR` the JSON's file names are relative to"},
		&cli.IntFlag{Name: "min-count", Value: 5, Usage: "karpathy data: words seen fewer times in the training split become <unk>"},
		&cli.IntFlag{Name: "side", Value: 64, Usage: "input side in pixels (a multiple of 8; builtin scenes are 64)"},
		&cli.StringFlag{Name: "attention", Value: caption.AttnSoft, Usage: "soft (deterministic, backpropagation), hard (sampled locations, REINFORCE) or none (the mean annotation: the baseline)"},
		&cli.StringFlag{Name: "encoder", Value: caption.EncoderJoint, Usage: "joint (trained with the decoder) or frozen (pretrained on the scenes' digit-presence labels, then fixed)"},
		&cli.Float64Flag{Name: "lambda", Value: caption.DefaultLambda, Usage: "weight of the doubly stochastic penalty sum_i (1 - sum_t alpha_ti)^2"},
		&cli.Float64Flag{Name: "attn-supervision", Usage: "builtin data: weight `W` of a loss on the attention mass inside the box each word names (Liu et al. 2017; 0: unsupervised, as in the paper)"},
		&cli.Float64Flag{Name: "dropout", Value: 0.3, Usage: "dropout before the deep output layers"},
		&cli.StringFlag{Name: "widths", Value: cliutil.JoinInts(caption.DefaultWidths), Usage: "encoder: channels of each block (the annotations are the last block's, before its pool)"},
		&cli.StringFlag{Name: "convs", Value: cliutil.JoinInts(caption.DefaultConvs), Usage: "encoder: 3x3 convolutions in each block"},
		&cli.IntFlag{Name: "embed", Value: 64, Usage: "word embedding size"},
		&cli.IntFlag{Name: "hidden", Value: 192, Usage: "LSTM units"},
		&cli.IntFlag{Name: "attn-dim", Value: 128, Usage: "hidden size of the attention MLP"},
		&cli.IntFlag{Name: "max-len", Value: 24, Usage: "most words a decoded caption may have"},
	}
	flags = append(flags, trainflags.Flags(trainrun.Options{Epochs: 10, Batch: 32, Optimizer: "adam", Schedule: "cosine", ClipNorm: 5},
		map[string]string{
			"epochs":       "epochs (built-in scenes are rendered anew every epoch)",
			"batch":        "images per step, each with all its references",
			"optimizer":    "adam or sgd (momentum 0.9)",
			"lr":           "initial learning rate (default 0.001 for adam, 0.1 for sgd)",
			"weight-decay": "L2 weight decay",
			"schedule":     "learning-rate schedule: cosine, step (x0.5 every 5 epochs) or none",
		}, "epochs", "batch", "optimizer", "lr", "weight-decay", "schedule", "clip")...)
	flags = append(flags,
		&cli.IntFlag{Name: "scenes", Value: caption.DefaultTrainScenes, Usage: "builtin: training scenes per epoch"},
		&cli.IntFlag{Name: "val-scenes", Value: caption.DefaultValScenes, Usage: "builtin: validation scenes"},
		&cli.IntFlag{Name: "limit", Usage: "train on only the first `N` training images"},
		&cli.IntFlag{Name: "val-limit", Usage: "validate on only the first `N` validation images"},
		&cli.IntFlag{Name: "pretrain-epochs", Value: 3, Usage: "--encoder frozen: epochs of digit-presence pretraining"},
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the best model (lowest validation NLL per word) to `FILE`; the per-epoch state for --resume goes to FILE.state.safetensors"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run whose state is beside -o (weights, optimizer, schedule, epoch)"},
		&cli.StringFlag{Name: "init", Usage: "start from the weights of model `FILE` (same configuration; --lambda, --attn-supervision, --dropout and --max-len may differ) with a fresh optimizer and schedule"},
	)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "train",
		Usage: "train a captioner (soft, hard or no attention) on the built-in scenes or Karpathy-split data",
		Description: `Trains with teacher forcing: the loss of a caption is its negative
log-likelihood plus lambda times the doubly stochastic penalty (soft and
hard attention); hard attention adds REINFORCE with a moving-average
baseline and an entropy bonus, using the expected context for a random half
of the captions. Each batch encodes its images once for all their
references. After every epoch the model with the lowest validation NLL per
word so far is written to -o, and the whole training state to
FILE.state.safetensors for --resume. --encoder frozen first pretrains the
encoder on which digits a scene shows (written to FILE.encoder.safetensors)
and keeps it fixed. Training runs on one core; --threads speeds up
validation.

stdout gets one line per epoch:
   epoch  lr  loss  train_nll  val_nll  best_val_nll  best_epoch  seconds
(NDJSON with --json); a progress bar goes to stderr when it is a terminal.

` + trainflags.Interrupts + `

Examples:
   caption train --attention soft -o soft.safetensors
   caption train --attention hard -o hard.safetensors
   caption train --attention none -o baseline.safetensors
   caption train --encoder frozen -o frozen.safetensors
   caption train --data karpathy:dataset_flickr8k.json --images Flicker8k_Dataset --side 224 -o f8k.safetensors`,
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
	if strings.HasPrefix(c.String("data"), "karpathy:") && c.String("images") == "" {
		return cliutil.Usagef("--data %s: give the image folder with --images DIR", c.String("data"))
	}
	src, err := caption.ParseSource(c.String("data"), c.String("images"))
	if err != nil {
		return cliutil.Usagef("--data: %v", err)
	}
	if src.Kind == "builtin" && c.IsSet("images") {
		return cliutil.Usagef("--images is for karpathy data; the built-in scenes are generated")
	}
	cfg := caption.DefaultConfig(5) // the vocabulary size comes from the data
	cfg.Side, cfg.Attention, cfg.Encoder = c.Int("side"), c.String("attention"), c.String("encoder")
	cfg.Lambda, cfg.Supervision, cfg.Dropout = c.Float64("lambda"), c.Float64("attn-supervision"), c.Float64("dropout")
	cfg.Embed, cfg.Hidden, cfg.AttnDim, cfg.MaxLen = c.Int("embed"), c.Int("hidden"), c.Int("attn-dim"), c.Int("max-len")
	if cfg.Widths, err = cliutil.ParseInts(c.String("widths")); err != nil {
		return cliutil.Usagef("--widths: %v", err)
	}
	if cfg.Convs, err = cliutil.ParseInts(c.String("convs")); err != nil {
		return cliutil.Usagef("--convs: %v", err)
	}
	cfg.Data = src.Kind
	if err := cfg.Validate(); err != nil {
		return cliutil.Usagef("%v", err)
	}
	if cfg.Encoder == caption.EncoderFrozen && src.Kind != "builtin" {
		return cliutil.Usagef("--encoder frozen pretrains on the built-in scenes' digit labels; %s has none", src)
	}
	opt := caption.TrainOptions{Options: trainflags.Options(c),
		Scenes: c.Int("scenes"), ValScenes: c.Int("val-scenes"), Limit: c.Int("limit"), ValLimit: c.Int("val-limit"),
		MinCount: c.Int("min-count"), PretrainEpochs: c.Int("pretrain-epochs"), Init: c.String("init"),
	}
	switch {
	case opt.Epochs < 1 || opt.PretrainEpochs < 1:
		return cliutil.Usagef("--epochs and --pretrain-epochs must be at least 1")
	case opt.Batch < 2 || opt.Batch > 4096:
		return cliutil.Usagef("--batch %d: want 2..4096 (batch norm needs two images)", opt.Batch)
	case opt.Optimizer != "sgd" && opt.Optimizer != "adam":
		return cliutil.Usagef("--optimizer %q: want adam or sgd", opt.Optimizer)
	case opt.Schedule != "step" && opt.Schedule != "cosine" && opt.Schedule != "none":
		return cliutil.Usagef("--schedule %q: want cosine, step or none", opt.Schedule)
	case opt.LR < 0 || c.Float64("weight-decay") < 0 || c.Float64("clip") < 0:
		return cliutil.Usagef("--lr, --weight-decay and --clip must not be negative")
	case opt.Scenes < 1 || opt.ValScenes < 1 || opt.Limit < 0 || opt.ValLimit < 0 || opt.MinCount < 1:
		return cliutil.Usagef("--scenes, --val-scenes and --min-count must be at least 1, --limit and --val-limit not negative")
	case opt.Threads < 1:
		return cliutil.Usagef("--threads must be at least 1")
	}
	if err := trainflags.Start(c, &opt.Options, &opt.Report); err != nil {
		return err
	}
	_, err = caption.Train(cfg, src, opt)
	return flagError(err)
}

// flagError prefixes an error about a training option with the flag that
// set it.
func flagError(err error) error { return trainflags.FlagError(err, nil) }
