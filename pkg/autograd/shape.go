package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/tensor"
)

// normAxis maps a possibly negative axis onto [0, nd), PyTorch style, and
// panics when it is out of range.
func normAxis(axis, nd int) int {
	if axis < 0 {
		axis += nd
	}
	if axis < 0 || axis >= nd {
		panic(fmt.Sprintf("autograd: axis %d out of range for %d dimensions", axis, nd))
	}
	return axis
}

// splitAt returns the products of the dimensions before axis, at axis and
// after it: a row-major tensor is outer blocks of n slices of inner values.
func splitAt(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return outer, shape[axis], inner
}

// blockCopy copies outer blocks of n values:
// dst[dOff+o·dStride+k] = src[sOff+o·sStride+k]. It is the forward kernel
// of Slice, Concat, Stack and IndexSelect.
func blockCopy(dst []float32, dOff, dStride int, src []float32, sOff, sStride, outer, n int) {
	for o := 0; o < outer; o++ {
		copy(dst[dOff+o*dStride:dOff+o*dStride+n], src[sOff+o*sStride:sOff+o*sStride+n])
	}
}

// blockAdd is blockCopy with +=, the backward kernel of the same ops.
func blockAdd(dst []float32, dOff, dStride int, src []float32, sOff, sStride, outer, n int) {
	for o := 0; o < outer; o++ {
		d := dst[dOff+o*dStride : dOff+o*dStride+n]
		for k, v := range src[sOff+o*sStride : sOff+o*sStride+n] {
			d[k] += v
		}
	}
}

// Reshape returns a view of x with a new shape and the same elements in
// the same row-major order (torch.reshape on a contiguous tensor). One
// dimension may be -1 and is inferred. The value shares x's storage; the
// result has its own gradient buffer, added into x's by backward.
//
// The view header comes from the tape's pool of views (Tape.View), so a
// reshape allocates nothing in steady state.
func (tp *Tape) Reshape(x *Var, shape ...int) *Var {
	if len(shape) > maxDims {
		panic("autograd: Reshape to more than 8 dimensions")
	}
	var buf [maxDims]int
	s := buf[:len(shape)]
	copy(s, shape)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			// s, not shape: formatting the caller's slice would move every
			// caller's variadic arguments to the heap.
			panic(fmt.Sprintf("autograd: Reshape %v to %v", x.Value.Shape, append([]int(nil), s...)))
		default:
			known *= d
		}
	}
	n := x.Value.Size()
	if infer >= 0 && known > 0 && n%known == 0 {
		s[infer] = n / known
		known = n
	}
	if known != n {
		panic(fmt.Sprintf("autograd: Reshape %v to %v", x.Value.Shape, append([]int(nil), s...)))
	}
	y := tp.Result(tp.View(x.Value.Data, s...), x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			dx := tp.GradOf(x).Data
			for i, g := range y.Grad.Data {
				dx[i] += g
			}
		})
	}
	return y
}

// Flatten merges dimensions startDim..endDim (inclusive, negative values
// count from the end) into one, as torch.flatten does; it is a Reshape
// view.
func (tp *Tape) Flatten(x *Var, startDim, endDim int) *Var {
	nd := x.Value.Dims()
	if nd == 0 {
		return tp.Reshape(x, 1)
	}
	startDim, endDim = normAxis(startDim, nd), normAxis(endDim, nd)
	if startDim > endDim {
		panic(fmt.Sprintf("autograd: Flatten of %v from dim %d to %d", x.Value.Shape, startDim, endDim))
	}
	var buf [maxDims]int
	s := append(buf[:0], x.Value.Shape[:startDim]...)
	m := 1
	for _, d := range x.Value.Shape[startDim : endDim+1] {
		m *= d
	}
	s = append(s, m)
	s = append(s, x.Value.Shape[endDim+1:]...)
	return tp.Reshape(x, s...)
}

// permuteKernel walks the output of a permutation of a tensor of the given
// shape in row-major order. Forward, it gathers out[o] = x[src(o)];
// backward, it scatters dx[src(o)] += dy[o].
func permuteKernel(out, x []float32, shape []int, perm []int, backward bool) {
	nd := len(shape)
	var inStride, oshape, ostride [maxDims]int
	st := 1
	for d := nd - 1; d >= 0; d-- {
		inStride[d] = st
		st *= shape[d]
	}
	for i, p := range perm {
		oshape[i], ostride[i] = shape[p], inStride[p]
	}
	if st == 0 {
		return
	}
	n, s := oshape[nd-1], ostride[nd-1]
	var idx [maxDims]int
	off := 0
	for o := 0; o < st; o += n {
		row := out[o : o+n]
		if backward {
			for k, g := range row {
				x[off+k*s] += g
			}
		} else {
			for k := range row {
				row[k] = x[off+k*s]
			}
		}
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			off += ostride[d]
			if idx[d] < oshape[d] {
				break
			}
			off -= ostride[d] * oshape[d]
			idx[d] = 0
		}
	}
}

// Permute returns a copy of x with its dimensions reordered: dimension i of
// the result is dimension perm[i] of x (torch.permute, made contiguous).
func (tp *Tape) Permute(x *Var, perm ...int) *Var {
	nd := x.Value.Dims()
	// The messages leave perm out: formatting it would move every
	// caller's variadic arguments to the heap.
	if len(perm) != nd || nd > maxDims {
		panic(fmt.Sprintf("autograd: Permute of %v by %d dimensions", x.Value.Shape, len(perm)))
	}
	var p, oshape [maxDims]int
	var seen [maxDims]bool
	for i, d := range perm {
		d = normAxis(d, nd)
		if seen[d] {
			panic(fmt.Sprintf("autograd: Permute of %v repeats dimension %d", x.Value.Shape, d))
		}
		seen[d] = true
		p[i], oshape[i] = d, x.Value.Shape[d]
	}
	return tp.permute(x, p, oshape[:nd])
}

// permute wires a validated permutation into the tape.
func (tp *Tape) permute(x *Var, p [maxDims]int, oshape []int) *Var {
	nd := x.Value.Dims()
	out := tp.Alloc(oshape...)
	permuteKernel(out.Data, x.Value.Data, x.Value.Shape, p[:nd], false)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		saved := p // captured instead of p, which would then live on the heap
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			permuteKernel(y.Grad.Data, tp.GradOf(x).Data, x.Value.Shape, saved[:nd], true)
		})
	}
	return y
}

// Transpose returns a copy of x with dimensions dim0 and dim1 swapped
// (torch.transpose, made contiguous).
func (tp *Tape) Transpose(x *Var, dim0, dim1 int) *Var {
	nd := x.Value.Dims()
	if nd > maxDims {
		panic(fmt.Sprintf("autograd: Transpose of %v", x.Value.Shape))
	}
	dim0, dim1 = normAxis(dim0, nd), normAxis(dim1, nd)
	var p, oshape [maxDims]int
	for i := 0; i < nd; i++ {
		p[i] = i
	}
	p[dim0], p[dim1] = dim1, dim0
	for i := 0; i < nd; i++ {
		oshape[i] = x.Value.Shape[p[i]]
	}
	return tp.permute(x, p, oshape[:nd])
}

// Slice returns the elements start..end-1 of x along axis, a copy
// (x.narrow(axis, start, end-start) in PyTorch, made contiguous).
func (tp *Tape) Slice(x *Var, axis, start, end int) *Var {
	nd := x.Value.Dims()
	axis = normAxis(axis, nd)
	outer, n, inner := splitAt(x.Value.Shape, axis)
	if start < 0 || end > n || start > end {
		panic(fmt.Sprintf("autograd: Slice %d:%d of axis %d of %v", start, end, axis, x.Value.Shape))
	}
	var buf [maxDims]int
	s := append(buf[:0], x.Value.Shape...)
	s[axis] = end - start
	out := tp.Alloc(s...)
	m := (end - start) * inner
	blockCopy(out.Data, 0, m, x.Value.Data, start*inner, n*inner, outer, m)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			blockAdd(tp.GradOf(x).Data, start*inner, n*inner, y.Grad.Data, 0, m, outer, m)
		})
	}
	return y
}

// Concat joins xs along axis (torch.cat). All inputs have the same rank and
// agree on every other dimension.
func (tp *Tape) Concat(axis int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autograd: Concat of no tensors")
	}
	first := xs[0].Value.Shape
	axis = normAxis(axis, len(first))
	total := 0
	for _, x := range xs {
		s := x.Value.Shape
		if len(s) != len(first) {
			panic(fmt.Sprintf("autograd: Concat of shapes %v and %v", first, s))
		}
		for d := range s {
			if d != axis && s[d] != first[d] {
				panic(fmt.Sprintf("autograd: Concat of shapes %v and %v along %d", first, s, axis))
			}
		}
		total += s[axis]
	}
	var buf [maxDims]int
	s := append(buf[:0], first...)
	s[axis] = total
	outer, _, inner := splitAt(s, axis)
	return tp.joinBlocks(s, outer, total*inner, xs, func(x *Var) int { return x.Value.Shape[axis] * inner })
}

// Stack joins same-shaped xs along a new dimension inserted at axis
// (torch.stack); axis may be -1 for a new last dimension.
func (tp *Tape) Stack(axis int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autograd: Stack of no tensors")
	}
	first := xs[0].Value.Shape
	if len(first)+1 > maxDims {
		panic(fmt.Sprintf("autograd: Stack of %v", first))
	}
	axis = normAxis(axis, len(first)+1)
	for _, x := range xs {
		if !tensor.SameShape(x.Value.Shape, first) {
			panic(fmt.Sprintf("autograd: Stack of shapes %v and %v", first, x.Value.Shape))
		}
	}
	var buf [maxDims]int
	s := append(buf[:0], first[:axis]...)
	s = append(s, len(xs))
	s = append(s, first[axis:]...)
	outer, _, inner := splitAt(s, axis)
	return tp.joinBlocks(s, outer, len(xs)*inner, xs, func(*Var) int { return inner })
}

// joinBlocks is the shared wiring of Concat and Stack: every one of the
// outer blocks of the output (stride values long) is the chunk(x)-long
// pieces of each x in turn.
func (tp *Tape) joinBlocks(shape []int, outer, stride int, xs []*Var, chunk func(*Var) int) *Var {
	out := tp.Alloc(shape...)
	off := 0
	for _, x := range xs {
		c := chunk(x)
		blockCopy(out.Data, off, stride, x.Value.Data, 0, c, outer, c)
		off += c
	}
	y := tp.Result(out, xs...)
	if y.RequiresGrad {
		// Copies, so the caller's variadic slice and chunk closure stay on
		// the stack when the tape does not record.
		parts := append([]*Var(nil), xs...)
		chunks := make([]int, len(xs))
		for i, x := range xs {
			chunks[i] = chunk(x)
		}
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			off := 0
			for i, x := range parts {
				if x.RequiresGrad {
					blockAdd(tp.GradOf(x).Data, 0, chunks[i], y.Grad.Data, off, stride, outer, chunks[i])
				}
				off += chunks[i]
			}
		})
	}
	return y
}
