package main

import (
	"fmt"
	"image"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/viz"
	"github.com/urfave/cli/v2"
)

func attendCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.Float64Flag{Name: "alpha", Value: viz.DefaultAlpha, Usage: "heatmap weight in the blend: (1-ALPHA)*image + ALPHA*heatmap"},
		&cli.StringFlag{Name: "cmap", Value: "jet", Usage: "colormap of the heatmaps: " + strings.Join(viz.Names(), ", ")},
		&cli.StringFlag{Name: "suffix", Value: "_attn", Usage: "appended to each input's name to name its outputs `SUFFIX`"},
		displayFlag(),
		&cli.BoolFlag{Name: "panel", Usage: "write one picture per input instead: the input, each map over it, the mask and the CAM mask side by side"},
		&cli.StringFlag{Name: "cam-model", Value: "baseline", Usage: "with --panel and an attention model: the baseline `MODEL` whose CAM mask ends the panel (as --model; none leaves it out)"},
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "attend",
		Usage:     "classify images and write each attention level's map over the image",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Runs the model on each image (squeezed to the model's input size, RGB) and
prints one line per input:
   path  class  name  confidence  heatmaps  raw
(TSV, the file lists comma-separated; with --json an object that also
holds the class probabilities and "in_domain", see below). For every
attention level L it writes
   DIR/<name><suffix>_levelL.png      the map upsampled bilinearly to the
                                      picture's size, min-max normalised,
                                      coloured and blended over the image:
                                      0.6*image + 0.4*heatmap by default
   DIR/<name><suffix>_levelL_raw.png  the attention weights themselves on
                                      the level's grid, 16-bit gray, 0..1
                                      mapped to 0..65535 (not stretched)
The baseline has one map, its class activation map (CAM) of the predicted
class: <name><suffix>_cam.png and _cam_raw.png (min-max normalised, since a
CAM has no fixed range). An image whose longer side is under --display
pixels is enlarged by a whole factor (each pixel a sharp square) so the
pictures are big enough to look at; --display 0 keeps the image's size.
The raw maps keep their grid.

With --panel it writes one picture per input instead,
   DIR/<name><suffix>_panel.png
with tiles left to right: the input and the predicted class, each map
blended over the input (jet by default), the mask 'lpa segment' writes
(level-2 scores at 0.30 for an attention model), and, for an attention
model, the mask of the baseline's CAM (--cam-model; the embedded baseline
by default) at its own threshold, 0.85. The line's last field is then
the panel's path.

` + inDomainHelp + `

An input that cannot be read gets one line on stderr, no output file, and
the others are still processed (exit 1).

Examples:
   lpa attend photo.jpg -o out/
   lpa attend --model baseline -o out/ digits/
   lpa attend --panel --display 256 -o out/ digits/
   ls *.png | lpa attend --json -o out/ -`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runMaps(c, false) },
	}
}

func segmentCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.IntFlag{Name: "level", Usage: "attention level (1-3) whose map to binarise; 0: level 2 when the model has it, else its finest"},
		&cli.StringFlag{Name: "map", Value: "scores", Usage: "what to binarise: scores (the compatibility scores c) or attention (the normalised weights a)"},
		thresholdFlag(),
		&cli.StringFlag{Name: "suffix", Value: "_mask", Usage: "appended to each input's name to name its mask `SUFFIX`"},
		displayFlag(),
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "segment",
		Usage:     "write a binary mask of what the model attends to, one PNG per input",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Binarises the compatibility scores of the model's level-2 attention (or
--level, --map attention; the class activation map of the predicted class
for the baseline) with the rule 'lpa eval --segment' scores: upsample
bilinearly to the image's full size, normalise min-max to [0,1], keep the
pixels >= the threshold (default 0.30 for scores, 0.15 for attention
weights, 0.85 for a CAM: each chosen on the validation split). Writes
DIR/<name><suffix>.png, white on black, one square per input pixel
(enlarged by a whole factor to at least --display pixels on the longer
side; --display 0 for one pixel per input pixel), and prints one line per
input:
   path  class  name  confidence  coverage  mask
(coverage is the fraction of pixels in the mask; --json for objects,
which also hold the threshold used and "in_domain").

` + inDomainHelp + `

Examples:
   lpa segment photo.jpg -o masks/
   lpa segment --model baseline --json -o masks/ digits/`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runMaps(c, true) },
	}
}

// maxDisplay limits --display: generous for any screen, small enough that
// a typo cannot ask for a gigapixel PNG.
const maxDisplay = 4096

// displayFlag is --display of attend and segment.
func displayFlag() cli.Flag {
	return &cli.IntFlag{Name: "display", Value: 256, Usage: "enlarge pictures whose longer side is under `PX` pixels by a whole factor to reach it (0: the image's size)"}
}

// mapJob is one run of attend or segment, parsed and checked once.
type mapJob struct {
	m       *lpa.Model
	cam     *lpa.Model // the baseline whose CAM mask ends a panel, or nil
	segment bool
	panel   bool
	seg     lpa.SegMap // what segment binarises
	cmap    *viz.Map
	alpha   float64
	display int
	decode  imageio.Options
}

func runMaps(c *cli.Context, segment bool) error {
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("missing -o DIR (the folder to write the images to)")
	}
	suffix := c.String("suffix")
	if strings.ContainsAny(suffix, `/\`) {
		return cliutil.Usagef("--suffix %q: must not contain a path separator", suffix)
	}
	decode, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return err
	}
	threads, err := cliutil.ApplyThreads(c)
	if err != nil {
		return err
	}
	job := &mapJob{segment: segment, display: c.Int("display"), decode: decode}
	if job.display < 0 || job.display > maxDisplay {
		return cliutil.Usagef("--display %d: want 0..%d pixels", job.display, maxDisplay)
	}
	if !segment {
		job.panel = c.Bool("panel")
		job.alpha = c.Float64("alpha")
		if !(job.alpha >= 0 && job.alpha <= 1) {
			return cliutil.Usagef("--alpha %g: want a weight in [0, 1]", job.alpha)
		}
		cm, err := viz.Colormap(c.String("cmap"))
		if err != nil {
			return cliutil.Usagef("--cmap: %v", err)
		}
		job.cmap = cm
	} else {
		sm, err := segMapFlags(c)
		if err != nil {
			return err
		}
		job.seg = sm
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	job.m = m
	if err := job.seg.Validate(m.Cfg); segment && err != nil {
		return cliutil.Usagef("--%v", err)
	}
	if job.panel && m.Cfg.Attention && c.String("cam-model") != "none" {
		cam, _, err := loadModelByName(c.String("cam-model"))
		if err != nil {
			return fmt.Errorf("--cam-model: %w", err)
		}
		if cam.Cfg.Attention {
			return cliutil.Usagef("--cam-model %s: has attention; a CAM needs the baseline (a model trained with --no-attention)", c.String("cam-model"))
		}
		job.cam = cam
	}
	job.decode.WorkBytesPerPixel = lpa.WorkBytesPerPixel(len(m.MapNames()), segment, job.panel, job.cam != nil)
	if len(inputs) == 0 {
		return nil // an empty folder or shard: nothing to do
	}
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	var kinds []cliutil.Output // in the order run writes them
	switch {
	case segment:
		kinds = []cliutil.Output{{Suffix: suffix, Ext: "png"}}
	case job.panel:
		kinds = []cliutil.Output{{Suffix: suffix + "_panel", Ext: "png"}}
	default:
		for _, n := range m.MapNames() {
			kinds = append(kinds, cliutil.Output{Suffix: suffix + "_" + n, Ext: "png"}, cliutil.Output{Suffix: suffix + "_" + n + "_raw", Ext: "png"})
		}
	}
	plan := cliutil.PlanOutputs(outDir, inputs, kinds...)
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	dom := cliutil.NewDomainCheck(m.Cfg.Domain())
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), c.Command.Name)
	workers, _ := cliutil.BatchThreads(threads, len(inputs))
	batch := cliutil.Batch{Tool: c.App.Name, Stderr: c.App.ErrWriter, Printer: pr, Bar: bar, Workers: workers,
		Memory: cliutil.ImageMemory(job.decode), Budget: job.decode.MaxMemory}
	// A worker's tape holds its forward passes (the model's and the CAM
	// model's); the models themselves are only read.
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, autograd.NewInference, func(tape *autograd.Tape, in string) ([]cliutil.Line, error) {
		paths, err := plan.For(in)
		if err != nil {
			return nil, err
		}
		var out atomicfile.Set // the input's pictures appear together or not at all
		defer out.Abort()
		e, err := job.run(tape, &out, in, paths)
		if err != nil {
			return nil, err
		}
		if err := out.Commit(); err != nil {
			return nil, err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "class", Value: e.Class},
			{Key: "name", Value: m.Cfg.ClassName(e.Class)}, {Key: "confidence", Value: e.Probs[e.Class]}}
		inDomain := dom.Field(e.Input.Data)
		switch {
		case segment:
			fields = append(fields, cliutil.Field{Key: "coverage", Value: e.Coverage()})
			if pr.JSON() {
				fields = append(fields, cliutil.Field{Key: "threshold", Value: cliutil.Round(float64(e.Threshold), 4)},
					cliutil.Field{Key: "map", Value: e.MaskOf}, inDomain)
			}
			fields = append(fields, cliutil.Field{Key: "mask", Value: paths[0]})
		case job.panel:
			if pr.JSON() {
				fields = append(fields, cliutil.Field{Key: "probs", Value: e.Probs}, inDomain)
			}
			fields = append(fields, cliutil.Field{Key: "panel", Value: paths[0]})
		default:
			var heat, raw []string
			for i := 0; i < len(paths); i += 2 {
				heat, raw = append(heat, paths[i]), append(raw, paths[i+1])
			}
			if pr.JSON() {
				fields = append(fields, cliutil.Field{Key: "probs", Value: e.Probs}, inDomain,
					cliutil.Field{Key: "heatmaps", Value: heat}, cliutil.Field{Key: "raw", Value: raw})
			} else {
				fields = append(fields, cliutil.Field{Key: "heatmaps", Value: strings.Join(heat, ",")},
					cliutil.Field{Key: "raw", Value: strings.Join(raw, ",")})
			}
		}
		return []cliutil.Line{fields}, nil
	})
	bar.Finish("")
	dom.Warn(c)
	return err
}

// inDomainHelp explains "in_domain" in the help of attend and segment.
const inDomainHelp = `"in_domain" (0..1) says how much the image, as the model sees it, looks
like the model's training images by the statistics of its pixels (mean,
spread, share of black, edges, coarse structure, colour): 1 when each
lies within the range of the training images, falling as the most
unusual one leaves it (0.14 two training standard deviations outside,
0.011 three). Inputs below 0.01 get one warning line on stderr at the end
(unless --quiet). The check catches a white-on-black digit or a grey
scan; a colourful photograph can pass it. A model trained on CIFAR or an
image folder has no reference: in_domain is null.`

// run explains one image on tape and stages its pictures in out.
func (j *mapJob) run(tape *autograd.Tape, out *atomicfile.Set, in string, paths []string) (e *lpa.Explanation, err error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return nil, err
	}
	if e, err = j.m.Explain(tape, img, j.seg); err != nil {
		return nil, err
	}
	save := func(path string, im image.Image) error { return out.Write(path, imageio.PNG(im)) }
	b := img.Bounds()
	zoom := viz.Zoom(b.Dx(), b.Dy(), j.display)
	switch {
	case j.segment:
		g, err := viz.MaskImage(e.Mask, b.Dx(), b.Dy())
		if err != nil {
			return nil, err
		}
		return e, save(paths[0], viz.Enlarge(g, zoom))
	case j.panel:
		var ce *lpa.Explanation
		if j.cam != nil {
			if ce, err = j.cam.Explain(tape, img, lpa.SegMap{}); err != nil {
				return nil, err
			}
		}
		p, err := lpa.Panel(img, j.m, e, j.cam, ce, lpa.PanelOptions{Zoom: zoom, Cmap: j.cmap, Alpha: j.alpha})
		if err != nil {
			return nil, err
		}
		return e, save(paths[0], p)
	}
	big := viz.Enlarge(img, zoom)
	var heat *image.RGBA // one picture of the image's size, reused per map
	for k, a := range e.Maps {
		heat, err = viz.HeatmapInto(heat, big, a, j.cmap, j.alpha)
		if err != nil {
			return nil, err
		}
		if err := save(paths[2*k], heat); err != nil {
			return nil, err
		}
		if err := save(paths[2*k+1], imageio.Gray16FromTensor(j.m.RawMap(e, k))); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// segMapFlags reads --level, --map and --threshold: the map segment and
// eval --segment binarise, and how.
func segMapFlags(c *cli.Context) (lpa.SegMap, error) {
	var sm lpa.SegMap
	if sm.Level = c.Int("level"); sm.Level < 0 || sm.Level > 3 {
		return sm, cliutil.Usagef("--level %d: want 1, 2 or 3", sm.Level)
	}
	switch c.String("map") {
	case "scores":
	case "attention":
		sm.Attention = true
	default:
		return sm, cliutil.Usagef("--map %q: want scores or attention", c.String("map"))
	}
	if t := c.Float64("threshold"); t != 0 {
		if !(t > 0 && t < 1) {
			return sm, cliutil.Usagef("--threshold %g: want a value in (0, 1)", t)
		}
		sm.Threshold = float32(t)
	}
	return sm, nil
}

// thresholdFlag is --threshold of segment and eval --segment.
func thresholdFlag() cli.Flag {
	return &cli.Float64Flag{Name: "threshold", Usage: "binarise the normalised map at `T` in (0, 1) (default: 0.30 for scores, 0.15 for attention weights, 0.85 for a CAM, each chosen on the validation split)"}
}
