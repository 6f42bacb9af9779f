package nn

import (
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
)

// LSTMCell is torch.nn.LSTMCell: weight_ih [4H, in], weight_hh [4H, H],
// bias_ih and bias_hh [4H], gate rows in torch's order input, forget,
// cell, output, all initialised from U(±1/sqrt(H)).
type LSTMCell struct {
	WeightIH, WeightHH *autograd.Var
	BiasIH, BiasHH     *autograd.Var // nil without bias
	Hidden             int
}

// NewLSTMCell returns an LSTMCell named prefix from in features to hidden
// units.
func NewLSTMCell(rng *rand.Rand, prefix string, in, hidden int, bias bool) *LSTMCell {
	l := &LSTMCell{
		WeightIH: param(prefix, "weight_ih", 4*hidden, in),
		WeightHH: param(prefix, "weight_hh", 4*hidden, hidden),
		Hidden:   hidden,
	}
	if bias {
		l.BiasIH = param(prefix, "bias_ih", 4*hidden)
		l.BiasHH = param(prefix, "bias_hh", 4*hidden)
	}
	initRecurrent(rng, hidden, l.Params())
	return l
}

// Forward runs one step on x [N, in] from state (h, c), each [N, H], and
// returns the new state. A nil h or c is a zero state, as torch's hx=None.
func (l *LSTMCell) Forward(tp *autograd.Tape, x, h, c *autograd.Var) (h2, c2 *autograd.Var) {
	n := x.Value.Dim(0)
	if h == nil {
		h = tp.Const(tp.Alloc(n, l.Hidden))
	}
	if c == nil {
		c = tp.Const(tp.Alloc(n, l.Hidden))
	}
	return tp.LSTMCell(x, h, c, l.WeightIH, l.WeightHH, l.BiasIH, l.BiasHH)
}

// Params returns weight_ih, weight_hh, bias_ih, bias_hh (torch's order).
func (l *LSTMCell) Params() []*autograd.Var {
	return appendNonNil(nil, l.WeightIH, l.WeightHH, l.BiasIH, l.BiasHH)
}

// Buffers returns nothing: LSTMCell has no buffers.
func (l *LSTMCell) Buffers() []Buffer { return nil }

// RNNCell is torch.nn.RNNCell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
// with weight_ih [H, in], weight_hh [H, H], biases [H], all initialised
// from U(±1/sqrt(H)); act is tanh by default or ReLU.
type RNNCell struct {
	WeightIH, WeightHH *autograd.Var
	BiasIH, BiasHH     *autograd.Var // nil without bias
	Hidden             int
	Act                autograd.RNNNonlinearity
}

// NewRNNCell returns an RNNCell named prefix from in features to hidden
// units with the given nonlinearity.
func NewRNNCell(rng *rand.Rand, prefix string, in, hidden int, bias bool, act autograd.RNNNonlinearity) *RNNCell {
	r := &RNNCell{
		WeightIH: param(prefix, "weight_ih", hidden, in),
		WeightHH: param(prefix, "weight_hh", hidden, hidden),
		Hidden:   hidden,
		Act:      act,
	}
	if bias {
		r.BiasIH = param(prefix, "bias_ih", hidden)
		r.BiasHH = param(prefix, "bias_hh", hidden)
	}
	initRecurrent(rng, hidden, r.Params())
	return r
}

// Forward runs one step on x [N, in] from h [N, H] (nil is a zero state)
// and returns the new hidden state.
func (r *RNNCell) Forward(tp *autograd.Tape, x, h *autograd.Var) *autograd.Var {
	if h == nil {
		h = tp.Const(tp.Alloc(x.Value.Dim(0), r.Hidden))
	}
	return tp.RNNCell(x, h, r.WeightIH, r.WeightHH, r.BiasIH, r.BiasHH, r.Act)
}

// Params returns weight_ih, weight_hh, bias_ih, bias_hh (torch's order).
func (r *RNNCell) Params() []*autograd.Var {
	return appendNonNil(nil, r.WeightIH, r.WeightHH, r.BiasIH, r.BiasHH)
}

// Buffers returns nothing: RNNCell has no buffers.
func (r *RNNCell) Buffers() []Buffer { return nil }

// initRecurrent is torch's RNNCellBase.reset_parameters: every parameter
// from U(±1/sqrt(hidden)), drawn in parameter order.
func initRecurrent(rng *rand.Rand, hidden int, ps []*autograd.Var) {
	b := 0.0
	if hidden > 0 {
		b = 1 / math.Sqrt(float64(hidden))
	}
	for _, p := range ps {
		Uniform(rng, p.Value, -b, b)
	}
}
