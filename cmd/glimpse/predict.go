package main

import (
	"math/rand/v2"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/vec"
	"github.com/urfave/cli/v2"
)

func predictCommand() *cli.Command {
	flags := append(modelFlags(),
		&cli.IntFlag{Name: "mc", Usage: "average `M` sampled glimpse paths (the drawn path is the first); 0 follows the policy's mean"},
		&cli.StringFlag{Name: "invert", Value: "auto", Usage: "invert the image first: auto (when its border is brighter than mid-gray: dark ink on light paper), yes or no"},
		&cli.IntFlag{Name: "display", Value: 384, Usage: "draw the glimpse path on a canvas about `PX` pixels wide"},
		&cli.StringFlag{Name: "suffix", Value: "_glimpses", Usage: "appended to each input's name to name its outputs `SUFFIX`"},
		&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random first location and the policy samples"},
	)
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "predict",
		Usage:     "classify images and draw where the model looked",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Runs a glimpse model on each image and prints one line per input:
   path  class  confidence  png  gif
(TSV; with --json an object that also holds the class probabilities,
every glimpse's location, normalised and in canvas pixels, and
"in_domain").

Each image is converted to gray (BT.601 luma), inverted when it looks like
dark ink on light paper (--invert), scaled with its aspect ratio kept so its
longer side fills the task's canvas (28 px for mnist, 60 or 100 px for the
canvas tasks) and centred on black: the model was trained on white digits on
black. With -o DIR it writes DIR/<name><suffix>.png, the canvas with every
glimpse's patches (one box per scale, numbered in order) and the path, and
DIR/<name><suffix>.gif, one frame per glimpse.

"in_domain" (0..1) says how much the canvas looks like the task's
training canvases, by the statistics of its pixels (mean, spread, share
of black, edges, coarse structure): 1 when each lies within the range of
the training images, falling as the most unusual one leaves it (0.14 two
training standard deviations outside, 0.011 three). Inputs below 0.01
get one warning line on stderr at the end (unless --quiet): the model
still names a digit, but for a photo that answer means nothing. A model
trained at another canvas size has no reference: in_domain is null.

Examples:
   glimpse predict digit.png
   glimpse predict --task cluttered60 -o out/ scans/
   find . -name '*.png' | glimpse predict --json -o out/ -`,
		Flags:  flags,
		Action: runPredict,
	}
}

type predictJob struct {
	m       *ram.Model
	mc      int
	invert  ram.Invert
	zoom    int
	seed    uint64
	decode  imageio.Options
	outDir  string
	classes int
	threads int // threads of each input: the frames of its GIF quantised at once
}

func runPredict(c *cli.Context) error {
	inv, ok := map[string]ram.Invert{"auto": ram.InvertAuto, "yes": ram.InvertAlways, "no": ram.InvertNever}[c.String("invert")]
	if !ok {
		return cliutil.Usagef("--invert %q: want auto, yes or no", c.String("invert"))
	}
	d := c.Int("display")
	if d < 1 || d > maxDisplay {
		return cliutil.Usagef("--display %d: want 1..%d pixels", d, maxDisplay)
	}
	if c.Int("mc") < 0 || c.Int("mc") > 1000 {
		return cliutil.Usagef("--mc %d: want 0..1000", c.Int("mc"))
	}
	// The image is shrunk to the canvas as it is read: nothing full-size.
	decode, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return err
	}
	suffix := c.String("suffix")
	if strings.ContainsAny(suffix, `/\`) {
		return cliutil.Usagef("--suffix %q: must not contain a path separator", suffix)
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	threads, err := cliutil.ApplyThreads(c)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	outDir := c.String(cliutil.FlagOut)
	var plan *cliutil.OutputPlan
	if outDir != "" && len(inputs) > 0 {
		if err := cliutil.PrepareOutDir(outDir); err != nil {
			return err
		}
		plan = cliutil.PlanOutputs(outDir, inputs, cliutil.Output{Suffix: suffix, Ext: "png"}, cliutil.Output{Suffix: suffix, Ext: "gif"})
	}
	job := &predictJob{
		m: m, mc: c.Int("mc"), invert: inv, zoom: max(1, d/m.Cfg.Canvas), seed: c.Uint64("seed"),
		decode: decode, outDir: outDir, classes: m.Cfg.Classes,
	}
	workers, each := cliutil.BatchThreads(threads, len(inputs))
	job.threads = each
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	dom := cliutil.NewDomainCheck(m.Cfg.Domain())
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "predict")
	batch := cliutil.Batch{Tool: c.App.Name, Stderr: c.App.ErrWriter, Printer: pr, Bar: bar, Workers: workers,
		Memory: cliutil.ImageMemory(decode), Budget: decode.MaxMemory}
	// A worker's tape holds its forward pass; the model itself is only
	// read.
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, autograd.NewInference, func(tape *autograd.Tape, in string) ([]cliutil.Line, error) {
		var png, gif string
		if plan != nil {
			paths, err := plan.For(in)
			if err != nil {
				return nil, err
			}
			png, gif = paths[0], paths[1]
		}
		var out atomicfile.Set // the PNG and the GIF appear together or not at all
		defer out.Abort()
		r, err := job.run(tape, &out, in, png, gif)
		if err != nil {
			return nil, err
		}
		if err := out.Commit(); err != nil {
			return nil, err
		}
		inDomain := dom.Field(r.canvas)
		if pr.JSON() {
			locs := make([][2]float32, len(r.locs)/2)
			px := make([][2]float32, len(r.locs)/2)
			s := m.Cfg.Canvas
			for t := range locs {
				locs[t] = [2]float32{r.locs[2*t], r.locs[2*t+1]}
				px[t] = [2]float32{float32(ram.Centre(r.locs[2*t], s)), float32(ram.Centre(r.locs[2*t+1], s))}
			}
			return []cliutil.Line{{
				{Key: "path", Value: in}, {Key: "class", Value: r.class},
				{Key: "confidence", Value: r.probs[r.class]}, {Key: "probs", Value: r.probs},
				{Key: "locations", Value: locs}, {Key: "locations_px", Value: px},
				inDomain, {Key: "png", Value: png}, {Key: "gif", Value: gif},
			}}, nil
		}
		return []cliutil.Line{{{Key: "path", Value: in}, {Key: "class", Value: r.class},
			{Key: "confidence", Value: r.probs[r.class]}, {Key: "png", Value: png}, {Key: "gif", Value: gif}}}, nil
	})
	bar.Finish("")
	dom.Warn(c)
	return err
}

type prediction struct {
	class  int
	probs  []float32
	locs   []float32 // glimpse t at (locs[2t], locs[2t+1])
	canvas []float32 // the image as the model saw it
}

// run classifies one image on tape and, when asked for pictures, stages
// them in out. Every input starts its random draws from the same seed,
// whatever ran before it, so its result does not depend on the order or
// the number of workers.
func (j *predictJob) run(tape *autograd.Tape, out *atomicfile.Set, in, pngPath, gifPath string) (prediction, error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return prediction{}, err
	}
	canvas := ram.ImageCanvas(img, j.m.Cfg.Canvas, j.invert)
	// The path drawn is that of the first (or only) episode.
	rng := rand.New(rand.NewPCG(j.seed, 0))
	policy := ram.Greedy
	if j.mc > 0 {
		policy = ram.Sample
	}
	ep := j.m.Forward(tape, canvas.Data, 1, 1, policy, rng)
	var locs []float32
	for _, l := range ep.Locs {
		locs = append(locs, l...)
	}
	tape.Reset()
	probs := j.m.Predict(tape, canvas.Data, 1, 1, j.mc, rand.New(rand.NewPCG(j.seed, 0)))
	r := prediction{probs: probs, locs: locs, class: vec.Argmax(probs), canvas: canvas.Data}
	if pngPath == "" {
		return r, nil
	}
	d := ram.PathDrawing{Sensor: j.m.Cfg.Sensor(), Side: j.m.Cfg.Canvas, Zoom: j.zoom, Locs: locs, Class: r.class, Prob: probs[r.class]}
	frames := d.Frames(canvas.Data)
	if err := out.Write(pngPath, imageio.PNG(frames[len(frames)-1])); err != nil {
		return r, err
	}
	g, err := ram.PathGIF(frames, j.threads)
	if err != nil {
		return r, err
	}
	return r, out.Write(gifPath, imageio.GIF(g))
}
