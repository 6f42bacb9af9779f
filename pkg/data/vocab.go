package data

import (
	"fmt"
	"sort"
)

// Special tokens and their fixed ids; every Vocab starts with them.
const (
	PadToken   = "<pad>"
	StartToken = "<start>"
	EndToken   = "<end>"
	UnkToken   = "<unk>"

	PadID   = 0
	StartID = 1
	EndID   = 2
	UnkID   = 3
)

var specialTokens = [...]string{PadToken, StartToken, EndToken, UnkToken}

// Vocab maps caption words to integer ids and back.
type Vocab struct {
	Words []string // id → word; the four special tokens first
	index map[string]int
}

// BuildVocab collects the words of the captions that occur at least
// minCount times, most frequent first (ties alphabetically, so the ids do
// not depend on map order), after the four special tokens.
func BuildVocab(captions [][]string, minCount int) *Vocab {
	count := map[string]int{}
	for _, c := range captions {
		for _, w := range c {
			count[w]++
		}
	}
	var words []string
	for w, n := range count {
		if n >= minCount && !isSpecial(w) {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if count[words[i]] != count[words[j]] {
			return count[words[i]] > count[words[j]]
		}
		return words[i] < words[j]
	})
	v, _ := NewVocab(append(specialTokens[:len(specialTokens):len(specialTokens)], words...))
	return v
}

// NewVocab rebuilds a vocabulary from its word list (as stored in a
// checkpoint). The list must start with the four special tokens and hold
// no duplicates.
func NewVocab(words []string) (*Vocab, error) {
	if len(words) < len(specialTokens) {
		return nil, fmt.Errorf("vocab: %d words, the %d special tokens alone need more", len(words), len(specialTokens))
	}
	v := &Vocab{Words: append([]string(nil), words...), index: make(map[string]int, len(words))}
	for i, w := range v.Words {
		if i < len(specialTokens) && w != specialTokens[i] {
			return nil, fmt.Errorf("vocab: id %d is %q, want %q", i, w, specialTokens[i])
		}
		if _, dup := v.index[w]; dup {
			return nil, fmt.Errorf("vocab: word %q appears twice", w)
		}
		v.index[w] = i
	}
	return v, nil
}

func isSpecial(w string) bool {
	for _, s := range specialTokens {
		if w == s {
			return true
		}
	}
	return false
}

// Len returns the number of ids, special tokens included.
func (v *Vocab) Len() int { return len(v.Words) }

// ID returns the id of a word, UnkID for words outside the vocabulary.
func (v *Vocab) ID(w string) int {
	if id, ok := v.index[w]; ok {
		return id
	}
	return UnkID
}

// Word returns the word of an id, UnkToken for ids out of range.
func (v *Vocab) Word(id int) string {
	if id < 0 || id >= len(v.Words) {
		return UnkToken
	}
	return v.Words[id]
}

// Encode returns <start>, the ids of the tokens, <end>.
func (v *Vocab) Encode(tokens []string) []int {
	ids := make([]int, 0, len(tokens)+2)
	ids = append(ids, StartID)
	for _, w := range tokens {
		ids = append(ids, v.ID(w))
	}
	return append(ids, EndID)
}

// Decode turns ids back into words, skipping <start> and <pad> and
// stopping at the first <end>; Decode(Encode(c)) == c for in-vocabulary
// captions.
func (v *Vocab) Decode(ids []int) []string {
	var words []string
	for _, id := range ids {
		switch id {
		case StartID, PadID:
			continue
		case EndID:
			return words
		}
		words = append(words, v.Word(id))
	}
	return words
}
