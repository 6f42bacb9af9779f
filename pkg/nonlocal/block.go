package nonlocal

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/nn"
)

// pointwise is a 1×1 (2-D) or 1×1×1 (3-D) convolution with bias: the
// paper's θ, φ, g and W_z. Exactly one of the two layers is set.
type pointwise struct {
	c2 *nn.Conv2d
	c3 *nn.Conv3d
}

func newPointwise(rng *rand.Rand, prefix string, dims, cin, cout int) *pointwise {
	if dims == 3 {
		return &pointwise{c3: nn.NewConv3d(rng, prefix, cin, cout, [3]int{1, 1, 1}, conv.Params3D{}, true)}
	}
	return &pointwise{c2: nn.NewConv2d(rng, prefix, cin, cout, 1, 1, conv.Params{}, true)}
}

func (p *pointwise) forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	if p.c3 != nil {
		return p.c3.Forward(tp, x)
	}
	return p.c2.Forward(tp, x)
}

func (p *pointwise) params() []*autograd.Var {
	if p == nil {
		return nil
	}
	if p.c3 != nil {
		return p.c3.Params()
	}
	return p.c2.Params()
}

// Block is the non-local block z = BN(W_z y) + x of eq. 6, with y the
// non-local operation of eq. 1. Its state-dict names, under the prefix
// given to NewBlock, are those of the PyTorch twin:
//
//	theta.weight, theta.bias   [d, C, 1, 1(, 1)]   not in the Gaussian form
//	phi.weight, phi.bias       [d, C, 1, 1(, 1)]   not in the Gaussian form
//	g.weight, g.bias           [d, C, 1, 1(, 1)]
//	concat_project.weight      [1, 2d]             w_f, concatenation form only
//	w.weight, w.bias           [C, d, 1, 1(, 1)]   W_z
//	bn.{weight,bias,running_mean,running_var,num_batches_tracked}  [C]
type Block struct {
	Cfg BlockConfig

	theta, phi, g, w *pointwise
	concat           *autograd.Var
	bn               *nn.BatchNorm
}

// NewBlock returns a block named prefix whose layers are initialised from
// rng as PyTorch initialises them by default, except the batch norm's
// scale γ, which is 0 so the new block is the identity (section 4.1 of the
// paper). cfg.Inner = 0 is resolved to C/2 in the block's Cfg.
func NewBlock(rng *rand.Rand, prefix string, cfg BlockConfig) (*Block, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Inner = cfg.InnerWidth()
	c, d := cfg.Channels, cfg.Inner
	b := &Block{Cfg: cfg}
	if cfg.embeds() {
		b.theta = newPointwise(rng, nn.Join(prefix, "theta"), cfg.Dims, c, d)
		b.phi = newPointwise(rng, nn.Join(prefix, "phi"), cfg.Dims, c, d)
	}
	b.g = newPointwise(rng, nn.Join(prefix, "g"), cfg.Dims, c, d)
	if cfg.Pairwise == Concat {
		b.concat = nn.NewLinear(rng, nn.Join(prefix, "concat_project"), 2*d, 1, false).Weight
	}
	b.w = newPointwise(rng, nn.Join(prefix, "w"), cfg.Dims, d, c)
	b.bn = nn.NewBatchNorm2d(nn.Join(prefix, "bn"), c)
	b.bn.Weight.Value.Zero()
	return b, nil
}

// Params returns the parameters in state-dict order: theta, phi, g,
// concat_project, w, bn.
func (b *Block) Params() []*autograd.Var {
	var ps []*autograd.Var
	ps = append(ps, b.theta.params()...)
	ps = append(ps, b.phi.params()...)
	ps = append(ps, b.g.params()...)
	if b.concat != nil {
		ps = append(ps, b.concat)
	}
	ps = append(ps, b.w.params()...)
	return append(ps, b.bn.Params()...)
}

// Buffers returns the batch norm's running statistics.
func (b *Block) Buffers() []nn.Buffer { return b.bn.Buffers() }

// Train switches the batch norm between batch statistics (on) and running
// statistics.
func (b *Block) Train(on bool) { b.bn.Train(on) }

// Forward returns the block's output z, of x's shape.
func (b *Block) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	z, _ := b.Attend(tp, x)
	return z
}

// Attend returns the block's output z and the weights f(x_i, x_j)/C(x) of
// eq. 1, of shape [N, P, K]: query positions i in the input's row-major
// order ((t,) h, w), key positions j likewise after any subsampling (K =
// P, or about P/4 with Subsample). For the Gaussian forms each row sums to
// one; for the dot and concatenation forms the weights are f/K and their
// rows do not.
//
// x is [N, C, H, W] for a 2-D block and [N, C, T, H, W] for a 3-D one.
func (b *Block) Attend(tp *autograd.Tape, x *autograd.Var) (z, weights *autograd.Var) {
	cfg := b.Cfg
	shape := x.Value.Shape
	if len(shape) != cfg.Dims+2 || shape[1] != cfg.Channels {
		panic(fmt.Sprintf("nonlocal: %d-D block of %d channels on input %v", cfg.Dims, cfg.Channels, shape))
	}
	n, c, d := shape[0], cfg.Channels, cfg.Inner
	p := x.Value.Size() / (n * c)

	// Keys: φ(x) (or x itself for the Gaussian form) and g(x), pooled in
	// space after the projection when subsampling (section 3.3).
	var query, key *autograd.Var
	if cfg.embeds() {
		query = tp.Reshape(b.theta.forward(tp, x), n, d, p)
		key = b.subsample(tp, b.phi.forward(tp, x))
	} else {
		query = tp.Reshape(x, n, c, p)
		key = b.subsample(tp, x)
	}
	kc := key.Value.Dim(1)
	k := key.Value.Size() / (n * kc)
	key = tp.Reshape(key, n, kc, k)
	value := tp.Reshape(b.subsample(tp, b.g.forward(tp, x)), n, d, k)

	weights = b.pairwise(tp, query, key)

	// y [N, d, P]: y_i = Σ_j weights_ij g_j, eq. 1, channel-first so that
	// W_z applies without a transpose.
	y := tp.BatchMatMul(value, weights, false, true)
	ys := append([]int{n, d}, shape[2:]...)
	wy := b.w.forward(tp, tp.Reshape(y, ys...))
	return tp.Add(b.norm(tp, wy), x), weights
}

// pairwise returns f(x_i, x_j)/C(x) [N, P, K] for queries [N, d, P] and
// keys [N, d, K] (d is C for the Gaussian form).
func (b *Block) pairwise(tp *autograd.Tape, query, key *autograd.Var) *autograd.Var {
	k := key.Value.Dim(2)
	if b.Cfg.Pairwise == Concat {
		// w_fᵀ[θ_i, φ_j] = w_θᵀθ_i + w_φᵀφ_j: two projections to one
		// number per position and a broadcast sum, never the [P, K, 2d]
		// concatenation itself.
		d := b.Cfg.Inner
		a := projectPositions(tp, query, tp.Slice(b.concat, 1, 0, d)) // [N, P]
		c := projectPositions(tp, key, tp.Slice(b.concat, 1, d, 2*d)) // [N, K]
		n, p := a.Value.Dim(0), a.Value.Dim(1)
		f := tp.ReLU(tp.Add(tp.Reshape(a, n, p, 1), tp.Reshape(c, n, 1, k)))
		return tp.Scale(f, 1/float32(k))
	}
	s := tp.BatchMatMul(query, key, true, false) // θ_iᵀφ_j, [N, P, K]
	if b.Cfg.Scale {
		s = tp.Scale(s, float32(1/math.Sqrt(float64(query.Value.Dim(1)))))
	}
	if b.Cfg.Pairwise == Dot {
		return tp.Scale(s, 1/float32(k))
	}
	return tp.Softmax(s, 2)
}

// projectPositions returns Σ_c w[c]·x[n, c, i] [N, L] for x [N, d, L] and
// w [1, d].
func projectPositions(tp *autograd.Tape, x, w *autograd.Var) *autograd.Var {
	return tp.SumAxis(tp.Mul(x, tp.Reshape(w, 1, w.Value.Dim(1), 1)), 1, false)
}

// subsample max-pools v by 2×2 in space when the block subsamples; for
// clips time is kept (a 1×2×2 window, as the paper's released code does).
func (b *Block) subsample(tp *autograd.Tape, v *autograd.Var) *autograd.Var {
	if !b.Cfg.Subsample {
		return v
	}
	if b.Cfg.Dims == 3 {
		return tp.MaxPool3D(v, [3]int{1, 2, 2}, [3]int{1, 2, 2}, [3]int{})
	}
	return tp.MaxPool2D(v, 2, 2, 0)
}

// norm applies the batch norm; a clip [N, C, T, H, W] is normalised as
// [N, C, T·H, W], which has the same per-channel statistics.
func (b *Block) norm(tp *autograd.Tape, v *autograd.Var) *autograd.Var {
	s := v.Value.Shape
	if len(s) == 4 {
		return b.bn.Forward(tp, v)
	}
	out := b.bn.Forward(tp, tp.Reshape(v, s[0], s[1], s[2]*s[3], s[4]))
	return tp.Reshape(out, s...)
}
