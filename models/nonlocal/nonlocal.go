// Package nonlocal embeds the default models of cmd/nonlocal
// (pkg/nonlocal): c2d.safetensors, the C2D baseline, and nl.safetensors,
// the same network with a non-local block, both trained on the built-in
// sum clip task; cnn.safetensors and nl2d.safetensors, the plain CNN and
// the CNN with five 2-D blocks, trained on the cluttered60
// images.
//
// Import it under another name, since pkg/nonlocal is the model itself:
//
//	nlmodels "github.com/attnkit/attn/models/nonlocal"
package nonlocal

import (
	_ "embed"
	"fmt"

	"github.com/attnkit/attn/models"
	pkgnonlocal "github.com/attnkit/attn/pkg/nonlocal"
)

//go:embed c2d.safetensors
var c2dFile string

//go:embed cnn.safetensors
var cnnFile string

//go:embed nl.safetensors
var nlFile string

//go:embed nl2d.safetensors
var nl2dFile string

// files are the models this build embeds.
var files = models.Set{"c2d": c2dFile, "cnn": cnnFile, "nl": nlFile, "nl2d": nl2dFile}

// Names returns the models this build has (of "c2d", "nl", "cnn", "nl2d"), sorted.
func Names() []string { return files.Names() }

// Bytes returns the safetensors bytes of the model "c2d", "nl", "cnn" or "nl2d" and
// whether this build has it.
func Bytes(name string) ([]byte, bool) { return files.Bytes(name) }

// Load returns the model "c2d", "nl", "cnn" or "nl2d", named "embedded:NAME" in
// messages. Its error wraps models.ErrNoModel when this build has none.
func Load(name string) (*pkgnonlocal.Model, error) {
	f, ok, err := files.Decode(name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for nonlocal", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkgnonlocal.FromFile(f)
}
