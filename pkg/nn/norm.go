package nn

import (
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// BatchNorm is torch.nn.BatchNorm2d (or BatchNorm1d): per-channel weight
// (1) and bias (0), and the buffers running_mean (0), running_var (1) and
// num_batches_tracked (0). In training mode, the default as in torch, it
// normalises with batch statistics and updates the running ones; in
// evaluation mode it uses the running statistics.
type BatchNorm struct {
	Weight, Bias      *autograd.Var // nil when not affine
	RunningMean       *tensor.Tensor
	RunningVar        *tensor.Tensor
	NumBatchesTracked int64
	Momentum, Eps     float32
	Training          bool
	prefix            string
	oneD              bool
}

// NewBatchNorm2d returns a BatchNorm2d over c channels of [N, C, H, W]
// inputs with torch's defaults: momentum 0.1, eps 1e-5, affine, tracking
// running statistics.
func NewBatchNorm2d(prefix string, c int) *BatchNorm { return newBatchNorm(prefix, c, false) }

// NewBatchNorm1d returns a BatchNorm1d over c channels of [N, C] or
// [N, C, L] inputs, with the defaults of NewBatchNorm2d.
func NewBatchNorm1d(prefix string, c int) *BatchNorm { return newBatchNorm(prefix, c, true) }

func newBatchNorm(prefix string, c int, oneD bool) *BatchNorm {
	b := &BatchNorm{
		Weight: param(prefix, "weight", c), Bias: param(prefix, "bias", c),
		RunningMean: tensor.New(c), RunningVar: tensor.New(c),
		Momentum: 0.1, Eps: 1e-5, Training: true, prefix: prefix, oneD: oneD,
	}
	b.Weight.Value.Fill(1)
	b.RunningVar.Fill(1)
	return b
}

// Train switches between batch statistics (on) and running statistics.
func (b *BatchNorm) Train(on bool) { b.Training = on }

// Forward normalises x. In training mode it also updates the running
// statistics and counts the batch, even on a tape that does not record (as
// torch does under no_grad).
func (b *BatchNorm) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	if b.Training {
		b.NumBatchesTracked++
	}
	if b.oneD {
		return tp.BatchNorm1D(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Training, b.Momentum, b.Eps)
	}
	return tp.BatchNorm2D(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Training, b.Momentum, b.Eps)
}

// Params returns weight and bias.
func (b *BatchNorm) Params() []*autograd.Var { return appendNonNil(nil, b.Weight, b.Bias) }

// Buffers returns running_mean, running_var and num_batches_tracked.
func (b *BatchNorm) Buffers() []Buffer {
	return []Buffer{
		{Name: Join(b.prefix, "running_mean"), Value: b.RunningMean},
		{Name: Join(b.prefix, "running_var"), Value: b.RunningVar},
		{Name: Join(b.prefix, "num_batches_tracked"), Count: &b.NumBatchesTracked},
	}
}

// LayerNorm is torch.nn.LayerNorm over the last axis of size d: weight (1)
// and bias (0) of shape [d], eps 1e-5.
type LayerNorm struct {
	Weight, Bias *autograd.Var
	Eps          float32
}

// NewLayerNorm returns a LayerNorm named prefix normalising the last axis
// of size d.
func NewLayerNorm(prefix string, d int) *LayerNorm {
	l := &LayerNorm{Weight: param(prefix, "weight", d), Bias: param(prefix, "bias", d), Eps: 1e-5}
	l.Weight.Value.Fill(1)
	return l
}

// Forward normalises x [..., d] over its last axis.
func (l *LayerNorm) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.LayerNorm(x, l.Weight, l.Bias, l.Eps)
}

// Params returns weight and bias.
func (l *LayerNorm) Params() []*autograd.Var { return appendNonNil(nil, l.Weight, l.Bias) }

// Buffers returns nothing: LayerNorm has no buffers.
func (l *LayerNorm) Buffers() []Buffer { return nil }
