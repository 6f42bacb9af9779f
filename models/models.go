// Package models holds the toolkit's default trained weights, embedded
// into the binaries so that every tool works offline with no download.
//
// There is one subpackage per tool, each with the same API:
//
//	models/ram  the glimpse models, one per task (mnist, translated, cluttered60, cluttered100)
//	models/lpa  the Learn-to-Pay-Attention models (att, baseline)
//	models/caption  the Show, Attend and Tell models (soft, hard, baseline)
//	models/nonlocal  the non-local network models (c2d, nl), none embedded yet
//
//	Names() []string                 // the models this build embeds, sorted
//	Bytes(name) ([]byte, bool)       // a model's safetensors bytes
//	Load(name) (*Model, error)       // a model, named "embedded:NAME" in messages
//
// Load decodes only the model asked for, straight from the embedded
// bytes (Decode), each time it is called.
//
// Load's error wraps ErrNoModel when the build has no model of that name.
// Each file records its training configuration in its metadata;
// models/README.md says how each was trained and how to replace one.
package models

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/attnkit/attn/pkg/ckpt"
)

// ErrNoModel is wrapped by the Load function of every subpackage when this
// build embeds no model of the requested name.
var ErrNoModel = errors.New("no embedded model")

// ext is the extension of every embedded model file.
const ext = ".safetensors"

// List returns the names of the model files at the top of fsys (the file
// names without ".safetensors"), sorted. The subpackages' Names use it.
func List(fsys fs.FS) []string {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ext); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Read returns the bytes of the model file NAME.safetensors at the top of
// fsys and whether there is one. The subpackages' Bytes use it.
func Read(fsys fs.FS, name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false
	}
	b, err := fs.ReadFile(fsys, name+ext)
	return b, err == nil
}

// Decode decodes the model file NAME.safetensors at the top of fsys as a
// checkpoint named "embedded:NAME" and reports whether there is one. It
// reads the tensors from the file in place where fsys allows (an
// embed.FS does), where Read would first copy the whole file: megabytes
// of memory to fault in before a single-image command's one forward pass.
// The subpackages' Load use it.
func Decode(fsys fs.FS, name string) (f *ckpt.File, ok bool, err error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false, nil
	}
	fh, err := fsys.Open(name + ext)
	if err != nil {
		return nil, false, nil
	}
	defer fh.Close()
	label := "embedded:" + name
	st, err := fh.Stat()
	if err != nil || st.IsDir() {
		return nil, false, nil
	}
	r, isReaderAt := fh.(io.ReaderAt)
	if !isReaderAt {
		b, err := io.ReadAll(fh)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", label, err)
		}
		f, err := ckpt.ReadBytes(b, label)
		return f, true, err
	}
	f, err = ckpt.ReadFrom(r, st.Size(), label)
	return f, true, err
}
