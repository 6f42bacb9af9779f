package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func predictCommand() *cli.Command {
	flags := []cli.Flag{modelFlag(), &cli.IntFlag{Name: cliutil.FlagMaxPixels, Value: 64_000_000, Usage: "refuse pictures with more pixels than this"},
		cliutil.MaxMemoryFlag()}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "predict",
		Usage:     "classify clips (folders of frames, animated GIFs) or images",
		ArgsUsage: "CLIP|IMG ...",
		Description: `Prints one line per input:
   input  class  prob
(NDJSON with --json, with every class's probability under "probs" and
"in_domain", see below). A clip
model takes clips: a folder of frames (image files in name order), an
animated GIF, or a folder of GIFs (each one clip); the frames are sampled evenly to the model's length, turned
grey and resized to its side. An image model takes image files and folders
of them. An input that cannot be read prints one line on stderr, the
others still run, and the exit code is 1.

"in_domain" (0..1) says how much the input, as the model sees it (grey,
resized, sampled to its frames), looks like the model's training data by
the statistics of its pixels (mean, spread, share of black, edges, coarse
structure): 1 when each lies within the range of the training samples,
falling as the most unusual one leaves it (0.14 two training standard
deviations outside, 0.011 three). Inputs below 0.01 get one warning line
on stderr at the end (unless --quiet): the model still names a class,
but for a photograph that answer means nothing. A model of another size
than its task's has no reference: in_domain is null.

Examples:
   nonlocal render --count 4 -o clips/ && nonlocal predict --model nl.safetensors clips/*.gif
   nonlocal predict --model nl.safetensors frames/ --json`,
		Flags:  flags,
		Action: runPredict,
	}
}

func runPredict(c *cli.Context) error {
	threads, err := cliutil.ApplyThreads(c)
	if err != nil {
		return err
	}
	// Pictures are shrunk to the model's side as they are read
	// (Model.Input): nothing full-size beyond the decoded frames.
	opt, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	inputs, err := modelInputs(c, m)
	if err != nil {
		return err
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	dom := cliutil.NewDomainCheck(m.Cfg.Domain())
	defer dom.Warn(c)
	batch, _ := inputBatch(c, m, threads, len(inputs), p, opt)
	// Predict makes its own tape per call: a worker needs no state.
	return cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, cliutil.NoState, func(_ struct{}, path string) ([]cliutil.Line, error) {
		x, err := readInput(m, path, opt)
		if err != nil {
			return nil, err
		}
		classes, probs := m.Predict(x, 1)
		k := classes[0]
		fields := []cliutil.Field{{Key: "input", Value: path}, {Key: "class", Value: k}, {Key: "prob", Value: cliutil.Round(float64(probs[0][k]), 4)}}
		if p.JSON() {
			ps := make([]float64, len(probs[0]))
			for i, v := range probs[0] {
				ps[i] = cliutil.Round(float64(v), 4)
			}
			fields = append(fields, cliutil.Field{Key: "probs", Value: ps}, dom.Field(x))
		} else {
			dom.Field(x) // counted for the warning
		}
		return []cliutil.Line{fields}, nil
	})
}
