// Package conv holds the raw convolution kernels: 2-D and 3-D convolution
// forward and backward over NCHW / NCTHW float32 slices, computed as
// im2col (vol2col) followed by SGEMM, one product per group over chunks
// of images laid side by side.
//
// The layouts are PyTorch's: input [N, Cin, H, W] (or [N, Cin, T, H, W]),
// weight [Cout, Cin/groups, kh, kw] (or [Cout, Cin/groups, kt, kh, kw]),
// bias [Cout], output [N, Cout, OH, OW]. There is no autograd here; package
// autograd wires these kernels into its tape.
//
// A Plan fixes one geometry. Its kernels take a caller-provided workspace
// of WorkspaceLen floats (the column matrix of one chunk of images), so a
// caller that keeps the workspace, such as a tape arena, runs convolutions
// without allocating in steady state.
package conv

import (
	"fmt"

	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/parallel"
	"github.com/attnkit/attn/pkg/vec"
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
	// Threads is how many goroutines the kernels may use (0 or 1: the
	// caller's alone). Each takes a run of whole images with a workspace
	// of its own, so Forward and BackwardInput give the same bits at any
	// count; BackwardWeight sums the workers' weight gradients in a fixed
	// order, the same bits for the same count.
	Threads int
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

// targetCols is the number of GEMM columns (output positions, summed over
// the images of a chunk) the kernels aim for. One SGEMM per image packs the
// whole weight matrix once per image; at the small late feature maps of a
// CNN (8×8, 4×4) that packing, and in the weight gradient a product only
// OH·OW deep, cost more than the arithmetic. Putting several images side by
// side as extra columns amortises both, at the price of a gather/scatter of
// the (much smaller) output rows. Measured on the LPA VGG layers at batch
// 64 on one thread, 128–512 columns did best; wider chunks lost a few per
// cent at 4×4 maps, where a chunk's column matrix no longer fits in L2.
const targetCols = 256

// chunkImages returns how many images one GEMM covers: enough to reach
// targetCols columns, at least 1 and at most N.
func (p *Plan) chunkImages() int {
	nb := (targetCols + p.outPlane() - 1) / p.outPlane()
	return max(1, min(nb, p.N))
}

// colRows returns the number of rows of the column matrix, Cin·kernel
// volume (for a pointwise convolution the rows are the input channels).
func (p *Plan) colRows() int { return p.Cin * p.kernelVol() }

// WorkspaceLen returns the number of floats the kernels need as workspace:
// for each worker (see Threads) the column matrix of one chunk of images,
// [Cin·kernel volume, images·output plane], and, when a chunk holds more
// than one image, the chunk's output (or output gradient) rows [Cout,
// images·output plane]; with more than one worker, a weight gradient for
// each worker but the first. A pointwise convolution of one image at a
// time needs none.
func (p *Plan) WorkspaceLen() int {
	w := p.workers()
	n := w * p.workerLen()
	if w > 1 {
		n += (w - 1) * p.WeightLen()
	}
	return n
}

// workerLen is one worker's workspace.
func (p *Plan) workerLen() int {
	nb := p.chunkImages()
	cols := nb * p.outPlane()
	if nb == 1 {
		if p.Pointwise() {
			return 0
		}
		return p.colRows() * cols
	}
	return (p.colRows() + p.Cout) * cols
}

// workers returns how many goroutines share the chunks: Threads, at most
// one per chunk.
func (p *Plan) workers() int {
	nb := p.chunkImages()
	return max(1, min(p.Threads, (p.N+nb-1)/nb))
}

// eachWorker cuts the chunks into workers() runs (parallel.Ranges) and
// calls fn for each with a copy of the plan, the images [n0, n1) of whole
// chunks and the worker's workspace. The one-worker case does not come
// here: a plan handed to goroutines escapes, and the kernels call their
// range methods directly then, allocating nothing.
func (p *Plan) eachWorker(ws []float32, fn func(q *Plan, k, n0, n1 int, ws []float32)) {
	q := *p
	wl, nb := q.workerLen(), q.chunkImages()
	parallel.Ranges(q.workers(), (q.N+nb-1)/nb, func(k, c0, c1 int) {
		fn(&q, k, c0*nb, min(q.N, c1*nb), ws[k*wl:(k+1)*wl])
	})
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

// chunk is a run of m consecutive images starting at image n0, seen as one
// GEMM of cols = m·outC columns.
type chunk struct{ n0, m, cols int }

// columns returns the column matrix [colRows, c.cols] of chunk c of x:
// the image itself for a single pointwise image, else built in ws.
func (p *Plan) columns(ws, x []float32, c chunk) []float32 {
	inC, outC := p.inPlane(), p.outPlane()
	xs := x[c.n0*p.Cin*inC : (c.n0+c.m)*p.Cin*inC]
	if p.Pointwise() {
		if c.m == 1 {
			return xs
		}
		col := ws[:p.Cin*c.cols]
		gatherRows(col, xs, c.m, p.Cin, outC)
		return col
	}
	col := ws[:p.colRows()*c.cols]
	for i := 0; i < c.m; i++ {
		p.im2col(col[i*outC:], xs[i*p.Cin*inC:(i+1)*p.Cin*inC], c.cols)
	}
	return col
}

// rowsBuf returns the [Cout, c.cols] output-row matrix of chunk c: the
// image's own slice of out when the chunk is one image, else scratch in ws
// after the column matrix.
func (p *Plan) rowsBuf(ws, out []float32, c chunk) []float32 {
	outC := p.outPlane()
	if c.m == 1 {
		return out[c.n0*p.Cout*outC : (c.n0+1)*p.Cout*outC]
	}
	off := p.colRows() * p.chunkImages() * outC
	return ws[off : off+p.Cout*c.cols]
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
	if p.workers() == 1 {
		p.forwardRange(y, x, w, b, 0, p.N, ws)
		return
	}
	p.eachWorker(ws, func(q *Plan, _, lo, hi int, ws []float32) { q.forwardRange(y, x, w, b, lo, hi, ws) })
}

// forwardRange is Forward for the images [lo, hi), whole chunks, with
// one worker's workspace.
func (p *Plan) forwardRange(y, x, w, b []float32, lo, hi int, ws []float32) {
	outC := p.outPlane()
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol() // GEMM inner size per group
	for n0 := lo; n0 < hi; n0 += p.chunkImages() {
		c := p.chunkAt(n0)
		col := p.columns(ws, x, c)
		out := p.rowsBuf(ws, y, c)
		var beta float32
		if b != nil {
			// Seeding the output with the bias lets the GEMM add it for free.
			for co := 0; co < p.Cout; co++ {
				fill(out[co*c.cols:(co+1)*c.cols], b[co])
			}
			beta = 1
		}
		for g := 0; g < p.Groups; g++ {
			// out_g [og, cols] = W_g [og, kg] · col_g [kg, cols]
			gemm.Sgemm(false, false, og, c.cols, kg, 1,
				w[g*og*kg:], kg, col[g*kg*c.cols:], c.cols, beta, out[g*og*c.cols:], c.cols)
		}
		if c.m > 1 {
			scatterRows(y[c.n0*p.Cout*outC:(c.n0+c.m)*p.Cout*outC], out, c.m, p.Cout, outC, false)
		}
	}
}

// chunkAt returns the chunk that starts at image n0.
func (p *Plan) chunkAt(n0 int) chunk {
	m := min(p.chunkImages(), p.N-n0)
	return chunk{n0, m, m * p.outPlane()}
}

// gradRows returns the output gradient of chunk c as a [Cout, c.cols]
// matrix: dy's own slice for one image, else gathered into ws.
func (p *Plan) gradRows(ws, dy []float32, c chunk) []float32 {
	outC := p.outPlane()
	dys := dy[c.n0*p.Cout*outC : (c.n0+c.m)*p.Cout*outC]
	if c.m == 1 {
		return dys
	}
	buf := p.rowsBuf(ws, nil, c)
	gatherRows(buf, dys, c.m, p.Cout, outC)
	return buf
}

// BackwardInput accumulates the input gradient: dx += convᵀ(dy, w).
// ws is scratch as in Forward.
func (p *Plan) BackwardInput(dx, dy, w, ws []float32) {
	p.check("backward input", "input gradient", dx, p.InLen())
	p.check("backward input", "weight", w, p.WeightLen())
	p.check("backward input", "output gradient", dy, p.OutLen())
	ws = p.workspace(ws)
	if p.workers() == 1 {
		p.backwardInputRange(dx, dy, w, 0, p.N, ws)
		return
	}
	p.eachWorker(ws, func(q *Plan, _, lo, hi int, ws []float32) { q.backwardInputRange(dx, dy, w, lo, hi, ws) })
}

// backwardInputRange is BackwardInput for the images [lo, hi).
func (p *Plan) backwardInputRange(dx, dy, w []float32, lo, hi int, ws []float32) {
	inC, outC := p.inPlane(), p.outPlane()
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol()
	for n0 := lo; n0 < hi; n0 += p.chunkImages() {
		c := p.chunkAt(n0)
		dyc := p.gradRows(ws, dy, c)
		dxs := dx[c.n0*p.Cin*inC : (c.n0+c.m)*p.Cin*inC]
		if p.Pointwise() && c.m == 1 {
			// The column matrix is the image: accumulate straight into dx.
			for g := 0; g < p.Groups; g++ {
				gemm.Sgemm(true, false, kg, outC, og, 1, w[g*og*kg:], kg, dyc[g*og*outC:], outC, 1, dxs[g*kg*outC:], outC)
			}
			continue
		}
		col := ws[:p.colRows()*c.cols]
		for g := 0; g < p.Groups; g++ {
			// dcol_g [kg, cols] = W_gᵀ [kg, og] · dy_g [og, cols]
			gemm.Sgemm(true, false, kg, c.cols, og, 1, w[g*og*kg:], kg, dyc[g*og*c.cols:], c.cols, 0, col[g*kg*c.cols:], c.cols)
		}
		if p.Pointwise() {
			scatterRows(dxs, col, c.m, p.Cin, outC, true)
			continue
		}
		for i := 0; i < c.m; i++ {
			p.col2im(dxs[i*p.Cin*inC:(i+1)*p.Cin*inC], col[i*outC:], c.cols)
		}
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
	outC := p.outPlane()
	if db != nil {
		for co := 0; co < p.Cout; co++ {
			var s float64
			for n := 0; n < p.N; n++ {
				o := (n*p.Cout + co) * outC
				s += float64(vec.Sum(dy[o : o+outC]))
			}
			db[co] += float32(s)
		}
	}
	if dw == nil {
		return
	}
	ws = p.workspace(ws)
	if p.workers() == 1 {
		p.backwardWeightRange(dw, dy, x, 0, p.N, ws)
		return
	}
	// The first worker adds into dw, each other one into a gradient of
	// its own (after the workers' workspaces), added to dw in worker
	// order at the end.
	nw, wn := p.workers(), p.WeightLen()
	parts := ws[nw*p.workerLen():][:(nw-1)*wn]
	p.eachWorker(ws, func(q *Plan, k, lo, hi int, ws []float32) {
		acc := dw
		if k > 0 {
			acc = parts[(k-1)*wn : k*wn]
			clear(acc)
		}
		q.backwardWeightRange(acc, dy, x, lo, hi, ws)
	})
	for k := 1; k < nw; k++ {
		vec.Add(dw, dw, parts[(k-1)*wn:k*wn])
	}
}

// backwardWeightRange adds the weight gradient of the images [lo, hi)
// into dw.
func (p *Plan) backwardWeightRange(dw, dy, x []float32, lo, hi int, ws []float32) {
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	kg := cg * p.kernelVol()
	for n0 := lo; n0 < hi; n0 += p.chunkImages() {
		c := p.chunkAt(n0)
		// The columns are recomputed rather than saved from forward: a
		// batch's columns are kernel-volume times its input, too much to
		// keep for every layer.
		col := p.columns(ws, x, c)
		dyc := p.gradRows(ws, dy, c)
		for g := 0; g < p.Groups; g++ {
			// dW_g [og, kg] += dy_g [og, cols] · col_gᵀ [cols, kg]
			gemm.Sgemm(false, true, og, kg, c.cols, 1, dyc[g*og*c.cols:], c.cols, col[g*kg*c.cols:], c.cols, 1, dw[g*og*kg:], kg)
		}
	}
}

// gatherRows lays m images src [m][rows][plane] side by side as
// dst [rows, m·plane]: row r of dst is row r of every image in turn.
func gatherRows(dst, src []float32, m, rows, plane int) {
	cols := m * plane
	for i := 0; i < m; i++ {
		img := src[i*rows*plane : (i+1)*rows*plane]
		for r := 0; r < rows; r++ {
			copy(dst[r*cols+i*plane:r*cols+(i+1)*plane], img[r*plane:(r+1)*plane])
		}
	}
}

// scatterRows is gatherRows' inverse: it writes (or, with accumulate, adds)
// src [rows, m·plane] back into the m images dst [m][rows][plane].
func scatterRows(dst, src []float32, m, rows, plane int, accumulate bool) {
	cols := m * plane
	for i := 0; i < m; i++ {
		img := dst[i*rows*plane : (i+1)*rows*plane]
		for r := 0; r < rows; r++ {
			d, s := img[r*plane:(r+1)*plane], src[r*cols+i*plane:r*cols+(i+1)*plane]
			if accumulate {
				vec.Add(d, d, s)
			} else {
				copy(d, s)
			}
		}
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
