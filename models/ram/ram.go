// Package ram embeds the default glimpse models of cmd/glimpse (the
// recurrent attention model of pkg/ram), one per task: mnist, translated,
// cluttered60 and cluttered100, as <task>.safetensors. README.md beside
// this file names the run each was taken from.
//
// Import it under another name, since pkg/ram is the model itself:
//
//	rammodels "github.com/attnkit/attn/models/ram"
package ram

import (
	_ "embed"
	"fmt"

	"github.com/attnkit/attn/models"
	pkgram "github.com/attnkit/attn/pkg/ram"
)

//go:embed cluttered100.safetensors
var cluttered100File string

//go:embed cluttered60.safetensors
var cluttered60File string

//go:embed mnist.safetensors
var mnistFile string

//go:embed translated.safetensors
var translatedFile string

// files are the models this build embeds.
var files = models.Set{"cluttered100": cluttered100File, "cluttered60": cluttered60File, "mnist": mnistFile, "translated": translatedFile}

// Names returns the tasks this build has a model for, sorted.
func Names() []string { return files.Names() }

// Bytes returns the safetensors bytes of a task's model and whether this
// build has one.
func Bytes(task string) ([]byte, bool) { return files.Bytes(task) }

// Load returns the model of a task, named "embedded:TASK" in messages. Its
// error wraps models.ErrNoModel when this build has none.
func Load(task string) (*pkgram.Model, error) {
	f, ok, err := files.Decode(task)
	if !ok {
		return nil, fmt.Errorf("%w for glimpse task %s", models.ErrNoModel, task)
	}
	if err != nil {
		return nil, err
	}
	return pkgram.FromFile(f)
}
