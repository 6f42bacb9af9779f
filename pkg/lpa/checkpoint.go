package lpa

import (
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
)

// Format names the checkpoint layout; it is stored in the metadata so
// another tool's file is refused with a clear message.
const Format = "attnkit.lpa/1"

// fileFormat is the toolkit's model-file layout (nn.ModelFormat) with
// this model's tag.
var fileFormat = nn.ModelFormat{Name: Format, Kind: "an lpa model"}

// File returns the model as a checkpoint: parameters and batch-norm
// buffers under their state-dict names, the configuration in the metadata
// under "config".
func (m *Model) File() (*ckpt.File, error) { return fileFormat.File(m, m.Cfg) }

// Save writes the model to path atomically.
func (m *Model) Save(path string) error { return fileFormat.Save(path, m, m.Cfg) }

// FromFile builds a model from a decoded checkpoint, checking that it
// holds exactly the tensors its configuration implies, with their shapes,
// and only finite values. Tensors under "optim." and "train." (training
// state) are allowed too. The model comes back in evaluation mode.
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
