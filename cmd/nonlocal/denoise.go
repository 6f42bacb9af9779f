package main

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nlmeans"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/urfave/cli/v2"
)

func denoiseCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.Float64Flag{Name: "sigma", Usage: "noise standard deviation `S` in 8-bit levels (0..255); 0 estimates it per image"},
		// The paper calls this h; -h is taken by --help.
		&cli.Float64Flag{Name: "strength", Usage: "filtering parameter `H` of the paper (h), in 8-bit levels; 0 means 0.8 x sigma up to sigma 10, 0.6 x sigma from 20, linear between (at least 1)"},
		&cli.IntFlag{Name: "patch", Value: 7, Usage: "side of the compared patches (odd)"},
		&cli.IntFlag{Name: "search", Value: 21, Usage: "side of the search window (odd)"},
		&cli.IntFlag{Name: "frames", Value: 1, Usage: "temporal window `K`: with K > 1 the inputs are one clip or burst, in order (an animated GIF gives all its frames), and each frame is averaged with similar patches in its K nearest frames"},
		&cli.StringFlag{Name: "suffix", Value: "_denoised", Usage: "appended to each input's name to name its output `SUFFIX`"},
		&cli.IntFlag{Name: cliutil.FlagThreads, Value: runtime.GOMAXPROCS(0), Usage: "worker threads (default: the cores this process may use; the result does not depend on it)"},
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
layer. Patch distances are running sums (one row in, one out per
offset), so the cost does not grow with the patch size. Colour images
are filtered in RGB with one weight for the three channels; gray images
stay gray; transparency is dropped.

With --frames K (K > 1) all inputs together are one sequence of frames
of a scene (a clip or a burst), in the order given: a folder gives its
pictures sorted by name, an animated GIF all its frames. Every frame is
denoised with the search window extended over K frames centred on it
(shifted inwards at the ends of the sequence), as OpenCV's
fastNlMeansDenoisingMulti does. The frames must all have one size. Each
frame is written as DIR/<name><suffix>.png, a GIF's frames as
DIR/<name><suffix>_<NNN>.png.

Without --sigma the noise level is estimated from each image (median of
the finest diagonal wavelet details). Output: DIR/<name><suffix>.png, and
one line per input on stdout: path, sigma, h, output.

Examples:
   nonlocal denoise noisy.png -o out/
   nonlocal denoise --sigma 20 --strength 14 --patch 5 -o out/ scans/
   ls *.jpg | nonlocal denoise --json -o out/ -
   nonlocal denoise --frames 5 --sigma 15 -o out/ burst/
   nonlocal denoise --frames 3 -o out/ clip.gif`,
		Flags:  flags,
		Action: runDenoise,
	}
}

func runDenoise(c *cli.Context) error {
	p := nlmeans.Params{Patch: c.Int("patch"), Search: c.Int("search"), Sigma: c.Float64("sigma"), H: c.Float64("strength")}
	if err := p.ValidateAuto(); err != nil {
		return cliutil.Usagef("%v", paramFlagError(err))
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
	k := c.Int("frames")
	if k < 1 {
		return cliutil.Usagef("--frames %d: want at least 1", k)
	}
	// One picture is read a band at a time into its 8-bit result; a
	// sequence is held as tensors, with a tensor and a picture of each
	// result.
	work := nlmeans.ImageWorkBytesPerPixel(3)
	if k > 1 {
		work = imageio.FloatRGBBytes + nlmeans.WorkBytesPerPixel(3) + imageio.RGBABytes
	}
	decode, err := cliutil.DecodeOptions(c, work)
	if err != nil {
		return err
	}
	inputs, err := cliutil.Inputs(c)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return nil
	}
	if err := cliutil.PrepareOutDir(outDir); err != nil {
		return err
	}
	if k > 1 {
		return runDenoiseFrames(c, inputs, p, k, threads, decode)
	}
	plan := cliutil.PlanOutputs(outDir, inputs, cliutil.Output{Suffix: suffix, Ext: "png"})
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), len(inputs), "denoise")
	// One input at a time, the threads inside it: the filter cuts a
	// picture into fixed tiles of 256×128 that the threads share out (a
	// 512×512 photograph has 8), which scales on photographs, while
	// inputs in flight together would each hold their full-size planes.
	// Only pictures under about 256×256 pixels, one tile, would run
	// faster side by side.
	err = cliutil.ForEach(cliutil.Interruptible(c), inputs, c.App.ErrWriter, c.App.Name, bar, func(in string) error {
		outs, err := plan.For(in)
		if err != nil {
			return err
		}
		img, err := imageio.Open(in, decode)
		if err != nil {
			return err
		}
		res, used, err := nlmeans.DenoiseImage(img, imageio.IsGray(img), p, threads)
		if err != nil {
			return err
		}
		if err := imageio.SavePNG(outs[0], res); err != nil {
			return err
		}
		return pr.Print(cliutil.Field{Key: "path", Value: in}, cliutil.Field{Key: "sigma", Value: float32(used.Sigma)},
			cliutil.Field{Key: "h", Value: float32(used.H)}, cliutil.Field{Key: "out", Value: outs[0]})
	})
	bar.Finish("")
	return err
}

// paramFlagError names the flag of a parameter the denoiser refuses.
func paramFlagError(err error) error {
	var pe *nlmeans.ParamError
	if !errors.As(err, &pe) {
		return err
	}
	flag := pe.Name
	if flag == "h" {
		flag = "strength"
	}
	return fmt.Errorf("--%s %g: want %s", flag, pe.Value, pe.Want)
}

// runDenoiseFrames is denoise --frames K: the inputs are one sequence.
func runDenoiseFrames(c *cli.Context, inputs []string, p nlmeans.Params, k, threads int, opt imageio.Options) error {
	suffix, outDir := c.String("suffix"), c.String(cliutil.FlagOut)
	plan := cliutil.PlanOutputs(outDir, inputs, cliutil.Output{Suffix: suffix, Ext: "png"})
	var (
		imgs  []image.Image
		paths []string // output of every frame
		from  []string // input of every frame
		gray  = true
	)
	for _, in := range inputs {
		outs, err := plan.For(in)
		if err != nil {
			return err
		}
		these, err := imageio.ReadFrames(in, opt)
		if err != nil {
			return err
		}
		for i, img := range these {
			gray = gray && imageio.IsGray(img)
			out := outs[0]
			if len(these) > 1 {
				out = strings.TrimSuffix(out, ".png") + fmt.Sprintf("_%03d.png", i)
			}
			imgs, paths, from = append(imgs, img), append(paths, out), append(from, in)
		}
	}
	frames := make([]*tensor.Tensor, len(imgs))
	for i, img := range imgs {
		frames[i] = imageio.ToTensor(img, gray)
	}
	res, used, err := nlmeans.DenoiseFramesTensor(frames, k, p, threads)
	if err != nil {
		return err
	}
	// The frames are one result: they appear together or not at all.
	var out atomicfile.Set
	defer out.Abort()
	for i, r := range res {
		if err := out.Write(paths[i], imageio.PNG(imageio.FromTensor(r))); err != nil {
			return err
		}
	}
	if err := out.Commit(); err != nil {
		return err
	}
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	for i := range res {
		if err := pr.Print(cliutil.Field{Key: "path", Value: from[i]}, cliutil.Field{Key: "frame", Value: i},
			cliutil.Field{Key: "sigma", Value: float32(used.Sigma)}, cliutil.Field{Key: "h", Value: float32(used.H)},
			cliutil.Field{Key: "out", Value: paths[i]}); err != nil {
			return err
		}
	}
	return nil
}
