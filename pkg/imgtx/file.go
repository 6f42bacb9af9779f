package imgtx

import (
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
)

// Format names the model-file layout.
const Format = "attnkit.imgtx/1"

var fileFormat = nn.ModelFormat{Name: Format, Kind: "an imgtx model"}

// File returns the model as a checkpoint: the weights under their
// state-dict names and the configuration under "config".
func (m *Model) File() (*ckpt.File, error) { return fileFormat.File(m, m.Cfg) }

// Save writes the model to path atomically.
func (m *Model) Save(path string) error { return fileFormat.Save(path, m, m.Cfg) }

// FromFile builds a model from a decoded checkpoint, checking that it
// holds exactly the tensors its configuration implies.
func FromFile(f *ckpt.File) (*Model, error) {
	return nn.ReadModel(f, fileFormat, func(cfg Config) (*Model, error) { return build(cfg, nil) })
}

// Load reads a model file.
func Load(path string) (*Model, error) { return nn.LoadModel(path, FromFile) }

// LoadBytes reads a model from safetensors bytes (an embedded model).
func LoadBytes(b []byte, name string) (*Model, error) {
	return nn.LoadModelBytes(b, name, FromFile)
}
