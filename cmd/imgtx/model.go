package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/attnkit/attn/models"
	imgtxmodels "github.com/attnkit/attn/models/imgtx"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/imgtx"
	"github.com/urfave/cli/v2"
)

// modelFlag selects a model: an embedded default or a file.
func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"},
		Usage: "`MODEL`: embedded:transformer, embedded:pixelcnn, embedded:class, embedded:upscale (the built-in models) or a .safetensors file from 'imgtx train' (default: embedded:upscale for upscale, embedded:class when --class is given, else embedded:transformer)"}
}

// modelName is --model, or the embedded model the command and its flags
// call for: the super-resolution model for upscale, the class-conditional
// one when a class is asked for, else the unconditional transformer.
func modelName(c *cli.Context) string {
	switch {
	case c.String("model") != "":
		return c.String("model")
	case c.Command.Name == "upscale":
		return "embedded:upscale"
	case c.IsSet("class"):
		return "embedded:class"
	}
	return "embedded:transformer"
}

// trainCommands say how to make each embedded model.
var trainCommands = map[string]string{
	"transformer": "imgtx train --arch transformer -o transformer.safetensors",
	"pixelcnn":    "imgtx train --arch pixelcnn -o pixelcnn.safetensors",
	"class":       "imgtx train --cond class -o class.safetensors",
	"upscale":     "imgtx train --cond lowres --lowres 7 -o upscale.safetensors",
}

// loadModel returns the model named by --model and its name. Any failure
// is a model error (exit 3).
func loadModel(c *cli.Context) (*imgtx.Model, string, error) {
	name := modelName(c)
	e, embedded := strings.CutPrefix(name, "embedded:")
	cmd, known := trainCommands[e]
	if embedded && !known {
		return nil, "", cliutil.Usagef("--model %s: want embedded:transformer, embedded:pixelcnn, embedded:class or embedded:upscale", name)
	}
	m, err := imgtxmodels.Open(name)
	if errors.Is(err, models.ErrNoModel) {
		return nil, "", cliutil.ModelErr(fmt.Errorf("no embedded model %s in this build; train one with '%s' and pass it with --model %s.safetensors", name, cmd, e))
	}
	if err != nil {
		return nil, "", cliutil.ModelErr(err)
	}
	return m, name, nil
}

// zoomFlag is --zoom of the commands that draw pictures.
func zoomFlag() cli.Flag {
	return &cli.IntFlag{Name: "zoom", Value: 4, Usage: "draw each pixel as a `K`×K square"}
}

// temperatureFlag is --temperature with a command's default.
func temperatureFlag(def float64) cli.Flag {
	return &cli.Float64Flag{Name: "temperature", Value: def, Usage: "divide the logits by `T` before sampling (below 1: sharper, the paper's super-resolution is best at 0.8-0.9)"}
}

// sampleSettings reads --zoom, --temperature, --count and --threads.
func sampleSettings(c *cli.Context) (zoom int, temp float64, count, threads int, err error) {
	zoom, temp, count, threads = c.Int("zoom"), c.Float64("temperature"), c.Int("count"), c.Int(cliutil.FlagThreads)
	switch {
	case zoom < 1 || zoom > 64:
		err = cliutil.Usagef("--zoom %d: want 1..64", zoom)
	case !(temp > 0 && temp <= 100):
		err = cliutil.Usagef("--temperature %g: want a positive number", temp)
	case count < 1 || count > 10000:
		err = cliutil.Usagef("--count %d: want 1..10000", count)
	case threads < 1:
		err = cliutil.Usagef("--threads %d: want at least 1", threads)
	}
	return
}

// classFor checks --class against a model: required meaning for a
// class-conditional model, refused for another.
func classFor(c *cli.Context, m *imgtx.Model) ([]int, error) {
	if cond, err := classConditional(c, m); !cond {
		return nil, err
	}
	return checkClasses(m, []int{c.Int("class")})
}

// classConditional reports whether m takes a class; for a model that does
// not, a --class given is a usage error.
func classConditional(c *cli.Context, m *imgtx.Model) (bool, error) {
	if m.Cfg.Cond == "class" {
		return true, nil
	}
	if c.IsSet("class") {
		return false, cliutil.Usagef("--class: the model is not class-conditional (it is %s)", m.Cfg.Name())
	}
	return false, nil
}

// checkClasses refuses a class the model does not know.
func checkClasses(m *imgtx.Model, ks []int) ([]int, error) {
	for _, k := range ks {
		if k < 0 || k >= m.Cfg.Classes {
			return nil, cliutil.Usagef("--class %d: the model knows classes 0..%d", k, m.Cfg.Classes-1)
		}
	}
	return ks, nil
}

// classesFor reads sample's --class: one class, a comma-separated list or
// "all" (every class the model knows). It refuses a class for a model
// that is not class-conditional, and returns nil for such a model.
func classesFor(c *cli.Context, m *imgtx.Model) ([]int, error) {
	if cond, err := classConditional(c, m); !cond {
		return nil, err
	}
	switch s := strings.TrimSpace(c.String("class")); s {
	case "all":
		all := make([]int, m.Cfg.Classes)
		for i := range all {
			all[i] = i
		}
		return all, nil
	case "":
		return nil, cliutil.Usagef("--class: a class-conditional model needs a class, a list of classes or all")
	default:
		ks, err := cliutil.ParseInts(s)
		if err != nil {
			return nil, cliutil.Usagef("--class %s: want a class, a comma-separated list or all", s)
		}
		return checkClasses(m, ks)
	}
}
