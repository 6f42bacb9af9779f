package imgtx

import (
	"fmt"
	"image"

	"github.com/attnkit/attn/pkg/autograd"
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
// own). Only the Transformer has them.
func (m *Model) Attention(b Batch, queries []int) ([]AttentionMap, error) {
	if m.tx == nil {
		return nil, fmt.Errorf("the PixelCNN has no attention to show")
	}
	b.N = 1
	if err := m.check(b); err != nil {
		return nil, err
	}
	n := m.Cfg.Len()
	want := map[int]bool{}
	for _, q := range queries {
		if q < 0 || q >= n {
			return nil, fmt.Errorf("query %d: the grid has %d sub-pixels", q, n)
		}
		want[m.g.rank[q]] = true
	}
	tp := autograd.NewInference()
	dec := m.tx.newDecoder(tp, m.Cfg, m.g, b.Labels, b.Low, 1)
	seq := m.toSequence(nil, b.Pixels, 1)
	var maps []AttentionMap
	last := 0
	for _, q := range queries {
		last = max(last, m.g.rank[q])
	}
	for s := 0; s <= last; s++ {
		tp.Reset()
		for _, c := range dec.caches {
			c.Self.Record = want[s]
		}
		dec.step(tp, seq, s)
		if !want[s] {
			continue
		}
		for li, c := range dec.caches {
			w := c.Self.Weights
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
