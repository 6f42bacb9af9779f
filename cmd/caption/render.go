package main

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Value: 16, Usage: "scenes to write (--format npz: the whole split unless set)"},
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test (the fixed test scenes, from the MNIST test digits), val or train"},
		&cli.IntFlag{Name: "epoch", Value: 1, Usage: "--split train: the scenes of training epoch `E` (rendered anew every epoch)"},
		&cli.Uint64Flag{Name: "test-seed", Value: caption.TestSeed, Usage: "rendering seed of the test scenes (the default is the fixed test set)"},
		&cli.StringFlag{Name: "format", Value: "png", Usage: "png (one file per scene under -o DIR) or npz (one NumPy archive, -o FILE)"},
		&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the scenes under `DIR` (created if missing; --format npz: the archive to FILE)"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[1:]...) // --seed
	return &cli.Command{
		Name:  "render",
		Usage: "write built-in captioned scenes as PNG files with their references, or a whole split as one .npz for other software",
		Description: `Writes DIR/scene_NNNNN.png (64x64 RGB) for the first --count scenes of a
split and DIR/references.tsv (one line per scene: file, then its reference
captions, tab-separated), and prints one line per scene:
   path  references
(the references joined with " | "; --json gives them as a list, with the
objects drawn). --seed and --epoch pick the training split's rendering.

--format npz writes the split instead into one NumPy archive, -o FILE:
"images" [N, 3, 64, 64] float32 in [0, 1], "captions" [M, T] int64 (every
reference of every scene as token ids: <start>, the words, <end>, then
<pad> = 0), "lengths" [M] and "caption_image" [M] (the scene of each
caption), and "meta" (JSON: tool, split, seed, epoch, side, scenes and
"vocab", the words in id order); without --count it holds the whole split.
--split train is what 'caption train --seed SEED' sees in --epoch E
(--count N: with --scenes N), --split val what it validates on
(--val-scenes N), --split test what 'caption eval' scores (--scenes N or
--limit N). It is how the PyTorch twin (python/attnkit_torch) trains and is
evaluated on the very scenes the Go tool uses; it prints one line:
   path  n  split  seed

Examples:
   caption render --count 8 -o scenes/
   caption render --split val --count 100 --json -o val/
   caption render --format npz --split train --epoch 1 -o train-1.npz
   caption render --format npz --count 1000 -o test.npz`,
		Flags:  flags,
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	format := c.String("format")
	if format != "png" && format != "npz" {
		return cliutil.Usagef("--format %q: want png or npz", format)
	}
	dir := c.String(cliutil.FlagOut)
	if dir == "" {
		if format == "npz" {
			return cliutil.Usagef("missing -o FILE (the archive to write)")
		}
		return cliutil.Usagef("missing -o DIR (the folder to write the scenes to)")
	}
	n := c.Int("count")
	if n < 1 || n > 100000 {
		return cliutil.Usagef("--count %d: want 1..100000", n)
	}
	split := c.String("split")
	if split != "test" && split != "val" && split != "train" {
		return cliutil.Usagef("--split %q: want test, val or train", split)
	}
	epoch := c.Int("epoch")
	if epoch < 1 {
		return cliutil.Usagef("--epoch %d: epochs count from 1", epoch)
	}
	if c.IsSet("epoch") && split != "train" {
		return cliutil.Usagef("--epoch is for --split train; the %s scenes are the same in every epoch", split)
	}
	dopt := caption.DataOptions{Scenes: n, Seed: c.Uint64(cliutil.FlagSeed), TestSeed: c.Uint64("test-seed")}
	if format == "npz" {
		if !c.IsSet("count") {
			dopt.Scenes = 0 // the whole split
		}
		return renderNPZ(c, split, dopt, epoch, dir)
	}
	ds, err := caption.Open(caption.Source{Kind: "builtin"}, split, dopt)
	if err != nil {
		return cliutil.ModelErr(err)
	}
	ds.SetEpoch(epoch)
	if err := cliutil.PrepareOutDir(dir); err != nil {
		return err
	}
	pr := cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON))
	var tsv strings.Builder
	saveRefs := func() error { // references.tsv lists the scenes written
		return atomicfile.Write(filepath.Join(dir, "references.tsv"), func(w io.Writer) error {
			_, err := io.WriteString(w, tsv.String())
			return err
		})
	}
	// A signal stops the loop between scenes, each of which is whole, and
	// the references of those written are saved.
	ctx := cliutil.Interruptible(c)
	for i := 0; i < n; i++ {
		if err := cliutil.Stopped(ctx, "%d of %d scenes written", i, n); err != nil {
			return cmp.Or(saveRefs(), err)
		}
		s, err := ds.Sample(i)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, fmt.Sprintf("scene_%05d.png", i))
		S := ds.Side()
		if err := imageio.SavePNG(path, imageio.FromTensor(tensor.FromData(s.Image, 3, S, S))); err != nil {
			return err
		}
		refs := make([]string, len(s.Refs))
		for k, r := range s.Refs {
			refs[k] = strings.Join(r, " ")
		}
		fmt.Fprintf(&tsv, "%s\t%s\n", filepath.Base(path), strings.Join(refs, "\t"))
		if pr.JSON() {
			err = pr.Print(cliutil.Field{Key: "path", Value: path}, cliutil.Field{Key: "references", Value: refs},
				cliutil.Field{Key: "objects", Value: s.Scene.Objects})
		} else {
			err = pr.Print(cliutil.Field{Key: "path", Value: path}, cliutil.Field{Key: "references", Value: strings.Join(refs, " | ")})
		}
		if err != nil {
			return err
		}
	}
	return saveRefs()
}

// renderNPZ writes a split as one archive for the PyTorch twin and prints
// one line: path, scenes, split, seed.
func renderNPZ(c *cli.Context, split string, dopt caption.DataOptions, epoch int, out string) error {
	ex, err := caption.ExportScenes(split, dopt, epoch)
	if err != nil {
		return cliutil.ModelErr(err)
	}
	n := ex.Data.Len()
	// A signal stops the export between scenes; the archive is written
	// whole or not at all.
	ctx := cliutil.Interruptible(c)
	err = cliutil.WriteArchive(c, ctx, out, "render "+split, "scenes", n, ex.WriteNPZ)
	if err != nil {
		return err
	}
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(
		cliutil.Field{Key: "path", Value: out}, cliutil.Field{Key: "n", Value: n},
		cliutil.Field{Key: "split", Value: split}, cliutil.Field{Key: "seed", Value: ex.Meta["seed"]})
}
