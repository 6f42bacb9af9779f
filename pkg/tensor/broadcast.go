package tensor

import (
	"fmt"

	"github.com/attnkit/attn/pkg/vec"
)

// BroadcastShapes returns the shape that a and b broadcast to under the
// NumPy rules: shapes are aligned at their last dimension, missing leading
// dimensions count as 1, and each pair of dimensions must be equal or
// contain a 1.
func BroadcastShapes(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 1; i <= n; i++ {
		da, db := 1, 1
		if i <= len(a) {
			da = a[len(a)-i]
		}
		if i <= len(b) {
			db = b[len(b)-i]
		}
		switch {
		case da == db || db == 1:
			out[n-i] = da
		case da == 1:
			out[n-i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast: dimension %d is %d vs %d", a, b, n-i, da, db)
		}
	}
	return out, nil
}

// broadcastStrides returns the strides with which an operand of shape in
// is read while walking shape out (0 along broadcast dimensions).
func broadcastStrides(in, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := 1; i <= len(in); i++ {
		d := in[len(in)-i]
		if d != 1 {
			st[len(out)-i] = s
		}
		s *= d
	}
	return st
}

type binOp int

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
)

var binOpNames = [...]string{"Add", "Sub", "Mul", "Div"}

// Add sets dst = a + b, broadcasting a and b to dst's shape, which must be
// BroadcastShapes(a.Shape, b.Shape).
func Add(dst, a, b *Tensor) { binary(opAdd, dst, a, b) }

// Sub sets dst = a − b with broadcasting (see Add).
func Sub(dst, a, b *Tensor) { binary(opSub, dst, a, b) }

// Mul sets dst = a · b elementwise with broadcasting (see Add).
func Mul(dst, a, b *Tensor) { binary(opMul, dst, a, b) }

// Div sets dst = a / b elementwise with broadcasting (see Add).
func Div(dst, a, b *Tensor) { binary(opDiv, dst, a, b) }

func binary(op binOp, dst, a, b *Tensor) {
	name := binOpNames[op]
	shape, err := BroadcastShapes(a.Shape, b.Shape)
	if err != nil {
		panic("tensor." + name + ": " + err.Error())
	}
	checkShape(name, "dst", dst, shape)
	n := len(dst.Data)
	if n == 0 {
		return
	}
	// Broadcasting only repeats, so an operand with all n elements is
	// read straight through.
	if len(a.Data) == n && len(b.Data) == n {
		binaryRun(op, dst.Data, a.Data, b.Data, 1, 1)
		return
	}
	cs, cst := collapse(shape, [][]int{stridesOf(shape), broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape)})
	k := len(cs) - 1
	m, sa, sb := cs[k], cst[1][k], cst[2][k]
	walk(cs[:k], [][]int{cst[0][:k], cst[1][:k], cst[2][:k]}, func(o []int) {
		binaryRun(op, dst.Data[o[0]:o[0]+m], a.Data[o[1]:], b.Data[o[2]:], sa, sb)
	})
}

// binaryRun applies op to one run of len(d) outputs; sa and sb are 1 for an
// operand read along the run and 0 for one repeated (its first element).
func binaryRun(op binOp, d, a, b []float32, sa, sb int) {
	m := len(d)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:m], b[:m]
		switch op {
		case opAdd:
			vec.Add(d, a, b)
		case opSub:
			vec.Sub(d, a, b)
		case opMul:
			vec.Mul(d, a, b)
		case opDiv:
			vec.Div(d, a, b)
		}
	case sa == 1:
		a, s := a[:m], b[0]
		switch op {
		case opAdd:
			vec.AddScalar(d, s, a)
		case opSub:
			vec.AddScalar(d, -s, a)
		case opMul:
			vec.Scale(d, s, a)
		case opDiv:
			for i := range d {
				d[i] = a[i] / s
			}
		}
	case sb == 1:
		s, b := a[0], b[:m]
		switch op {
		case opAdd:
			vec.AddScalar(d, s, b)
		case opSub:
			for i := range d {
				d[i] = s - b[i]
			}
		case opMul:
			vec.Scale(d, s, b)
		case opDiv:
			for i := range d {
				d[i] = s / b[i]
			}
		}
	default:
		v := [...]float32{a[0] + b[0], a[0] - b[0], a[0] * b[0], a[0] / b[0]}[op]
		for i := range d {
			d[i] = v
		}
	}
}

// SumTo sets dst to src summed over the dimensions along which dst's shape
// broadcasts to src's: the reverse of broadcasting, which turns the
// gradient of a broadcast result back into the gradient of the operand.
// dst's shape must broadcast to exactly src's shape.
func SumTo(dst, src *Tensor) {
	clear(dst.Data)
	sumTo("SumTo", dst, src)
}

// AddSumTo is SumTo accumulating into dst (dst += reduced src), as
// backward passes do.
func AddSumTo(dst, src *Tensor) { sumTo("AddSumTo", dst, src) }

func sumTo(op string, dst, src *Tensor) {
	shape, err := BroadcastShapes(dst.Shape, src.Shape)
	if err != nil || !SameShape(shape, src.Shape) {
		panic(fmt.Sprintf("tensor.%s: %v does not broadcast to %v", op, dst.Shape, src.Shape))
	}
	if len(dst.Data) == len(src.Data) {
		vec.Add(dst.Data, dst.Data, src.Data)
		return
	}
	if len(src.Data) == 0 {
		return
	}
	cs, cst := collapse(src.Shape, [][]int{stridesOf(src.Shape), broadcastStrides(dst.Shape, src.Shape)})
	k := len(cs) - 1
	m, sd := cs[k], cst[1][k]
	walk(cs[:k], [][]int{cst[0][:k], cst[1][:k]}, func(o []int) {
		s := src.Data[o[0] : o[0]+m]
		if sd == 1 {
			d := dst.Data[o[1] : o[1]+m]
			vec.Add(d, d, s)
		} else {
			dst.Data[o[1]] += vec.Sum(s)
		}
	})
}
