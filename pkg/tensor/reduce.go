package tensor

import (
	"fmt"

	"github.com/attnkit/attn/pkg/vec"
)

// Sum returns the sum of all elements (accumulated in float64 across
// blocks; see vec.Sum).
func Sum(t *Tensor) float32 { return vec.Sum(t.Data) }

// Mean returns the mean of all elements (NaN for an empty tensor, as
// torch.mean).
func Mean(t *Tensor) float32 { return vec.Sum(t.Data) / float32(len(t.Data)) }

// Max returns the largest element: NaN if any is NaN, −Inf if t is empty.
func Max(t *Tensor) float32 { return vec.Max(t.Data) }

// reducedShape returns src's shape with axis removed, or set to 1 when
// keepdim.
func reducedShape(shape []int, axis int, keepdim bool) []int {
	if keepdim {
		s := append([]int(nil), shape...)
		s[axis] = 1
		return s
	}
	s := make([]int, 0, len(shape)-1)
	s = append(s, shape[:axis]...)
	return append(s, shape[axis+1:]...)
}

// reduceGeom checks dst against both admissible reduced shapes (keepdim or
// not) and returns the [outer, n, inner] view of src.
func reduceGeom(op string, dst, src *Tensor, axis int) (outer, n, inner int) {
	a := normAxis(op, axis, len(src.Shape))
	if !SameShape(dst.Shape, reducedShape(src.Shape, a, true)) && !SameShape(dst.Shape, reducedShape(src.Shape, a, false)) {
		panic(fmt.Sprintf("tensor.%s: dst shape %v cannot hold %v reduced along axis %d", op, dst.Shape, src.Shape, axis))
	}
	return split(src.Shape, a)
}

// SumAxis returns src summed along axis; with keepdim the axis stays as a
// dimension of size 1 (torch.sum(dim, keepdim)).
func SumAxis(src *Tensor, axis int, keepdim bool) *Tensor {
	a := normAxis("SumAxis", axis, len(src.Shape))
	dst := New(reducedShape(src.Shape, a, keepdim)...)
	SumAxisInto(dst, src, axis)
	return dst
}

// SumAxisInto writes src summed along axis into dst, whose shape is src's
// with that axis removed or set to 1.
func SumAxisInto(dst, src *Tensor, axis int) {
	outer, n, inner := reduceGeom("SumAxisInto", dst, src, axis)
	if inner == 1 {
		for o := range outer {
			dst.Data[o] = vec.Sum(src.Data[o*n : (o+1)*n])
		}
		return
	}
	clear(dst.Data)
	for o := range outer {
		d := dst.Data[o*inner : (o+1)*inner]
		for j := range n {
			vec.Add(d, d, src.Data[(o*n+j)*inner:][:inner])
		}
	}
}

// MeanAxis returns the mean of src along axis (see SumAxis); an empty axis
// gives NaN.
func MeanAxis(src *Tensor, axis int, keepdim bool) *Tensor {
	a := normAxis("MeanAxis", axis, len(src.Shape))
	dst := New(reducedShape(src.Shape, a, keepdim)...)
	MeanAxisInto(dst, src, axis)
	return dst
}

// MeanAxisInto writes the mean of src along axis into dst (see
// SumAxisInto).
func MeanAxisInto(dst, src *Tensor, axis int) {
	SumAxisInto(dst, src, axis)
	a := normAxis("MeanAxisInto", axis, len(src.Shape))
	vec.Scale(dst.Data, 1/float32(src.Shape[a]), dst.Data)
}

// MaxAxis returns the maximum of src along axis (see SumAxis). NaN wins, as
// in torch.amax; an empty axis panics.
func MaxAxis(src *Tensor, axis int, keepdim bool) *Tensor {
	a := normAxis("MaxAxis", axis, len(src.Shape))
	dst := New(reducedShape(src.Shape, a, keepdim)...)
	MaxAxisInto(dst, src, axis)
	return dst
}

// MaxAxisInto writes the maximum of src along axis into dst (see
// SumAxisInto).
func MaxAxisInto(dst, src *Tensor, axis int) {
	outer, n, inner := reduceGeom("MaxAxisInto", dst, src, axis)
	if n == 0 && outer*inner > 0 {
		panic(fmt.Sprintf("tensor.MaxAxisInto: axis %d of %v is empty", axis, src.Shape))
	}
	if inner == 1 {
		for o := range outer {
			dst.Data[o] = vec.Max(src.Data[o*n : (o+1)*n])
		}
		return
	}
	for o := range outer {
		d := dst.Data[o*inner : (o+1)*inner]
		copy(d, src.Data[o*n*inner:])
		for j := 1; j < n; j++ {
			maxInto(d, src.Data[(o*n+j)*inner:][:inner])
		}
	}
}

// maxInto sets d = max(d, s) elementwise, letting NaN win from either side.
func maxInto(d, s []float32) {
	s = s[:len(d)]
	for i, v := range s {
		if v > d[i] || v != v {
			d[i] = v
		}
	}
}

// ArgmaxAxis returns, for every position of src with axis removed (in
// row-major order), the index along axis of the first largest element, or
// of the first NaN (torch.argmax). The indices are plain ints rather than a
// float tensor; an empty axis panics.
func ArgmaxAxis(src *Tensor, axis int) []int {
	a := normAxis("ArgmaxAxis", axis, len(src.Shape))
	outer, _, inner := split(src.Shape, a)
	dst := make([]int, outer*inner)
	ArgmaxAxisInto(dst, src, axis)
	return dst
}

// ArgmaxAxisInto writes ArgmaxAxis(src, axis) into dst, which must have
// one entry per position of src with axis removed.
func ArgmaxAxisInto(dst []int, src *Tensor, axis int) {
	a := normAxis("ArgmaxAxisInto", axis, len(src.Shape))
	outer, n, inner := split(src.Shape, a)
	if len(dst) != outer*inner {
		panic(fmt.Sprintf("tensor.ArgmaxAxisInto: %d indices for %v reduced along axis %d", len(dst), src.Shape, axis))
	}
	if n == 0 && len(dst) > 0 {
		panic(fmt.Sprintf("tensor.ArgmaxAxisInto: axis %d of %v is empty", axis, src.Shape))
	}
	if inner == 1 {
		for o := range outer {
			dst[o] = vec.Argmax(src.Data[o*n : (o+1)*n])
		}
		return
	}
	best := make([]float32, inner)
	for o := range outer {
		idx := dst[o*inner : (o+1)*inner]
		clear(idx)
		copy(best, src.Data[o*n*inner:])
		for j := 1; j < n; j++ {
			row := src.Data[(o*n+j)*inner:][:inner]
			for i, v := range row {
				b := best[i]
				if b != b {
					continue // the first NaN stays
				}
				if v > b || v != v {
					best[i], idx[i] = v, j
				}
			}
		}
	}
}
