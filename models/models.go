// Package models holds the toolkit's default trained weights, embedded
// into the binaries so that every tool works offline with no download.
//
// There is one subpackage per tool, each with the same API:
//
//	models/ram  the glimpse models, one per task (mnist, translated, cluttered60, cluttered100)
//	models/lpa  the Learn-to-Pay-Attention models (att, baseline)
//	models/caption  the Show, Attend and Tell models (soft, hard, baseline)
//	models/nonlocal  the non-local network models (c2d, nl, cnn, nl2d)
//	models/imgtx  the Image Transformer models (transformer, pixelcnn, class, upscale)
//
//	Names() []string                 // the models this build embeds, sorted
//	Bytes(name) ([]byte, bool)       // a model's safetensors bytes
//	Load(name) (*Model, error)       // a model, named "embedded:NAME" in messages
//
// Load decodes only the model asked for, each time it is called, straight
// from the embedded bytes (Set.Decode): the weights are copied once, into
// the model, and no other copy of them is made.
//
// Each subpackage embeds its files one by one (//go:embed NAME.safetensors
// into a string) and lists them in a Set; a model of a new name is added
// there. Load's error wraps ErrNoModel when the build has no model of that
// name.
// Each file records its training configuration in its metadata;
// models/README.md says how each was trained and how to replace one.
package models

import (
	"errors"
	"maps"
	"slices"

	"github.com/attnkit/attn/pkg/ckpt"
)

// ErrNoModel is wrapped by the Load function of every subpackage when this
// build embeds no model of the requested name.
var ErrNoModel = errors.New("no embedded model")

// Set is a tool's embedded models: each name (a file name without
// ".safetensors") with the file's bytes, embedded as a string
// (//go:embed NAME.safetensors). Strings rather than an embed.FS because
// a string's bytes can be decoded where they lie, in the executable's
// read-only data (ckpt.ReadString); an embed.FS file can only be copied
// out.
type Set map[string]string

// Names returns the set's model names, sorted. The subpackages' Names use
// it.
func (s Set) Names() []string { return slices.Sorted(maps.Keys(s)) }

// Bytes returns a copy of the bytes of the model file NAME.safetensors and
// whether there is one. The subpackages' Bytes use it.
func (s Set) Bytes(name string) ([]byte, bool) {
	b, ok := s[name]
	return []byte(b), ok
}

// Decode decodes the model NAME as a checkpoint named "embedded:NAME" and
// reports whether there is one. Its float32 tensors are read in place
// (ckpt.ReadString), so they must not be written to. The subpackages'
// Load use it.
func (s Set) Decode(name string) (f *ckpt.File, ok bool, err error) {
	b, ok := s[name]
	if !ok {
		return nil, false, nil
	}
	f, err = ckpt.ReadString(b, "embedded:"+name)
	return f, true, err
}
