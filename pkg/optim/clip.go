package optim

import (
	"math"

	"github.com/attnkit/attn/pkg/autograd"
)

// ClipGradNorm rescales the gradients of params so that their combined
// L2 norm is at most maxNorm, and returns the norm before clipping, as
// torch.nn.utils.clip_grad_norm_ does: the coefficient is
// maxNorm/(norm+1e-6), applied only when it is below 1. Parameters without
// a gradient are ignored. A non-finite norm is returned as is (torch's
// default error_if_nonfinite=False), and the gradients are scaled by the
// resulting coefficient all the same.
func ClipGradNorm(params []*autograd.Var, maxNorm float64) float64 {
	total := GradNorm(params)
	coef := float32(maxNorm) / (float32(total) + 1e-6)
	if coef < 1 || coef != coef {
		for _, p := range params {
			if p.Grad == nil {
				continue
			}
			for j := range p.Grad.Data {
				p.Grad.Data[j] *= coef
			}
		}
	}
	return total
}

// GradNorm returns the L2 norm of all gradients of params taken together.
// Like torch it is the norm of the per-parameter float32 norms; each sum of
// squares accumulates in float64 so the result does not depend on the
// parameter sizes' rounding.
func GradNorm(params []*autograd.Var) float64 {
	var sq float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		var s float64
		for _, g := range p.Grad.Data {
			s += float64(g) * float64(g)
		}
		n := float64(float32(math.Sqrt(s)))
		sq += n * n
	}
	return float64(float32(math.Sqrt(sq)))
}
