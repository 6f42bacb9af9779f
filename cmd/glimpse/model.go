package main

import (
	"errors"
	"fmt"

	"github.com/attnkit/attn/models"
	rammodels "github.com/attnkit/attn/models/ram"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/urfave/cli/v2"
)

// modelFlags select a model: a file, or the embedded default of a task.
func modelFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "task", Value: "mnist", Usage: "task `T`: mnist, translated, cluttered60 or cluttered100"},
		&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "model `FILE` (.safetensors from 'glimpse train'); default: the embedded model of --task"},
	}
}

// loadModel returns the model named by --model, or the embedded model of
// --task. Any failure is a model error (exit 3).
func loadModel(c *cli.Context) (*ram.Model, string, error) {
	if p := c.String("model"); p != "" {
		m, err := ram.Load(p)
		if err != nil {
			return nil, "", cliutil.ModelErr(err)
		}
		if c.IsSet("task") && c.String("task") != m.Cfg.Task {
			return nil, "", cliutil.Usagef("--task %s, but %s was trained on %s", c.String("task"), p, m.Cfg.Task)
		}
		return m, p, nil
	}
	task := c.String("task")
	if _, err := ram.TaskConfig(task); err != nil {
		return nil, "", cliutil.Usagef("--task: %v", err)
	}
	m, err := rammodels.Load(task)
	if errors.Is(err, models.ErrNoModel) {
		return nil, "", cliutil.ModelErr(fmt.Errorf("no embedded model for task %s in this build; train one with 'glimpse train --task %s -o %s.safetensors' and pass it with --model", task, task, task))
	}
	if err != nil {
		return nil, "", cliutil.ModelErr(err)
	}
	name := "embedded:" + task
	return m, name, nil
}
