package main

import (
	"errors"
	"fmt"

	"github.com/attnkit/attn/models"
	lpamodels "github.com/attnkit/attn/models/lpa"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/urfave/cli/v2"
)

// modelFlag selects a model: an embedded default or a file.
func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: "att",
		Usage: "`MODEL`: att (the embedded attention model), baseline (the embedded GAP model) or a .safetensors file from 'lpa train' (write ./att for a file named att)"}
}

// trainCommands say how to make each embedded model.
var trainCommands = map[string]string{
	"att":      "lpa train --data builtin -o att.safetensors",
	"baseline": "lpa train --data builtin --no-attention -o baseline.safetensors",
}

// loadModel returns the model named by --model. Any failure is a model
// error (exit 3).
func loadModel(c *cli.Context) (*lpa.Model, string, error) {
	return loadModelByName(c.String("model"))
}

// loadModelByName loads an embedded model (att, baseline) or a file.
func loadModelByName(name string) (*lpa.Model, string, error) {
	if cmd, ok := trainCommands[name]; ok {
		m, err := lpamodels.Load(name)
		if errors.Is(err, models.ErrNoModel) {
			return nil, "", cliutil.ModelErr(fmt.Errorf("no embedded %s model in this build; train one with '%s' and pass it with --model %s.safetensors", name, cmd, name))
		}
		if err != nil {
			return nil, "", cliutil.ModelErr(err)
		}
		return m, "embedded:" + name, nil
	}
	m, err := lpa.Load(name)
	if err != nil {
		return nil, "", cliutil.ModelErr(err)
	}
	return m, name, nil
}
