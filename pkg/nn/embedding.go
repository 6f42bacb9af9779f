package nn

import (
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
)

// Embedding is torch.nn.Embedding: a table weight [num, dim] initialised
// from N(0, 1), looked up by integer ids.
type Embedding struct {
	Weight *autograd.Var
}

// NewEmbedding returns an Embedding named prefix of num vectors of size dim.
func NewEmbedding(rng *rand.Rand, prefix string, num, dim int) *Embedding {
	e := &Embedding{Weight: param(prefix, "weight", num, dim)}
	Normal(rng, e.Weight.Value, 0, 1)
	return e
}

// Forward returns the rows ids of the table as [len(ids), dim]; reshape
// the result for batched sequences. Every id must lie in [0, num).
func (e *Embedding) Forward(tp *autograd.Tape, ids []int) *autograd.Var {
	return tp.Embedding(e.Weight, ids)
}

// Params returns the table.
func (e *Embedding) Params() []*autograd.Var { return []*autograd.Var{e.Weight} }

// Buffers returns nothing: Embedding has no buffers.
func (e *Embedding) Buffers() []Buffer { return nil }
