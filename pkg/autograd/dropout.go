package autograd

import (
	"fmt"
	"math/rand/v2"
)

// Dropout zeroes each element of x with probability p and scales the kept
// ones by 1/(1−p) (inverted dropout), so the expected value is unchanged
// and evaluation needs no rescaling. Output shape = input shape.
//
// When training is false or p is 0 it returns x itself. p = 1 zeroes
// everything. The mask is drawn from rng, one Float32 per element in
// row-major order, so the same rng state gives the same mask.
//
// PyTorch: torch.nn.functional.dropout(x, p, training) (same distribution,
// not the same random stream).
func (tp *Tape) Dropout(x *Var, p float32, training bool, rng *rand.Rand) *Var {
	if p < 0 || p > 1 {
		panic(fmt.Sprintf("autograd: Dropout probability %g outside [0, 1]", p))
	}
	if !training || p == 0 {
		return x
	}
	out := tp.Scratch(x.Value.Shape...) // dropoutForward writes every element
	// Only backward needs the mask. It is assigned once so the closure
	// copies it instead of moving it to the heap.
	mask := tp.scratchIfRecording(x)
	dropoutForward(out.Data, mask, x.Value.Data, p, rng)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			dx, fresh := tp.gradBuf(x)
			if fresh {
				for i, g := range y.Grad.Data {
					dx[i] = g * mask[i]
				}
				return
			}
			for i, g := range y.Grad.Data {
				dx[i] += g * mask[i]
			}
		})
	}
	return y
}

// dropoutForward writes y = x·mask with mask ∈ {0, 1/(1−p)} drawn from rng,
// and saves the mask when it is not nil.
func dropoutForward(y, mask, x []float32, p float32, rng *rand.Rand) {
	scale := float32(0)
	if p < 1 {
		scale = 1 / (1 - p)
	}
	for i, v := range x {
		s := scale
		if rng.Float32() < p {
			s = 0
		}
		y[i] = v * s
		if mask != nil {
			mask[i] = s
		}
	}
}

// scratchIfRecording returns an unzeroed tape buffer shaped like x when the tape
// records and x needs a gradient, and nil otherwise.
func (tp *Tape) scratchIfRecording(x *Var) []float32 {
	if tp.record && x.RequiresGrad {
		return tp.Scratch(x.Value.Shape...).Data // dropoutForward writes it all
	}
	return nil
}
