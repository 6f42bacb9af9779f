package nn

import (
	"fmt"

	"github.com/attnkit/attn/pkg/ckpt"
)

// ModelFormat is the layout every model file of the toolkit shares: the
// module's state dict under its state-dict names, a "format" metadata
// entry naming the model kind and its layout version, and the model's
// configuration as JSON under "config", so a file rebuilds its model
// without outside knowledge. A training-state file is the same file with
// tensors under the prefixes in TrainingPrefixes added.
type ModelFormat struct {
	// Name is the layout tag stored under "format", e.g. "attnkit.lpa/1".
	Name string
	// Kind is what the model is called in messages, with its article,
	// e.g. "an lpa model".
	Kind string
}

// TrainingPrefixes start the names of the tensors a training-state file
// adds to a model file (the optimizer's moments and the loop's own).
var TrainingPrefixes = []string{"optim.", "train."}

// File returns m's state dict with the format tag and cfg as "config".
func (mf ModelFormat) File(m Module, cfg any) (*ckpt.File, error) {
	f := ckpt.NewFile()
	if err := PutState(f, m); err != nil {
		return nil, err
	}
	f.Metadata["format"] = mf.Name
	if err := ckpt.PutJSON(f.Metadata, "config", cfg); err != nil {
		return nil, err
	}
	return f, nil
}

// Config checks that f is a file of this format and decodes its
// configuration into cfg (a pointer). When cfg has a Validate() error
// method, the decoded configuration must pass it.
func (mf ModelFormat) Config(f *ckpt.File, cfg any) error {
	if got := f.Metadata["format"]; got != mf.Name {
		return fmt.Errorf("%s: not %s (format %q, want %q)", f.Name, mf.Kind, got, mf.Name)
	}
	if err := ckpt.GetJSON(f.Metadata, "config", cfg); err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("%s: config: %w", f.Name, err)
		}
	}
	return nil
}

// Load copies f's state dict into m, which was built from the file's
// configuration (see Config). LoadState checks names, shapes and
// finiteness before anything is copied; training-state tensors are
// allowed.
func (mf ModelFormat) Load(f *ckpt.File, m Module) error {
	return LoadState(f, m, TrainingPrefixes...)
}

// Save writes m with cfg to path atomically.
func (mf ModelFormat) Save(path string, m Module, cfg any) error {
	f, err := mf.File(m, cfg)
	if err != nil {
		return err
	}
	return ckpt.WriteFile(path, f)
}

// ReadModel decodes a model file of format mf: it reads the
// configuration, builds the model with build and loads the weights into
// it. It is what a model package's FromFile is made of.
func ReadModel[C any, M Module](f *ckpt.File, mf ModelFormat, build func(C) (M, error)) (M, error) {
	var cfg C
	var zero M
	if err := mf.Config(f, &cfg); err != nil {
		return zero, err
	}
	m, err := build(cfg)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", f.Name, err)
	}
	if err := mf.Load(f, m); err != nil {
		return zero, err
	}
	return m, nil
}

// LoadModel reads the model file at path and decodes it with fromFile (a
// model package's FromFile); it is what a model package's Load is made of.
func LoadModel[M any](path string, fromFile func(*ckpt.File) (M, error)) (M, error) {
	f, err := ckpt.Read(path)
	if err != nil {
		var zero M
		return zero, err
	}
	return fromFile(f)
}

// LoadModelBytes is LoadModel for a model file held in memory (an
// embedded model); name stands for it in messages.
func LoadModelBytes[M any](b []byte, name string, fromFile func(*ckpt.File) (M, error)) (M, error) {
	f, err := ckpt.ReadBytes(b, name)
	if err != nil {
		var zero M
		return zero, err
	}
	return fromFile(f)
}
