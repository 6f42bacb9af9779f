package imgtx

import (
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// attentionByStep is the reference for Attention: decode position by
// position through the layers' caches, as sampling does, and keep each
// wanted query's weights as its step applies them.
func attentionByStep(m *Model, b Batch, queries []int) []AttentionMap {
	b.N = 1
	want := map[int]bool{}
	last := 0
	for _, q := range queries {
		want[m.g.rank[q]] = true
		last = max(last, m.g.rank[q])
	}
	tp := autograd.NewInference()
	dec := m.tx.newDecoder(tp, m.Cfg, m.g, b.Labels, b.Low, 1)
	seq := m.toSequence(nil, b.Pixels, 1)
	var maps []AttentionMap
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
				am := AttentionMap{Query: m.g.order[s], Layer: li, Head: h, Weights: make([]float32, m.Cfg.Len())}
				for j, k := range m.g.keys[s] {
					am.Weights[m.g.order[k]] = w.Data[h*w.Dim(2)+j]
				}
				maps = append(maps, am)
			}
		}
	}
	return maps
}

// The weights read off one teacher-forced pass are those the cached
// decoding applies, for every kind of transformer, with queries given out
// of order and twice.
func TestAttentionMatchesStepDecoding(t *testing.T) {
	for name, cfg := range tinyConfigs() {
		if cfg.Arch != "transformer" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			b := randomBatch(cfg, 1, 4)
			n := cfg.Len()
			queries := []int{n - 2, 0, n / 2, n - 2, 1}
			got, err := m.Attention(b, queries)
			if err != nil {
				t.Fatal(err)
			}
			want := attentionByStep(m, b, queries)
			if len(got) != len(want) {
				t.Fatalf("%d maps, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Query != w.Query || g.Layer != w.Layer || g.Head != w.Head {
					t.Fatalf("map %d is query %d layer %d head %d, want %d %d %d", i, g.Query, g.Layer, g.Head, w.Query, w.Layer, w.Head)
				}
				sum := 0.0
				for j := range w.Weights {
					sum += float64(g.Weights[j])
					if d := math.Abs(float64(g.Weights[j] - w.Weights[j])); d > 1e-5 {
						t.Fatalf("map %d (query %d layer %d head %d) cell %d: %g, want %g", i, g.Query, g.Layer, g.Head, j, g.Weights[j], w.Weights[j])
					}
				}
				if math.Abs(sum-1) > 1e-5 {
					t.Fatalf("map %d sums to %g", i, sum)
				}
			}
		})
	}
}
