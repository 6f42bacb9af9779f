package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/viz"
	"github.com/urfave/cli/v2"
)

// Limits on the display flags: generous for any screen, small enough that
// a typo cannot ask for a gigapixel PNG.
const (
	maxDisplay   = 2048
	separatorPx  = 2   // gap between two scales in the retina PNG
	overlayMinPx = 256 // small images are enlarged to at least this for the overlay
)

// separatorGray is the colour of the gap between scales: mid-gray reads as
// "not image" against both the black zero padding and bright content.
const separatorGray = 128

func sensorCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "at", Value: "center", Usage: "glimpse location `X,Y`: normalised to [-1,1] (0,0 is the centre), pixels with --px, or 'center'"},
		&cli.BoolFlag{Name: "px", Usage: "read --at as pixel coordinates: 0,0 is the top-left corner of the image, W,H the bottom-right"},
		&cli.IntFlag{Name: "patch", Aliases: []string{"g"}, Value: 12, Usage: "side `G` of the first patch and of every output patch, in pixels"},
		&cli.IntFlag{Name: "scales", Aliases: []string{"k"}, Value: 3, Usage: "number `K` of patches; each is twice as wide as the one before"},
		&cli.IntFlag{Name: "display", Value: 128, Usage: "show each scale about `PX` pixels wide (nearest-neighbour, a whole multiple of G)"},
		&cli.BoolFlag{Name: "gray", Usage: "convert colour images to gray (BT.601 luma) before extracting"},
		&cli.BoolFlag{Name: "overlay", Usage: "also write <name><suffix>_overlay.png: the patch boxes drawn on the image"},
		&cli.StringFlag{Name: "suffix", Value: "_glimpse", Usage: "appended to each input's name to name its output `SUFFIX`"},
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	return &cli.Command{
		Name:      "sensor",
		Usage:     "write the retina the glimpse sensor sees at one location, one PNG per input",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Extracts K square patches centred on one location, the first GxG pixels
wide and each next one twice as wide, each reduced to GxG by averaging
(Mnih et al. 2014, section 3), and writes them side by side as
DIR/<name><suffix>.png, scale 1 on the left, each enlarged to about
--display pixels so the pixels stay visible. Colour images keep their
colour, gray ones stay gray; pixels outside the image read as zero (black).

Inputs are image files (png, jpeg, gif, bmp, tiff, webp), folders (their
images, sorted; -r for subfolders) or '-' to read paths from stdin.
stdout gets one line per input:
   path  x  y  lx  ly  output [overlay]
(TSV; with --json one object per line), where x,y are the location in
pixels and lx,ly in [-1,1]. A file that cannot be read gets one line on
stderr and the others are still processed (exit code 1). Outputs are
written atomically and never replace an input.

Examples:
   glimpse sensor photo.jpg --at center --patch 12 --scales 3 -o out/
   glimpse sensor --at -0.5,0.25 --overlay -o out/ photos/
   glimpse sensor --px --at 120,80 --display 256 -o out/ photo.png
   ls *.png | glimpse sensor --json -o out/ -`,
		Flags:  flags,
		Action: runSensor,
	}
}

// location is a parsed --at value.
type location struct {
	x, y   float64 // normalised [-1,1], or pixels when px is set
	px     bool
	centre bool
}

// parseAt reads "center", "centre" or "X,Y". Normalised values must lie
// in [-1,1]; pixel values must be non-negative (whether they fall inside
// the image is checked per image).
func parseAt(s string, px bool) (location, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "center", "centre", "c":
		return location{centre: true, px: px}, nil
	}
	xs, ys, ok := strings.Cut(s, ",")
	if !ok {
		return location{}, cliutil.Usagef("--at %q: want X,Y (e.g. 0,0 or -0.5,0.25) or 'center'", s)
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return location{}, cliutil.Usagef("--at %q: want two numbers X,Y", s)
	}
	if px {
		if x < 0 || y < 0 {
			return location{}, cliutil.Usagef("--at %q with --px: pixel coordinates cannot be negative", s)
		}
	} else if x < -1 || x > 1 || y < -1 || y > 1 {
		return location{}, cliutil.Usagef("--at %q: normalised coordinates lie in [-1,1] (use --px for pixels)", s)
	}
	return location{x: x, y: y, px: px}, nil
}

// resolve returns the location on a w×h image in both systems: pixels
// (cx, cy) and normalised (lx, ly).
func (l location) resolve(w, h int) (cx, cy float64, lx, ly float32, err error) {
	switch {
	case l.centre:
		lx, ly = 0, 0
	case l.px:
		if l.x > float64(w) || l.y > float64(h) {
			return 0, 0, 0, 0, fmt.Errorf("--at %g,%g is outside the %dx%d image", l.x, l.y, w, h)
		}
		lx, ly = ram.Location(l.x, w), ram.Location(l.y, h)
	default:
		lx, ly = float32(l.x), float32(l.y)
	}
	return ram.Centre(lx, w), ram.Centre(ly, h), lx, ly, nil
}

// sensorJob is everything one run needs, parsed and checked once.
type sensorJob struct {
	at      location
	sensor  ram.Sensor
	zoom    int // display pixels per retina pixel
	gray    bool
	overlay bool
	decode  imageio.Options
}

func runSensor(c *cli.Context) error {
	job, err := parseSensorFlags(c)
	if err != nil {
		return err
	}
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("sensor: missing -o DIR (the folder to write the retina PNGs to)")
	}
	suffix := c.String("suffix")
	if strings.ContainsAny(suffix, `/\`) {
		return cliutil.Usagef("--suffix %q: must not contain a path separator", suffix)
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return nil // an empty folder or an empty shard: nothing to do
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	outs := planOutputs(outDir, inputs, suffix, job.overlay)
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "sensor")
	index := make(map[string]int, len(inputs))
	for i, in := range inputs {
		if _, dup := index[in]; !dup {
			index[in] = i
		}
	}
	err = cliutil.ForEach(inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		o := outs[index[in]]
		if o.err != nil {
			return o.err
		}
		r, err := job.run(in, o.retina, o.overlay)
		if err != nil {
			return err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "x", Value: r.cx}, {Key: "y", Value: r.cy},
			{Key: "lx", Value: r.lx}, {Key: "ly", Value: r.ly}, {Key: "out", Value: o.retina}}
		if job.overlay {
			fields = append(fields, cliutil.Field{Key: "overlay", Value: o.overlay})
		}
		return pr.Print(fields...)
	})
	bar.Finish("")
	return err
}

func parseSensorFlags(c *cli.Context) (*sensorJob, error) {
	at, err := parseAt(c.String("at"), c.Bool("px"))
	if err != nil {
		return nil, err
	}
	s := ram.Sensor{Patch: c.Int("patch"), Scales: c.Int("scales")}
	if err := s.Validate(); err != nil {
		return nil, cliutil.Usagef("--patch/--scales: %v", err)
	}
	d := c.Int("display")
	if d < 1 || d > maxDisplay {
		return nil, cliutil.Usagef("--display %d: want 1..%d pixels", d, maxDisplay)
	}
	if s.Scales*max(d, s.Patch) > 16384 {
		return nil, cliutil.Usagef("--display %d with %d scales makes a retina image too wide; lower --display", d, s.Scales)
	}
	mp := c.Int(cliutil.FlagMaxPixels)
	if mp < 1 {
		return nil, cliutil.Usagef("--max-pixels %d: want a positive pixel count", mp)
	}
	return &sensorJob{
		at:      at,
		sensor:  s,
		zoom:    max(1, d/s.Patch),
		gray:    c.Bool("gray"),
		overlay: c.Bool("overlay"),
		decode:  imageio.Options{MaxPixels: int64(mp)},
	}, nil
}

// outputPlan holds one input's artifact names, or why it has none.
type outputPlan struct {
	retina, overlay string
	err             error
}

// planOutputs names every input's artifacts before anything is written:
// the shared OutputPath rule, hashed names for inputs whose base names
// collide, and a refusal (per input) for any name that is itself one of
// the inputs, so a run with -o pointing into an input folder can never
// replace a picture it was asked to read.
func planOutputs(outDir string, inputs []string, suffix string, overlay bool) []outputPlan {
	plain := make([]string, len(inputs))
	owners := map[string]map[string]bool{} // folded name -> distinct inputs
	for i, in := range inputs {
		p, err := imageio.OutputPath(outDir, in, suffix, "png")
		if err != nil {
			continue
		}
		plain[i] = strings.ToLower(p)
		if owners[plain[i]] == nil {
			owners[plain[i]] = map[string]bool{}
		}
		owners[plain[i]][filepath.Clean(in)] = true
	}
	guard := newInputGuard(inputs)
	plans := make([]outputPlan, len(inputs))
	for i, in := range inputs {
		name := imageio.OutputPath
		if len(owners[plain[i]]) > 1 {
			name = imageio.HashedOutputPath
		}
		var p outputPlan
		p.retina, p.err = name(outDir, in, suffix, "png")
		if p.err == nil && overlay {
			p.overlay, p.err = name(outDir, in, suffix+"_overlay", "png")
		}
		for _, o := range []string{p.retina, p.overlay} {
			if p.err == nil && o != "" {
				if victim := guard.hits(o); victim != "" {
					p.err = fmt.Errorf("output %s would overwrite the input %s (choose another -o or --suffix)", o, victim)
				}
			}
		}
		plans[i] = p
	}
	return plans
}

// inputGuard answers "is this path one of the inputs?", by cleaned
// absolute path and, for files that exist, by identity on disk (links,
// case-insensitive file systems).
type inputGuard struct {
	abs    map[string]string   // absolute path -> input as given
	byBase map[string][]string // lower-case base name -> inputs
}

func newInputGuard(inputs []string) *inputGuard {
	g := &inputGuard{abs: map[string]string{}, byBase: map[string][]string{}}
	for _, in := range inputs {
		if a, err := filepath.Abs(in); err == nil {
			g.abs[a] = in
		}
		b := strings.ToLower(filepath.Base(in))
		g.byBase[b] = append(g.byBase[b], in)
	}
	return g
}

// hits returns the input that path would overwrite, or "".
func (g *inputGuard) hits(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		if in, ok := g.abs[a]; ok {
			return in
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return "" // nothing there yet, so nothing to overwrite
	}
	for _, in := range g.byBase[strings.ToLower(filepath.Base(path))] {
		if si, err := os.Stat(in); err == nil && os.SameFile(st, si) {
			return in
		}
	}
	return ""
}

// sensorResult is what one input's line reports.
type sensorResult struct {
	cx, cy float64 // location in pixels
	lx, ly float32 // location in [-1,1]
}

// run reads one image, extracts its retina and writes the artifacts.
func (j *sensorJob) run(in, retinaPath, overlayPath string) (sensorResult, error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return sensorResult{}, err
	}
	gray := j.gray || isGray(img)
	t := imageio.ToTensor(img, gray)
	ch, h, w := t.Shape[0], t.Shape[1], t.Shape[2]
	cx, cy, lx, ly, err := j.at.resolve(w, h)
	if err != nil {
		return sensorResult{}, err
	}
	glimpse := make([]float32, ch*j.sensor.Size())
	j.sensor.Extract(glimpse, t.Data, ch, h, w, lx, ly)
	if err := imageio.SavePNG(retinaPath, retinaImage(glimpse, ch, j.sensor, j.zoom)); err != nil {
		return sensorResult{}, err
	}
	if overlayPath != "" {
		if err := imageio.SavePNG(overlayPath, overlayImage(img, j.sensor, lx, ly)); err != nil {
			return sensorResult{}, err
		}
	}
	return sensorResult{cx: cx, cy: cy, lx: lx, ly: ly}, nil
}

// isGray reports whether an image has no colour to keep.
func isGray(img image.Image) bool {
	m := img.ColorModel()
	return m == color.GrayModel || m == color.Gray16Model
}

// retinaImage lays the K scales of a glimpse ([K][C][G][G], values in
// [0,1]) side by side, each enlarged zoom times by repeating pixels (so the
// sensor's own resolution stays visible), with a mid-gray gap between
// scales. One channel gives a gray PNG, three a colour one.
func retinaImage(glimpse []float32, ch int, s ram.Sensor, zoom int) image.Image {
	g := s.Patch
	tile := g * zoom
	w := s.Scales*tile + (s.Scales-1)*separatorPx
	var dst draw.Image
	if ch == 1 {
		dst = image.NewGray(image.Rect(0, 0, w, tile))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, tile))
	}
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.Gray{separatorGray}), image.Point{}, draw.Src)
	for sc := 0; sc < s.Scales; sc++ {
		x0 := sc * (tile + separatorPx)
		for i := 0; i < g; i++ {
			for j := 0; j < g; j++ {
				var c color.Color
				at := func(k int) uint8 { return to8(glimpse[((sc*ch+k)*g+i)*g+j]) }
				if ch == 1 {
					c = color.Gray{at(0)}
				} else {
					c = color.RGBA{at(0), at(1), at(2), 255}
				}
				r := image.Rect(x0+j*zoom, i*zoom, x0+(j+1)*zoom, (i+1)*zoom)
				draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
			}
		}
	}
	return dst
}

// to8 maps [0,1] to 0..255, clamping and rounding; NaN gives 0.
func to8(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// scaleColours are the box colours of the overlay, finest scale first:
// distinct hues that stay visible on photos and on black MNIST canvases.
var scaleColours = []color.RGBA{
	{255, 64, 64, 255}, {255, 200, 0, 255}, {64, 220, 64, 255}, {0, 200, 255, 255},
	{80, 110, 255, 255}, {220, 80, 255, 255}, {255, 140, 200, 255}, {255, 255, 255, 255},
}

// overlayImage draws the sensor's patch boxes on the image. The canvas
// grows to hold boxes that reach past the image (dark gray there: the
// sensor reads zeros), and small images are enlarged by a whole factor so
// the boxes stay readable.
func overlayImage(img image.Image, s ram.Sensor, lx, ly float32) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	canvas := image.Rect(0, 0, w, h)
	boxes := make([]image.Rectangle, s.Scales)
	for sc := range boxes {
		x0, y0, x1, y1 := s.Box(w, h, lx, ly, sc)
		boxes[sc] = image.Rect(x0, y0, x1, y1)
		canvas = canvas.Union(boxes[sc])
	}
	zoom := 1
	if side := max(canvas.Dx(), canvas.Dy()); side < overlayMinPx {
		zoom = (overlayMinPx + side - 1) / side
	}
	dst := image.NewRGBA(image.Rect(0, 0, canvas.Dx()*zoom, canvas.Dy()*zoom))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.RGBA{48, 48, 48, 255}), image.Point{}, draw.Src)
	off := image.Pt(-canvas.Min.X, -canvas.Min.Y)
	// Black first, so transparent pixels show as the sensor sees them
	// (ToTensor composites alpha over black).
	imgRect := image.Rect(off.X*zoom, off.Y*zoom, (off.X+w)*zoom, (off.Y+h)*zoom)
	draw.Draw(dst, imgRect, image.NewUniform(color.Black), image.Point{}, draw.Src)
	if zoom == 1 {
		draw.Draw(dst, imgRect, img, b.Min, draw.Over)
	} else {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r := image.Rect((off.X+x)*zoom, (off.Y+y)*zoom, (off.X+x+1)*zoom, (off.Y+y+1)*zoom)
				draw.Draw(dst, r, image.NewUniform(img.At(b.Min.X+x, b.Min.Y+y)), image.Point{}, draw.Over)
			}
		}
	}
	lw := max(1, max(dst.Bounds().Dx(), dst.Bounds().Dy())/300)
	for sc := s.Scales - 1; sc >= 0; sc-- {
		r := boxes[sc].Add(off)
		r = image.Rect(r.Min.X*zoom, r.Min.Y*zoom, r.Max.X*zoom, r.Max.Y*zoom)
		viz.Rect(dst, r, scaleColours[sc%len(scaleColours)], lw)
	}
	cx := (ram.Centre(lx, w) + float64(off.X)) * float64(zoom)
	cy := (ram.Centre(ly, h) + float64(off.Y)) * float64(zoom)
	viz.Disc(dst, cx-0.5, cy-0.5, float64(lw)+1.5, scaleColours[0])
	return dst
}
