package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
)

// GaussianLogProb returns log N(x; mean, std²) elementwise for same-shaped
// x and mean and a fixed std > 0:
//
//	−(x − mean)²/(2·std²) − log std − ½·log 2π
//
// (torch.distributions.Normal(mean, std).log_prob(x)). Gradients flow to
// both x and mean. RAM's REINFORCE term (Mnih et al. 2014, eq. 2) needs
// the gradient with respect to the mean only: the caller passes the
// sampled location through Detach before calling this.
func (tp *Tape) GaussianLogProb(x, mean *Var, std float32) *Var {
	if !tensor.SameShape(x.Value.Shape, mean.Value.Shape) {
		panic(fmt.Sprintf("autograd: GaussianLogProb of shapes %v and %v", x.Value.Shape, mean.Value.Shape))
	}
	if !(std > 0) {
		panic(fmt.Sprintf("autograd: GaussianLogProb with std %g", std))
	}
	out := tp.Alloc(x.Value.Shape...)
	gaussianLogProbForward(out.Data, x.Value.Data, mean.Value.Data, std)
	y := tp.Result(out, x, mean)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			var dx, dm []float32
			if x.RequiresGrad {
				dx = tp.GradOf(x).Data
			}
			if mean.RequiresGrad {
				dm = tp.GradOf(mean).Data
			}
			gaussianLogProbBackward(dx, dm, y.Grad.Data, x.Value.Data, mean.Value.Data, std)
		})
	}
	return y
}

func gaussianLogProbForward(out, x, mean []float32, std float32) {
	s := float64(std)
	c := -math.Log(s) - 0.5*math.Log(2*math.Pi)
	inv := 1 / (2 * s * s)
	for i, v := range x {
		d := float64(v - mean[i])
		out[i] = float32(c - d*d*inv)
	}
}

// gaussianLogProbBackward accumulates ∂/∂x = −(x−mean)/std² into dx and
// ∂/∂mean = (x−mean)/std² into dm; a nil destination is skipped.
func gaussianLogProbBackward(dx, dm, dy, x, mean []float32, std float32) {
	inv := 1 / (std * std)
	for i, g := range dy {
		d := g * (x[i] - mean[i]) * inv
		if dx != nil {
			dx[i] -= d
		}
		if dm != nil {
			dm[i] += d
		}
	}
}
