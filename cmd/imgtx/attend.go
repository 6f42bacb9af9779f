package main

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

func attendCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "queries", Usage: "query pixels as `R,C;R,C...` (row, column; default: the centre and three points around it)"},
		&cli.IntFlag{Name: "class", Usage: "class-conditional models: the class `C` the image is read as"},
		zoomFlag(),
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ThreadsFlag())
	return &cli.Command{
		Name:      "attend",
		Usage:     "draw the self-attention of chosen pixels over their memory, per layer and head",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Reads each image (converted to the model's input) as the model would
while generating it, and for each query pixel draws where its
self-attention looks: one heatmap per layer (rows) and head (columns),
each over the whole image grid, zero outside the query's memory block and
scaled to its own maximum, the query marked white. For a colour model the
query is the pixel's first channel and the grid is h x w*3. Writes
   DIR/<name>_attn_R_C.png   one per query pixel (R, C)
and prints one line per picture: path  row  col  panel (--json for
objects). An input that cannot be read gets one line on stderr, no
output file, and the others are still processed (exit 1).

Examples:
   imgtx attend digit.png -o out/
   imgtx attend --queries "20,14;27,27" --zoom 8 digit.png -o out/`,
		Flags:  flags,
		Action: runAttend,
	}
}

// parseQueries reads --queries for an h × w image.
func parseQueries(s string, h, w int) ([][2]int, error) {
	if s == "" {
		return [][2]int{{h / 2, w / 2}, {h / 4, w / 2}, {3 * h / 4, w / 4}, {3 * h / 4, 3 * w / 4}}, nil
	}
	var qs [][2]int
	for _, part := range strings.Split(s, ";") {
		rc, err := cliutil.ParseInts(part)
		if err != nil || len(rc) != 2 {
			return nil, fmt.Errorf("query %q: want ROW,COL", part)
		}
		r, col := rc[0], rc[1]
		if r < 0 || r >= h || col < 0 || col >= w {
			return nil, fmt.Errorf("query %q: want a row in 0..%d and a column in 0..%d", part, h-1, w-1)
		}
		qs = append(qs, [2]int{r, col})
	}
	return qs, nil
}

func runAttend(c *cli.Context) error {
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("missing -o DIR (the folder to write the pictures to)")
	}
	zoom := c.Int("zoom")
	if zoom < 1 || zoom > 64 {
		return cliutil.Usagef("--zoom %d: want 1..64", zoom)
	}
	threads, err := cliutil.ApplyThreads(c)
	if err != nil {
		return err
	}
	// imgtx.ImagePixels shrinks the image as it reads it: nothing
	// full-size.
	decode, err := cliutil.DecodeOptions(c, 0)
	if err != nil {
		return err
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	m, _, err := loadModel(c)
	if err != nil {
		return err
	}
	cfg := m.Cfg
	if cfg.Arch != "transformer" {
		return cliutil.Usagef("%s has no attention to draw; attend needs a transformer", cfg.Name())
	}
	qs, err := parseQueries(c.String("queries"), cfg.Height, cfg.Width)
	if err != nil {
		return cliutil.Usagef("--queries: %v", err)
	}
	labels, err := classFor(c, m)
	if err != nil {
		return err
	}
	var outs []cliutil.Output
	grid := make([]int, len(qs))
	for i, q := range qs {
		outs = append(outs, cliutil.Output{Suffix: fmt.Sprintf("_attn_%d_%d", q[0], q[1]), Ext: "png"})
		grid[i] = (q[0]*cfg.Width + q[1]) * cfg.Channels
	}
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	plan := cliutil.PlanOutputs(outDir, inputs, outs...)
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "attend")
	workers, _ := cliutil.BatchThreads(threads, len(inputs))
	batch := cliutil.Batch{Tool: c.App.Name, Stderr: c.App.ErrWriter, Printer: pr, Bar: bar, Workers: workers,
		Memory: cliutil.ImageMemory(decode), Budget: decode.MaxMemory}
	// Attention makes its own tape per call: a worker needs no state.
	err = cliutil.ForEachParallel(cliutil.Interruptible(c), inputs, batch, cliutil.NoState, func(_ struct{}, in string) ([]cliutil.Line, error) {
		paths, err := plan.For(in)
		if err != nil {
			return nil, err
		}
		img, err := imageio.Open(in, decode)
		if err != nil {
			return nil, err
		}
		pix := imgtx.ImagePixels(img, cfg.Height, cfg.Width, cfg.Channels)
		b := imgtx.Batch{N: 1, Pixels: pix, Labels: labels}
		if cfg.Cond == "lowres" {
			b.Low = imgtx.Downsample(pix, cfg.Height, cfg.Width, cfg.Channels, cfg.LowRes)
		}
		maps, err := m.Attention(b, grid)
		if err != nil {
			return nil, err
		}
		var out atomicfile.Set // the panels of all queries appear together or not at all
		defer out.Abort()
		// The panels share nothing: they are drawn and encoded side by
		// side.
		waits := make([]func() error, len(qs))
		for i := range qs {
			var mine []imgtx.AttentionMap
			for _, am := range maps {
				if am.Query == grid[i] {
					mine = append(mine, am)
				}
			}
			waits[i] = cliutil.Async(func() error {
				panel, err := cfg.AttentionPanel(mine, zoom)
				if err != nil {
					return err
				}
				return out.Write(paths[i], imageio.PNG(panel))
			})
		}
		for _, wait := range waits {
			err = cmp.Or(err, wait()) // every wait runs: no writer outlives the input
		}
		if err != nil {
			return nil, err
		}
		if err := out.Commit(); err != nil {
			return nil, err
		}
		lines := make([]cliutil.Line, len(qs))
		for i, q := range qs {
			lines[i] = cliutil.Line{{Key: "path", Value: in}, {Key: "row", Value: q[0]}, {Key: "col", Value: q[1]}, {Key: "panel", Value: paths[i]}}
		}
		return lines, nil
	})
	bar.Finish("")
	return err
}
