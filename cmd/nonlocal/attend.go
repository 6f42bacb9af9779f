package main

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/attnkit/attn/pkg/vec"
	"github.com/attnkit/attn/pkg/viz"
	"github.com/urfave/cli/v2"
)

func attendCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.GenericFlag{Name: "at", Value: &rawList{}, Usage: "query point `x,y[,t]` in the input's pixels (t: frame of a clip, default 0); repeat for more"},
		&cli.IntFlag{Name: "queries", Value: 3, Usage: "without --at: this many queries where the block responds most"},
		&cli.IntFlag{Name: "top", Value: 20, Usage: "arrows per query, to the highest-weighted positions"},
		&cli.IntFlag{Name: "block", Value: 0, Usage: "which non-local block, 1 = the first (0: the last)"},
		&cli.IntFlag{Name: "zoom", Value: 8, Usage: "enlarge the model-resolution pictures this many times"},
		&cli.IntFlag{Name: cliutil.FlagMaxPixels, Value: 64_000_000, Usage: "refuse pictures with more pixels than this"},
		cliutil.MaxMemoryFlag(),
		&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the pictures under `DIR`"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "attend",
		Usage:     "draw arrows from query points to the positions a non-local block weighs most",
		ArgsUsage: "IMG|CLIP ...",
		Description: `For each query point, draws arrows to the --top positions with the highest
weights f(x_i, x_j)/C(x) of a non-local block, as the paper's figures do;
over spacetime the arrows reach into other frames. Queries are the --at
points, or the --queries positions where the block changes its input most.
The pictures show the input as the model sees it (grey, resized), enlarged
--zoom times; arrows are thicker for larger weights.

An image gives DIR/<name>_arrows.png; a clip (a folder of frames or an
animated GIF) gives DIR/<name>_arrows.png, a filmstrip with the arrows
across frames, and DIR/<name>_arrows.gif, one frame at a time. One line per
input:
   input  class  png  gif
(NDJSON with --json). An input that cannot be read prints one line on
stderr and the exit code is 1; the others still run.

Examples:
   nonlocal render --count 2 -o clips/ && nonlocal attend --model nl.safetensors -o out/ clips/*.gif
   nonlocal attend --model nl.safetensors --at 12,20,5 -o out/ frames/`,
		Flags:  flags,
		Action: runAttend,
	}
}

// rawList collects the values of a repeated flag as given: unlike a
// string-slice flag it does not split them at commas, which --at uses
// inside one point.
type rawList struct{ vals []string }

func (l *rawList) Set(v string) error { l.vals = append(l.vals, v); return nil }
func (l *rawList) String() string     { return strings.Join(l.vals, " ") }

// parseAt reads --at points "x,y" or "x,y,t".
func parseAt(vals []string) ([]nonlocal.Point, error) {
	var pts []nonlocal.Point
	for _, v := range vals {
		parts := strings.Split(v, ",")
		if len(parts) != 2 && len(parts) != 3 {
			return nil, cliutil.Usagef("--at %q: want x,y or x,y,t", v)
		}
		var nums [3]float64
		for i, s := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || f < 0 {
				return nil, cliutil.Usagef("--at %q: want non-negative numbers x,y[,t]", v)
			}
			nums[i] = f
		}
		if nums[2] != float64(int(nums[2])) {
			return nil, cliutil.Usagef("--at %q: the frame t is a whole number", v)
		}
		pts = append(pts, nonlocal.Point{T: int(nums[2]), X: nums[0], Y: nums[1]})
	}
	return pts, nil
}

func runAttend(c *cli.Context) error {
	dir := c.String(cliutil.FlagOut)
	if dir == "" {
		return cliutil.Usagef("attend: missing -o DIR")
	}
	at, err := parseAt(c.Generic("at").(*rawList).vals)
	if err != nil {
		return err
	}
	if c.Int("queries") < 1 || c.Int("top") < 1 || c.Int("zoom") < 1 || c.Int("zoom") > 64 || c.Int("block") < 0 {
		return cliutil.Usagef("--queries and --top must be at least 1, --zoom 1..64, --block not negative")
	}
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
	m, mname, err := loadModel(c)
	if err != nil {
		return err
	}
	if m.Cfg.Blocks == 0 {
		return cliutil.ModelErr(fmt.Errorf("%s (%s) has no non-local block to draw", mname, m.Cfg.Name()))
	}
	site := c.Int("block") - 1
	if site < 0 {
		site = m.Cfg.Blocks - 1
	}
	if site >= m.Cfg.Blocks {
		return cliutil.Usagef("--block %d: %s has %d", site+1, mname, m.Cfg.Blocks)
	}
	inputs, err := modelInputs(c, m)
	if err != nil {
		return err
	}
	outs := []cliutil.Output{{Suffix: "_arrows", Ext: "png"}}
	if m.Cfg.Clip() {
		outs = append(outs, cliutil.Output{Suffix: "_arrows", Ext: "gif"})
	}
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	plan := cliutil.PlanOutputs(dir, inputs, outs...)
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	zoom := c.Int("zoom")
	batch, each := inputBatch(c, m, threads, len(inputs), p, opt)
	// Each input gets its own tape below: a worker needs no state.
	return cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, cliutil.NoState, func(_ struct{}, path string) ([]cliutil.Line, error) {
		paths, err := plan.For(path)
		if err != nil {
			return nil, err
		}
		frames, err := readPictures(m, path, opt)
		if err != nil {
			return nil, err
		}
		x, err := m.Input(frames)
		if err != nil {
			return nil, err
		}
		tp := autograd.NewInference()
		out := m.Forward(tp, tp.Const(tp.View(x, append([]int{1}, m.InputShape()...)...)))
		class := vec.Argmax(out.Logits.Value.Data)
		var queries []nonlocal.Point
		if len(at) > 0 {
			b := frames[0].Bounds()
			for _, q := range at {
				if q.T >= len(frames) || q.X >= float64(b.Dx()) || q.Y >= float64(b.Dy()) {
					return nil, fmt.Errorf("--at %g,%g,%d lies outside the %dx%d input of %d frames", q.X, q.Y, q.T, b.Dx(), b.Dy(), len(frames))
				}
				queries = append(queries, m.MapPoint(q, b.Dx(), b.Dy(), len(frames)))
			}
		} else if queries, err = m.TopQueries(out, site, 0, c.Int("queries")); err != nil {
			return nil, err
		}
		var qls []nonlocal.QueryLinks
		for _, q := range queries {
			links, err := m.Links(out, site, 0, q, c.Int("top"))
			if err != nil {
				return nil, err
			}
			qls = append(qls, nonlocal.QueryLinks{Query: q, Links: links})
		}
		pics := m.Frames(x)
		fields := []cliutil.Field{{Key: "input", Value: path}, {Key: "class", Value: class}, {Key: "png", Value: paths[0]}}
		var w atomicfile.Set // a clip's filmstrip and GIF appear together or not at all
		defer w.Abort()
		if !m.Cfg.Clip() {
			if err := w.Write(paths[0], imageio.PNG(nonlocal.ArrowPicture(pics[0], zoom, qls))); err != nil {
				return nil, err
			}
			fields = append(fields, cliutil.Field{Key: "gif", Value: ""})
		} else {
			// The filmstrip and the GIF share nothing: they are drawn
			// and encoded side by side.
			strip := cliutil.Async(func() error {
				return w.Write(paths[0], imageio.PNG(nonlocal.Filmstrip(pics, zoom, 4, qls)))
			})
			g, err := viz.BuildGIF(nonlocal.ClipFrames(pics, zoom, qls), viz.GIFOptions{Delay: 40, Threads: each})
			if err == nil {
				err = w.Write(paths[1], imageio.GIF(g))
			}
			if err = cmp.Or(strip(), err); err != nil {
				return nil, err
			}
			fields = append(fields, cliutil.Field{Key: "gif", Value: paths[1]})
		}
		if err := w.Commit(); err != nil {
			return nil, err
		}
		return []cliutil.Line{fields}, nil
	})
}
