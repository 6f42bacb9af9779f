package imgtx

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/tensor"
)

// transformer is the Image Transformer: a decoder of local self-attention
// layers over the sub-pixels, and for super-resolution an encoder of full
// self-attention over the low-resolution image.
type transformer struct {
	tokEmb   *nn.Embedding // [C·256 + 1, E]: one table per channel, then the start token
	posEmb   *nn.LearnedPositions
	posTab   *tensor.Tensor // sinusoidal [L, E] in sequence order
	classEmb *nn.Embedding
	layers   []*nn.TransformerLayer
	norm     *nn.LayerNorm // after the last pre-norm layer
	head     *nn.Linear    // E → 256, shared by the channels

	encEmb    *nn.Embedding
	encPos    *tensor.Tensor // [lowLen, E]
	encLayers []*nn.TransformerLayer
	encNorm   *nn.LayerNorm
}

func newTransformer(rng *rand.Rand, cfg Config, g *geometry) (*transformer, error) {
	e := cfg.Embed
	t := &transformer{tokEmb: nn.NewEmbedding(rng, "tok_emb", cfg.Channels*Levels+1, e)}
	cols := cfg.Width * cfg.Channels
	if cfg.Positions == "learned" {
		t.posEmb = nn.NewLearnedPositions(rng, "pos_emb", cfg.Len(), e)
	} else {
		grid := nn.SinusoidalPositions2D(cfg.Height, cols, e)
		t.posTab = tensor.New(cfg.Len(), e)
		for s, gi := range g.order {
			copy(t.posTab.Data[s*e:(s+1)*e], grid.Data[gi*e:(gi+1)*e])
		}
	}
	if cfg.Cond == "class" {
		t.classEmb = nn.NewEmbedding(rng, "class_emb", cfg.Classes, e)
	}
	if cfg.Cond == "lowres" {
		t.encEmb = nn.NewEmbedding(rng, "enc.tok_emb", cfg.Channels*Levels, e)
		t.encPos = lowResPositions(cfg)
		for i := 0; i < cfg.EncLayers; i++ {
			l, err := nn.NewTransformerLayer(rng, fmt.Sprintf("enc.layers.%d", i), cfg.layerConfig(false))
			if err != nil {
				return nil, err
			}
			t.encLayers = append(t.encLayers, l)
		}
		if cfg.PreNorm {
			t.encNorm = nn.NewLayerNorm("enc.norm", e)
		}
	}
	for i := 0; i < cfg.Layers; i++ {
		l, err := nn.NewTransformerLayer(rng, fmt.Sprintf("layers.%d", i), cfg.layerConfig(cfg.Cond == "lowres"))
		if err != nil {
			return nil, err
		}
		t.layers = append(t.layers, l)
	}
	if cfg.PreNorm {
		t.norm = nn.NewLayerNorm("norm", e)
	}
	t.head = nn.NewLinear(rng, "head", e, Levels, true)
	return t, nil
}

// modules lists the parameter holders in state-dict order.
func (t *transformer) modules() nn.List {
	l := nn.List{t.tokEmb}
	if t.posEmb != nil {
		l = append(l, t.posEmb)
	}
	if t.classEmb != nil {
		l = append(l, t.classEmb)
	}
	if t.encEmb != nil {
		l = append(l, t.encEmb)
		for _, e := range t.encLayers {
			l = append(l, e)
		}
		if t.encNorm != nil {
			l = append(l, t.encNorm)
		}
	}
	for _, x := range t.layers {
		l = append(l, x)
	}
	if t.norm != nil {
		l = append(l, t.norm)
	}
	return append(l, t.head)
}

// inputIDs returns the token of each sequence position of b images whose
// sub-pixels seq are in sequence order: the start token at 0, else the
// previous sub-pixel's value in its channel's table.
func inputIDs(dst []int, seq []uint8, b, n int, cfg Config, g *geometry) []int {
	dst = dst[:0]
	for i := 0; i < b; i++ {
		for s := 0; s < n; s++ {
			dst = append(dst, inputID(cfg, g, s, seq[i*cfg.Len():]))
		}
	}
	return dst
}

// inputID is the token fed at sequence position s.
func inputID(cfg Config, g *geometry, s int, seq []uint8) int {
	if s == 0 {
		return cfg.Channels * Levels
	}
	ch := g.order[s-1] % cfg.Channels
	return ch*Levels + int(seq[s-1])
}

// encode runs the encoder over the low-resolution images low [B·lowLen].
func (t *transformer) encode(tp *autograd.Tape, cfg Config, low []uint8, b int, train bool, rng *rand.Rand) *autograd.Var {
	n := cfg.LowLen()
	ids := make([]int, b*n)
	for i := range ids {
		ids[i] = (i%n%cfg.Channels)*Levels + int(low[i])
	}
	x := tp.Reshape(t.encEmb.Forward(tp, ids), b, n, cfg.Embed)
	x = tp.Add(x, tp.Const(t.encPos))
	x = tp.Dropout(x, cfg.Dropout, train, rng)
	for _, l := range t.encLayers {
		x = l.Forward(tp, x, nil, nn.MaskAttend(autograd.AttnMask{}), train, rng)
	}
	if t.encNorm != nil {
		x = t.encNorm.Forward(tp, x)
	}
	return x
}

// positions returns the encodings of the first n sequence positions.
func (t *transformer) positions(tp *autograd.Tape, n int, g *geometry) *autograd.Var {
	e := t.head.Weight.Value.Dim(1)
	if t.posEmb != nil {
		return tp.IndexSelect(t.posEmb.Weight, 0, g.order[:n])
	}
	return tp.Const(tp.View(t.posTab.Data[:n*e], n, e))
}

// forward returns the logits [B, n, 256] of the first n sequence
// positions of b images (seq in sequence order, labels and low as the
// conditioning needs).
func (t *transformer) forward(tp *autograd.Tape, cfg Config, g *geometry, seq []uint8, labels []int, low []uint8, b, n int, train bool, rng *rand.Rand) *autograd.Var {
	return t.forwardAttend(tp, cfg, g, seq, labels, low, b, n, train, rng, g.attend(n))
}

// forwardAttend is forward with the self-attention of every layer done by
// attend, which Attention wraps to read the weights of chosen queries.
func (t *transformer) forwardAttend(tp *autograd.Tape, cfg Config, g *geometry, seq []uint8, labels []int, low []uint8, b, n int, train bool, rng *rand.Rand, attend nn.Attend) *autograd.Var {
	e := cfg.Embed
	ids := inputIDs(make([]int, 0, b*n), seq, b, n, cfg, g)
	x := tp.Reshape(t.tokEmb.Forward(tp, ids), b, n, e)
	x = tp.Add(x, t.positions(tp, n, g))
	if t.classEmb != nil {
		x = tp.Add(x, tp.Reshape(t.classEmb.Forward(tp, labels[:b]), b, 1, e))
	}
	x = tp.Dropout(x, cfg.Dropout, train, rng)
	var mem *autograd.Var
	if t.encEmb != nil {
		mem = t.encode(tp, cfg, low, b, train, rng)
	}
	for _, l := range t.layers {
		mark := tp.Mark()
		x = l.Forward(tp, x, mem, attend, train, rng)
		tp.Release(mark, x) // inference: the next layer reuses this one's buffers
	}
	if t.norm != nil {
		x = t.norm.Forward(tp, x)
	}
	return t.head.Forward(tp, x)
}

// decoder is the state of cached sampling: the layers' caches and the
// conditioning of the b images.
type decoder struct {
	t      *transformer
	cfg    Config
	g      *geometry
	caches []*nn.LayerCache
	labels []int
	b      int
	ids    []int
}

// newDecoder projects the encoder output once (for super-resolution) and
// returns empty caches for b images.
func (t *transformer) newDecoder(tp *autograd.Tape, cfg Config, g *geometry, labels []int, low []uint8, b int) *decoder {
	d := &decoder{t: t, cfg: cfg, g: g, labels: labels, b: b, ids: make([]int, b)}
	var mem *autograd.Var
	if t.encEmb != nil {
		mem = t.encode(tp, cfg, low, b, false, nil)
	}
	for _, l := range t.layers {
		d.caches = append(d.caches, l.NewCache(tp, b, cfg.Len(), mem))
	}
	return d
}

// step returns the logits [B, 1, 256] of sequence position s, given the
// sub-pixels before it (seq, in sequence order, of every image), running
// each layer on that one position.
func (d *decoder) step(tp *autograd.Tape, seq []uint8, s int) *autograd.Var {
	cfg, e, n := d.cfg, d.cfg.Embed, d.cfg.Len()
	for i := 0; i < d.b; i++ {
		d.ids[i] = inputID(cfg, d.g, s, seq[i*n:])
	}
	x := tp.Reshape(d.t.tokEmb.Forward(tp, d.ids), d.b, 1, e)
	var pos *autograd.Var
	if d.t.posEmb != nil {
		pos = tp.IndexSelect(d.t.posEmb.Weight, 0, d.g.order[s:s+1])
	} else {
		pos = tp.Const(tp.View(d.t.posTab.Data[s*e:(s+1)*e], 1, e))
	}
	x = tp.Add(x, pos)
	if d.t.classEmb != nil {
		x = tp.Add(x, tp.Reshape(d.t.classEmb.Forward(tp, d.labels[:d.b]), d.b, 1, e))
	}
	for li, l := range d.t.layers {
		x = l.Step(tp, x, d.caches[li], s, d.g.keys[s])
	}
	if d.t.norm != nil {
		x = d.t.norm.Forward(tp, x)
	}
	return d.t.head.Forward(tp, x)
}

// lowResPositions encodes each low-resolution sub-pixel at the centre of
// the block of high-resolution sub-pixels it stands for, in the decoder's
// own coordinates (row r·f + (f−1)/2, column (x·f + (f−1)/2)·C + c for a
// factor f of each side): a decoder query then finds the low-resolution pixels under
// it by the dot products of the two encodings, instead of having to learn
// a nonlinear map between two grids' numbering (with the low grid
// numbered 0..6 on its own, a warm-started model had not begun to use the
// 7×7 image after an epoch: docs/experiments.md, imgtx-upscale).
func lowResPositions(cfg Config) *tensor.Tensor {
	fr, fc := float64(cfg.Height/cfg.LowRes), float64(cfg.Width/cfg.LowRes)
	rows := make([]float64, cfg.LowRes)
	for r := range rows {
		rows[r] = float64(r)*fr + (fr-1)/2
	}
	cols := make([]float64, cfg.LowRes*cfg.Channels)
	for j := range cols {
		x, ch := j/cfg.Channels, j%cfg.Channels
		cols[j] = (float64(x)*fc+(fc-1)/2)*float64(cfg.Channels) + float64(ch)
	}
	return nn.SinusoidalPositionsAt(rows, cols, cfg.Embed)
}
