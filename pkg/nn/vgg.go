package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
)

// ConvBNReLU is a 3×3 convolution with padding 1 and no bias (batch norm
// follows, whose shift makes a bias redundant), a 2-D batch norm and a
// ReLU: the layer VGG networks with batch normalisation are made of.
// Its state-dict children are "conv" and "bn".
type ConvBNReLU struct {
	Conv *Conv2d
	BN   *BatchNorm
}

// NewConvBNReLU returns the layer under prefix, its convolution drawn
// Kaiming-normal (fan_out, ReLU) as torchvision's VGG initialises it, the
// batch norm at weight 1 and bias 0. The convolution first draws PyTorch's
// default initialisation and then the Kaiming one from rng, as torch does
// when a model re-initialises its layers after building them.
func NewConvBNReLU(rng *rand.Rand, prefix string, in, out int) ConvBNReLU {
	c := NewConv2d(rng, Join(prefix, "conv"), in, out, 3, 3, conv.Params{PadH: 1, PadW: 1}, false)
	KaimingNormal(rng, c.Weight.Value, 0, FanOut, ActReLU)
	return ConvBNReLU{Conv: c, BN: NewBatchNorm2d(Join(prefix, "bn"), out)}
}

// Forward returns ReLU(BN(conv(x))) for x [N, in, H, W].
func (l ConvBNReLU) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.ReLU(l.BN.Forward(tp, l.Conv.Forward(tp, x)))
}

// Params returns the convolution's and the batch norm's parameters.
func (l ConvBNReLU) Params() []*autograd.Var { return append(l.Conv.Params(), l.BN.Params()...) }

// Buffers returns the batch norm's running statistics.
func (l ConvBNReLU) Buffers() []Buffer { return l.BN.Buffers() }

// Train switches the batch norm between batch and running statistics.
func (l ConvBNReLU) Train(on bool) { l.BN.Train(on) }

// VGG is the convolutional stack of a VGG network with batch
// normalisation (Simonyan and Zisserman 2015): blocks of ConvBNReLU
// layers, block b (0-based) having Convs[b] layers of Widths[b] channels.
// Layer j of block b is named "<prefix>block<b+1>.<j>". The 2×2 max-pool
// that ends a block in VGG is the caller's, since models differ in which
// maps they keep before and after it (attention reads them, a GAP head
// skips the last pool).
type VGG struct {
	Blocks [][]ConvBNReLU
}

// NewVGG builds the stack for inputs of in channels, drawing every layer
// from rng in order (block by block, layer by layer).
func NewVGG(rng *rand.Rand, prefix string, in int, widths, convs []int) (*VGG, error) {
	if len(widths) != len(convs) {
		return nil, fmt.Errorf("nn: VGG with %d widths and %d convolution counts", len(widths), len(convs))
	}
	v := &VGG{}
	for b := range widths {
		var blk []ConvBNReLU
		for j := 0; j < convs[b]; j++ {
			blk = append(blk, NewConvBNReLU(rng, fmt.Sprintf("%sblock%d.%d", prefix, b+1, j), in, widths[b]))
			in = widths[b]
		}
		v.Blocks = append(v.Blocks, blk)
	}
	return v, nil
}

// Block runs the layers of block b (0-based) on x, without pooling.
func (v *VGG) Block(tp *autograd.Tape, b int, x *autograd.Var) *autograd.Var {
	for _, l := range v.Blocks[b] {
		x = l.Forward(tp, x)
	}
	return x
}

// Forward runs every block, each followed by a 2×2 max-pool, and returns
// the last pooled map.
func (v *VGG) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	for b := range v.Blocks {
		x = tp.MaxPool2D(v.Block(tp, b, x), 2, 2, 0)
	}
	return x
}

// Modules returns the layers' convolutions and batch norms in order
// (conv, bn, conv, bn, ...): the order of Params and Buffers, which a
// model that appends further layers keeps.
func (v *VGG) Modules() List {
	var l List
	for _, blk := range v.Blocks {
		for _, c := range blk {
			l = append(l, c.Conv, c.BN)
		}
	}
	return l
}

// Params returns every layer's parameters in order.
func (v *VGG) Params() []*autograd.Var { return v.Modules().Params() }

// Buffers returns every batch norm's running statistics in order.
func (v *VGG) Buffers() []Buffer { return v.Modules().Buffers() }

// Train switches every batch norm between batch and running statistics.
func (v *VGG) Train(on bool) { v.Modules().Train(on) }
