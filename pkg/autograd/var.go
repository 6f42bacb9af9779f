// Package autograd is reverse-mode automatic differentiation over
// tensor.Tensor values.
//
// Ops are methods on a Tape. Each op computes its forward result at once
// and, when the tape records and an input needs a gradient, pushes a
// closure that runs the op's explicit backward. Backward runs the closures
// in reverse order; gradients accumulate with +=, so a value used twice
// receives the sum of both contributions.
//
// Intermediate values and gradients come from the tape's arena: Reset
// returns every buffer to it, so a training step that repeats the same
// shapes allocates nothing for tensors in steady state. Values obtained
// from a tape are only valid until its next Reset; copy out what must live
// longer. Parameters are created with NewParam and live outside any tape.
package autograd

import "github.com/attnkit/attn/pkg/tensor"

// Var is a node of a computation: a value and, when it needs one, the
// gradient of the loss with respect to it.
type Var struct {
	Value *tensor.Tensor
	// Grad is the accumulated gradient. Parameters own theirs; for
	// intermediate values it is taken from the tape on first use and is nil
	// while no gradient has reached the value.
	Grad *tensor.Tensor
	// RequiresGrad marks values whose gradient backward must compute.
	RequiresGrad bool
	// Name is the parameter's state-dict name (empty for intermediates).
	Name string
}

// NewParam returns a trainable leaf with its own zeroed gradient buffer.
func NewParam(name string, value *tensor.Tensor) *Var {
	return &Var{Value: value, Grad: tensor.New(value.Shape...), RequiresGrad: true, Name: name}
}

// Const returns a leaf that needs no gradient (inputs, targets, masks).
func Const(value *tensor.Tensor) *Var {
	return &Var{Value: value}
}

// ZeroGrad clears the gradient of every parameter given.
func ZeroGrad(params []*Var) {
	for _, p := range params {
		if p.Grad != nil {
			p.Grad.Zero()
		}
	}
}

// Shape returns the value's shape.
func (v *Var) Shape() []int { return v.Value.Shape }
