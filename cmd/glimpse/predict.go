package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
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
	return &cli.Command{
		Name:      "predict",
		Usage:     "classify images and draw where the model looked",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Runs a glimpse model on each image and prints one line per input:
   path  class  confidence  png  gif
(TSV; with --json an object that also holds the class probabilities and
every glimpse's location, normalised and in canvas pixels).

Each image is converted to gray (BT.601 luma), inverted when it looks like
dark ink on light paper (--invert), scaled with its aspect ratio kept so its
longer side fills the task's canvas (28 px for mnist, 60 or 100 px for the
canvas tasks) and centred on black: the model was trained on white digits on
black. With -o DIR it writes DIR/<name><suffix>.png, the canvas with every
glimpse's patches (one box per scale, numbered in order) and the path, and
DIR/<name><suffix>.gif, one frame per glimpse.

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
	invert  string
	zoom    int
	seed    uint64
	decode  imageio.Options
	tape    *autograd.Tape
	outDir  string
	classes int
}

func runPredict(c *cli.Context) error {
	inv := c.String("invert")
	if inv != "auto" && inv != "yes" && inv != "no" {
		return cliutil.Usagef("--invert %q: want auto, yes or no", inv)
	}
	d := c.Int("display")
	if d < 1 || d > maxDisplay {
		return cliutil.Usagef("--display %d: want 1..%d pixels", d, maxDisplay)
	}
	if c.Int("mc") < 0 || c.Int("mc") > 1000 {
		return cliutil.Usagef("--mc %d: want 0..1000", c.Int("mc"))
	}
	mp := c.Int(cliutil.FlagMaxPixels)
	if mp < 1 {
		return cliutil.Usagef("--max-pixels %d: want a positive pixel count", mp)
	}
	suffix := c.String("suffix")
	if strings.ContainsAny(suffix, `/\`) {
		return cliutil.Usagef("--suffix %q: must not contain a path separator", suffix)
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	outDir := c.String(cliutil.FlagOut)
	var pngs, gifs []outputPlan
	if outDir != "" && len(inputs) > 0 {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return fmt.Errorf("create output folder: %w", err)
		}
		pngs = planOutputs(outDir, inputs, suffix, false)
		gifs = planGIFs(pngs, inputs)
	}
	job := &predictJob{
		m: m, mc: c.Int("mc"), invert: inv, zoom: max(1, d/m.Cfg.Canvas), seed: c.Uint64("seed"),
		decode: imageio.Options{MaxPixels: int64(mp)}, tape: autograd.NewInference(), outDir: outDir,
		classes: m.Cfg.Classes,
	}
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "predict")
	index := make(map[string]int, len(inputs))
	for i, in := range inputs {
		if _, dup := index[in]; !dup {
			index[in] = i
		}
	}
	err = cliutil.ForEach(inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		var png, gif string
		if pngs != nil {
			i := index[in]
			if pngs[i].err != nil {
				return pngs[i].err
			}
			if gifs[i].err != nil {
				return gifs[i].err
			}
			png, gif = pngs[i].retina, gifs[i].retina
		}
		r, err := job.run(in, png, gif)
		if err != nil {
			return err
		}
		if pr.JSON() {
			locs := make([][2]float32, len(r.locs)/2)
			px := make([][2]float32, len(r.locs)/2)
			s := m.Cfg.Canvas
			for t := range locs {
				locs[t] = [2]float32{r.locs[2*t], r.locs[2*t+1]}
				px[t] = [2]float32{float32(ram.Centre(r.locs[2*t], s)), float32(ram.Centre(r.locs[2*t+1], s))}
			}
			return pr.Print(
				cliutil.Field{Key: "path", Value: in}, cliutil.Field{Key: "class", Value: r.class},
				cliutil.Field{Key: "confidence", Value: r.probs[r.class]}, cliutil.Field{Key: "probs", Value: r.probs},
				cliutil.Field{Key: "locations", Value: locs}, cliutil.Field{Key: "locations_px", Value: px},
				cliutil.Field{Key: "png", Value: png}, cliutil.Field{Key: "gif", Value: gif},
			)
		}
		return pr.Print(cliutil.Field{Key: "path", Value: in}, cliutil.Field{Key: "class", Value: r.class},
			cliutil.Field{Key: "confidence", Value: r.probs[r.class]}, cliutil.Field{Key: "png", Value: png},
			cliutil.Field{Key: "gif", Value: gif})
	})
	bar.Finish("")
	return err
}

// planGIFs names the GIF beside each PNG, with the same refusals.
func planGIFs(pngs []outputPlan, inputs []string) []outputPlan {
	guard := newInputGuard(inputs)
	out := make([]outputPlan, len(pngs))
	for i, p := range pngs {
		if p.err != nil {
			out[i].err = p.err
			continue
		}
		g := strings.TrimSuffix(p.retina, ".png") + ".gif"
		if victim := guard.hits(g); victim != "" {
			out[i].err = fmt.Errorf("output %s would overwrite the input %s (choose another -o or --suffix)", g, victim)
			continue
		}
		out[i].retina = g
	}
	return out
}

type prediction struct {
	class int
	probs []float32
	locs  []float32 // glimpse t at (locs[2t], locs[2t+1])
}

func (j *predictJob) run(in, pngPath, gifPath string) (prediction, error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return prediction{}, err
	}
	canvas := toCanvas(imageio.ToTensor(img, true), j.m.Cfg.Canvas, j.invert)
	s := j.m.Cfg.Canvas
	// The path drawn is that of the first (or only) episode.
	rng := rand.New(rand.NewPCG(j.seed, 0))
	policy := ram.Greedy
	if j.mc > 0 {
		policy = ram.Sample
	}
	ep := j.m.Forward(j.tape, canvas.Data, 1, 1, policy, rng)
	var locs []float32
	for _, l := range ep.Locs {
		locs = append(locs, l...)
	}
	j.tape.Reset()
	probs := j.m.Predict(j.tape, canvas.Data, 1, 1, j.mc, rand.New(rand.NewPCG(j.seed, 0)))
	r := prediction{probs: probs, locs: locs}
	for k, p := range probs {
		if p > probs[r.class] {
			r.class = k
		}
	}
	if pngPath == "" {
		return r, nil
	}
	sensor := j.m.Cfg.Sensor()
	base := canvasImage(canvas.Data, s, j.zoom)
	frames := make([]image.Image, 0, len(locs)/2+1)
	for t := 0; t <= len(locs)/2; t++ {
		frames = append(frames, drawPath(base, sensor, s, j.zoom, locs, t, r))
	}
	if err := imageio.SavePNG(pngPath, frames[len(frames)-1]); err != nil {
		return r, err
	}
	delays := make([]int, len(frames))
	for i := range delays {
		delays[i] = 70
	}
	delays[len(delays)-1] = 250
	g, err := viz.BuildGIF(frames, viz.GIFOptions{Delays: delays})
	if err != nil {
		return r, err
	}
	return r, imageio.SaveGIF(gifPath, g)
}

// toCanvas turns a [1,H,W] gray image into the model's S×S input: inverted
// if asked (or if auto finds a light border), scaled so its longer side is
// S with the aspect ratio kept (area averaging when shrinking, bilinear
// when enlarging), centred on black.
func toCanvas(t *tensor.Tensor, s int, invert string) *tensor.Tensor {
	h, w := t.Shape[1], t.Shape[2]
	if invert == "yes" || (invert == "auto" && borderMean(t.Data, h, w) > 0.5) {
		for i, v := range t.Data {
			t.Data[i] = 1 - v
		}
	}
	nh, nw := s, s
	if w > h {
		nh = max(1, (h*s+w/2)/w)
	} else if h > w {
		nw = max(1, (w*s+h/2)/h)
	}
	method := imageio.Bilinear
	if nh < h || nw < w {
		method = imageio.Area
	}
	r := t
	if nh != h || nw != w {
		r = imageio.ResizeTensor(t, nh, nw, method)
	}
	out := tensor.New(1, s, s)
	y0, x0 := (s-nh)/2, (s-nw)/2
	for y := 0; y < nh; y++ {
		copy(out.Data[(y0+y)*s+x0:(y0+y)*s+x0+nw], r.Data[y*nw:(y+1)*nw])
	}
	return out
}

// borderMean is the mean of the outermost pixels: MNIST-style inputs have
// a black border, scans of ink on paper a bright one.
func borderMean(px []float32, h, w int) float64 {
	var s float64
	n := 0
	for x := 0; x < w; x++ {
		s += float64(px[x]) + float64(px[(h-1)*w+x])
		n += 2
	}
	for y := 1; y < h-1; y++ {
		s += float64(px[y*w]) + float64(px[y*w+w-1])
		n += 2
	}
	return s / float64(n)
}

// canvasImage enlarges the S×S canvas zoom times (nearest neighbour).
func canvasImage(px []float32, s, zoom int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, s*zoom, s*zoom))
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			v := to8(px[y*s+x])
			draw.Draw(dst, image.Rect(x*zoom, y*zoom, (x+1)*zoom, (y+1)*zoom), image.NewUniform(color.RGBA{v, v, v, 255}), image.Point{}, draw.Src)
		}
	}
	return dst
}

// drawPath draws glimpses 0..upto-1 on a copy of base: the earlier ones as
// a thin trail, the latest with one box per scale, and, once the path is
// complete (upto == number of glimpses), the predicted class.
func drawPath(base *image.RGBA, sensor ram.Sensor, s, zoom int, locs []float32, upto int, r prediction) *image.RGBA {
	dst := image.NewRGBA(base.Bounds())
	draw.Draw(dst, dst.Bounds(), base, image.Point{}, draw.Src)
	n := len(locs) / 2
	centre := func(t int) (float64, float64) {
		return ram.Centre(locs[2*t], s) * float64(zoom), ram.Centre(locs[2*t+1], s) * float64(zoom)
	}
	for t := 1; t < upto; t++ {
		x0, y0 := centre(t - 1)
		x1, y1 := centre(t)
		viz.Arrow(dst, x0, y0, x1, y1, 1.5, color.RGBA{255, 255, 255, 200})
	}
	if upto > 0 {
		t := upto - 1
		for sc := 0; sc < sensor.Scales; sc++ {
			bx0, by0, bx1, by1 := sensor.Box(s, s, locs[2*t], locs[2*t+1], sc)
			rect := image.Rect(bx0*zoom, by0*zoom, bx1*zoom, by1*zoom)
			viz.Rect(dst, rect, scaleColours[sc%len(scaleColours)], 2)
		}
	}
	for t := 0; t < upto; t++ {
		x, y := centre(t)
		viz.Marker(dst, x, y, t+1, scaleColours[0])
	}
	label := fmt.Sprintf("glimpse %d/%d", upto, n)
	if upto == n {
		label = fmt.Sprintf("class %d  p=%.2f", r.class, r.probs[r.class])
	}
	viz.Label(dst, 4, 4, label, color.White, color.RGBA{0, 0, 0, 200})
	return dst
}
