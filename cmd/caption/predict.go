package main

import (
	"image"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
	"github.com/urfave/cli/v2"
)

func predictCommand() *cli.Command {
	flags := []cli.Flag{modelFlag()}
	flags = append(flags, decodeFlags()...)
	flags = append(flags, cliutil.InputFlags()[:4]...) // --recursive, --shard, --max-pixels, --max-memory
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "predict",
		Usage:     "caption images, one line per image",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Converts each image to the model's input (RGB, scaled with its aspect ratio
kept so the longer side fits, centred on black) and prints one line:
   path  caption  log_prob
(TSV). With --json each line is an object that also holds the tokens, whether
the caption ended by itself ("ended"; false when <end> was forced at the
maximum length), per word, the attention map on the model's grid
("attention": rows of the 8x8 grid, null for the baseline) and
"in_domain". An input that cannot be read gets one line on stderr and the
others are still captioned (exit 1).

` + inDomainHelp + `

Examples:
   caption predict photo.jpg
   caption predict --beam 5 --json scenes/
   ls *.png | caption predict --model soft.safetensors -`,
		Flags:  flags,
		Action: runPredict,
	}
}

func attendCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.Float64Flag{Name: "alpha", Value: viz.DefaultAlpha, Usage: "heatmap weight in the blend: (1-ALPHA)*image + ALPHA*heatmap"},
		&cli.StringFlag{Name: "cmap", Value: "jet", Usage: "colormap of the heatmaps: " + strings.Join(viz.Names(), ", ")},
		&cli.IntFlag{Name: "delay", Value: 80, Usage: "GIF: hundredths of a second per word"},
	}
	flags = append(flags, decodeFlags()...)
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "attend",
		Usage:     "caption images and draw where the model looked for every word",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Captions each image and writes, as the paper's figures show them,
   DIR/<name>_attention.png  a grid of tiles, one per generated word: the
                             image (as the model saw it, enlarged) with that
                             word's attention map upsampled bilinearly,
                             min-max normalised, coloured and blended over
                             it, and the word beneath
   DIR/<name>_attention.gif  the same tiles, word by word
and prints one line per input:
   path  caption  log_prob  png  gif
(--json for objects, which also hold "in_domain" as predict's do). The
baseline (no attention) has no maps: use predict.
An input that cannot be read gets one line on stderr, no output file, and
the others are still processed (exit 1).

Examples:
   caption attend scene.png -o out/
   caption attend --model hard.safetensors --beam 1 -o out/ scenes/`,
		Flags:  flags,
		Action: runAttend,
	}
}

// predictor captions image files, several at once: a worker's tape holds
// its forward pass and beam search, the model is only read.
type predictor struct {
	m       *caption.Model
	dec     caption.DecodeOptions
	decode  imageio.Options
	threads int // --threads
}

func newPredictor(c *cli.Context) (*predictor, error) {
	dec, err := decodeOptions(c)
	if err != nil {
		return nil, err
	}
	// caption.Input shrinks the image as it reads it: nothing full-size.
	decode, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return nil, err
	}
	threads, err := cliutil.ApplyThreads(c)
	if err != nil {
		return nil, err
	}
	return &predictor{dec: dec, decode: decode, threads: threads}, nil
}

// batch splits --threads between the inputs (cliutil.BatchThreads) and
// returns how to run them, and the threads each input gets.
func (p *predictor) batch(c *cli.Context, inputs []string, pr *cliutil.Printer, bar *cliutil.Progress) (cliutil.Batch, int) {
	workers, each := cliutil.BatchThreads(p.threads, len(inputs))
	return cliutil.Batch{Tool: c.App.Name, Stderr: c.App.ErrWriter, Printer: pr, Bar: bar, Workers: workers,
		Memory: cliutil.ImageMemory(p.decode), Budget: p.decode.MaxMemory}, each
}

// run reads and captions one image on tape; it returns the encoder input
// too.
func (p *predictor) run(tape *autograd.Tape, path string) (caption.Caption, *tensor.Tensor, image.Image, error) {
	img, err := imageio.Open(path, p.decode)
	if err != nil {
		return caption.Caption{}, nil, nil, err
	}
	x := caption.Input(img, p.m.Cfg.Side)
	return p.m.Predict(tape, x.Data, 1, p.dec)[0], x, img, nil
}

// attentionGrids turns per-word maps into rows of the grid, for JSON.
func attentionGrids(c caption.Caption, grid int) [][][]float32 {
	if c.Alphas == nil {
		return nil
	}
	out := make([][][]float32, len(c.Alphas))
	for k, a := range c.Alphas {
		for r := 0; r < grid; r++ {
			out[k] = append(out[k], a[r*grid:(r+1)*grid])
		}
	}
	return out
}

func runPredict(c *cli.Context) error {
	p, err := newPredictor(c)
	if err != nil {
		return err
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	if p.m, _, err = loadModel(c); err != nil {
		return err
	}
	grid, _ := p.m.Cfg.Grid()
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	dom := cliutil.NewDomainCheck(p.m.Cfg.Domain())
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "predict")
	batch, _ := p.batch(c, inputs, pr, bar)
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, autograd.NewInference, func(tape *autograd.Tape, in string) ([]cliutil.Line, error) {
		cp, x, _, err := p.run(tape, in)
		if err != nil {
			return nil, err
		}
		inDomain := dom.Field(x.Data)
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "caption", Value: strings.Join(cp.Tokens, " ")},
			{Key: "log_prob", Value: cliutil.Round(cp.LogProb, 4)}}
		if pr.JSON() {
			fields = append(fields, cliutil.Field{Key: "tokens", Value: cp.Tokens}, cliutil.Field{Key: "ended", Value: cp.Ended},
				cliutil.Field{Key: "attention", Value: attentionGrids(cp, grid)}, inDomain)
		}
		return []cliutil.Line{fields}, nil
	})
	bar.Finish("")
	dom.Warn(c)
	return err
}

// inDomainHelp explains "in_domain" in the help of predict and attend.
const inDomainHelp = `"in_domain" (0..1) says how much the image, as the model sees it, looks
like the model's training scenes by the statistics of its pixels (mean,
spread, share of black, edges, coarse structure, colour): 1 when each
lies within the range of the training scenes, falling as the most
unusual one leaves it (0.14 two training standard deviations outside,
0.011 three). Inputs below 0.01 get one warning line on stderr at the end
(unless --quiet): a photograph gets a caption about digits all the same.
A model trained on a Karpathy-split data set has no reference: in_domain
is null.`

func runAttend(c *cli.Context) error {
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("missing -o DIR (the folder to write the pictures to)")
	}
	p, err := newPredictor(c)
	if err != nil {
		return err
	}
	alpha := c.Float64("alpha")
	if !(alpha >= 0 && alpha <= 1) {
		return cliutil.Usagef("--alpha %g: want a weight in [0, 1]", alpha)
	}
	cmap, err := viz.Colormap(c.String("cmap"))
	if err != nil {
		return cliutil.Usagef("--cmap: %v", err)
	}
	delay := c.Int("delay")
	if delay < 1 || delay > 10000 {
		return cliutil.Usagef("--delay %d: want 1..10000 hundredths of a second", delay)
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	if p.m, _, err = loadModel(c); err != nil {
		return err
	}
	if p.m.Cfg.Attention == caption.AttnNone {
		return cliutil.Usagef("the model has no attention (a baseline): there are no maps to draw; use 'caption predict'")
	}
	if len(inputs) == 0 {
		return nil
	}
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	plan := cliutil.PlanOutputs(outDir, inputs, cliutil.Output{Suffix: "_attention", Ext: "png"}, cliutil.Output{Suffix: "_attention", Ext: "gif"})
	grid, _ := p.m.Cfg.Grid()
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	dom := cliutil.NewDomainCheck(p.m.Cfg.Domain())
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "attend")
	batch, each := p.batch(c, inputs, pr, bar)
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, autograd.NewInference, func(tape *autograd.Tape, in string) ([]cliutil.Line, error) {
		paths, err := plan.For(in)
		if err != nil {
			return nil, err
		}
		png, gif := paths[0], paths[1]
		cp, x, _, err := p.run(tape, in)
		if err != nil {
			return nil, err
		}
		inDomain := dom.Field(x.Data)
		tiles, err := caption.AttentionTiles(x, cp, grid, cmap, alpha)
		if err != nil {
			return nil, err
		}
		var out atomicfile.Set // the PNG and the GIF appear together or not at all
		defer out.Abort()
		if err := out.Write(png, imageio.PNG(viz.Grid(tiles, min(len(tiles), 6), 4, image.White))); err != nil {
			return nil, err
		}
		g, err := viz.BuildGIF(tiles, viz.GIFOptions{Delay: delay, Threads: each})
		if err == nil {
			err = out.Write(gif, imageio.GIF(g))
		}
		if err == nil {
			err = out.Commit()
		}
		if err != nil {
			return nil, err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "caption", Value: strings.Join(cp.Tokens, " ")},
			{Key: "log_prob", Value: cliutil.Round(cp.LogProb, 4)}}
		if pr.JSON() {
			fields = append(fields, inDomain)
		}
		return []cliutil.Line{append(fields, cliutil.Field{Key: "png", Value: png}, cliutil.Field{Key: "gif", Value: gif})}, nil
	})
	bar.Finish("")
	dom.Warn(c)
	return err
}
