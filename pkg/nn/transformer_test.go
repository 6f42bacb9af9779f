package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

func randn(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

var layerCases = []TransformerConfig{
	{Embed: 8, Heads: 2, FF: 12},
	{Embed: 8, Heads: 2, FF: 12, PreNorm: true},
	{Embed: 8, Heads: 4, FF: 6, Cross: true},
	{Embed: 8, Heads: 1, FF: 6, Cross: true, PreNorm: true},
}

// The layer's gradients with respect to its input, the encoder output and
// some of its weights match central finite differences. The ReLU of the
// feed-forward network has a kink at 0 where a finite difference is wrong
// whenever a pre-activation lies within the step of it; the seed is one
// whose pre-activations all stay clear of it.
func TestTransformerLayerFiniteDifferences(t *testing.T) {
	for _, cfg := range layerCases {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 2))
			l, err := NewTransformerLayer(rng, "layer", cfg)
			if err != nil {
				t.Fatal(err)
			}
			inputs := []*tensor.Tensor{randn(rng, 2, 5, 8), randn(rng, 2, 3, 8),
				l.Linear1.Weight.Value, l.SelfAttn.InProjWeight.Value, l.Norm1.Weight.Value}
			err = autograd.GradCheck(func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
				l.Linear1.Weight, l.SelfAttn.InProjWeight, l.Norm1.Weight = in[2], in[3], in[4]
				var mem *autograd.Var
				if cfg.Cross {
					mem = in[1]
				}
				return l.Forward(tp, in[0], mem, MaskAttend(autograd.LocalMask(2, 1)), false, nil)
			}, inputs, autograd.GradCheckOptions{Eps: 1e-3, RTol: 2e-2, ATol: 3e-3})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Decoding one position at a time with the cache gives the rows of the
// whole-sequence forward pass, for a causal and a local mask.
func TestTransformerLayerStepMatchesForward(t *testing.T) {
	for _, cfg := range layerCases {
		for _, mask := range []autograd.AttnMask{autograd.CausalMask(), autograd.LocalMask(3, 2)} {
			rng := rand.New(rand.NewPCG(3, 4))
			l, err := NewTransformerLayer(rng, "layer", cfg)
			if err != nil {
				t.Fatal(err)
			}
			const b, n = 2, 7
			x := randn(rng, b, n, 8)
			var mem *autograd.Var
			if cfg.Cross {
				mem = autograd.Const(randn(rng, b, 4, 8))
			}
			tp := autograd.NewInference()
			want := l.Forward(tp, autograd.Const(x), mem, MaskAttend(mask), false, nil).Value.Clone()
			c := l.NewCache(tp, b, n, mem)
			for pos := 0; pos < n; pos++ {
				tp.Reset()
				row := tensor.New(b, 1, 8)
				for bi := 0; bi < b; bi++ {
					copy(row.Data[bi*8:(bi+1)*8], x.Data[(bi*n+pos)*8:(bi*n+pos+1)*8])
				}
				lo := 0
				if mask.Kind == autograd.MaskLocal {
					lo = max(pos/mask.BlockLen*mask.BlockLen-mask.MemLen, 0)
				}
				var keys []int
				for k := lo; k <= pos; k++ {
					keys = append(keys, k)
				}
				got := l.Step(tp, autograd.Const(row), c, pos, keys)
				for bi := 0; bi < b; bi++ {
					for j := 0; j < 8; j++ {
						g, w := got.Value.Data[bi*8+j], want.Data[(bi*n+pos)*8+j]
						if math.Abs(float64(g-w)) > 1e-5 {
							t.Fatalf("%+v mask %v pos %d: step %g, forward %g", cfg, mask.Kind, pos, g, w)
						}
					}
				}
			}
		}
	}
}

func TestTransformerConfigValidate(t *testing.T) {
	for _, c := range []TransformerConfig{{Embed: 6, Heads: 4, FF: 4}, {Embed: 8, Heads: 2}, {Embed: 8, Heads: 2, FF: 4, Dropout: 1}} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestSinusoidalPositions2D(t *testing.T) {
	pe := SinusoidalPositions2D(3, 4, 8)
	at := func(r, c, i int) float64 { return float64(pe.Data[(r*4+c)*8+i]) }
	// Row half: sin/cos of the row; column half: of the column.
	if at(0, 3, 0) != 0 || at(0, 3, 1) != 1 || math.Abs(at(2, 0, 0)-math.Sin(2)) > 1e-6 || math.Abs(at(2, 0, 1)-math.Cos(2)) > 1e-6 {
		t.Fatalf("row features wrong: %v", pe.Data[:16])
	}
	if math.Abs(at(1, 3, 4)-math.Sin(3)) > 1e-6 || math.Abs(at(1, 3, 6)-math.Sin(3/100.0)) > 1e-6 {
		t.Fatalf("column features wrong")
	}
	// Every position has its own code.
	seen := map[string]bool{}
	for p := 0; p < 12; p++ {
		k := fmt.Sprint(pe.Data[p*8 : (p+1)*8])
		if seen[k] {
			t.Fatalf("position %d repeats a code", p)
		}
		seen[k] = true
	}
}
