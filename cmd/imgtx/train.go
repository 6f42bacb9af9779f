package main

import (
	"fmt"

	"github.com/attnkit/attn/internal/trainflags"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

func trainCommand() *cli.Command {
	d := imgtx.DefaultConfig("transformer", 28, 28, 1)
	p := imgtx.DefaultConfig("pixelcnn", 28, 28, 1)
	flags := []cli.Flag{
		&cli.StringFlag{Name: "data", Value: "mnist", Usage: "`SOURCE`: mnist (8-bit grey digits) or imagefolder:DIR (one sub-folder per class)"},
		&cli.StringFlag{Name: "arch", Value: "transformer", Usage: "transformer or pixelcnn (the gated PixelCNN baseline, grey images)"},
		&cli.StringFlag{Name: "cond", Value: "none", Usage: "conditioning: none, class (a class embedding) or lowres (super-resolution from --lowres)"},
		&cli.IntFlag{Name: "lowres", Value: 7, Usage: "--cond lowres: side of the low-resolution input (divides the image side)"},
		&cli.IntFlag{Name: "size", Value: 28, Usage: "image side the data is converted to"},
		&cli.IntFlag{Name: "channels", Value: 1, Usage: "1 (grey) or 3 (RGB, generated channel by channel)"},
		&cli.StringFlag{Name: "attention", Value: d.Attention, Usage: "local1d or local2d"},
		&cli.IntFlag{Name: "block-len", Usage: "local1d: query block length l_q (default: one image row of sub-pixels)"},
		&cli.IntFlag{Name: "mem-len", Usage: "local1d: memory l_m before each block (default: two rows)"},
		&cli.IntFlag{Name: "query-h", Value: d.QueryH, Usage: "local2d: query block rows"},
		&cli.IntFlag{Name: "query-w", Usage: "local2d: query block columns in sub-pixels (default 7 pixels)"},
		&cli.IntFlag{Name: "mem-h", Value: d.MemH, Usage: "local2d: memory rows above a block"},
		&cli.IntFlag{Name: "mem-w", Usage: "local2d: memory columns left and right of a block (default 7 pixels)"},
		&cli.IntFlag{Name: "layers", Usage: fmt.Sprintf("decoder layers (default %d for the transformer, %d for the PixelCNN)", d.Layers, p.Layers)},
		&cli.IntFlag{Name: "enc-layers", Value: d.EncLayers, Usage: "--cond lowres: encoder layers"},
		&cli.IntFlag{Name: "embed", Value: d.Embed, Usage: "transformer width"},
		&cli.IntFlag{Name: "heads", Value: d.Heads, Usage: "attention heads"},
		&cli.IntFlag{Name: "ff", Value: d.FF, Usage: "feed-forward width"},
		&cli.Float64Flag{Name: "dropout", Value: float64(d.Dropout), Usage: "dropout of the input and of every sublayer"},
		&cli.BoolFlag{Name: "post-norm", Usage: "layer norm after each residual sum (the original Transformer) instead of before each sublayer"},
		&cli.StringFlag{Name: "positions", Value: d.Positions, Usage: "sinusoidal or learned position encodings"},
		&cli.IntFlag{Name: "filters", Value: p.Filters, Usage: "pixelcnn: channels of each stack"},
		&cli.IntFlag{Name: "kernel", Value: p.Kernel, Usage: "pixelcnn: odd kernel size"},

		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the best model (lowest validation bits/dim) to `FILE`; the per-epoch state for --resume goes to FILE.state.safetensors"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run whose state is beside -o"},
	}
	flags = append(flags, trainflags.Flags(
		trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 1e-3, Schedule: "cosine", Warmup: 1, ClipNorm: 1},
		map[string]string{"schedule": "cosine, step or none", "warmup": "epochs of linear warm-up", "weight-decay": "L2 weight decay"},
		"epochs", "batch", "optimizer", "lr", "schedule", "warmup", "clip", "weight-decay")...)
	flags = append(flags,
		&cli.IntFlag{Name: "limit", Usage: "train on only the first `N` images (quick runs)"},
		&cli.IntFlag{Name: "val-limit", Usage: "validate on only the first `N` validation images"},
		&cli.IntFlag{Name: "epoch-images", Usage: "make an epoch `N` training images from an endless stream of shuffled passes, instead of one whole pass (validation, the best model and the state file come that much more often)"},
		&cli.StringFlag{Name: "init", Usage: "start from the weights of model `FILE` (same configuration, --dropout may differ; or an unconditional transformer of the same shape, which a --cond class or lowres run extends) with a fresh optimizer and schedule; ignored with --resume when the state file exists"},
	)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)...)
	return &cli.Command{
		Name:  "train",
		Usage: "train an Image Transformer or a gated PixelCNN on MNIST or an image folder",
		Description: `Trains by the discrete negative log-likelihood of the 8-bit values with
Adam, a cosine schedule after one epoch of warm-up and gradients clipped to
norm 1. After every epoch the model with the lowest validation bits/dim so
far is written to -o, and the whole training state to FILE.state.safetensors
for --resume. The training steps run on one core; --threads speeds up
validation.

stdout gets one line per epoch:
   epoch  lr  loss  train_bits_per_dim  val_bits_per_dim  best_val_bits_per_dim  best_epoch  seconds
(NDJSON with --json); a progress bar goes to stderr when it is a terminal.

` + trainflags.Interrupts + `

Examples:
   imgtx train --epochs 20 -o tx.safetensors
   imgtx train --attention local2d --query-h 4 --query-w 7 --mem-h 4 --mem-w 7 -o tx2d.safetensors
   imgtx train --arch pixelcnn --layers 8 --filters 64 -o pcnn.safetensors
   imgtx train --cond lowres --lowres 7 -o upscale.safetensors
   imgtx train --data imagefolder:faces --size 16 --channels 3 -o faces.safetensors
   imgtx train -o tx.safetensors --resume --epochs 40`,
		Flags:  flags,
		Action: runTrain,
	}
}

// configFromFlags builds the model configuration the flags describe.
func configFromFlags(c *cli.Context) (imgtx.Config, imgtx.Source, error) {
	src, err := imgtx.ParseSource(c.String("data"))
	if err != nil {
		return imgtx.Config{}, src, cliutil.Usagef("--data: %v", err)
	}
	side, ch := c.Int("size"), c.Int("channels")
	if src.Kind == "mnist" && ch != 1 {
		return imgtx.Config{}, src, cliutil.Usagef("--channels %d: MNIST is grey", ch)
	}
	arch := c.String("arch")
	cfg := imgtx.DefaultConfig(arch, side, side, ch)
	if arch != "transformer" && arch != "pixelcnn" {
		return cfg, src, cliutil.Usagef("--arch %q: want transformer or pixelcnn", arch)
	}
	cfg.Cond = c.String("cond")
	if cfg.Cond == "lowres" {
		cfg.LowRes = c.Int("lowres")
	}
	if cfg.Cond == "class" {
		cfg.Classes = 2 // checked here, set from the data by Train
	}
	if c.IsSet("layers") {
		cfg.Layers = c.Int("layers")
	}
	if arch == "transformer" {
		cfg.Attention = c.String("attention")
		setIf := func(dst *int, flag string) {
			if c.IsSet(flag) {
				*dst = c.Int(flag)
			}
		}
		setIf(&cfg.BlockLen, "block-len")
		setIf(&cfg.MemLen, "mem-len")
		setIf(&cfg.QueryW, "query-w")
		setIf(&cfg.MemW, "mem-w")
		cfg.QueryH, cfg.MemH = c.Int("query-h"), c.Int("mem-h")
		cfg.EncLayers, cfg.Embed, cfg.Heads, cfg.FF = c.Int("enc-layers"), c.Int("embed"), c.Int("heads"), c.Int("ff")
		cfg.Dropout, cfg.PreNorm, cfg.Positions = float32(c.Float64("dropout")), !c.Bool("post-norm"), c.String("positions")
	} else {
		cfg.Filters, cfg.Kernel = c.Int("filters"), c.Int("kernel")
	}
	if err := cfg.Validate(); err != nil {
		return cfg, src, cliutil.Usagef("%v", err)
	}
	return cfg, src, nil
}

// trainOptions reads the schedule flags.
func trainOptions(c *cli.Context) (imgtx.TrainOptions, error) {
	o := imgtx.TrainOptions{Options: trainflags.Options(c), Limit: c.Int("limit"), ValLimit: c.Int("val-limit"),
		EpochImages: c.Int("epoch-images"), Init: c.String("init")}
	// sgd's momentum and the step schedule have no flags here.
	o.Momentum, o.StepSize, o.Gamma = 0.9, 10, 0.5
	switch {
	case o.Epochs < 1 || o.Batch < 1 || o.Batch > 4096:
		return o, cliutil.Usagef("--epochs must be at least 1 and --batch in 1..4096")
	case o.Optimizer != "sgd" && o.Optimizer != "adam":
		return o, cliutil.Usagef("--optimizer %q: want adam or sgd", o.Optimizer)
	case o.Schedule != "step" && o.Schedule != "cosine" && o.Schedule != "none":
		return o, cliutil.Usagef("--schedule %q: want cosine, step or none", o.Schedule)
	case !(o.LR > 0) || c.Float64("weight-decay") < 0 || o.ClipNorm < -1 || o.Warmup < 0:
		return o, cliutil.Usagef("--lr must be positive; --weight-decay, --clip and --warmup not negative")
	case o.Limit < 0 || o.ValLimit < 0 || o.EpochImages < 0:
		return o, cliutil.Usagef("--limit, --val-limit and --epoch-images must not be negative")
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
	if err := trainflags.Start(c, &opt.Options, &opt.Report); err != nil {
		return err
	}
	if !c.Bool("quiet") {
		opt.Notes = c.App.ErrWriter
	}
	_, err = imgtx.Train(cfg, src, opt)
	return flagError(err)
}

// flagError prefixes an error about a training option with its flag.
func flagError(err error) error {
	return trainflags.FlagError(err, map[string]string{"EpochImages": "epoch-images", "Init": "init"})
}
