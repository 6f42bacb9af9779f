package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
	"github.com/urfave/cli/v2"
)

func attendCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.Float64Flag{Name: "alpha", Value: viz.DefaultAlpha, Usage: "heatmap weight in the blend: (1-ALPHA)*image + ALPHA*heatmap"},
		&cli.StringFlag{Name: "cmap", Value: "jet", Usage: "colormap of the heatmaps: " + strings.Join(viz.Names(), ", ")},
		&cli.StringFlag{Name: "suffix", Value: "_attn", Usage: "appended to each input's name to name its outputs `SUFFIX`"},
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	return &cli.Command{
		Name:      "attend",
		Usage:     "classify images and write each attention level's map over the image",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Runs the model on each image (squeezed to the model's input size, RGB) and
prints one line per input:
   path  class  name  confidence  heatmaps  raw
(TSV, the file lists comma-separated; with --json an object that also
holds the class probabilities). For every attention level L it writes
   DIR/<name><suffix>_levelL.png      the map upsampled bilinearly to the
                                      image's full size, min-max normalised,
                                      coloured and blended over the image:
                                      0.6*image + 0.4*heatmap by default
   DIR/<name><suffix>_levelL_raw.png  the attention weights themselves on
                                      the level's grid, 16-bit gray, 0..1
                                      mapped to 0..65535 (not stretched)
The baseline has one map, its class activation map (CAM) of the predicted
class: <name><suffix>_cam.png and _cam_raw.png (min-max normalised, since a
CAM has no fixed range). An input that cannot be read gets one line on
stderr, no output file, and the others are still processed (exit 1).

Examples:
   lpa attend photo.jpg -o out/
   lpa attend --model baseline -o out/ digits/
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
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
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
DIR/<name><suffix>.png, white on black at the input's size, and prints one
line per input:
   path  class  name  confidence  coverage  mask
(coverage is the fraction of pixels in the mask; --json for objects).

Examples:
   lpa segment photo.jpg -o masks/
   lpa segment --model baseline --json -o masks/ digits/`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runMaps(c, true) },
	}
}

// mapJob is one run of attend or segment, parsed and checked once.
type mapJob struct {
	m       *lpa.Model
	segment bool
	seg     lpa.SegMap // what segment binarises
	cmap    *viz.Map
	alpha   float64
	decode  imageio.Options
	tape    *autograd.Tape
	names   []string // map names (level1.., cam)
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
	mp := c.Int(cliutil.FlagMaxPixels)
	if mp < 1 {
		return cliutil.Usagef("--max-pixels %d: want a positive pixel count", mp)
	}
	job := &mapJob{segment: segment, decode: imageio.Options{MaxPixels: int64(mp)}, tape: autograd.NewInference()}
	if !segment {
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
	job.m, job.names = m, m.MapNames()
	if err := job.seg.Validate(m.Cfg); segment && err != nil {
		return cliutil.Usagef("--%v", err)
	}
	if len(inputs) == 0 {
		return nil // an empty folder or shard: nothing to do
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	var kinds []string // output name suffixes, in order
	if segment {
		kinds = []string{suffix}
	} else {
		for _, n := range job.names {
			kinds = append(kinds, suffix+"_"+n, suffix+"_"+n+"_raw")
		}
	}
	plans := planOutputs(outDir, inputs, kinds)
	index := make(map[string]int, len(inputs))
	for i, in := range inputs {
		if _, dup := index[in]; !dup {
			index[in] = i
		}
	}
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), c.Command.Name)
	err = cliutil.ForEach(inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		p := plans[index[in]]
		if p.err != nil {
			return p.err
		}
		r, err := job.run(in, p.paths)
		if err != nil {
			return err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "class", Value: r.class},
			{Key: "name", Value: className(m, r.class)}, {Key: "confidence", Value: r.probs[r.class]}}
		if segment {
			fields = append(fields, cliutil.Field{Key: "coverage", Value: r.coverage}, cliutil.Field{Key: "mask", Value: p.paths[0]})
		} else {
			var heat, raw []string
			for i := 0; i < len(p.paths); i += 2 {
				heat, raw = append(heat, p.paths[i]), append(raw, p.paths[i+1])
			}
			if pr.JSON() {
				fields = append(fields, cliutil.Field{Key: "probs", Value: r.probs},
					cliutil.Field{Key: "heatmaps", Value: heat}, cliutil.Field{Key: "raw", Value: raw})
			} else {
				fields = append(fields, cliutil.Field{Key: "heatmaps", Value: strings.Join(heat, ",")},
					cliutil.Field{Key: "raw", Value: strings.Join(raw, ",")})
			}
		}
		return pr.Print(fields...)
	})
	bar.Finish("")
	return err
}

// mapResult is one input's prediction.
type mapResult struct {
	class    int
	probs    []float32
	coverage float64
}

// run classifies one image and writes its outputs; on any failure it
// removes what it already wrote, so a failed input leaves no file.
func (j *mapJob) run(in string, paths []string) (r mapResult, err error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return r, err
	}
	S := j.m.Cfg.Side
	x := lpa.Resize(imageio.ToTensor(img, false), S)
	out := j.m.Forward(j.tape, j.tape.Const(x.Reshape(1, 3, S, S)))
	defer j.tape.Reset()
	r.probs = softmax(out.Logits.Value.Data)
	for k, p := range r.probs {
		if p > r.probs[r.class] {
			r.class = k
		}
	}
	maps, err := j.m.Maps(out, 0, r.class)
	if err != nil {
		return r, err
	}
	var written []string
	defer func() {
		if err != nil {
			for _, p := range written {
				os.Remove(p)
			}
		}
	}()
	save := func(path string, im image.Image) error {
		if err := imageio.SavePNG(path, im); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	b := img.Bounds()
	if j.segment {
		mp, err := j.m.SegmentMap(out, 0, r.class, j.seg)
		if err != nil {
			return r, err
		}
		mask, err := lpa.Binarise(mp, b.Dy(), b.Dx(), j.seg.ThresholdFor(j.m.Cfg))
		if err != nil {
			return r, err
		}
		g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		n := 0
		for i, on := range mask {
			if on {
				g.Pix[i], n = 255, n+1
			}
		}
		r.coverage = float64(n) / float64(len(mask))
		return r, save(paths[0], g)
	}
	for i, a := range maps {
		heat, err := viz.Heatmap(img, a, j.cmap, j.alpha)
		if err != nil {
			return r, err
		}
		if err := save(paths[2*i], heat); err != nil {
			return r, err
		}
		raw := a
		if !j.m.Cfg.Attention {
			raw = minMax(a)
		}
		if err := save(paths[2*i+1], imageio.Gray16FromTensor(raw)); err != nil {
			return r, err
		}
	}
	return r, nil
}

// softmax of one row of logits.
func softmax(z []float32) []float32 {
	t := tensor.FromData(append([]float32(nil), z...), 1, len(z))
	tensor.Softmax(t, t, 1)
	return t.Data
}

// minMax stretches a map to [0, 1] (a constant map becomes 0).
func minMax(a *tensor.Tensor) *tensor.Tensor {
	lo, hi := a.Data[0], a.Data[0]
	for _, v := range a.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	out := tensor.New(a.Shape...)
	if hi > lo {
		for i, v := range a.Data {
			out.Data[i] = (v - lo) / (hi - lo)
		}
	}
	return out
}

// outputPlan holds one input's artifact paths, or why it has none.
type outputPlan struct {
	paths []string
	err   error
}

// planOutputs names every input's artifacts before anything is written,
// with the shared OutputPath rule, hashed names where base names collide,
// and a refusal for any name that is one of the inputs.
func planOutputs(outDir string, inputs []string, suffixes []string) []outputPlan {
	owners := map[string]map[string]bool{}
	plain := make([]string, len(inputs))
	for i, in := range inputs {
		p, err := imageio.OutputPath(outDir, in, suffixes[0], "png")
		if err != nil {
			continue
		}
		plain[i] = strings.ToLower(p)
		if owners[plain[i]] == nil {
			owners[plain[i]] = map[string]bool{}
		}
		owners[plain[i]][filepath.Clean(in)] = true
	}
	abs := map[string]string{}
	for _, in := range inputs {
		if a, err := filepath.Abs(in); err == nil {
			abs[a] = in
		}
	}
	plans := make([]outputPlan, len(inputs))
	for i, in := range inputs {
		name := imageio.OutputPath
		if len(owners[plain[i]]) > 1 {
			name = imageio.HashedOutputPath
		}
		for _, s := range suffixes {
			p, err := name(outDir, in, s, "png")
			if err == nil {
				if a, e := filepath.Abs(p); e == nil && abs[a] != "" {
					err = fmt.Errorf("output %s would overwrite the input %s (choose another -o or --suffix)", p, abs[a])
				}
			}
			if err != nil {
				plans[i] = outputPlan{err: err}
				break
			}
			plans[i].paths = append(plans[i].paths, p)
		}
	}
	return plans
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
