// Package lpa embeds the default Learn-to-Pay-Attention models of cmd/lpa
// (pkg/lpa): att.safetensors, the reference (VGG-att3)-concat-pc, and
// baseline.safetensors, the same VGG with a global-average-pooling head,
// both trained on the built-in textured-digits task. README.md beside this
// file names the runs they were taken from.
//
// Import it under another name, since pkg/lpa is the model itself:
//
//	lpamodels "github.com/attnkit/attn/models/lpa"
package lpa

import (
	_ "embed"
	"fmt"

	"github.com/attnkit/attn/models"
	pkglpa "github.com/attnkit/attn/pkg/lpa"
)

//go:embed att.safetensors
var attFile string

//go:embed baseline.safetensors
var baselineFile string

// files are the models this build embeds.
var files = models.Set{"att": attFile, "baseline": baselineFile}

// Names returns the models this build has ("att", "baseline"), sorted.
func Names() []string { return files.Names() }

// Bytes returns the safetensors bytes of the model "att" or "baseline"
// and whether this build has it.
func Bytes(name string) ([]byte, bool) { return files.Bytes(name) }

// Load returns the model "att" or "baseline", named "embedded:NAME" in
// messages. Its error wraps models.ErrNoModel when this build has none.
func Load(name string) (*pkglpa.Model, error) {
	f, ok, err := files.Decode(name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for lpa", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkglpa.FromFile(f)
}
