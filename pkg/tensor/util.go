package tensor

import "fmt"

// normAxis turns a possibly negative axis into an index of a rank-ndim
// shape, panicking when it is out of range.
func normAxis(op string, axis, ndim int) int {
	a := axis
	if a < 0 {
		a += ndim
	}
	if a < 0 || a >= ndim {
		panic(fmt.Sprintf("tensor.%s: axis %d out of range for %d dimensions", op, axis, ndim))
	}
	return a
}

// split views shape as [outer, n, inner] around axis.
func split(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return outer, shape[axis], inner
}

// stridesOf returns the row-major strides of shape.
func stridesOf(shape []int) []int {
	s := make([]int, len(shape))
	st := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = st
		st *= shape[i]
	}
	return s
}

// checkShape panics unless t has exactly shape.
func checkShape(op, name string, t *Tensor, shape []int) {
	if !SameShape(t.Shape, shape) {
		panic(fmt.Sprintf("tensor.%s: %s has shape %v, want %v", op, name, t.Shape, shape))
	}
}

// checkSame panics unless a and b have the same shape.
func checkSame(op string, a, b *Tensor) {
	if !SameShape(a.Shape, b.Shape) {
		panic(fmt.Sprintf("tensor.%s: shapes %v and %v differ", op, a.Shape, b.Shape))
	}
}

// walk calls f once for every index of shape, in row-major order, with
// offs[k] = Σ index[d]·strides[k][d] maintained incrementally for each
// operand k. f must not keep offs.
func walk(shape []int, strides [][]int, f func(offs []int)) {
	offs := make([]int, len(strides))
	for _, d := range shape {
		if d == 0 {
			return
		}
	}
	idx := make([]int, len(shape))
	for {
		f(offs)
		d := len(shape) - 1
		for ; d >= 0; d-- {
			idx[d]++
			for k := range offs {
				offs[k] += strides[k][d]
			}
			if idx[d] < shape[d] {
				break
			}
			for k := range offs {
				offs[k] -= strides[k][d] * shape[d]
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// collapse drops size-1 dimensions and merges neighbours that every
// operand walks contiguously (stride[i] == stride[i+1]·shape[i+1]), so that
// loops run over as few, as long, dimensions as possible. It returns fresh
// slices.
func collapse(shape []int, strides [][]int) ([]int, [][]int) {
	var cs []int
	cst := make([][]int, len(strides))
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if n := len(cs); n > 0 {
			merge := true
			for k := range strides {
				if cst[k][n-1] != strides[k][i]*d {
					merge = false
					break
				}
			}
			if merge {
				cs[n-1] *= d
				for k := range strides {
					cst[k][n-1] = strides[k][i]
				}
				continue
			}
		}
		cs = append(cs, d)
		for k := range strides {
			cst[k] = append(cst[k], strides[k][i])
		}
	}
	if len(cs) == 0 {
		cs = []int{1}
		for k := range cst {
			cst[k] = []int{1}
		}
	}
	return cs, cst
}
