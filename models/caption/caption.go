// Package caption embeds the default Show, Attend and Tell models of
// cmd/caption (pkg/caption): soft.safetensors (soft attention),
// hard.safetensors (hard attention) and baseline.safetensors (no
// attention), trained on the built-in captioned scenes. README.md beside
// this file names the runs they are taken from. A build made before they
// were trained has none: Load's error wraps models.ErrNoModel and the
// command says how to train one.
//
// Import it under another name, since pkg/caption is the model itself:
//
//	capmodels "github.com/attnkit/attn/models/caption"
package caption

import (
	"embed"
	"fmt"

	"github.com/attnkit/attn/models"
	pkgcaption "github.com/attnkit/attn/pkg/caption"
)

// The pattern * also matches this file and README.md, so the package
// compiles in a build that has no model yet.
//
//go:embed *
var files embed.FS

// Names returns the models this build has (of "baseline", "hard",
// "soft"), sorted.
func Names() []string { return models.List(files) }

// Bytes returns the safetensors bytes of the model "soft", "hard" or
// "baseline" and whether this build has it.
func Bytes(name string) ([]byte, bool) { return models.Read(files, name) }

// Load returns the model "soft", "hard" or "baseline", named
// "embedded:NAME" in messages. Its error wraps models.ErrNoModel when this
// build has none.
func Load(name string) (*pkgcaption.Model, error) {
	f, ok, err := models.Decode(files, name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for caption", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkgcaption.FromFile(f)
}
