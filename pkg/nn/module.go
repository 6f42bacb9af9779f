// Package nn holds neural-network layers whose parameters carry PyTorch's
// names, shapes and default initialisations, so a model's state maps one to
// one onto a torch state_dict and a safetensors file written by either side
// loads in the other.
//
// A layer is created with its state-dict prefix ("features.0" gives
// "features.0.weight") and a *rand.Rand for its initialisation; its
// Forward methods run the matching ops of package autograd on a tape.
// Models compose layers with List and save or restore them with Save,
// Load, PutState and LoadState.
package nn

import (
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// Module is anything that owns parameters and buffers under state-dict
// names.
type Module interface {
	// Params returns the trainable parameters; each Var's Name is its full
	// state-dict name.
	Params() []*autograd.Var
	// Buffers returns the saved, untrained state (BatchNorm's running
	// statistics), also under full state-dict names.
	Buffers() []Buffer
}

// Buffer is a piece of module state that is saved with the parameters but
// not trained. Exactly one of Value and Count is set.
type Buffer struct {
	Name string
	// Value holds a float32 buffer such as running_mean.
	Value *tensor.Tensor
	// Count holds an integer scalar such as num_batches_tracked, saved as an
	// I64 scalar as torch saves it.
	Count *int64
}

// TrainMode is implemented by modules that behave differently in training
// and evaluation (BatchNorm, and List which forwards to its members).
type TrainMode interface {
	// Train switches training behaviour on (torch's model.train()) or off
	// (model.eval()).
	Train(on bool)
}

// SetTraining switches every module in ms that has a training mode.
func SetTraining(on bool, ms ...Module) {
	for _, m := range ms {
		if t, ok := m.(TrainMode); ok {
			t.Train(on)
		}
	}
}

// List is a module made of other modules; its parameters and buffers are
// theirs, in order. Members carry their own full names, so a List adds no
// prefix.
type List []Module

// Params returns the members' parameters in order.
func (l List) Params() []*autograd.Var {
	var ps []*autograd.Var
	for _, m := range l {
		if m != nil {
			ps = append(ps, m.Params()...)
		}
	}
	return ps
}

// Buffers returns the members' buffers in order.
func (l List) Buffers() []Buffer {
	var bs []Buffer
	for _, m := range l {
		if m != nil {
			bs = append(bs, m.Buffers()...)
		}
	}
	return bs
}

// Train switches every member that has a training mode.
func (l List) Train(on bool) { SetTraining(on, l...) }

// Join returns the state-dict name of a child: "prefix.name", or name
// alone when prefix is empty. Join("features", 0) style numbering is the
// caller's: Join("features.0", "weight").
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// param creates a named parameter of the given shape.
func param(prefix, name string, shape ...int) *autograd.Var {
	return autograd.NewParam(Join(prefix, name), tensor.New(shape...))
}

// appendNonNil appends the non-nil vars.
func appendNonNil(ps []*autograd.Var, vs ...*autograd.Var) []*autograd.Var {
	for _, v := range vs {
		if v != nil {
			ps = append(ps, v)
		}
	}
	return ps
}
