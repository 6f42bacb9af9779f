package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/attnkit/attn/models"
	capmodels "github.com/attnkit/attn/models/caption"
	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

// modelFlag selects a model: an embedded default or a file.
func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: "embedded:soft",
		Usage: "`MODEL`: embedded:soft, embedded:hard, embedded:baseline (the built-in models, trained as the paper trains), embedded:soft-sup, embedded:hard-sup (the same with supervised attention) or a .safetensors file from 'caption train'"}
}

// trainCommands say how to make each embedded model.
var trainCommands = map[string]string{
	"soft":     "caption train --attention soft -o soft.safetensors",
	"hard":     "caption train --attention hard -o hard.safetensors",
	"baseline": "caption train --attention none -o baseline.safetensors",
	"soft-sup": "caption train --attention soft --attn-supervision 1 -o soft-sup.safetensors",
	"hard-sup": "caption train --attention hard --attn-supervision 1 -o hard-sup.safetensors",
}

// loadModel returns the model named by --model and its name. Any failure
// is a model error (exit 3).
func loadModel(c *cli.Context) (*caption.Model, string, error) {
	name := c.String("model")
	if e, ok := strings.CutPrefix(name, "embedded:"); ok {
		cmd, known := trainCommands[e]
		if !known {
			return nil, "", cliutil.Usagef("--model %s: want embedded:soft, embedded:hard, embedded:baseline, embedded:soft-sup or embedded:hard-sup", name)
		}
		m, err := capmodels.Load(e)
		if errors.Is(err, models.ErrNoModel) {
			return nil, "", cliutil.ModelErr(fmt.Errorf("no embedded model %s in this build; train one with '%s' and pass it with --model %s.safetensors", name, cmd, e))
		}
		if err != nil {
			return nil, "", cliutil.ModelErr(err)
		}
		m.Train(false)
		return m, name, nil
	}
	m, err := caption.Load(name)
	if err != nil {
		return nil, "", cliutil.ModelErr(err)
	}
	m.Train(false)
	return m, name, nil
}

// decodeFlags are --beam, --length-norm and --max-len.
func decodeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "beam", Value: caption.DefaultBeam, Usage: "beam width `K` (1: greedy)"},
		&cli.BoolFlag{Name: "length-norm", Usage: "rank finished captions by log-probability per word instead of in total"},
		&cli.IntFlag{Name: "max-len", Usage: "most words per caption (0: the model's own limit)"},
	}
}

// decodeOptions reads decodeFlags.
func decodeOptions(c *cli.Context) (caption.DecodeOptions, error) {
	o := caption.DecodeOptions{Beam: c.Int("beam"), LengthNorm: c.Bool("length-norm"), MaxLen: c.Int("max-len")}
	if o.Beam < 1 || o.Beam > 100 {
		return o, cliutil.Usagef("--beam %d: want 1..100", o.Beam)
	}
	if o.MaxLen < 0 || o.MaxLen > 200 {
		return o, cliutil.Usagef("--max-len %d: want 0..200", o.MaxLen)
	}
	return o, nil
}
