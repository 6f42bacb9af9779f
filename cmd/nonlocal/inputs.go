package main

import (
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

// modelInputs lists the inputs of predict and attend. For a clip model
// every argument is one clip (a folder of frames, an animated GIF or a
// single picture); for an image model arguments expand as in every tool
// (a folder gives its images, '-' reads paths from stdin).
func modelInputs(c *cli.Context, m *nonlocal.Model) ([]string, error) {
	if !m.Cfg.Clip() {
		return cliutil.Inputs(c)
	}
	if c.NArg() == 0 {
		return nil, cliutil.Usagef("no input: give clips (folders of frames or animated GIFs)")
	}
	var inputs []string
	for _, a := range c.Args().Slice() {
		st, err := os.Stat(a)
		if err != nil {
			return nil, cliutil.Usagef("%s: no such file or folder", a)
		}
		if gifs := gifsIn(a, st); len(gifs) > 0 {
			inputs = append(inputs, gifs...)
			continue
		}
		inputs = append(inputs, a)
	}
	return inputs, nil
}

// gifsIn returns the GIF files directly in folder dir, sorted: a folder
// of GIFs (what 'nonlocal render' writes) holds one clip per GIF, while a
// folder without them is itself one clip, its images the frames.
func gifsIn(dir string, st os.FileInfo) []string {
	if !st.IsDir() {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var gifs []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".gif") {
			gifs = append(gifs, filepath.Join(dir, e.Name()))
		}
	}
	return gifs // os.ReadDir sorts by name
}

// readPictures reads one input as pictures: a clip's frames for a clip
// model, the one image for an image model.
func readPictures(m *nonlocal.Model, path string, opt imageio.Options) ([]image.Image, error) {
	if m.Cfg.Clip() {
		return imageio.ReadFrames(path, opt)
	}
	img, err := imageio.Open(path, opt)
	if err != nil {
		return nil, err
	}
	return []image.Image{img}, nil
}

// readInput reads one input as the model's input values.
func readInput(m *nonlocal.Model, path string, opt imageio.Options) ([]float32, error) {
	frames, err := readPictures(m, path, opt)
	if err != nil {
		return nil, err
	}
	return m.Input(frames)
}

// inputBatch is how predict and attend run their inputs: --threads split
// between inputs in hand and the work inside each (cliutil.BatchThreads;
// each is the threads of one input), the memory budget shared by the
// inputs in hand as they are read (clips or images).
func inputBatch(c *cli.Context, m *nonlocal.Model, threads, inputs int, p *cliutil.Printer, opt imageio.Options) (b cliutil.Batch, each int) {
	workers, each := cliutil.BatchThreads(threads, inputs)
	memory := cliutil.ImageMemory(opt)
	if m.Cfg.Clip() {
		memory = cliutil.ClipMemory(opt)
	}
	return cliutil.Batch{Tool: name, Stderr: c.App.ErrWriter, Printer: p, Workers: workers, Memory: memory, Budget: opt.MaxMemory}, each
}
