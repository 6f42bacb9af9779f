// Package caption embeds the default Show, Attend and Tell models of
// cmd/caption (pkg/caption): soft.safetensors (soft attention),
// hard.safetensors (hard attention) and baseline.safetensors (no
// attention), trained on the built-in captioned scenes as the paper
// trains, and soft-sup.safetensors and hard-sup.safetensors, the same
// with their attention supervised by the boxes the words name
// (caption train --attn-supervision). README.md beside this file names
// the runs they are taken from.
//
// Import it under another name, since pkg/caption is the model itself:
//
//	capmodels "github.com/attnkit/attn/models/caption"
package caption

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/attnkit/attn/models"
	pkgcaption "github.com/attnkit/attn/pkg/caption"
)

//go:embed baseline.safetensors
var baselineFile string

//go:embed hard.safetensors
var hardFile string

//go:embed hard-sup.safetensors
var hardSupFile string

//go:embed soft.safetensors
var softFile string

//go:embed soft-sup.safetensors
var softSupFile string

// files are the models this build embeds.
var files = models.Set{"baseline": baselineFile, "hard": hardFile, "hard-sup": hardSupFile,
	"soft": softFile, "soft-sup": softSupFile}

// Names returns the models this build has, sorted.
func Names() []string { return files.Names() }

// Bytes returns the safetensors bytes of a model ("soft", "hard",
// "baseline", "soft-sup" or "hard-sup") and whether this build has it.
func Bytes(name string) ([]byte, bool) { return files.Bytes(name) }

// Load returns a model ("soft", "hard", "baseline", "soft-sup" or
// "hard-sup"), named
// "embedded:NAME" in messages. Its error wraps models.ErrNoModel when this
// build has none.
func Load(name string) (*pkgcaption.Model, error) {
	f, ok, err := files.Decode(name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for caption", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkgcaption.FromFile(f)
}

// Open returns the model a --model value names: "embedded:NAME" for an
// embedded one (its error wraps models.ErrNoModel when this build has
// none of that name), anything else a model file written by caption train.
func Open(spec string) (*pkgcaption.Model, error) {
	if name, ok := strings.CutPrefix(spec, "embedded:"); ok {
		return Load(name)
	}
	return pkgcaption.Load(spec)
}
