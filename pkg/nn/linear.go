package nn

import (
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
)

// Linear is torch.nn.Linear: y = x·Wᵀ + b with weight [out, in] and bias
// [out], both initialised from U(±1/sqrt(in)).
type Linear struct {
	Weight *autograd.Var
	Bias   *autograd.Var // nil without bias
}

// NewLinear returns a Linear layer named prefix (parameters
// "prefix.weight" and "prefix.bias").
func NewLinear(rng *rand.Rand, prefix string, in, out int, bias bool) *Linear {
	l := &Linear{Weight: param(prefix, "weight", out, in)}
	if bias {
		l.Bias = param(prefix, "bias", out)
	}
	initLinearLike(rng, l.Weight.Value, valueOf(l.Bias))
	return l
}

// Forward maps x [..., in] to [..., out].
func (l *Linear) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.Linear(x, l.Weight, l.Bias)
}

// Params returns weight and bias.
func (l *Linear) Params() []*autograd.Var { return appendNonNil(nil, l.Weight, l.Bias) }

// Buffers returns nothing: Linear has no buffers.
func (l *Linear) Buffers() []Buffer { return nil }
