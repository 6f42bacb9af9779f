package nonlocal

import (
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
)

// Format names the model-file layout; it is stored in the metadata so
// another tool's file is refused with a clear message.
const Format = "attnkit.nonlocal/1"

var fileFormat = nn.ModelFormat{Name: Format, Kind: "a nonlocal model"}

// File returns the model as a checkpoint: parameters and batch-norm
// buffers under their state-dict names, the configuration under "config".
func (m *Model) File() (*ckpt.File, error) { return fileFormat.File(m, m.Cfg) }

// Save writes the model to path atomically.
func (m *Model) Save(path string) error { return fileFormat.Save(path, m, m.Cfg) }

// FromFile builds a model from a decoded checkpoint, checking that it
// holds exactly the tensors its configuration implies (training-state
// tensors are allowed too). The model comes back in evaluation mode.
func FromFile(f *ckpt.File) (*Model, error) {
	m, err := nn.ReadModel(f, fileFormat, func(cfg Config) (*Model, error) { return build(cfg, nil) })
	if err != nil {
		return nil, err
	}
	m.Train(false)
	return m, nil
}

// Load reads a model from a safetensors file, ready for evaluation.
func Load(path string) (*Model, error) { return nn.LoadModel(path, FromFile) }

// LoadBytes reads a model from safetensors bytes (an embedded model).
func LoadBytes(b []byte, name string) (*Model, error) {
	return nn.LoadModelBytes(b, name, FromFile)
}
