// Package models embeds the toolkit's default trained weights, so every
// tool works offline with no download. Each file records in its metadata
// the configuration it was trained with; models/README.md gives the exact
// training command and the measured test figures of each.
package models

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/attnkit/attn/pkg/ram"
)

//go:embed ram
var files embed.FS

// RAM returns the embedded glimpse model for a task (mnist, translated,
// cluttered60, cluttered100) and whether there is one.
func RAM(task string) ([]byte, bool) {
	b, err := fs.ReadFile(files, "ram/"+task+".safetensors")
	return b, err == nil
}

// ErrNoModel is returned by LoadRAM when this build embeds no model for
// the task.
var ErrNoModel = errors.New("no embedded model")

// LoadRAM returns the embedded glimpse model of a task, named
// "embedded:TASK" in messages. Its error wraps ErrNoModel when the build
// has none.
func LoadRAM(task string) (*ram.Model, error) {
	b, ok := RAM(task)
	if !ok {
		return nil, fmt.Errorf("%w for task %s", ErrNoModel, task)
	}
	return ram.LoadBytes(b, "embedded:"+task)
}
