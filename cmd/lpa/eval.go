package main

import (
	"fmt"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "data", Value: "builtin", Usage: "`SOURCE`: builtin (the fixed test set of the task the model was trained on; builtin:TASK for another), cifar10:DIR or cifar100:DIR (their test split) or imagefolder:DIR (every image)"},
		&cli.BoolFlag{Name: "segment", Usage: "score weakly supervised segmentation: mean IoU of the binarised maps with the ground-truth masks (builtin only)"},
		&cli.Float64Flag{Name: "fgsm", Usage: "error under the fast gradient sign method at this `EPS` (images in [0,1])"},
		&cli.IntFlag{Name: "level", Usage: "attention level (1-3) whose map --segment binarises; 0: level 2 when the model has it, else its finest"},
		&cli.StringFlag{Name: "map", Value: "scores", Usage: "what --segment binarises: scores (the compatibility scores c, as CAM is a score map) or attention (the normalised weights a)"},
		thresholdFlag(),
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test, or val: the validation images training held out (the same for every run of a source), for choosing settings without touching the test set"},
		&cli.Uint64Flag{Name: "test-seed", Value: data.TexturedTestSeed, Usage: "rendering seed of the built-in test set (the default is the fixed test set)"},
		&cli.IntFlag{Name: "limit", Usage: "evaluate only the first `N` test images (0: all)"},
		&cli.IntFlag{Name: "batch", Value: 100, Usage: "images per forward pass"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[:1]...) // --threads
	return &cli.Command{
		Name:  "eval",
		Usage: "test error, segmentation mIoU or FGSM robustness of a model",
		Description: `Classifies the test set and prints one line:
   model  variant  data  split  n  errors  error_pct  [miou]  [fgsm]
(with --json an object with those keys). The built-in test set is the
10,000 MNIST test digits rendered on textured backgrounds with a fixed seed.

--segment also binarises each image's map and scores it against the digit's
mask (the JSON key "miou" is the mean IoU over the images). The rule, for
attention maps and for the baseline's class activation maps (CAM, of the
predicted class) alike: upsample the map bilinearly to the image's size,
normalise it min-max to [0,1], keep the pixels >= a threshold. Each kind
of map has its own threshold, chosen on the validation split so that each
method is scored at its best: 0.30 for scores, 0.15 for attention weights,
0.85 for a CAM (--threshold sets another; the JSON key "threshold" says
which was used). An attention model contributes the compatibility scores c
of level 2 (8x8 on 64x64 images), the map and level chosen on the
validation split; --level and --map attention pick another.

--fgsm EPS perturbs every image by EPS times the sign of the gradient of the
loss with respect to the image (at the true label), clipped to [0,1], and
reports the error on the perturbed images ("error_pct").

Examples:
   lpa eval --json
   lpa eval --model baseline --segment --json
   lpa eval --split val --segment --level 3 --map attention
   lpa eval --model runs/att.safetensors --fgsm 0.1
   lpa eval --model c10.safetensors --data cifar10:cifar-10-batches-bin`,
		Flags:  flags,
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("eval takes no arguments, got %q", c.Args().First())
	}
	eps := c.Float64("fgsm")
	if c.IsSet("fgsm") && !(eps > 0 && eps <= 1) {
		return cliutil.Usagef("--fgsm %g: want an epsilon in (0, 1]", eps)
	}
	if c.IsSet("fgsm") && c.Bool("segment") {
		return cliutil.Usagef("--segment and --fgsm are separate evaluations; run them one at a time")
	}
	threads := c.Int(cliutil.FlagThreads)
	if threads < 1 || c.Int("batch") < 1 || c.Int("limit") < 0 {
		return cliutil.Usagef("--threads and --batch must be at least 1, --limit not negative")
	}
	seg, err := segMapFlags(c)
	if err != nil {
		return err
	}
	src, err := lpa.ParseSource(c.String("data"))
	if err != nil {
		return cliutil.Usagef("--data: %v", err)
	}
	if c.Bool("segment") && src.Kind != "builtin" {
		return cliutil.Usagef("--segment needs ground-truth masks, which only --data builtin has")
	}
	m, name, err := loadModel(c)
	if err != nil {
		return err
	}
	src = src.For(m.Cfg)
	split := c.String("split")
	if split != "test" && split != "val" {
		return cliutil.Usagef("--split %q: want test or val", split)
	}
	ds, err := lpa.Open(src, split, lpa.DataOptions{Side: m.Cfg.Side, Limit: c.Int("limit"), TestSeed: c.Uint64("test-seed")})
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if ds.Side() != m.Cfg.Side || ds.Classes() != m.Cfg.Classes {
		return cliutil.Usagef("%s takes %d-pixel images of %d classes; %s has %d-pixel images of %d classes",
			name, m.Cfg.Side, m.Cfg.Classes, src, ds.Side(), ds.Classes())
	}
	gemm.SetThreads(1) // parallel over batches instead
	what := "eval"
	if c.Bool("segment") {
		what = "segment"
	} else if c.IsSet("fgsm") {
		what = fmt.Sprintf("fgsm %g", eps)
	}
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), ds.Len(), what)
	opt := lpa.EvalOptions{Batch: c.Int("batch"), Threads: threads, Progress: bar.Add, Seg: seg}
	fields := []cliutil.Field{
		{Key: "model", Value: name}, {Key: "variant", Value: m.Cfg.Name()}, {Key: "data", Value: src.String()}, {Key: "split", Value: split},
	}
	var res lpa.EvalResult
	switch {
	case c.Bool("segment"):
		mk, _ := lpa.AsMasked(ds)
		res, err = m.Segment(mk, opt)
		if err != nil {
			bar.Finish("")
			return cliutil.Usagef("--level: %v", err)
		}
	case c.IsSet("fgsm"):
		res = m.EvaluateFGSM(ds, float32(eps), opt)
	default:
		res = m.Evaluate(ds, opt)
	}
	bar.Finish("")
	fields = append(fields,
		cliutil.Field{Key: "n", Value: res.N},
		cliutil.Field{Key: "errors", Value: res.Errors},
		cliutil.Field{Key: "error_pct", Value: cliutil.Round(res.ErrorPct(), 2)},
	)
	if c.Bool("segment") {
		fields = append(fields,
			cliutil.Field{Key: "miou", Value: cliutil.Round(res.MIoU(), 4)},
			cliutil.Field{Key: "threshold", Value: cliutil.Round(float64(seg.ThresholdFor(m.Cfg)), 4)})
	}
	if c.IsSet("fgsm") {
		fields = append(fields, cliutil.Field{Key: "fgsm", Value: eps})
	}
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(fields...)
}
