package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/gemm"
)

// RNNNonlinearity selects the activation of an Elman RNN cell, as the
// nonlinearity argument of torch.nn.RNNCell does.
type RNNNonlinearity uint8

const (
	// RNNTanh is PyTorch's default, nonlinearity='tanh'.
	RNNTanh RNNNonlinearity = iota
	// RNNReLU is nonlinearity='relu', the core network of RAM
	// (Mnih et al. 2014).
	RNNReLU
)

// rnnCellForward computes h2 = act(x·wIHᵀ + bIH + h·wHHᵀ + bHH) for n
// rows; bIH and bHH may be nil.
func rnnCellForward(h2, x, h, wIH, wHH, bIH, bHH []float32, n, in, hid int, act RNNNonlinearity) {
	linearForward(h2, x, wIH, bIH, n, in, hid)
	gemm.Sgemm(false, true, n, hid, hid, 1, h, hid, wHH, hid, 1, h2, hid)
	for r := 0; r < n; r++ {
		row := h2[r*hid : (r+1)*hid]
		for j := range row {
			v := row[j]
			if bHH != nil {
				v += bHH[j]
			}
			if act == RNNReLU {
				v = max(v, 0)
			} else {
				v = float32(math.Tanh(float64(v)))
			}
			row[j] = v
		}
	}
}

// rnnCellBackward accumulates the gradients of one RNN step given the
// output h2 and its gradient dh2; dPre [n, H] is scratch for the gradient
// of the pre-activation. Every destination may be nil to skip it.
func rnnCellBackward(dx, dh, dwIH, dwHH, dbIH, dbHH, dPre, dh2, h2, x, h, wIH, wHH []float32,
	n, in, hid int, act RNNNonlinearity) {
	for k, g := range dh2 {
		if act == RNNReLU {
			if h2[k] > 0 {
				dPre[k] = g
			}
		} else {
			dPre[k] = g * (1 - h2[k]*h2[k])
		}
	}
	linearBackward(dx, dwIH, dbIH, dPre, x, wIH, n, in, hid)
	linearBackward(dh, dwHH, dbHH, dPre, h, wHH, n, hid, hid)
}

// RNNCell runs one step of an Elman RNN, h2 = act(x·wIHᵀ + bIH + h·wHHᵀ +
// bHH), as torch.nn.RNNCell does: x [N, in], h [N, H], wIH [H, in], wHH
// [H, H], biases [H] (either may be nil).
func (tp *Tape) RNNCell(x, h, wIH, wHH, bIH, bHH *Var, act RNNNonlinearity) *Var {
	if x.Value.Dims() != 2 || wHH.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: RNNCell x %v wHH %v", x.Value.Shape, wHH.Value.Shape))
	}
	n, in := x.Value.Dim(0), x.Value.Dim(1)
	hid := wHH.Value.Dim(1)
	if h.Value.Dims() != 2 || h.Value.Dim(0) != n || h.Value.Dim(1) != hid || wHH.Value.Dim(0) != hid ||
		wIH.Value.Dims() != 2 || wIH.Value.Dim(0) != hid || wIH.Value.Dim(1) != in ||
		(bIH != nil && bIH.Value.Size() != hid) || (bHH != nil && bHH.Value.Size() != hid) {
		panic(fmt.Sprintf("autograd: RNNCell x %v h %v wIH %v wHH %v",
			x.Value.Shape, h.Value.Shape, wIH.Value.Shape, wHH.Value.Shape))
	}
	out := tp.Alloc(n, hid)
	rnnCellForward(out.Data, x.Value.Data, h.Value.Data, wIH.Value.Data, wHH.Value.Data,
		biasData(bIH), biasData(bHH), n, in, hid, act)
	y := tp.Result(out, x, h, wIH, wHH, bIH, bHH)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			rnnCellBackward(gradData(tp, x), gradData(tp, h), gradData(tp, wIH), gradData(tp, wHH),
				gradData(tp, bIH), gradData(tp, bHH), tp.Alloc(n, hid).Data, y.Grad.Data, out.Data,
				x.Value.Data, h.Value.Data, wIH.Value.Data, wHH.Value.Data, n, in, hid, act)
		})
	}
	return y
}
