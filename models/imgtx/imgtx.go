// Package imgtx embeds the default Image Transformer models of cmd/imgtx
// (pkg/imgtx): transformer (the unconditional MNIST model), pixelcnn (the
// gated PixelCNN baseline), class (class-conditional) and upscale
// (7×7 → 28×28 super-resolution). README.md beside this file names the
// runs they are taken from and their figures.
//
// Import it under another name, since pkg/imgtx is the model itself:
//
//	imgtxmodels "github.com/attnkit/attn/models/imgtx"
package imgtx

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/attnkit/attn/models"
	pkgimgtx "github.com/attnkit/attn/pkg/imgtx"
)

//go:embed class.safetensors
var classFile string

//go:embed pixelcnn.safetensors
var pixelcnnFile string

//go:embed transformer.safetensors
var transformerFile string

//go:embed upscale.safetensors
var upscaleFile string

// files are the models this build embeds.
var files = models.Set{"class": classFile, "pixelcnn": pixelcnnFile, "transformer": transformerFile, "upscale": upscaleFile}

// Names returns the models this build has, sorted.
func Names() []string { return files.Names() }

// Bytes returns the safetensors bytes of a model and whether this build
// has it.
func Bytes(name string) ([]byte, bool) { return files.Bytes(name) }

// Load returns a model, named "embedded:NAME" in messages. Its error wraps
// models.ErrNoModel when this build has none of that name.
func Load(name string) (*pkgimgtx.Model, error) {
	f, ok, err := files.Decode(name)
	if !ok {
		return nil, fmt.Errorf("%w named %s for imgtx", models.ErrNoModel, name)
	}
	if err != nil {
		return nil, err
	}
	return pkgimgtx.FromFile(f)
}

// Open returns the model a --model value names: "embedded:NAME" for an
// embedded one (its error wraps models.ErrNoModel when this build has
// none of that name), anything else a model file written by imgtx train.
func Open(spec string) (*pkgimgtx.Model, error) {
	if name, ok := strings.CutPrefix(spec, "embedded:"); ok {
		return Load(name)
	}
	return pkgimgtx.Load(spec)
}
