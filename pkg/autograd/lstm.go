package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/vec"
)

// lstmCellForward runs one LSTM step for n rows. gates [n, 4H] receives
// the activated gates i, f, g, o (kept for backward); c2 and h2 [n, H]
// receive the new cell and hidden states:
//
//	[i f g o] = x·wIHᵀ + bIH + h·wHHᵀ + bHH
//	i, f, o = σ(·), g = tanh(·), c2 = f⊙c + i⊙g, h2 = o⊙tanh(c2)
//
// bIH and bHH may be nil.
func lstmCellForward(h2, c2, gates, x, h, c, wIH, wHH, bIH, bHH []float32, n, in, hid int) {
	g4 := 4 * hid
	linearForward(gates, x, wIH, bIH, n, in, g4)
	gemm.Sgemm(false, true, n, g4, hid, 1, h, hid, wHH, hid, 1, gates, g4)
	for r := 0; r < n; r++ {
		row := gates[r*g4 : (r+1)*g4]
		if bHH != nil {
			vec.Add(row, row, bHH)
		}
		// The gates are activated in place with the vectorised kernels: the
		// per-element transcendental calls cost as much as the two products.
		vec.Sigmoid(row[:2*hid], row[:2*hid]) // i, f
		vec.Tanh(row[2*hid:3*hid], row[2*hid:3*hid])
		vec.Sigmoid(row[3*hid:], row[3*hid:]) // o
		ig, fg, gg, og := row[:hid], row[hid:2*hid], row[2*hid:3*hid], row[3*hid:]
		cr, cn, hn := c[r*hid:(r+1)*hid], c2[r*hid:(r+1)*hid], h2[r*hid:(r+1)*hid]
		for j := range cn {
			cn[j] = fg[j]*cr[j] + ig[j]*gg[j]
		}
		vec.Tanh(hn, cn)
		vec.Mul(hn, hn, og)
	}
}

// lstmCellBackward accumulates the gradients of one LSTM step. dh2 and dc2
// are the gradients reaching the outputs (nil when none did); dGates
// [n, 4H] is scratch for the gradient of the gate pre-activations. Every
// destination may be nil to skip it.
func lstmCellBackward(dx, dh, dc, dwIH, dwHH, dbIH, dbHH, dGates, dh2, dc2,
	gates, c, c2, x, h, wIH, wHH []float32, n, in, hid int) {
	g4 := 4 * hid
	for r := 0; r < n; r++ {
		row, d := gates[r*g4:(r+1)*g4], dGates[r*g4:(r+1)*g4]
		// tanh(c2) goes into the output gate's slot of the scratch row
		// first: element j is read there before d[3*hid+j] is written.
		vec.Tanh(d[3*hid:], c2[r*hid:(r+1)*hid])
		for j := 0; j < hid; j++ {
			k := r*hid + j
			ig, fg, gg, og := row[j], row[hid+j], row[2*hid+j], row[3*hid+j]
			tc := d[3*hid+j]
			var gh, gc float32
			if dh2 != nil {
				gh = dh2[k]
			}
			if dc2 != nil {
				gc = dc2[k]
			}
			// The cell gradient collects the direct path and the path
			// through h2 = o·tanh(c2).
			gc += gh * og * (1 - tc*tc)
			d[j] = gc * gg * ig * (1 - ig)
			d[hid+j] = gc * c[k] * fg * (1 - fg)
			d[2*hid+j] = gc * ig * (1 - gg*gg)
			d[3*hid+j] = gh * tc * og * (1 - og)
			if dc != nil {
				dc[k] += gc * fg
			}
		}
	}
	linearBackward(dx, dwIH, dbIH, dGates, x, wIH, n, in, g4)
	linearBackward(dh, dwHH, dbHH, dGates, h, wHH, n, hid, g4)
}

// LSTMCell runs one step of an LSTM on x [N, in] with state h, c [N, H]
// and returns the new state (h2, c2), as torch.nn.LSTMCell does: weights
// wIH [4H, in] and wHH [4H, H], biases bIH and bHH [4H] (either may be
// nil), gate rows in PyTorch's order input, forget, cell, output. It is a
// fused kernel; TestLSTMCellMatchesComposition checks it against the same
// step built from Linear, Slice, Sigmoid, Tanh, Mul and Add.
func (tp *Tape) LSTMCell(x, h, c, wIH, wHH, bIH, bHH *Var) (h2, c2 *Var) {
	if x.Value.Dims() != 2 || wHH.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: LSTMCell x %v wHH %v", x.Value.Shape, wHH.Value.Shape))
	}
	n, in := x.Value.Dim(0), x.Value.Dim(1)
	hid := wHH.Value.Dim(1)
	if h.Value.Dims() != 2 || h.Value.Dim(0) != n || h.Value.Dim(1) != hid ||
		c.Value.Dims() != 2 || c.Value.Dim(0) != n || c.Value.Dim(1) != hid ||
		wIH.Value.Dims() != 2 || wIH.Value.Dim(0) != 4*hid || wIH.Value.Dim(1) != in ||
		wHH.Value.Dim(0) != 4*hid ||
		(bIH != nil && bIH.Value.Size() != 4*hid) || (bHH != nil && bHH.Value.Size() != 4*hid) {
		panic(fmt.Sprintf("autograd: LSTMCell x %v h %v c %v wIH %v wHH %v",
			x.Value.Shape, h.Value.Shape, c.Value.Shape, wIH.Value.Shape, wHH.Value.Shape))
	}
	gates := tp.Alloc(n, 4*hid)
	hOut, cOut := tp.Alloc(n, hid), tp.Alloc(n, hid)
	lstmCellForward(hOut.Data, cOut.Data, gates.Data, x.Value.Data, h.Value.Data, c.Value.Data,
		wIH.Value.Data, wHH.Value.Data, biasData(bIH), biasData(bHH), n, in, hid)
	h2 = tp.Result(hOut, x, h, c, wIH, wHH, bIH, bHH)
	c2 = tp.Result(cOut, x, h, c, wIH, wHH, bIH, bHH)
	if h2.RequiresGrad {
		hv, cv := h2, c2
		tp.Push(func() {
			if hv.Grad == nil && cv.Grad == nil {
				return
			}
			var dh2, dc2 []float32
			if hv.Grad != nil {
				dh2 = hv.Grad.Data
			}
			if cv.Grad != nil {
				dc2 = cv.Grad.Data
			}
			lstmCellBackward(gradData(tp, x), gradData(tp, h), gradData(tp, c), gradData(tp, wIH),
				gradData(tp, wHH), gradData(tp, bIH), gradData(tp, bHH), tp.Alloc(n, 4*hid).Data, dh2, dc2,
				gates.Data, c.Value.Data, cOut.Data, x.Value.Data, h.Value.Data, wIH.Value.Data, wHH.Value.Data,
				n, in, hid)
		})
	}
	return h2, c2
}

// gradData returns v's gradient buffer when v needs one, else nil, so
// backward kernels skip it.
func gradData(tp *Tape, v *Var) []float32 {
	if v == nil || !v.RequiresGrad {
		return nil
	}
	return tp.GradOf(v).Data
}
