package imgtx

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/nn"
)

// pixelCNN is the gated PixelCNN of van den Oord et al. (2016): a
// vertical stack that sees the rows above a pixel and a horizontal stack
// that sees the pixels to its left in its row plus the vertical stack,
// with gated activations tanh(a)·σ(b) and, for class conditioning, a
// per-layer class bias inside both gates.
//
// The masks are built into the kernel shapes instead of zeroed weights:
// the vertical convolution has k/2 rows, all above the output row (its
// padded output is cropped so that row i sees rows i−k/2..i−1); the
// horizontal one has k/2 columns in the first layer (mask A: strictly
// left) and k/2+1 in the others (mask B: left and the pixel itself, which
// the layers below have not seen yet). Because the vertical stack never
// sees its own row, it feeds the horizontal stack without the paper's
// one-row shift and the blind spot of the original PixelCNN does not arise.
type pixelCNN struct {
	layers []*gatedLayer
	out1   *nn.Conv2d // 1×1, F → F
	out2   *nn.Conv2d // 1×1, F → 256
	f, k   int
}

// gatedLayer is one layer of both stacks.
type gatedLayer struct {
	vConv, hConv, v2h, hOut *nn.Conv2d
	class                   *nn.Embedding // [classes, 2F] (nil without classes)
	first                   bool
}

func newPixelCNN(rng *rand.Rand, cfg Config) *pixelCNN {
	f, k := cfg.Filters, cfg.Kernel
	p := &pixelCNN{f: f, k: k}
	for i := 0; i < cfg.Layers; i++ {
		in := f
		hw := k/2 + 1
		if i == 0 {
			in, hw = 1, k/2
		}
		pre := fmt.Sprintf("pcnn.%d", i)
		l := &gatedLayer{first: i == 0,
			vConv: nn.NewConv2d(rng, pre+".v_conv", in, 2*f, k/2, k, conv.Params{PadH: k / 2, PadW: k / 2}, true),
			hConv: nn.NewConv2d(rng, pre+".h_conv", in, 2*f, 1, hw, conv.Params{PadW: k / 2}, true),
			v2h:   nn.NewConv2d(rng, pre+".v2h", 2*f, 2*f, 1, 1, conv.Params{}, true),
			hOut:  nn.NewConv2d(rng, pre+".h_out", f, f, 1, 1, conv.Params{}, true),
		}
		if cfg.Cond == "class" {
			l.class = nn.NewEmbedding(rng, pre+".class", cfg.Classes, 2*f)
			for i := range l.class.Weight.Value.Data {
				l.class.Weight.Value.Data[i] *= 0.1 // a bias, not a whole input
			}
		}
		p.layers = append(p.layers, l)
	}
	p.out1 = nn.NewConv2d(rng, "pcnn.out1", f, f, 1, 1, conv.Params{}, true)
	p.out2 = nn.NewConv2d(rng, "pcnn.out2", f, Levels, 1, 1, conv.Params{}, true)
	return p
}

func (p *pixelCNN) modules() nn.List {
	var l nn.List
	for _, g := range p.layers {
		l = append(l, g.vConv, g.hConv, g.v2h, g.hOut)
		if g.class != nil {
			l = append(l, g.class)
		}
	}
	return append(l, p.out1, p.out2)
}

// gate is tanh(a)·σ(b) for pre [B, 2F, H, W] split into halves a, b.
func gate(tp *autograd.Tape, pre *autograd.Var, f int) *autograd.Var {
	return tp.Mul(tp.Tanh(tp.Slice(pre, 1, 0, f)), tp.Sigmoid(tp.Slice(pre, 1, f, 2*f)))
}

// forward returns the logits [B, H·W, 256] of b grey images pix (raster
// order, 0..255).
func (p *pixelCNN) forward(tp *autograd.Tape, cfg Config, pix []uint8, labels []int, b int) *autograd.Var {
	h, w := cfg.Height, cfg.Width
	x := tp.Alloc(b, 1, h, w)
	for i := range x.Data {
		x.Data[i] = float32(pix[i])/127.5 - 1
	}
	v, hs := tp.Const(x), tp.Const(x)
	for _, l := range p.layers {
		vPre := tp.Slice(l.vConv.Forward(tp, v), 2, 0, h)
		vPre = tp.Slice(vPre, 3, 0, w)
		hPre := tp.Slice(l.hConv.Forward(tp, hs), 3, 0, w)
		hPre = tp.Add(hPre, l.v2h.Forward(tp, vPre))
		if l.class != nil {
			c := tp.Reshape(l.class.Forward(tp, labels[:b]), b, 2*p.f, 1, 1)
			vPre, hPre = tp.Add(vPre, c), tp.Add(hPre, c)
		}
		v = gate(tp, vPre, p.f)
		hOut := l.hOut.Forward(tp, gate(tp, hPre, p.f))
		if l.first {
			hs = hOut
		} else {
			hs = tp.Add(hs, hOut)
		}
	}
	o := p.out2.Forward(tp, tp.ReLU(p.out1.Forward(tp, tp.ReLU(hs))))
	return tp.Reshape(tp.Permute(o, 0, 2, 3, 1), b, h*w, Levels)
}
