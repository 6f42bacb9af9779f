package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/tensor"
)

// GradCheckOptions sets the step and tolerances of GradCheck.
type GradCheckOptions struct {
	Eps  float64 // finite-difference step (default 1e-2)
	RTol float64 // relative tolerance (default 1e-2)
	ATol float64 // absolute tolerance (default 1e-3)
	Seed uint64  // seeds the random projection of the output
}

// GradCheck compares the analytic gradient of f with central finite
// differences, for every element of every input.
//
// f builds its output from vars wrapping copies of inputs (all needing
// gradients). The output is projected on a fixed random vector r so any
// shape works: L = Σ r·f(x), accumulated in float64. The inputs are
// perturbed in float32, which is why the default step is 1e-2 and not the
// float64-optimal 1e-6: a smaller step drowns in float32 rounding of f.
func GradCheck(f func(tp *Tape, in []*Var) *Var, inputs []*tensor.Tensor, opt GradCheckOptions) error {
	if opt.Eps == 0 {
		opt.Eps = 1e-2
	}
	if opt.RTol == 0 {
		opt.RTol = 1e-2
	}
	if opt.ATol == 0 {
		opt.ATol = 1e-3
	}
	vars := make([]*Var, len(inputs))
	for i, t := range inputs {
		vars[i] = NewParam(fmt.Sprintf("input%d", i), t.Clone())
	}
	tp := NewTape()
	out := f(tp, vars)
	rng := rand.New(rand.NewPCG(opt.Seed, 99))
	r := tensor.New(out.Value.Shape...)
	for i := range r.Data {
		r.Data[i] = float32(rng.Float64()*2 - 1)
	}
	tp.BackwardWith(out, r)
	analytic := make([]*tensor.Tensor, len(vars))
	for i, v := range vars {
		analytic[i] = v.Grad.Clone()
	}
	tp.Reset()

	loss := func() float64 {
		tp := NewInference()
		out := f(tp, vars)
		var s float64
		for i, v := range out.Value.Data {
			s += float64(r.Data[i]) * float64(v)
		}
		return s
	}
	for i, v := range vars {
		for j := range v.Value.Data {
			orig := v.Value.Data[j]
			v.Value.Data[j] = orig + float32(opt.Eps)
			lp := loss()
			v.Value.Data[j] = orig - float32(opt.Eps)
			lm := loss()
			v.Value.Data[j] = orig
			// Divide by the step actually taken after float32 rounding.
			h := float64(orig+float32(opt.Eps)) - float64(orig-float32(opt.Eps))
			num := (lp - lm) / h
			got := float64(analytic[i].Data[j])
			if math.IsNaN(got) || math.Abs(got-num) > opt.ATol+opt.RTol*math.Abs(num) {
				return fmt.Errorf("input %d element %d: analytic %.6g, numeric %.6g", i, j, got, num)
			}
		}
	}
	return nil
}
