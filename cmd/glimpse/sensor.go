package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/urfave/cli/v2"
)

// maxDisplay limits the display flags: generous for any screen, small
// enough that a typo cannot ask for a gigapixel PNG.
const maxDisplay = 2048

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

// parseAt reads "center", "centre" or "X,Y". Normalised values must lie
// in [-1,1]; pixel values must be non-negative (whether they fall inside
// the image is checked per image).
func parseAt(s string, px bool) (ram.Point, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "center", "centre", "c":
		return ram.Point{Centre: true, Pixels: px}, nil
	}
	xs, ys, ok := strings.Cut(s, ",")
	if !ok {
		return ram.Point{}, cliutil.Usagef("--at %q: want X,Y (e.g. 0,0 or -0.5,0.25) or 'center'", s)
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return ram.Point{}, cliutil.Usagef("--at %q: want two numbers X,Y", s)
	}
	if px {
		if x < 0 || y < 0 {
			return ram.Point{}, cliutil.Usagef("--at %q with --px: pixel coordinates cannot be negative", s)
		}
	} else if x < -1 || x > 1 || y < -1 || y > 1 {
		return ram.Point{}, cliutil.Usagef("--at %q: normalised coordinates lie in [-1,1] (use --px for pixels)", s)
	}
	return ram.Point{X: x, Y: y, Pixels: px}, nil
}

// sensorJob is everything one run needs, parsed and checked once.
type sensorJob struct {
	at      ram.Point
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
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	kinds := []cliutil.Output{{Suffix: suffix, Ext: "png"}}
	if job.overlay {
		kinds = append(kinds, cliutil.Output{Suffix: suffix + "_overlay", Ext: "png"})
	}
	plan := cliutil.PlanOutputs(outDir, inputs, kinds...)
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "sensor")
	err = cliutil.ForEach(cliutil.Interruptible(c), inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		paths, err := plan.For(in)
		if err != nil {
			return err
		}
		overlay := ""
		if job.overlay {
			overlay = paths[1]
		}
		var out atomicfile.Set // the retina and the overlay appear together or not at all
		defer out.Abort()
		r, err := job.run(&out, in, paths[0], overlay)
		if err != nil {
			return err
		}
		if err := out.Commit(); err != nil {
			return err
		}
		fields := []cliutil.Field{{Key: "path", Value: in}, {Key: "x", Value: r.cx}, {Key: "y", Value: r.cy},
			{Key: "lx", Value: r.lx}, {Key: "ly", Value: r.ly}, {Key: "out", Value: paths[0]}}
		if job.overlay {
			fields = append(fields, cliutil.Field{Key: "overlay", Value: overlay})
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
	// The sensor reads the image at full resolution: a float copy of it,
	// and the overlay drawn at its size.
	work := int64(imageio.FloatRGBBytes)
	if c.Bool("overlay") {
		work += imageio.RGBABytes
	}
	decode, err := cliutil.DecodeOptions(c, work)
	if err != nil {
		return nil, err
	}
	return &sensorJob{
		at:      at,
		sensor:  s,
		zoom:    max(1, d/s.Patch),
		gray:    c.Bool("gray"),
		overlay: c.Bool("overlay"),
		decode:  decode,
	}, nil
}

// sensorResult is what one input's line reports.
type sensorResult struct {
	cx, cy float64 // location in pixels
	lx, ly float32 // location in [-1,1]
}

// run reads one image, extracts its retina and stages the pictures in out.
func (j *sensorJob) run(out *atomicfile.Set, in, retinaPath, overlayPath string) (sensorResult, error) {
	img, err := imageio.Open(in, j.decode)
	if err != nil {
		return sensorResult{}, err
	}
	t := imageio.ToTensor(img, j.gray || imageio.IsGray(img))
	ch, h, w := t.Shape[0], t.Shape[1], t.Shape[2]
	lx, ly, err := j.at.Resolve(w, h)
	if err != nil {
		return sensorResult{}, fmt.Errorf("--at: %w", err)
	}
	glimpse := make([]float32, ch*j.sensor.Size())
	j.sensor.Extract(glimpse, t.Data, ch, h, w, lx, ly)
	if err := out.Write(retinaPath, imageio.PNG(ram.RetinaImage(glimpse, ch, j.sensor, j.zoom))); err != nil {
		return sensorResult{}, err
	}
	if overlayPath != "" {
		if err := out.Write(overlayPath, imageio.PNG(ram.SensorOverlay(img, j.sensor, lx, ly))); err != nil {
			return sensorResult{}, err
		}
	}
	return sensorResult{cx: ram.Centre(lx, w), cy: ram.Centre(ly, h), lx: lx, ly: ly}, nil
}
