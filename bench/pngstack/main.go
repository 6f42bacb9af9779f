// Command pngstack puts PNG pictures one above the other (or in -cols
// columns) into one PNG, on a dark grey like the tools' panels.
// The README's multi-input pictures are made with it, e.g.
//
//	go run ./bench/pngstack -o docs/imgtx/upscale.png out/*_upscale.png
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"os"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/viz"
)

func main() {
	out := flag.String("o", "", "the PNG to write")
	cols := flag.Int("cols", 1, "pictures per row")
	pad := flag.Int("pad", 4, "pixels between pictures")
	flag.Parse()
	if err := run(*out, *cols, *pad, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "pngstack:", err)
		os.Exit(1)
	}
}

func run(out string, cols, pad int, paths []string) error {
	if out == "" || len(paths) == 0 || cols < 1 || pad < 0 {
		return fmt.Errorf("usage: pngstack -o OUT.png [-cols K] [-pad P] IN.png ...")
	}
	var imgs []image.Image
	for _, p := range paths {
		img, err := imageio.Open(p, imageio.Options{})
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	return imageio.SavePNG(out, viz.Grid(imgs, cols, pad, color.RGBA{40, 40, 40, 255}))
}
