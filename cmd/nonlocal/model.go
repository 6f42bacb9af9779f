package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/attnkit/attn/models"
	nlmodels "github.com/attnkit/attn/models/nonlocal"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/nonlocal"
	"github.com/urfave/cli/v2"
)

// modelFlag selects a model: an embedded default or a file.
func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: "embedded:nl",
		Usage: "`MODEL`: embedded:nl (C2D with a non-local block), embedded:c2d (the baseline) or a .safetensors file from 'nonlocal train'"}
}

// trainCommands say how to make each embedded model.
var trainCommands = map[string]string{
	"c2d": "nonlocal train --blocks 0 -o c2d.safetensors",
	"nl":  "nonlocal train --blocks 1 -o nl.safetensors",
}

// loadModel returns the model named by --model and its name. Any failure
// is a model error (exit 3).
func loadModel(c *cli.Context) (*nonlocal.Model, string, error) {
	name := c.String("model")
	if e, ok := strings.CutPrefix(name, "embedded:"); ok {
		cmd, known := trainCommands[e]
		if !known {
			return nil, "", cliutil.Usagef("--model %s: want embedded:nl or embedded:c2d", name)
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
