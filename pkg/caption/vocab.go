package caption

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/attnkit/attn/pkg/data"
)

// vocabJSON is the stored form of a vocabulary: the words in id order.
type vocabJSON struct {
	Words []string `json:"words"`
}

// MarshalVocab returns a vocabulary as JSON, {"words": [...]} with a word's
// id its position, for a model file's metadata.
func MarshalVocab(v *data.Vocab) ([]byte, error) {
	if v == nil {
		return nil, fmt.Errorf("vocab: nil vocabulary")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<pad>" readable in the metadata
	if err := enc.Encode(vocabJSON{Words: v.Words}); err != nil {
		return nil, fmt.Errorf("vocab: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalVocab rebuilds a vocabulary from MarshalVocab's JSON, checking
// it as data.NewVocab does (special tokens first, no duplicates).
func UnmarshalVocab(b []byte) (*data.Vocab, error) {
	var vj vocabJSON
	if err := json.Unmarshal(b, &vj); err != nil {
		return nil, fmt.Errorf("vocab: %w", err)
	}
	return data.NewVocab(vj.Words)
}
