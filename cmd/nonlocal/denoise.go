package main

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/urfave/cli/v2"
)

// defaultHFactor sets h = 0.6σ when --h is not given. With the 2σ²
// discount and distances averaged per pixel, 0.5σ–0.8σ gave the best PSNR
// on the synthetic test pictures of nlmeans_test.go (σ = 10..35, 7×7
// patches); 0.6σ is in the middle of that range.
const defaultHFactor = 0.6

// minH keeps h usable on an image whose estimated noise is zero.
const minH = 1.0

func denoiseCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.Float64Flag{Name: "sigma", Usage: "noise standard deviation `S` in 8-bit levels (0..255); 0 estimates it per image"},
		// The paper calls this h; -h is taken by --help.
		&cli.Float64Flag{Name: "strength", Usage: "filtering parameter `H` of the paper (h), in 8-bit levels; 0 means 0.6 x sigma (at least 1)"},
		&cli.IntFlag{Name: "patch", Value: 7, Usage: "side of the compared patches (odd)"},
		&cli.IntFlag{Name: "search", Value: 21, Usage: "side of the search window (odd)"},
		&cli.StringFlag{Name: "suffix", Value: "_denoised", Usage: "appended to each input's name to name its output `SUFFIX`"},
		&cli.IntFlag{Name: cliutil.FlagThreads, Value: runtime.NumCPU(), Usage: "worker threads (the result does not depend on it)"},
	}
	flags = append(flags, cliutil.InputFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	return &cli.Command{
		Name:      "denoise",
		Usage:     "remove noise with classic non-local means (Buades, Coll and Morel 2005)",
		ArgsUsage: "IMG|DIR|- ...",
		Description: `Replaces every pixel by a weighted mean of the pixels in a --search
window around it, weighting each by how much the --patch neighbourhoods
around the two look alike:
   w = exp(-max(d^2 - 2 sigma^2, 0) / h^2)      (h is --strength)
with d^2 the mean squared difference per pixel and channel. This is the
"non-local" averaging that Wang et al. (2018) generalise into a network
layer. Distances use integral images, so the cost does not grow with the
patch size. Colour images are filtered in RGB with one weight for the
three channels; gray images stay gray; transparency is dropped.

Without --sigma the noise level is estimated from each image (median of
the finest diagonal wavelet details). Output: DIR/<name><suffix>.png, and
one line per input on stdout: path, sigma, h, output.

Examples:
   nonlocal denoise noisy.png -o out/
   nonlocal denoise --sigma 20 --strength 14 --patch 5 -o out/ scans/
   ls *.jpg | nonlocal denoise --json -o out/ -`,
		Flags:  flags,
		Action: runDenoise,
	}
}

func runDenoise(c *cli.Context) error {
	p := nlmParams{Patch: c.Int("patch"), Search: c.Int("search"), Sigma: c.Float64("sigma"), H: c.Float64("strength")}
	probe := p
	probe.H = max(probe.H, 1)
	if err := probe.validate(); err != nil {
		return cliutil.Usagef("%v", err)
	}
	if p.H < 0 {
		return cliutil.Usagef("--strength %g: want a positive value, or 0 for the default", p.H)
	}
	outDir := c.String(cliutil.FlagOut)
	if outDir == "" {
		return cliutil.Usagef("denoise: missing -o DIR (the folder to write the denoised PNGs to)")
	}
	suffix := c.String("suffix")
	if strings.ContainsAny(suffix, `/\`) {
		return cliutil.Usagef("--suffix %q: must not contain a path separator", suffix)
	}
	threads := c.Int(cliutil.FlagThreads)
	if threads < 1 {
		return cliutil.Usagef("--threads %d: want at least 1", threads)
	}
	mp := c.Int(cliutil.FlagMaxPixels)
	if mp < 1 {
		return cliutil.Usagef("--max-pixels %d: want a positive pixel count", mp)
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	outs, outErrs := denoiseOutputs(outDir, inputs, suffix)
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "denoise")
	i := -1
	err = cliutil.ForEach(inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		i++
		if outErrs[i] != nil {
			return outErrs[i]
		}
		img, err := imageio.Open(in, imageio.Options{MaxPixels: int64(mp)})
		if err != nil {
			return err
		}
		m := img.ColorModel()
		gray := m == color.GrayModel || m == color.Gray16Model
		t := imageio.ToTensor(img, gray)
		ch, h, w := t.Shape[0], t.Shape[1], t.Shape[2]
		for k := range t.Data {
			t.Data[k] *= 255
		}
		q := p
		if q.Sigma == 0 {
			q.Sigma = estimateSigma(t.Data, ch, h, w)
		}
		if q.H == 0 {
			q.H = max(defaultHFactor*q.Sigma, minH)
		}
		if err := q.validate(); err != nil {
			return err
		}
		res := nlMeans(t.Data, ch, h, w, q, threads)
		for k := range res {
			t.Data[k] = res[k] / 255
		}
		var outImg image.Image = imageio.FromTensor(t)
		if err := imageio.SavePNG(outs[i], outImg); err != nil {
			return err
		}
		return pr.Print(cliutil.Field{Key: "path", Value: in}, cliutil.Field{Key: "sigma", Value: float32(q.Sigma)},
			cliutil.Field{Key: "h", Value: float32(q.H)}, cliutil.Field{Key: "out", Value: outs[i]})
	})
	bar.Finish("")
	return err
}

// denoiseOutputs names each input's output with the shared rule (hashed
// names when base names collide) and refuses, per input, a name that is
// one of the inputs, so no input is ever overwritten.
func denoiseOutputs(outDir string, inputs []string, suffix string) ([]string, []error) {
	outs := make([]string, len(inputs))
	errs := make([]error, len(inputs))
	batch, err := imageio.OutputPaths(outDir, inputs, suffix, "png")
	for i, in := range inputs {
		if err == nil {
			outs[i] = batch[i]
		} else {
			outs[i], errs[i] = imageio.OutputPath(outDir, in, suffix, "png")
		}
	}
	abs := map[string]string{}
	for _, in := range inputs {
		if a, err := filepath.Abs(in); err == nil {
			abs[a] = in
		}
	}
	for i, o := range outs {
		if errs[i] != nil {
			continue
		}
		a, _ := filepath.Abs(o)
		if victim, ok := abs[a]; ok {
			errs[i] = fmt.Errorf("output %s would overwrite the input %s (choose another -o or --suffix)", o, victim)
		}
	}
	return outs, errs
}
