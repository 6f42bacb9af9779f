package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/attnkit/attn/models"
	nlmodels "github.com/attnkit/attn/models/nonlocal"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

// modelFlag selects a model: an embedded default or a file.
func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: "embedded:nl",
		Usage: "`MODEL`: embedded:nl (C2D with a non-local block) or embedded:c2d (the baseline), both for clips; embedded:nl2d (a CNN with five 2-D non-local blocks) or embedded:cnn (the plain CNN), both for images; or a .safetensors file from 'nonlocal train'. Without --model: embedded:nl2d when the first input is a still picture (not a GIF or a folder of frames), else embedded:nl"}
}

// trainCommands say how to make each embedded model.
var trainCommands = map[string]string{
	"c2d":  "nonlocal train --blocks 0 -o c2d.safetensors",
	"nl":   "nonlocal train --blocks 1 -o nl.safetensors",
	"cnn":  "nonlocal train --mode 2d --blocks 0 -o cnn.safetensors",
	"nl2d": "nonlocal train --mode 2d --blocks 5 -o nl2d.safetensors",
}

// loadModel returns the model named by --model and its name. Any failure
// is a model error (exit 3).
func loadModel(c *cli.Context) (*nonlocal.Model, string, error) {
	name := c.String("model")
	if !c.IsSet("model") && c.NArg() > 0 && stillPicture(c.Args().First()) {
		// A photograph given to the clip model would be scored as a still
		// clip; the image model is what such an input wants.
		name = "embedded:nl2d"
	}
	if e, ok := strings.CutPrefix(name, "embedded:"); ok {
		cmd, known := trainCommands[e]
		if !known {
			return nil, "", cliutil.Usagef("--model %s: want embedded:nl, embedded:c2d, embedded:nl2d or embedded:cnn", name)
		}
		m, err := nlmodels.Load(e)
		if errors.Is(err, models.ErrNoModel) {
			return nil, "", cliutil.ModelErr(fmt.Errorf("no embedded model %s in this build; train one with '%s' and pass it with --model %s.safetensors", name, cmd, e))
		}
		if err != nil {
			return nil, "", cliutil.ModelErr(err)
		}
		return m, name, nil
	}
	m, err := nonlocal.Load(name)
	if err != nil {
		return nil, "", cliutil.ModelErr(err)
	}
	return m, name, nil
}

// stillPicture reports whether path names a single picture file (by its
// extension; a GIF may hold a clip, and a folder holds frames).
func stillPicture(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gif" || !slices.Contains(imageio.Extensions, ext) {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
