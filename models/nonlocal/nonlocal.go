// Package nonlocal embeds the default models of cmd/nonlocal
// (pkg/nonlocal): c2d.safetensors, the C2D baseline, and nl.safetensors,
// the same network with a non-local block, both trained on the built-in
// sum clip task; cnn.safetensors and nl2d.safetensors, the plain CNN and
// the CNN with five 2-D blocks, trained on the cluttered60 images. A build made before they were trained has none: Load's
// error wraps models.ErrNoModel and the command says how to train one.
//
// Import it under another name, since pkg/nonlocal is the model itself:
//
//	nlmodels "github.com/attnkit/attn/models/nonlocal"
package nonlocal

import (
	"embed"
	"fmt"

	"github.com/attnkit/attn/models"
	pkgnonlocal "github.com/attnkit/attn/pkg/nonlocal"
)

// The pattern * also matches this file and README.md, so the package
// compiles in a build that has no model yet.
//
//go:embed *
var files embed.FS

// Names returns the models this build has (of "c2d", "nl", "cnn", "nl2d"), sorted.
func Names() []string { return models.List(files) }

// Bytes returns the safetensors bytes of the model "c2d", "nl", "cnn" or "nl2d" and
// whether this build has it.
func Bytes(name string) ([]byte, bool) { return models.Read(files, name) }

// Load returns the model "c2d", "nl", "cnn" or "nl2d", named "embedded:NAME" in
// messages. Its error wraps models.ErrNoModel when this build has none.
func Load(name string) (*pkgnonlocal.Model, error) {
	f, ok, err := models.Decode(files, name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for nonlocal", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkgnonlocal.FromFile(f)
}
