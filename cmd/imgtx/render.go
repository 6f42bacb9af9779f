package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write images of a split as PNGs, or a whole split as one .npz for other software",
		Description: `Writes images N..N+count-1 of a split (default: MNIST's test digits), at
the size and channels a model of --size and --channels reads them, to
DIR/<split>-<index>.png and prints one line per image:
   index  label  path
(NDJSON with --json).

--format npz writes the images instead into one NumPy archive, -o FILE:
"images" [N, C, S, S] float32 (each 8-bit value k as k/255), "labels"
[N] int64 and "meta" (JSON: tool, data, split, height, width, channels,
classes, class names); without --count it holds the rest of the split.
--split train is what 'imgtx train' trains on (the same images every
epoch, shuffled), --split val what it validates on, --split test what
'imgtx eval' scores; --limit N keeps the first N, as train's --limit,
--val-limit and eval's --limit do. It is how the PyTorch twin
(python/attnkit_torch) trains and is evaluated on the very sub-pixels the
Go tool uses; it prints one line:
   path  n  split  seed
(seed is "-": the splits are fixed).

Examples:
   imgtx render --count 4 -o digits/
   imgtx render --format npz --size 14 --split train -o mnist14-train.npz
   imgtx render --format npz --data imagefolder:faces --size 32 --channels 3 -o faces.npz`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "data", Value: "mnist", Usage: "`SOURCE`: mnist or imagefolder:DIR, as train's --data"},
			&cli.IntFlag{Name: "size", Value: 28, Usage: "image side the data is converted to, as train's --size"},
			&cli.IntFlag{Name: "channels", Value: 1, Usage: "1 (grey) or 3 (RGB), as train's --channels"},
			&cli.StringFlag{Name: "split", Value: "test", Usage: "test, train or val (the images training holds out)"},
			&cli.IntFlag{Name: "limit", Usage: "keep the first `N` images of the split, as train's --limit, --val-limit and eval's --limit"},
			&cli.IntFlag{Name: "from", Usage: "first image `N` of the split"},
			&cli.IntFlag{Name: "count", Value: 8, Usage: "number of images (--format npz: the rest of the split unless set)"},
			&cli.StringFlag{Name: "format", Value: "png", Usage: "png (one file per image under -o DIR) or npz (one NumPy archive, -o FILE)"},
			&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the PNGs under `DIR` (--format npz: the archive to FILE)"},
		}, cliutil.OutputFlags()...),
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	src, err := imgtx.ParseSource(c.String("data"))
	if err != nil {
		return cliutil.Usagef("--data: %v", err)
	}
	out := c.String(cliutil.FlagOut)
	if out == "" {
		return cliutil.Usagef("render: missing -o DIR (or -o FILE with --format npz)")
	}
	format := c.String("format")
	if format != "png" && format != "npz" {
		return cliutil.Usagef("--format %q: want png or npz", format)
	}
	split := c.String("split")
	if split != "test" && split != "train" && split != "val" {
		return cliutil.Usagef("--split %q: want test, train or val", split)
	}
	side, ch := c.Int("size"), c.Int("channels")
	// The model's own bounds (imgtx.Config.Validate), so an export is
	// always one a model can be trained on.
	cfg := imgtx.DefaultConfig("transformer", side, side, ch)
	if err := cfg.Validate(); err != nil {
		return cliutil.Usagef("--size %d --channels %d: %v", side, ch, err)
	}
	if src.Kind == "mnist" && ch != 1 {
		return cliutil.Usagef("--channels %d: MNIST is grey", ch)
	}
	from, count := c.Int("from"), c.Int("count")
	if from < 0 || count < 1 || c.Int("limit") < 0 {
		return cliutil.Usagef("--from and --limit must not be negative, --count at least 1")
	}
	if format == "npz" && !c.IsSet("count") {
		count = 0 // the rest of the split
	}
	set, err := imgtx.SplitImages(src, split, side, side, ch, c.Int("limit"))
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if set, err = set.Range(from, count); err != nil {
		return cliutil.Usagef("--from %d --count %d: %v", from, count, err)
	}
	p := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	// A signal stops the loop between pictures, each of which is whole;
	// an archive is written whole or not at all.
	ctx := cliutil.Interruptible(c)
	if format == "npz" {
		err := cliutil.WriteArchive(c, ctx, out, "render "+split, "images", set.Len, func(w io.Writer, before func(int) error) error {
			return data.WriteNPZ(w, set, before)
		})
		if err != nil {
			return err
		}
		return p.Print(cliutil.Field{Key: "path", Value: out}, cliutil.Field{Key: "n", Value: set.Len},
			cliutil.Field{Key: "split", Value: split}, cliutil.Field{Key: "seed", Value: "-"})
	}
	if err := cliutil.PrepareOutDir(out); err != nil {
		return err
	}
	x := make([]float32, ch*side*side)
	pix := make([]uint8, len(x))
	for k := range set.Len {
		if err := cliutil.Stopped(ctx, "%d of %d pictures written", k, set.Len); err != nil {
			return err
		}
		label := set.Load(k, x)
		for j := range pix { // back to the model's interleaved sub-pixels
			pix[j] = uint8(x[(j%ch)*side*side+j/ch]*255 + 0.5)
		}
		path := filepath.Join(out, fmt.Sprintf("%s-%05d.png", split, from+k))
		if err := imageio.SavePNG(path, imgtx.ToImage(pix, side, side, ch)); err != nil {
			return err
		}
		if err := p.Print(cliutil.Field{Key: "index", Value: from + k}, cliutil.Field{Key: "label", Value: label}, cliutil.Field{Key: "path", Value: path}); err != nil {
			return err
		}
	}
	return nil
}
