package autograd

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/conv"
	"github.com/attnkit/attn/pkg/tensor"
)

// poolGeom is the geometry of a pooling window sliding over the (T, H, W)
// axes of every (n, c) plane; 2-D pooling has T = 1 and a time kernel of 1.
type poolGeom struct {
	planes                      int // N·C
	in, k, stride, pad, out     [3]int
	inPlaneLen, outPlaneLen, kv int
}

func newPoolGeom(op string, shape []int, k, stride, pad [3]int) poolGeom {
	g := poolGeom{k: k, pad: pad}
	switch len(shape) {
	case 4:
		g.planes, g.in = shape[0]*shape[1], [3]int{1, shape[2], shape[3]}
	case 5:
		g.planes, g.in = shape[0]*shape[1], [3]int{shape[2], shape[3], shape[4]}
	default:
		panic(fmt.Sprintf("autograd: %s input %v: want [N,C,H,W] or [N,C,T,H,W]", op, shape))
	}
	g.kv = 1
	for a := 0; a < 3; a++ {
		g.stride[a] = stride[a]
		if g.stride[a] <= 0 {
			g.stride[a] = k[a] // torch's default stride is the kernel size
		}
		// torch rejects padding above half the kernel: a window made only of
		// padding would have no maximum.
		if k[a] <= 0 || pad[a] < 0 || 2*pad[a] > k[a] {
			panic(fmt.Sprintf("autograd: %s kernel %v, padding %v: padding must be at most half the kernel", op, k, pad))
		}
		g.out[a] = conv.OutputSize(g.in[a], k[a], g.stride[a], pad[a], 1)
		if g.out[a] <= 0 {
			panic(fmt.Sprintf("autograd: %s kernel %v does not fit input %v with padding %v", op, k, shape, pad))
		}
		g.kv *= k[a]
	}
	g.inPlaneLen = g.in[0] * g.in[1] * g.in[2]
	g.outPlaneLen = g.out[0] * g.out[1] * g.out[2]
	return g
}

// window returns the clipped input ranges [lo, hi) of output position o on
// every axis.
func (g *poolGeom) window(ot, oh, ow int) (t0, t1, h0, h1, w0, w1 int) {
	t0 = ot*g.stride[0] - g.pad[0]
	h0 = oh*g.stride[1] - g.pad[1]
	w0 = ow*g.stride[2] - g.pad[2]
	t1 = min(t0+g.k[0], g.in[0])
	h1 = min(h0+g.k[1], g.in[1])
	w1 = min(w0+g.k[2], g.in[2])
	return max(t0, 0), t1, max(h0, 0), h1, max(w0, 0), w1
}

// maxPoolForward writes the window maxima of x into y and, when idx is not
// nil, the plane-local input offset of each maximum (as a float32: exact
// below 2^24, which newPoolGeom's callers check, and it lets the indices
// live in the tape's float arena). NaN wins, as in torch.
func maxPoolForward(y, idx, x []float32, g *poolGeom) {
	if g.is2x2() {
		maxPool2x2Forward(y, idx, x, g)
		return
	}
	maxPoolForwardGeneral(y, idx, x, g)
}

// maxPoolForwardGeneral is maxPoolForward for any window: it clips every
// window to the input and scans it in (t, h, w) order.
func maxPoolForwardGeneral(y, idx, x []float32, g *poolGeom) {
	H, W := g.in[1], g.in[2]
	for p := 0; p < g.planes; p++ {
		xp := x[p*g.inPlaneLen : (p+1)*g.inPlaneLen]
		o := p * g.outPlaneLen
		for ot := 0; ot < g.out[0]; ot++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					t0, t1, h0, h1, w0, w1 := g.window(ot, oh, ow)
					best, arg := float32(math.Inf(-1)), -1
					for t := t0; t < t1; t++ {
						for h := h0; h < h1; h++ {
							row := xp[(t*H+h)*W:]
							for w := w0; w < w1; w++ {
								if v := row[w]; v > best || v != v || arg < 0 {
									best, arg = v, (t*H+h)*W+w
									if v != v {
										goto done
									}
								}
							}
						}
					}
				done:
					y[o] = best
					if idx != nil {
						idx[o] = float32(arg)
					}
					o++
				}
			}
		}
	}
}

// is2x2 reports whether g is the 2×2, stride-2, unpadded 2-D window that
// VGG-style networks pool with after every block.
func (g *poolGeom) is2x2() bool {
	return g.k == [3]int{1, 2, 2} && g.stride == [3]int{1, 2, 2} && g.pad == [3]int{}
}

// maxPool2x2Forward is maxPoolForward for is2x2 geometries: the window is
// always whole (the output drops an odd last row or column, as floor
// division does), so there is no clipping. It keeps the general loop's
// rules, where strictly greater wins (so the first of equal maxima is kept)
// and the first NaN wins for good, but without its branches on the data,
// which a branch predictor guesses wrong about once per window: the
// maximum comes from the builtin max (NaN if any tap is NaN), and the
// argmax is the first tap equal to it, found by selects taken in reverse
// scan order.
func maxPool2x2Forward(y, idx, x []float32, g *poolGeom) {
	T, H, W := g.in[0], g.in[1], g.in[2]
	OH, OW := g.out[1], g.out[2]
	o := 0
	for p := 0; p < g.planes*T; p++ {
		xp := x[p*H*W : (p+1)*H*W]
		base := (p % T) * H * W // plane-local offset of this time step
		for oh := 0; oh < OH; oh++ {
			i0 := 2 * oh * W
			r0, r1 := xp[i0:i0+W], xp[i0+W:i0+2*W]
			yr := y[o : o+OW]
			if idx == nil {
				for ow := range yr {
					j := 2 * ow
					yr[ow] = max(r0[j], r0[j+1], r1[j], r1[j+1])
				}
				o += OW
				continue
			}
			ir := idx[o : o+OW]
			for ow := range yr {
				j := 2 * ow
				a, b, c, d := r0[j], r0[j+1], r1[j], r1[j+1]
				m := max(a, b, c, d)
				arg := W + j + 1
				if c == m {
					arg = W + j
				}
				if b == m {
					arg = j + 1
				}
				if a == m {
					arg = j
				}
				if m != m {
					arg = firstNaN2x2(a, b, c, j, W)
				}
				yr[ow] = m
				ir[ow] = float32(base + i0 + arg)
			}
			o += OW
		}
	}
}

// firstNaN2x2 returns the window offset of the first NaN among the taps
// a, b, c (and else d) of the 2×2 window at column j.
func firstNaN2x2(a, b, c float32, j, W int) int {
	switch {
	case a != a:
		return j
	case b != b:
		return j + 1
	case c != c:
		return W + j
	}
	return W + j + 1
}

// maxPoolBackward routes each output gradient to its window's maximum.
func maxPoolBackward(dx, dy, idx []float32, g *poolGeom) {
	for p := 0; p < g.planes; p++ {
		dxp := dx[p*g.inPlaneLen : (p+1)*g.inPlaneLen]
		o := p * g.outPlaneLen
		for i, d := range dy[o : o+g.outPlaneLen] {
			dxp[int(idx[o+i])] += d
		}
	}
}

// avgPoolForward averages each window, dividing by the full kernel volume
// even where the window overlaps the padding (count_include_pad=True).
func avgPoolForward(y, x []float32, g *poolGeom) {
	H, W := g.in[1], g.in[2]
	inv := 1 / float32(g.kv)
	for p := 0; p < g.planes; p++ {
		xp := x[p*g.inPlaneLen : (p+1)*g.inPlaneLen]
		o := p * g.outPlaneLen
		for ot := 0; ot < g.out[0]; ot++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					t0, t1, h0, h1, w0, w1 := g.window(ot, oh, ow)
					var s float32
					for t := t0; t < t1; t++ {
						for h := h0; h < h1; h++ {
							for _, v := range xp[(t*H+h)*W+w0 : (t*H+h)*W+w1] {
								s += v
							}
						}
					}
					y[o] = s * inv
					o++
				}
			}
		}
	}
}

// avgPoolBackward spreads each output gradient evenly over its window.
func avgPoolBackward(dx, dy []float32, g *poolGeom) {
	H, W := g.in[1], g.in[2]
	inv := 1 / float32(g.kv)
	for p := 0; p < g.planes; p++ {
		dxp := dx[p*g.inPlaneLen : (p+1)*g.inPlaneLen]
		o := p * g.outPlaneLen
		for ot := 0; ot < g.out[0]; ot++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					t0, t1, h0, h1, w0, w1 := g.window(ot, oh, ow)
					d := dy[o] * inv
					o++
					for t := t0; t < t1; t++ {
						for h := h0; h < h1; h++ {
							row := dxp[(t*H+h)*W+w0 : (t*H+h)*W+w1]
							for i := range row {
								row[i] += d
							}
						}
					}
				}
			}
		}
	}
}

// MaxPool2D returns the maximum over k×k windows of x [N, C, H, W], moved by
// stride (0 means k) over x padded by pad on each side (padding never wins):
// [N, C, OH, OW] with OH = floor((H + 2·pad − k)/stride) + 1.
// The argmax of each window is saved for backward, which routes the
// gradient to it alone.
//
// PyTorch: torch.nn.functional.max_pool2d(x, k, stride, pad).
func (tp *Tape) MaxPool2D(x *Var, k, stride, pad int) *Var {
	return tp.maxPool(x, [3]int{1, k, k}, [3]int{1, stride, stride}, [3]int{0, pad, pad}, "MaxPool2D")
}

// MaxPool3D returns the maximum over (kt, kh, kw) windows of x
// [N, C, T, H, W]: [N, C, OT, OH, OW], each size as in MaxPool2D. A zero
// stride on an axis means that axis's kernel size. The non-local video
// networks pool with k = stride = (1, 2, 2).
//
// PyTorch: torch.nn.functional.max_pool3d(x, k, stride, pad).
func (tp *Tape) MaxPool3D(x *Var, k, stride, pad [3]int) *Var {
	if x.Value.Dims() != 5 {
		panic(fmt.Sprintf("autograd: MaxPool3D input %v: want [N,C,T,H,W]", x.Value.Shape))
	}
	return tp.maxPool(x, k, stride, pad, "MaxPool3D")
}

func (tp *Tape) maxPool(x *Var, k, stride, pad [3]int, op string) *Var {
	if op == "MaxPool2D" && x.Value.Dims() != 4 {
		panic(fmt.Sprintf("autograd: MaxPool2D input %v: want [N,C,H,W]", x.Value.Shape))
	}
	g := newPoolGeom(op, x.Value.Shape, k, stride, pad)
	if g.inPlaneLen > 1<<24 {
		panic(fmt.Sprintf("autograd: %s plane of %d elements: argmax indices would not be exact", op, g.inPlaneLen))
	}
	out := tp.allocPooled(x, &g)
	rec := tp.record && x.RequiresGrad
	var idx []float32
	if rec {
		idx = tp.Alloc(out.Size()).Data
	}
	maxPoolForward(out.Data, idx, x.Value.Data, &g)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.pushMaxPoolBackward(g, idx, x, y)
	}
	return y
}

func (tp *Tape) pushMaxPoolBackward(g poolGeom, idx []float32, x, y *Var) {
	tp.Push(func() {
		if y.Grad == nil {
			return
		}
		maxPoolBackward(tp.GradOf(x).Data, y.Grad.Data, idx, &g)
	})
}

// AvgPool2D returns the mean over k×k windows of x [N, C, H, W], moved by
// stride (0 means k) over x zero-padded by pad: [N, C, OH, OW] as in
// MaxPool2D. Every window divides by k·k, padding included.
//
// PyTorch: torch.nn.functional.avg_pool2d(x, k, stride, pad) with its
// defaults ceil_mode=False, count_include_pad=True.
func (tp *Tape) AvgPool2D(x *Var, k, stride, pad int) *Var {
	if x.Value.Dims() != 4 {
		panic(fmt.Sprintf("autograd: AvgPool2D input %v: want [N,C,H,W]", x.Value.Shape))
	}
	g := newPoolGeom("AvgPool2D", x.Value.Shape, [3]int{1, k, k}, [3]int{1, stride, stride}, [3]int{0, pad, pad})
	out := tp.allocPooled(x, &g)
	avgPoolForward(out.Data, x.Value.Data, &g)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.pushAvgPoolBackward(g, x, y)
	}
	return y
}

func (tp *Tape) pushAvgPoolBackward(g poolGeom, x, y *Var) {
	tp.Push(func() {
		if y.Grad == nil {
			return
		}
		avgPoolBackward(tp.GradOf(x).Data, y.Grad.Data, &g)
	})
}

// allocPooled allocates the pooled output, keeping x's rank.
func (tp *Tape) allocPooled(x *Var, g *poolGeom) *tensor.Tensor {
	n, c := x.Value.Dim(0), x.Value.Dim(1)
	if x.Value.Dims() == 5 {
		return tp.Alloc(n, c, g.out[0], g.out[1], g.out[2])
	}
	return tp.Alloc(n, c, g.out[1], g.out[2])
}

// GlobalAvgPool2D returns the mean of every feature map of x [N, C, H, W]
// as [N, C] (any trailing spatial axes are averaged, so [N, C, T, H, W]
// works too).
//
// PyTorch: x.mean(dim=(2, 3)), or adaptive_avg_pool2d(x, 1).flatten(1).
func (tp *Tape) GlobalAvgPool2D(x *Var) *Var {
	if x.Value.Dims() < 3 {
		panic(fmt.Sprintf("autograd: GlobalAvgPool2D input %v: want [N,C,H,W]", x.Value.Shape))
	}
	n, c := x.Value.Dim(0), x.Value.Dim(1)
	hw := x.Value.Size() / (n * c)
	out := tp.Alloc(n, c)
	for i := range out.Data {
		var s float64
		for _, v := range x.Value.Data[i*hw : (i+1)*hw] {
			s += float64(v)
		}
		out.Data[i] = float32(s / float64(hw))
	}
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			dx := tp.GradOf(x).Data
			for i, d := range y.Grad.Data {
				d /= float32(hw)
				row := dx[i*hw : (i+1)*hw]
				for j := range row {
					row[j] += d
				}
			}
		})
	}
	return y
}
