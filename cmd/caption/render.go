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
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Value: 16, Usage: "scenes to write"},
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test (the fixed test scenes, from the MNIST test digits), val or train"},
		&cli.Uint64Flag{Name: "test-seed", Value: caption.TestSeed, Usage: "rendering seed of the test scenes (the default is the fixed test set)"},
		&cli.StringFlag{Name: cliutil.FlagOut, Aliases: []string{"o"}, Usage: "write the scenes under `DIR` (created if missing)"},
	}
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[1:]...) // --seed
	return &cli.Command{
		Name:  "render",
		Usage: "write built-in captioned scenes as PNG files with their references",
		Description: `Writes DIR/scene_NNNNN.png (64x64 RGB) for the first --count scenes of a
split and DIR/references.tsv (one line per scene: file, then its reference
captions, tab-separated), and prints one line per scene:
   path  references
(the references joined with " | "; --json gives them as a list, with the
objects drawn). --seed picks the training split's rendering.

Examples:
   caption render --count 8 -o scenes/
   caption render --split val --count 100 --json -o val/`,
		Flags:  flags,
		Action: runRender,
	}
}

func runRender(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("render takes no arguments, got %q", c.Args().First())
	}
	dir := c.String(cliutil.FlagOut)
	if dir == "" {
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
	ds, err := caption.Open(caption.Source{Kind: "builtin"}, split,
		caption.DataOptions{Scenes: n, Seed: c.Uint64(cliutil.FlagSeed), TestSeed: c.Uint64("test-seed")})
	if err != nil {
		return cliutil.ModelErr(err)
	}
	ds.SetEpoch(1)
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
