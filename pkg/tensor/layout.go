package tensor

import (
	"fmt"

	"github.com/attnkit/attn/pkg/vec"
)

// transposeBlock is the tile edge of Transpose2DInto: a 32×32 float32 tile
// of the source and of the destination (4 KiB each) fit in L1 together, so
// neither the row-wise reads nor the column-wise writes miss on every
// element.
const transposeBlock = 32

// Transpose2D returns a new [c, r] tensor holding the transpose of the
// [r, c] tensor t.
func Transpose2D(t *Tensor) *Tensor {
	if len(t.Shape) != 2 {
		panic(fmt.Sprintf("tensor.Transpose2D: shape %v is not 2-D", t.Shape))
	}
	dst := New(t.Shape[1], t.Shape[0])
	Transpose2DInto(dst, t)
	return dst
}

// Transpose2DInto writes the transpose of the [r, c] tensor src into the
// [c, r] tensor dst.
func Transpose2DInto(dst, src *Tensor) {
	if len(src.Shape) != 2 {
		panic(fmt.Sprintf("tensor.Transpose2DInto: shape %v is not 2-D", src.Shape))
	}
	r, c := src.Shape[0], src.Shape[1]
	checkShape("Transpose2DInto", "dst", dst, []int{c, r})
	transpose(dst.Data, src.Data, r, c)
}

// transpose writes the transpose of the r×c row-major matrix s into d.
func transpose(d, s []float32, r, c int) {
	for i0 := 0; i0 < r; i0 += transposeBlock {
		i1 := min(i0+transposeBlock, r)
		for j0 := 0; j0 < c; j0 += transposeBlock {
			j1 := min(j0+transposeBlock, c)
			for i := i0; i < i1; i++ {
				row := s[i*c : i*c+c]
				for j := j0; j < j1; j++ {
					d[j*r+i] = row[j]
				}
			}
		}
	}
}

// checkPerm panics unless axes is a permutation of 0..n-1.
func checkPerm(op string, axes []int, n int) {
	if len(axes) != n {
		panic(fmt.Sprintf("tensor.%s: %d axes for %d dimensions", op, len(axes), n))
	}
	seen := make([]bool, n)
	for _, a := range axes {
		if a < 0 || a >= n || seen[a] {
			panic(fmt.Sprintf("tensor.%s: %v is not a permutation of 0..%d", op, axes, n-1))
		}
		seen[a] = true
	}
}

// Permute returns a new tensor whose dimension i is dimension axes[i] of t
// (torch.permute, but copying).
func Permute(t *Tensor, axes ...int) *Tensor {
	checkPerm("Permute", axes, len(t.Shape))
	shape := make([]int, len(axes))
	for i, a := range axes {
		shape[i] = t.Shape[a]
	}
	dst := New(shape...)
	PermuteInto(dst, t, axes...)
	return dst
}

// PermuteInto writes src with its dimensions reordered by axes into dst,
// whose dimension i must be src's dimension axes[i].
func PermuteInto(dst, src *Tensor, axes ...int) {
	checkPerm("PermuteInto", axes, len(src.Shape))
	shape := make([]int, len(axes))
	sst := stridesOf(src.Shape)
	pst := make([]int, len(axes))
	for i, a := range axes {
		shape[i] = src.Shape[a]
		pst[i] = sst[a]
	}
	checkShape("PermuteInto", "dst", dst, shape)
	if len(dst.Data) == 0 {
		return
	}
	cs, cst := collapse(shape, [][]int{stridesOf(shape), pst})
	k := len(cs) - 1
	if k >= 1 && cst[1][k-1] == 1 && cst[1][k] == cs[k-1] {
		// The two innermost dimensions are a plain 2-D transpose (NCHW ↔
		// NHWC is one per batch item): do it tile by tile.
		r, c := cs[k], cs[k-1]
		walk(cs[:k-1], [][]int{cst[0][:k-1], cst[1][:k-1]}, func(o []int) {
			transpose(dst.Data[o[0]:o[0]+r*c], src.Data[o[1]:o[1]+r*c], r, c)
		})
		return
	}
	n, ds, ss := cs[k], cst[0][k], cst[1][k]
	walk(cs[:k], [][]int{cst[0][:k], cst[1][:k]}, func(o []int) {
		d, s := dst.Data[o[0]:], src.Data[o[1]:]
		if ss == 1 {
			copy(d[:n], s[:n])
			return
		}
		for i := 0; i < n; i++ {
			d[i*ds] = s[i*ss]
		}
	})
}

// InversePermutation returns the axes that undo Permute(t, axes...): the
// gradient of a permute is the permute of the gradient by the inverse.
func InversePermutation(axes []int) []int {
	checkPerm("InversePermutation", axes, len(axes))
	inv := make([]int, len(axes))
	for i, a := range axes {
		inv[a] = i
	}
	return inv
}

// Slice returns a new tensor holding t[start:end] along axis (negative axis
// counts from the end).
func Slice(t *Tensor, axis, start, end int) *Tensor {
	a := normAxis("Slice", axis, len(t.Shape))
	if start < 0 || end < start || end > t.Shape[a] {
		panic(fmt.Sprintf("tensor.Slice: range [%d:%d] out of bounds for axis %d of %v", start, end, axis, t.Shape))
	}
	shape := append([]int(nil), t.Shape...)
	shape[a] = end - start
	dst := New(shape...)
	SliceInto(dst, t, axis, start)
	return dst
}

// sliceGeom checks that small equals big except along axis, where it
// covers big[start : start+small.Dim(axis)], and returns the [outer, n,
// inner] geometry of both.
func sliceGeom(op string, small, big *Tensor, axis, start int) (a, outer, nSmall, nBig, inner int) {
	a = normAxis(op, axis, len(big.Shape))
	bad := len(small.Shape) != len(big.Shape) || start < 0 || start+small.Shape[a] > big.Shape[a]
	for i := range small.Shape {
		if !bad && i != a && small.Shape[i] != big.Shape[i] {
			bad = true
		}
	}
	if bad {
		panic(fmt.Sprintf("tensor.%s: %v does not fit in %v at %d along axis %d", op, small.Shape, big.Shape, start, axis))
	}
	outer, nBig, inner = split(big.Shape, a)
	return a, outer, small.Shape[a], nBig, inner
}

// SliceInto copies src[start : start+dst.Dim(axis)] along axis into dst;
// dst matches src in every other dimension.
func SliceInto(dst, src *Tensor, axis, start int) {
	_, outer, ns, nb, inner := sliceGeom("SliceInto", dst, src, axis, start)
	run := ns * inner
	for o := 0; o < outer; o++ {
		copy(dst.Data[o*run:(o+1)*run], src.Data[(o*nb+start)*inner:])
	}
}

// AddSliceInto accumulates dst += src[start : start+dst.Dim(axis)] along
// axis: the backward of Concat, which hands each input its part of the
// output gradient.
func AddSliceInto(dst, src *Tensor, axis, start int) {
	_, outer, ns, nb, inner := sliceGeom("AddSliceInto", dst, src, axis, start)
	run := ns * inner
	for o := 0; o < outer; o++ {
		d := dst.Data[o*run : (o+1)*run]
		s := src.Data[(o*nb+start)*inner:][:run]
		vec.Add(d, d, s)
	}
}

// AddToSlice accumulates dst[start : start+src.Dim(axis)] += src along
// axis: the backward of Slice, which scatters the gradient back into the
// sliced range.
func AddToSlice(dst, src *Tensor, axis, start int) {
	_, outer, ns, nb, inner := sliceGeom("AddToSlice", src, dst, axis, start)
	run := ns * inner
	for o := 0; o < outer; o++ {
		d := dst.Data[(o*nb+start)*inner:][:run]
		vec.Add(d, d, src.Data[o*run:(o+1)*run])
	}
}

// concatShape checks that ts agree except along axis and returns the
// concatenated shape.
func concatShape(op string, axis int, ts []*Tensor) (int, []int) {
	if len(ts) == 0 {
		panic("tensor." + op + ": no tensors")
	}
	a := normAxis(op, axis, len(ts[0].Shape))
	shape := append([]int(nil), ts[0].Shape...)
	for _, t := range ts[1:] {
		ok := len(t.Shape) == len(shape)
		for i := 0; ok && i < len(shape); i++ {
			ok = i == a || t.Shape[i] == shape[i]
		}
		if !ok {
			panic(fmt.Sprintf("tensor.%s: shape %v does not match %v off axis %d", op, t.Shape, ts[0].Shape, axis))
		}
		shape[a] += t.Shape[a]
	}
	return a, shape
}

// Concat returns the tensors joined along axis (torch.cat); they must agree
// in every other dimension.
func Concat(axis int, ts ...*Tensor) *Tensor {
	_, shape := concatShape("Concat", axis, ts)
	dst := New(shape...)
	ConcatInto(dst, axis, ts...)
	return dst
}

// ConcatInto writes the tensors joined along axis into dst.
func ConcatInto(dst *Tensor, axis int, ts ...*Tensor) {
	a, shape := concatShape("ConcatInto", axis, ts)
	checkShape("ConcatInto", "dst", dst, shape)
	outer, nb, inner := split(shape, a)
	off := 0
	for _, t := range ts {
		run := t.Shape[a] * inner
		for o := 0; o < outer; o++ {
			copy(dst.Data[(o*nb+off)*inner:][:run], t.Data[o*run:(o+1)*run])
		}
		off += t.Shape[a]
	}
}

// stackShape checks that ts share one shape and returns the stacked shape
// with the new dimension at axis (which may equal the rank, to append).
func stackShape(op string, axis int, ts []*Tensor) (int, []int) {
	if len(ts) == 0 {
		panic("tensor." + op + ": no tensors")
	}
	for _, t := range ts[1:] {
		checkSame(op, ts[0], t)
	}
	a := normAxis(op, axis, len(ts[0].Shape)+1)
	shape := make([]int, 0, len(ts[0].Shape)+1)
	shape = append(shape, ts[0].Shape[:a]...)
	shape = append(shape, len(ts))
	shape = append(shape, ts[0].Shape[a:]...)
	return a, shape
}

// Stack returns the tensors, which must share one shape, stacked along a
// new dimension at axis (torch.stack); axis −1 appends it last.
func Stack(axis int, ts ...*Tensor) *Tensor {
	_, shape := stackShape("Stack", axis, ts)
	dst := New(shape...)
	StackInto(dst, axis, ts...)
	return dst
}

// StackInto writes the tensors stacked along a new dimension at axis into
// dst.
func StackInto(dst *Tensor, axis int, ts ...*Tensor) {
	a, shape := stackShape("StackInto", axis, ts)
	checkShape("StackInto", "dst", dst, shape)
	outer, nb, inner := split(shape, a)
	for k, t := range ts {
		for o := 0; o < outer; o++ {
			copy(dst.Data[(o*nb+k)*inner:][:inner], t.Data[o*inner:(o+1)*inner])
		}
	}
}
