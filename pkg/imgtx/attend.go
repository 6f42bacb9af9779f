package imgtx

import (
	"fmt"
	"image"
	"slices"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
)

// AttentionMap is the self-attention of one query sub-pixel in one layer
// and head, spread over the grid (zero outside its memory).
type AttentionMap struct {
	Query, Layer, Head int
	Weights            []float32 // Len() entries, grid order
}

// Attention returns the self-attention weights of the query sub-pixels
// (grid indices) over their memory, per layer and head, when the model
// reads image b (teacher forcing: every earlier sub-pixel is the image's
// own). Only the Transformer has them. The maps come ordered by the
// queries' place in the generation order, then by layer and head; a query
// given twice is reported once.
//
// One teacher-forced pass over the prefix up to the last query gives
// them: each layer's self-attention is wrapped so that, before the
// blocked attention runs, the weights of the wanted rows are read off its
// projected queries and keys. Decoding position by position through the
// caches, as sampling does, gives the same weights at several times the
// cost.
func (m *Model) Attention(b Batch, queries []int) ([]AttentionMap, error) {
	if m.tx == nil {
		return nil, fmt.Errorf("the PixelCNN has no attention to show")
	}
	b.N = 1
	if err := m.check(b); err != nil {
		return nil, err
	}
	n := m.Cfg.Len()
	var steps []int // the queries' positions in the generation order, ascending, once each
	for _, q := range queries {
		if q < 0 || q >= n {
			return nil, fmt.Errorf("query %d: the grid has %d sub-pixels", q, n)
		}
		steps = append(steps, m.g.rank[q])
	}
	slices.Sort(steps)
	steps = slices.Compact(steps)
	if len(steps) == 0 {
		return nil, nil
	}
	prefix := steps[len(steps)-1] + 1
	layers := len(m.tx.layers)
	// perStep[i][l] holds the weights [1, H, len(keys)] of steps[i] in layer l.
	perStep := make([][]*tensor.Tensor, len(steps))
	for i := range perStep {
		perStep[i] = make([]*tensor.Tensor, layers)
	}
	blocked, layer := m.g.attend(prefix), 0
	record := func(tp *autograd.Tape, q, k, v *autograd.Var) *autograd.Var {
		for i, s := range steps {
			perStep[i][layer] = nn.AttentionWeights(q.Value, k.Value, s, m.g.keys[s])
		}
		layer++
		return blocked(tp, q, k, v)
	}
	tp := autograd.NewInference()
	seq := m.toSequence(nil, b.Pixels, 1)
	m.tx.forwardAttend(tp, m.Cfg, m.g, seq, b.Labels, b.Low, 1, prefix, false, nil, record)
	var maps []AttentionMap
	for i, s := range steps {
		for li, w := range perStep[i] {
			for h := 0; h < w.Dim(1); h++ {
				am := AttentionMap{Query: m.g.order[s], Layer: li, Head: h, Weights: make([]float32, n)}
				for j, k := range m.g.keys[s] {
					am.Weights[m.g.order[k]] = w.Data[h*w.Dim(2)+j]
				}
				maps = append(maps, am)
			}
		}
	}
	return maps, nil
}

// AttentionPanel draws the maps of one query as a grid, a row per layer
// and a column per head: each map coloured over the h × w·C grid (scaled
// to its own maximum), the query marked with a white square.
func (c Config) AttentionPanel(maps []AttentionMap, zoom int) (image.Image, error) {
	cols := c.Width * c.Channels
	tiles := make([]image.Image, 0, len(maps))
	for _, am := range maps {
		var hi float32
		for _, v := range am.Weights {
			hi = max(hi, v)
		}
		t := tensor.New(c.Height, cols)
		copy(t.Data, am.Weights)
		img, err := viz.Colorize(t, cols, c.Height, viz.Turbo(), 0, hi)
		if err != nil {
			return nil, err
		}
		copy(img.Pix[4*am.Query:], []uint8{255, 255, 255, 255})
		tiles = append(tiles, viz.Enlarge(img, max(zoom, 1)))
	}
	return viz.Grid(tiles, c.Heads, 2, panelBG), nil
}
