package lpa

import (
	"fmt"

	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
)

// Format names the checkpoint layout; it is stored in the metadata so
// another tool's file is refused with a clear message.
const Format = "attnkit.lpa/1"

// File returns the model as a checkpoint: parameters and batch-norm
// buffers under their state-dict names, the configuration in the metadata
// under "config".
func (m *Model) File() (*ckpt.File, error) {
	f := ckpt.NewFile()
	if err := nn.PutState(f, m); err != nil {
		return nil, err
	}
	f.Metadata["format"] = Format
	if err := ckpt.PutJSON(f.Metadata, "config", m.Cfg); err != nil {
		return nil, err
	}
	return f, nil
}

// Save writes the model to path atomically.
func (m *Model) Save(path string) error {
	f, err := m.File()
	if err != nil {
		return err
	}
	return ckpt.WriteFile(path, f)
}

// FromFile builds a model from a decoded checkpoint, checking that it
// holds exactly the tensors its configuration implies, with their shapes,
// and only finite values. Tensors under "optim." and "train." (training
// state) are allowed too.
func FromFile(f *ckpt.File) (*Model, error) {
	if got := f.Metadata["format"]; got != Format {
		return nil, fmt.Errorf("%s: not an lpa model (format %q, want %q)", f.Name, got, Format)
	}
	var cfg Config
	if err := ckpt.GetJSON(f.Metadata, "config", &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: config: %w", f.Name, err)
	}
	m, err := New(cfg, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	// LoadState checks names, shapes and finiteness before copying.
	if err := nn.LoadState(f, m, "optim.", "train."); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	m.Train(false)
	return m, nil
}

// Load reads a model from a safetensors file, ready for evaluation.
func Load(path string) (*Model, error) {
	f, err := ckpt.Read(path)
	if err != nil {
		return nil, err
	}
	return FromFile(f)
}

// LoadBytes reads a model from safetensors bytes (an embedded model).
func LoadBytes(b []byte, name string) (*Model, error) {
	f, err := ckpt.ReadBytes(b, name)
	if err != nil {
		return nil, err
	}
	return FromFile(f)
}
