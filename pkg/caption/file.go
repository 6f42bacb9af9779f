package caption

import (
	"fmt"

	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/nn"
)

// format is the model file's layout: nn.ModelFormat plus the vocabulary
// as MarshalVocab's JSON under the metadata key "vocab".
var format = nn.ModelFormat{Name: "attnkit.caption/1", Kind: "a caption model"}

// File returns the model as a model file.
func (m *Model) File() (*ckpt.File, error) {
	f, err := format.File(m, m.Cfg)
	if err != nil {
		return nil, err
	}
	v, err := MarshalVocab(m.Vocab)
	if err != nil {
		return nil, err
	}
	f.Metadata["vocab"] = string(v)
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

// FromFile rebuilds a model from its file (a training-state file works
// too).
func FromFile(f *ckpt.File) (*Model, error) {
	raw, ok := f.Metadata["vocab"]
	if !ok {
		if f.Metadata["format"] != format.Name {
			var cfg Config
			return nil, format.Config(f, &cfg) // the format error says what the file is
		}
		return nil, fmt.Errorf("%s: no vocabulary in the metadata", f.Name)
	}
	vocab, err := UnmarshalVocab([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return nn.ReadModel(f, format, func(c Config) (*Model, error) { return build(c, vocab, nil) })
}

// Load reads a model file.
func Load(path string) (*Model, error) { return nn.LoadModel(path, FromFile) }

// LoadBytes reads a model file held in memory (an embedded model); name
// stands for it in messages.
func LoadBytes(b []byte, name string) (*Model, error) {
	return nn.LoadModelBytes(b, name, FromFile)
}

// BuiltinVocab is the vocabulary of the built-in scenes: every word
// data.GenerateScene can write.
func BuiltinVocab() *data.Vocab {
	return data.BuildVocab([][]string{data.SceneWords()}, 1)
}
