package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// SinusoidalPositions2D returns the fixed position encodings of a
// rows × cols grid as a [rows·cols, dim] table in raster order. The first
// dim/2 features encode the row and the other dim − dim/2 the column, each
// with the sines and cosines of Vaswani et al. 2017 (§3.5): feature 2i is
// sin(p / 10000^(2i/n)), feature 2i+1 its cosine, over a half of n
// features. This is the Image Transformer's split (Parmar et al. 2018,
// §3.1): for colour images cols is the width times the channels, so the
// column half also says which channel a position is.
func SinusoidalPositions2D(rows, cols, dim int) *tensor.Tensor {
	if rows < 1 || cols < 1 || dim < 2 {
		panic(fmt.Sprintf("nn: sinusoidal positions of a %d×%d grid with %d features", rows, cols, dim))
	}
	rs, cs := make([]float64, rows), make([]float64, cols)
	for r := range rs {
		rs[r] = float64(r)
	}
	for c := range cs {
		cs[c] = float64(c)
	}
	return SinusoidalPositionsAt(rs, cs, dim)
}

// SinusoidalPositionsAt is SinusoidalPositions2D at any row and column
// coordinates, whole or not: the grid of rows[i] × cols[j] in raster
// order. A coarse grid placed at the centres of a fine grid's blocks gets
// encodings whose dot products with the fine grid's peak where the two
// overlap, so attention from one to the other can find its place.
func SinusoidalPositionsAt(rows, cols []float64, dim int) *tensor.Tensor {
	if len(rows) < 1 || len(cols) < 1 || dim < 2 {
		panic(fmt.Sprintf("nn: sinusoidal positions of a %d×%d grid with %d features", len(rows), len(cols), dim))
	}
	t := tensor.New(len(rows)*len(cols), dim)
	half := dim / 2
	// Each row's and each column's half is computed once and copied to
	// every position that has it: a 28×28 grid takes 56 encodings, not
	// 1,568 (building the table was 6% of 'imgtx attend' on one digit).
	rowEnc := make([]float32, len(rows)*half)
	for i, r := range rows {
		sinusoid(rowEnc[i*half:(i+1)*half], r)
	}
	colEnc := make([]float32, len(cols)*(dim-half))
	for j, c := range cols {
		sinusoid(colEnc[j*(dim-half):(j+1)*(dim-half)], c)
	}
	for i := range rows {
		for j := range cols {
			row := t.Data[(i*len(cols)+j)*dim : (i*len(cols)+j+1)*dim]
			copy(row[:half], rowEnc[i*half:(i+1)*half])
			copy(row[half:], colEnc[j*(dim-half):(j+1)*(dim-half)])
		}
	}
	return t
}

// sinusoid fills dst with the sine/cosine encoding of position p over
// len(dst) features.
func sinusoid(dst []float32, p float64) {
	n := float64(len(dst))
	for i := range dst {
		freq := math.Pow(10000, -float64(i-i%2)/n)
		if i%2 == 0 {
			dst[i] = float32(math.Sin(p * freq))
		} else {
			dst[i] = float32(math.Cos(p * freq))
		}
	}
}

// LearnedPositions is a trainable position table weight [positions, dim],
// initialised from N(0, 0.02²), the learned alternative to the sinusoids.
type LearnedPositions struct {
	Weight *autograd.Var
}

// NewLearnedPositions returns a table named prefix ("prefix.weight") of n
// positions.
func NewLearnedPositions(rng *rand.Rand, prefix string, n, dim int) *LearnedPositions {
	p := &LearnedPositions{Weight: param(prefix, "weight", n, dim)}
	Normal(rng, p.Weight.Value, 0, 0.02)
	return p
}

// Params returns the table.
func (p *LearnedPositions) Params() []*autograd.Var { return []*autograd.Var{p.Weight} }

// Buffers returns nothing.
func (p *LearnedPositions) Buffers() []Buffer { return nil }
