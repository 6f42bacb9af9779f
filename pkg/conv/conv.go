// Package conv holds the raw convolution kernels: 2-D and 3-D convolution
// forward and backward over NCHW / NCTHW float32 slices, computed as
// im2col (vol2col) followed by one SGEMM per image and group.
//
// The layouts are PyTorch's: input [N, Cin, H, W] (or [N, Cin, T, H, W]),
// weight [Cout, Cin/groups, kh, kw] (or [Cout, Cin/groups, kt, kh, kw]),
// bias [Cout], output [N, Cout, OH, OW]. There is no autograd here; package
// autograd wires these kernels into its tape.
//
// A Plan fixes one geometry. Its kernels take a caller-provided workspace
// of WorkspaceLen floats (the column matrix of one image), so a caller that
// keeps the workspace, such as a tape arena, runs convolutions without
// allocating in steady state.
package conv

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
)

// Params are the hyper-parameters of a 2-D convolution, as in
// torch.nn.Conv2d. Zero strides, dilations and groups mean 1, so the zero
// value is a stride-1, unpadded, undilated, ungrouped convolution.
type Params struct {
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int
	// Groups splits the channels as torch's groups argument does: input
	// channel group g only feeds output channel group g. Cin and Cout must
	// both be multiples of Groups.
	Groups int
}

// Params3D are the hyper-parameters of a 3-D (time, height, width)
// convolution, as in torch.nn.Conv3d. Zero strides, dilations and groups
// mean 1.
type Params3D struct {
	StrideT, StrideH, StrideW int
	PadT, PadH, PadW          int
	DilT, DilH, DilW          int
	Groups                    int
}

// OutputSize returns the output length of one spatial axis:
// floor((in + 2·pad − dil·(k−1) − 1) / stride) + 1, as torch computes it.
// A non-positive result means the kernel does not fit.
func OutputSize(in, kernel, stride, pad, dilation int) int {
	if stride <= 0 {
		stride = 1
	}
	if dilation <= 0 {
		dilation = 1
	}
	span := dilation*(kernel-1) + 1
	if in+2*pad < span {
		return 0
	}
	return (in+2*pad-span)/stride + 1
}

// Plan is one convolution geometry: batch, channels, input and kernel
// sizes, strides, padding, dilation and groups. A 2-D plan is a 3-D plan
// with a time axis of length 1. Plans are small values; build them per call.
type Plan struct {
	N, Cin, Cout, Groups int
	// In, Kernel and Out are the (T, H, W) sizes; T is 1 for 2-D plans.
	In, Kernel, Out [3]int
	Stride, Pad     [3]int
	Dil             [3]int
}

// NewPlan2D returns the plan of a 2-D convolution of an input of shape x
// [N, Cin, H, W] with a weight of shape w [Cout, Cin/groups, kh, kw].
func NewPlan2D(x, w []int, p Params) (Plan, error) {
	if len(x) != 4 || len(w) != 4 {
		return Plan{}, fmt.Errorf("conv2d: input %v, weight %v: want [N,C,H,W] and [Cout,Cin/groups,kh,kw]", x, w)
	}
	return newPlan(x[0], x[1], w[0], w[1], p.Groups,
		[3]int{1, x[2], x[3]}, [3]int{1, w[2], w[3]},
		[3]int{1, p.StrideH, p.StrideW}, [3]int{0, p.PadH, p.PadW}, [3]int{1, p.DilH, p.DilW}, "conv2d")
}

// NewPlan3D returns the plan of a 3-D convolution of an input of shape x
// [N, Cin, T, H, W] with a weight of shape w [Cout, Cin/groups, kt, kh, kw].
func NewPlan3D(x, w []int, p Params3D) (Plan, error) {
	if len(x) != 5 || len(w) != 5 {
		return Plan{}, fmt.Errorf("conv3d: input %v, weight %v: want [N,C,T,H,W] and [Cout,Cin/groups,kt,kh,kw]", x, w)
	}
	return newPlan(x[0], x[1], w[0], w[1], p.Groups,
		[3]int{x[2], x[3], x[4]}, [3]int{w[2], w[3], w[4]},
		[3]int{p.StrideT, p.StrideH, p.StrideW}, [3]int{p.PadT, p.PadH, p.PadW}, [3]int{p.DilT, p.DilH, p.DilW}, "conv3d")
}

func newPlan(n, cin, cout, wcin, groups int, in, k, stride, pad, dil [3]int, op string) (Plan, error) {
	if groups <= 0 {
		groups = 1
	}
	pl := Plan{N: n, Cin: cin, Cout: cout, Groups: groups, In: in, Kernel: k, Pad: pad}
	if n < 0 || cin <= 0 || cout <= 0 || cin%groups != 0 || cout%groups != 0 || wcin != cin/groups {
		return Plan{}, fmt.Errorf("%s: batch %d, %d input channels, %d output channels, weight input channels %d, groups %d do not fit",
			op, n, cin, cout, wcin, groups)
	}
	for a := 0; a < 3; a++ {
		pl.Stride[a], pl.Dil[a] = max(stride[a], 1), max(dil[a], 1)
		if k[a] <= 0 || pad[a] < 0 || in[a] <= 0 {
			return Plan{}, fmt.Errorf("%s: input %v, kernel %v, padding %v: sizes must be positive, padding non-negative", op, in, k, pad)
		}
		pl.Out[a] = OutputSize(in[a], k[a], pl.Stride[a], pad[a], pl.Dil[a])
		if pl.Out[a] <= 0 {
			return Plan{}, fmt.Errorf("%s: input %v with padding %v is smaller than the dilated kernel %v", op, in, pad, k)
		}
	}
	return pl, nil
}

// inPlane, outPlane and kernelVol are per-channel element counts.
func (p *Plan) inPlane() int   { return p.In[0] * p.In[1] * p.In[2] }
func (p *Plan) outPlane() int  { return p.Out[0] * p.Out[1] * p.Out[2] }
func (p *Plan) kernelVol() int { return p.Kernel[0] * p.Kernel[1] * p.Kernel[2] }

// InLen returns the number of input elements, N·Cin·T·H·W.
func (p *Plan) InLen() int { return p.N * p.Cin * p.inPlane() }

// WeightLen returns the number of weight elements, Cout·Cin/groups·kernel.
func (p *Plan) WeightLen() int { return p.Cout * p.Cin / p.Groups * p.kernelVol() }

// OutLen returns the number of output elements, N·Cout·OT·OH·OW.
func (p *Plan) OutLen() int { return p.N * p.Cout * p.outPlane() }

// Pointwise reports whether the convolution is a 1×1(×1), stride-1,
// unpadded one: then the column matrix of an image is the image itself and
// the kernels skip im2col entirely.
func (p *Plan) Pointwise() bool {
	return p.kernelVol() == 1 && p.Pad == [3]int{} && p.Stride == [3]int{1, 1, 1}
}

// WorkspaceLen returns the number of floats the kernels need as workspace:
// the column matrix of one image, [Cin·kernel volume, output plane], or 0
// for a pointwise convolution.
func (p *Plan) WorkspaceLen() int {
	if p.Pointwise() {
		return 0
	}
	return p.Cin * p.kernelVol() * p.outPlane()
}

// workspace returns ws, or a fresh buffer when ws is too short. Callers that
// care about allocations pass a long enough one.
func (p *Plan) workspace(ws []float32) []float32 {
	if n := p.WorkspaceLen(); len(ws) < n {
		return make([]float32, n)
	}
	return ws
}

func (p *Plan) check(op string, name string, s []float32, want int) {
	if len(s) != want {
		panic(fmt.Sprintf("conv: %s: %s has %d elements, plan wants %d", op, name, len(s), want))
	}
}

// Forward computes y = conv(x, w) + b. y is overwritten; b may be nil.
// ws is scratch of at least WorkspaceLen floats (a shorter one is replaced
// by a fresh allocation). PyTorch: torch.nn.functional.conv2d / conv3d.
func (p *Plan) Forward(y, x, w, b, ws []float32) {
	p.check("forward", "input", x, p.InLen())
	p.check("forward", "weight", w, p.WeightLen())
	p.check("forward", "output", y, p.OutLen())
	if b != nil {
		p.check("forward", "bias", b, p.Cout)
	}
	ws = p.workspace(ws)
	inC, outC := p.inPlane(), p.outPlane()
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol() // GEMM inner size per group
	for n := 0; n < p.N; n++ {
		xn := x[n*p.Cin*inC : (n+1)*p.Cin*inC]
		yn := y[n*p.Cout*outC : (n+1)*p.Cout*outC]
		col := xn
		if !p.Pointwise() {
			col = ws[:p.Cin*p.kernelVol()*outC]
			p.im2col(col, xn)
		}
		var beta float32
		if b != nil {
			// Seeding the output with the bias lets the GEMM add it for free.
			for c := 0; c < p.Cout; c++ {
				fill(yn[c*outC:(c+1)*outC], b[c])
			}
			beta = 1
		}
		for g := 0; g < p.Groups; g++ {
			// y_g [og, outC] = W_g [og, kg] · col_g [kg, outC]
			gemm.Sgemm(false, false, og, outC, kg, 1,
				w[g*og*kg:], kg, col[g*kg*outC:], outC, beta, yn[g*og*outC:], outC)
		}
	}
}

// BackwardInput accumulates the input gradient: dx += convᵀ(dy, w).
// ws is scratch as in Forward.
func (p *Plan) BackwardInput(dx, dy, w, ws []float32) {
	p.check("backward input", "input gradient", dx, p.InLen())
	p.check("backward input", "weight", w, p.WeightLen())
	p.check("backward input", "output gradient", dy, p.OutLen())
	ws = p.workspace(ws)
	inC, outC := p.inPlane(), p.outPlane()
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol()
	for n := 0; n < p.N; n++ {
		dxn := dx[n*p.Cin*inC : (n+1)*p.Cin*inC]
		dyn := dy[n*p.Cout*outC : (n+1)*p.Cout*outC]
		if p.Pointwise() {
			// The column matrix is the image: accumulate straight into dx.
			for g := 0; g < p.Groups; g++ {
				gemm.Sgemm(true, false, kg, outC, og, 1, w[g*og*kg:], kg, dyn[g*og*outC:], outC, 1, dxn[g*kg*outC:], outC)
			}
			continue
		}
		col := ws[:p.Cin*p.kernelVol()*outC]
		for g := 0; g < p.Groups; g++ {
			// dcol_g [kg, outC] = W_gᵀ [kg, og] · dy_g [og, outC]
			gemm.Sgemm(true, false, kg, outC, og, 1, w[g*og*kg:], kg, dyn[g*og*outC:], outC, 0, col[g*kg*outC:], outC)
		}
		p.col2im(dxn, col)
	}
}

// BackwardWeight accumulates the weight and bias gradients:
// dw += Σ_n dy_n · col(x_n)ᵀ and db += Σ dy over batch and space. dw or db
// may be nil to skip it. ws is scratch as in Forward.
func (p *Plan) BackwardWeight(dw, db, dy, x, ws []float32) {
	p.check("backward weight", "input", x, p.InLen())
	p.check("backward weight", "output gradient", dy, p.OutLen())
	if dw != nil {
		p.check("backward weight", "weight gradient", dw, p.WeightLen())
	}
	if db != nil {
		p.check("backward weight", "bias gradient", db, p.Cout)
	}
	inC, outC := p.inPlane(), p.outPlane()
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol()
	if dw != nil {
		ws = p.workspace(ws)
	}
	for n := 0; n < p.N; n++ {
		dyn := dy[n*p.Cout*outC : (n+1)*p.Cout*outC]
		if db != nil {
			for c := 0; c < p.Cout; c++ {
				db[c] += sum(dyn[c*outC : (c+1)*outC])
			}
		}
		if dw == nil {
			continue
		}
		xn := x[n*p.Cin*inC : (n+1)*p.Cin*inC]
		col := xn
		if !p.Pointwise() {
			// Recomputed rather than saved from forward: one image's columns
			// are kernel-volume times the image, too much to keep per batch.
			col = ws[:p.Cin*p.kernelVol()*outC]
			p.im2col(col, xn)
		}
		for g := 0; g < p.Groups; g++ {
			// dW_g [og, kg] += dy_g [og, outC] · col_gᵀ [outC, kg]
			gemm.Sgemm(false, true, og, kg, outC, 1, dyn[g*og*outC:], outC, col[g*kg*outC:], outC, 1, dw[g*og*kg:], kg)
		}
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}

// sum adds in float64: a bias gradient sums a whole feature map per image.
func sum(s []float32) float32 {
	var t float64
	for _, v := range s {
		t += float64(v)
	}
	return float32(t)
}
