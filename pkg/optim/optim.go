// Package optim updates parameters from their gradients: SGD with momentum,
// Adam and AdamW with PyTorch's exact update rules, learning-rate schedules,
// gradient clipping, and optimizer state that round-trips through a
// checkpoint so an interrupted run resumes bit for bit.
//
// The element-wise updates follow torch.optim's single-tensor (foreach=False)
// code: the same float32 operations in the same order, with scalar
// coefficients computed in float64 and rounded to float32 where PyTorch
// does. Every float32 product is rounded explicitly before it is added so
// no platform may fuse it into an FMA; the results are the same bits on
// every machine. PyTorch's own AVX2 kernels use FMA for some of these
// operations, so a comparison with PyTorch agrees to about one ulp per step,
// not always bit for bit.
package optim

import (
	"fmt"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/tensor"
)

// Optimizer updates a fixed list of parameters from their gradients.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step()
	// ZeroGrad clears every parameter's gradient.
	ZeroGrad()
	// LR returns the current learning rate.
	LR() float64
	// SetLR changes the learning rate (schedules call it).
	SetLR(lr float64)
	// Params returns the parameters being optimized.
	Params() []*autograd.Var
	// SaveState adds the optimizer's moments (as tensors named
	// "optim.<kind>.<param name>") and its hyper-parameters and step counts
	// (as JSON under the metadata key "optim") to f.
	SaveState(f *ckpt.File) error
	// LoadState restores what SaveState stored, including the learning
	// rate and hyper-parameters, as torch's load_state_dict does.
	LoadState(f *ckpt.File) error
}

// MetadataKey is the metadata key under which optimizers store their
// hyper-parameters and step counts.
const MetadataKey = "optim"

// TensorPrefix starts the name of every tensor an optimizer saves; pass it
// to ckpt.File.Expect as an ignored prefix when checking model tensors.
const TensorPrefix = "optim."

// stateName returns the checkpoint name of one piece of a parameter's state.
func stateName(kind, param string) string { return TensorPrefix + kind + "." + param }

// checkParams rejects parameter lists whose state could not be saved by
// name: every parameter needs a unique, non-empty name.
func checkParams(params []*autograd.Var) error {
	seen := make(map[string]bool, len(params))
	for i, p := range params {
		if p == nil || p.Value == nil {
			return fmt.Errorf("optim: parameter %d is nil", i)
		}
		if p.Name == "" {
			return fmt.Errorf("optim: parameter %d (shape %v) has no name", i, p.Value.Shape)
		}
		if seen[p.Name] {
			return fmt.Errorf("optim: parameter name %q appears twice", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// zeroGrad clears the gradients of params.
func zeroGrad(params []*autograd.Var) { autograd.ZeroGrad(params) }

// putMoment stores a float32 state buffer of a parameter, if it exists.
func putMoment(f *ckpt.File, kind string, p *autograd.Var, buf []float32) {
	if buf == nil {
		return
	}
	f.Tensors[stateName(kind, p.Name)] = &ckpt.Entry{DType: ckpt.F32, Shape: append([]int(nil), p.Value.Shape...), Float: append([]float32(nil), buf...)}
}

// getMoment loads a float32 state buffer of a parameter. It returns nil
// when the file has none and required is false.
func getMoment(f *ckpt.File, kind string, p *autograd.Var, required bool) ([]float32, error) {
	name := stateName(kind, p.Name)
	if _, ok := f.Tensors[name]; !ok {
		if required {
			return nil, fmt.Errorf("load %s: tensor %q: missing optimizer state", f.Name, name)
		}
		return nil, nil
	}
	t := tensor.New(p.Value.Shape...)
	if err := f.CopyTo(name, t); err != nil {
		return nil, err
	}
	return t.Data, nil
}

// putSteps stores per-parameter step counts as I64 scalars.
func putSteps(f *ckpt.File, params []*autograd.Var, steps []int64) {
	for i, p := range params {
		f.Tensors[stateName("step", p.Name)] = ckpt.FromInts([]int64{steps[i]})
	}
}

// getSteps loads per-parameter step counts.
func getSteps(f *ckpt.File, params []*autograd.Var) ([]int64, error) {
	steps := make([]int64, len(params))
	for i, p := range params {
		v, err := f.Ints(stateName("step", p.Name))
		if err != nil {
			return nil, err
		}
		if len(v) != 1 || v[0] < 0 {
			return nil, fmt.Errorf("load %s: tensor %q: want one non-negative step count, have %v", f.Name, stateName("step", p.Name), v)
		}
		steps[i] = v[0]
	}
	return steps, nil
}

// header is the part of the metadata every optimizer writes, so a
// checkpoint of one kind is not loaded into another.
type header struct {
	Type string `json:"type"`
}

// loadMeta decodes the optimizer metadata into v after checking its type.
func loadMeta(f *ckpt.File, kind string, v any) error {
	var h header
	if err := ckpt.GetJSON(f.Metadata, MetadataKey, &h); err != nil {
		return fmt.Errorf("load %s: %w", f.Name, err)
	}
	if h.Type != kind {
		return fmt.Errorf("load %s: optimizer state is for %q, not %q", f.Name, h.Type, kind)
	}
	if err := ckpt.GetJSON(f.Metadata, MetadataKey, v); err != nil {
		return fmt.Errorf("load %s: %w", f.Name, err)
	}
	return nil
}
