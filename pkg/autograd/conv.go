package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

// Conv2D returns the 2-D convolution of x [N, Cin, H, W] with w
// [Cout, Cin/groups, kh, kw] plus b [Cout] (b may be nil): an output of
// shape [N, Cout, OH, OW] with OH = conv.OutputSize(H, kh, StrideH, PadH,
// DilH) and likewise OW.
//
// PyTorch: torch.nn.functional.conv2d(x, w, b, stride=(StrideH, StrideW),
// padding=(PadH, PadW), dilation=(DilH, DilW), groups=Groups).
//
// The kernels are conv.Plan's im2col + SGEMM; the column workspace comes
// from the tape and is kept for backward, which reuses it.
func (tp *Tape) Conv2D(x, w, b *Var, p conv.Params) *Var {
	pl, err := conv.NewPlan2D(x.Value.Shape, w.Value.Shape, p)
	if err != nil {
		panic(fmt.Sprintf("autograd: %v", err))
	}
	out := tp.Alloc(pl.N, pl.Cout, pl.Out[1], pl.Out[2])
	return tp.convolve(&pl, out, x, w, b)
}

// Conv3D returns the 3-D convolution of x [N, Cin, T, H, W] with w
// [Cout, Cin/groups, kt, kh, kw] plus b [Cout] (b may be nil): an output of
// shape [N, Cout, OT, OH, OW], each size given by conv.OutputSize.
//
// PyTorch: torch.nn.functional.conv3d(x, w, b, stride=(StrideT, StrideH,
// StrideW), padding=(PadT, PadH, PadW), dilation=(DilT, DilH, DilW),
// groups=Groups).
func (tp *Tape) Conv3D(x, w, b *Var, p conv.Params3D) *Var {
	pl, err := conv.NewPlan3D(x.Value.Shape, w.Value.Shape, p)
	if err != nil {
		panic(fmt.Sprintf("autograd: %v", err))
	}
	out := tp.Alloc(pl.N, pl.Cout, pl.Out[0], pl.Out[1], pl.Out[2])
	return tp.convolve(&pl, out, x, w, b)
}

// convolve runs the forward kernel into out and records the backward.
func (tp *Tape) convolve(pl *conv.Plan, out *tensor.Tensor, x, w, b *Var) *Var {
	if b != nil && b.Value.Size() != pl.Cout {
		panic(fmt.Sprintf("autograd: conv bias %v for %d output channels", b.Value.Shape, pl.Cout))
	}
	pl.Threads = tp.threads
	ws := tp.Alloc(pl.WorkspaceLen())
	pl.Forward(out.Data, x.Value.Data, w.Value.Data, biasData(b), ws.Data)
	y := tp.Result(out, x, w, b)
	if y.RequiresGrad {
		// A copy of the plan lives in the closure; taking it here, and not
		// in the callers, keeps the inference path free of heap escapes.
		tp.pushConvBackward(*pl, ws.Data, x, w, b, y)
	}
	return y
}

func (tp *Tape) pushConvBackward(pl conv.Plan, ws []float32, x, w, b, y *Var) {
	tp.Push(func() {
		if y.Grad == nil {
			return
		}
		if x.RequiresGrad {
			pl.BackwardInput(tp.GradOf(x).Data, y.Grad.Data, w.Value.Data, ws)
		}
		var dw, db []float32
		if w.RequiresGrad {
			dw = tp.GradOf(w).Data
		}
		if b != nil && b.RequiresGrad {
			db = tp.GradOf(b).Data
		}
		if dw != nil || db != nil {
			pl.BackwardWeight(dw, db, y.Grad.Data, x.Value.Data, ws)
		}
	})
}
