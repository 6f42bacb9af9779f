package nn

import (
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

// Conv2d is torch.nn.Conv2d: weight [Cout, Cin/groups, kh, kw] and bias
// [Cout], both initialised from U(±1/sqrt(fan_in)) with fan_in =
// Cin/groups·kh·kw.
type Conv2d struct {
	Weight *autograd.Var
	Bias   *autograd.Var // nil without bias
	Config conv.Params
}

// NewConv2d returns a Conv2d layer named prefix with a kh×kw kernel and
// the stride, padding, dilation and groups of p. cin and cout must be
// multiples of p.Groups.
func NewConv2d(rng *rand.Rand, prefix string, cin, cout, kh, kw int, p conv.Params, bias bool) *Conv2d {
	g := max(p.Groups, 1)
	c := &Conv2d{Weight: param(prefix, "weight", cout, cin/g, kh, kw), Config: p}
	if bias {
		c.Bias = param(prefix, "bias", cout)
	}
	initLinearLike(rng, c.Weight.Value, valueOf(c.Bias))
	return c
}

// Forward convolves x [N, Cin, H, W] into [N, Cout, OH, OW].
func (c *Conv2d) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.Conv2D(x, c.Weight, c.Bias, c.Config)
}

// Params returns weight and bias.
func (c *Conv2d) Params() []*autograd.Var { return appendNonNil(nil, c.Weight, c.Bias) }

// Buffers returns nothing: Conv2d has no buffers.
func (c *Conv2d) Buffers() []Buffer { return nil }

// Conv3d is torch.nn.Conv3d: weight [Cout, Cin/groups, kt, kh, kw] and
// bias [Cout], initialised as Conv2d with fan_in = Cin/groups·kt·kh·kw.
type Conv3d struct {
	Weight *autograd.Var
	Bias   *autograd.Var // nil without bias
	Config conv.Params3D
}

// NewConv3d returns a Conv3d layer named prefix with a kernel of
// k = (kt, kh, kw) and the stride, padding, dilation and groups of p.
func NewConv3d(rng *rand.Rand, prefix string, cin, cout int, k [3]int, p conv.Params3D, bias bool) *Conv3d {
	g := max(p.Groups, 1)
	c := &Conv3d{Weight: param(prefix, "weight", cout, cin/g, k[0], k[1], k[2]), Config: p}
	if bias {
		c.Bias = param(prefix, "bias", cout)
	}
	initLinearLike(rng, c.Weight.Value, valueOf(c.Bias))
	return c
}

// Forward convolves x [N, Cin, T, H, W] into [N, Cout, OT, OH, OW].
func (c *Conv3d) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.Conv3D(x, c.Weight, c.Bias, c.Config)
}

// Params returns weight and bias.
func (c *Conv3d) Params() []*autograd.Var { return appendNonNil(nil, c.Weight, c.Bias) }

// Buffers returns nothing: Conv3d has no buffers.
func (c *Conv3d) Buffers() []Buffer { return nil }

// valueOf returns v's value, or nil for a nil v.
func valueOf(v *autograd.Var) *tensor.Tensor {
	if v == nil {
		return nil
	}
	return v.Value
}
