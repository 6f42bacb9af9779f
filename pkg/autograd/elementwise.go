package autograd

import (
	"fmt"
	"math"
)

// maxDims bounds the rank of tensors handled by the strided kernels in this
// package. Index counters live in fixed arrays of this size so the kernels
// need no heap memory.
const maxDims = 8

// bcastPlan describes how two shapes broadcast against each other
// (NumPy/PyTorch rules: align trailing dimensions; a dimension of 1, or a
// missing one, repeats). Dimensions that continue each other for both
// inputs are merged, so the common cases (same shape, bias over the last
// axis, per-channel scale) become a few long contiguous rows.
type bcastPlan struct {
	nd     int
	shape  [maxDims]int // merged output shape
	sa, sb [maxDims]int // element strides of a and b, 0 where broadcast
	size   int          // output elements
}

// broadcastShapes fills out (len ≥ maxDims) with the broadcast shape of a
// and b and returns its rank, or -1 when the shapes are incompatible.
func broadcastShapes(out []int, a, b []int) int {
	nd := max(len(a), len(b))
	if nd > maxDims {
		return -1
	}
	for i := 0; i < nd; i++ {
		da, db := 1, 1
		if j := len(a) - nd + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - nd + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return -1
		}
	}
	return nd
}

// newBcastPlan returns the plan for broadcasting a against b; ok is false
// when the shapes are incompatible.
func newBcastPlan(a, b []int) (p bcastPlan, ok bool) {
	var full [maxDims]int
	nd := broadcastShapes(full[:], a, b)
	if nd < 0 {
		return p, false
	}
	// Row-major strides of a and b aligned to the output's dimensions.
	var sa, sb [maxDims]int
	stA, stB := 1, 1
	p.size = 1
	for i := nd - 1; i >= 0; i-- {
		p.size *= full[i]
		if j := len(a) - nd + i; j >= 0 && a[j] != 1 {
			sa[i] = stA
			stA *= a[j]
		}
		if j := len(b) - nd + i; j >= 0 && b[j] != 1 {
			sb[i] = stB
			stB *= b[j]
		}
	}
	// Merge dimension i into the one before when both inputs step through
	// them as one longer dimension; drop size-1 dimensions.
	for i := 0; i < nd; i++ {
		if full[i] == 1 {
			continue
		}
		if p.nd > 0 {
			k := p.nd - 1
			if p.sa[k] == sa[i]*full[i] && p.sb[k] == sb[i]*full[i] {
				p.shape[k] *= full[i]
				p.sa[k], p.sb[k] = sa[i], sb[i]
				continue
			}
		}
		p.shape[p.nd], p.sa[p.nd], p.sb[p.nd] = full[i], sa[i], sb[i]
		p.nd++
	}
	if p.nd == 0 { // all dimensions 1: one element
		p.nd, p.shape[0] = 1, 1
	}
	return p, true
}

// rowCursor walks the rows (innermost dimension) of a broadcast plan,
// tracking where each row starts in a and b.
type rowCursor struct {
	idx    [maxDims]int
	ia, ib int
}

// next moves c to the next row.
func (p *bcastPlan) next(c *rowCursor) {
	for d := p.nd - 2; d >= 0; d-- {
		c.idx[d]++
		c.ia += p.sa[d]
		c.ib += p.sb[d]
		if c.idx[d] < p.shape[d] {
			return
		}
		c.ia -= p.sa[d] * p.shape[d]
		c.ib -= p.sb[d] * p.shape[d]
		c.idx[d] = 0
	}
}

// binaryOp selects the arithmetic of the broadcasting kernels.
type binaryOp uint8

const (
	opAdd binaryOp = iota
	opSub
	opMul
	opDiv
)

// binaryForward computes out = a op b over the broadcast plan p.
func binaryForward(op binaryOp, out, a, b []float32, p *bcastPlan) {
	n := p.shape[p.nd-1]
	sa, sb := p.sa[p.nd-1], p.sb[p.nd-1]
	var c rowCursor
	for o := 0; o < p.size; o += n {
		row := out[o : o+n]
		ia, ib := c.ia, c.ib
		switch op {
		case opAdd:
			for k := range row {
				row[k] = a[ia+k*sa] + b[ib+k*sb]
			}
		case opSub:
			for k := range row {
				row[k] = a[ia+k*sa] - b[ib+k*sb]
			}
		case opMul:
			for k := range row {
				row[k] = a[ia+k*sa] * b[ib+k*sb]
			}
		case opDiv:
			for k := range row {
				row[k] = a[ia+k*sa] / b[ib+k*sb]
			}
		}
		p.next(&c)
	}
}

// binaryBackward accumulates the gradients of out = a op b: da and db
// (either may be nil to skip it) receive dy summed over the dimensions
// along which their input was broadcast. With setA (setB) da (db) is
// written instead, which needs an input of the output's size (nothing
// broadcast, so every element is written once); a db that is the same
// buffer as da (x op x) must be accumulated into, not set.
func binaryBackward(op binaryOp, da, db, dy, a, b []float32, p *bcastPlan, setA, setB bool) {
	n := p.shape[p.nd-1]
	sa, sb := p.sa[p.nd-1], p.sb[p.nd-1]
	var c rowCursor
	for o := 0; o < p.size; o += n {
		g := dy[o : o+n]
		ia, ib := c.ia, c.ib
		switch op {
		case opAdd, opSub:
			if da != nil {
				if setA {
					for k, v := range g {
						da[ia+k*sa] = v
					}
				} else {
					for k, v := range g {
						da[ia+k*sa] += v
					}
				}
			}
			if db != nil {
				switch {
				case op == opSub && setB:
					for k, v := range g {
						db[ib+k*sb] = -v
					}
				case op == opSub:
					for k, v := range g {
						db[ib+k*sb] -= v
					}
				case setB:
					for k, v := range g {
						db[ib+k*sb] = v
					}
				default:
					for k, v := range g {
						db[ib+k*sb] += v
					}
				}
			}
		case opMul:
			if da != nil {
				if setA {
					for k, v := range g {
						da[ia+k*sa] = v * b[ib+k*sb]
					}
				} else {
					for k, v := range g {
						da[ia+k*sa] += v * b[ib+k*sb]
					}
				}
			}
			if db != nil {
				if setB {
					for k, v := range g {
						db[ib+k*sb] = v * a[ia+k*sa]
					}
				} else {
					for k, v := range g {
						db[ib+k*sb] += v * a[ia+k*sa]
					}
				}
			}
		case opDiv:
			if da != nil {
				if setA {
					for k, v := range g {
						da[ia+k*sa] = v / b[ib+k*sb]
					}
				} else {
					for k, v := range g {
						da[ia+k*sa] += v / b[ib+k*sb]
					}
				}
			}
			if db != nil { // d(a/b)/db = -a/b²
				if setB {
					for k, v := range g {
						bv := b[ib+k*sb]
						db[ib+k*sb] = -(v * a[ia+k*sa] / (bv * bv))
					}
				} else {
					for k, v := range g {
						bv := b[ib+k*sb]
						db[ib+k*sb] -= v * a[ia+k*sa] / (bv * bv)
					}
				}
			}
		}
		p.next(&c)
	}
}

func (tp *Tape) binary(op binaryOp, a, b *Var) *Var {
	p, ok := newBcastPlan(a.Value.Shape, b.Value.Shape)
	if !ok {
		panic(fmt.Sprintf("autograd: cannot broadcast shapes %v and %v", a.Value.Shape, b.Value.Shape))
	}
	var shape [maxDims]int
	nd := broadcastShapes(shape[:], a.Value.Shape, b.Value.Shape)
	out := tp.Scratch(shape[:nd]...) // binaryForward writes every element
	// Operands of the output's size broadcast nothing: every element is
	// on its own, and a tape with threads splits them.
	par := tp.threads > 1 && p.size >= parallelMin && len(a.Value.Data) == p.size && len(b.Value.Data) == p.size
	if par {
		binaryForwardParallel(tp.threads, op, out.Data, a.Value.Data, b.Value.Data)
	} else {
		binaryForward(op, out.Data, a.Value.Data, b.Value.Data, &p)
	}
	y := tp.Result(out, a, b)
	if y.RequiresGrad {
		// The plan is copied here so only a recording tape moves it to the
		// heap; the closure would otherwise capture it by reference.
		saved, t := p, tp.threads
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			// A new gradient buffer is written rather than zeroed and added
			// to, where its input was not broadcast (each element then
			// receives one value).
			var da, db []float32
			var setA, setB bool
			if a.RequiresGrad {
				da, setA = tp.gradBuf(a)
				if setA && len(da) != saved.size {
					clear(da)
					setA = false
				}
			}
			if b.RequiresGrad {
				db, setB = tp.gradBuf(b)
				if setB && len(db) != saved.size {
					clear(db)
					setB = false
				}
			}
			if par {
				binaryBackwardParallel(t, op, da, db, y.Grad.Data, a.Value.Data, b.Value.Data, setA, setB)
				return
			}
			binaryBackward(op, da, db, y.Grad.Data, a.Value.Data, b.Value.Data, &saved, setA, setB)
		})
	}
	return y
}

// Add returns a + b with NumPy broadcasting (torch.add).
func (tp *Tape) Add(a, b *Var) *Var { return tp.binary(opAdd, a, b) }

// Sub returns a − b with NumPy broadcasting (torch.sub).
func (tp *Tape) Sub(a, b *Var) *Var { return tp.binary(opSub, a, b) }

// Mul returns the elementwise product a·b with NumPy broadcasting
// (torch.mul).
func (tp *Tape) Mul(a, b *Var) *Var { return tp.binary(opMul, a, b) }

// Div returns the elementwise quotient a/b with NumPy broadcasting
// (torch.div). Division by zero gives ±Inf or NaN as in IEEE arithmetic.
func (tp *Tape) Div(a, b *Var) *Var { return tp.binary(opDiv, a, b) }

// pointwiseForward computes y = f(x) for an op without parameters.
type pointwiseForward func(y, x []float32)

// pointwiseBackward accumulates dx += dy·f'(x), given x and y = f(x).
type pointwiseBackward func(dx, dy, x, y []float32)

// pointwise wires an elementwise op without parameters into the tape.
// fwd and bwd must be plain functions, not closures, so calling this
// allocates nothing on an inference tape.
func (tp *Tape) pointwise(x *Var, fwd pointwiseForward, bwd pointwiseBackward) *Var {
	out := tp.Scratch(x.Value.Shape...) // every forward kernel writes all of y
	par := tp.threads > 1 && len(out.Data) >= parallelMin
	if par {
		pointwiseForwardParallel(tp.threads, fwd, out.Data, x.Value.Data)
	} else {
		fwd(out.Data, x.Value.Data)
	}
	y := tp.Result(out, x)
	if y.RequiresGrad {
		t := tp.threads
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			if par {
				pointwiseBackwardParallel(t, bwd, tp.GradOf(x).Data, y.Grad.Data, x.Value.Data, out.Data)
				return
			}
			bwd(tp.GradOf(x).Data, y.Grad.Data, x.Value.Data, out.Data)
		})
	}
	return y
}

// affineForward computes y = scale·x + shift.
func affineForward(y, x []float32, scale, shift float32) {
	for i, v := range x {
		y[i] = scale*v + shift
	}
}

// affineBackward accumulates dx += scale·dy.
func affineBackward(dx, dy []float32, scale float32) {
	for i, g := range dy {
		dx[i] += scale * g
	}
}

// affine wires y = scale·x + shift into the tape.
func (tp *Tape) affine(x *Var, scale, shift float32) *Var {
	out := tp.Alloc(x.Value.Shape...)
	affineForward(out.Data, x.Value.Data, scale, shift)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			affineBackward(tp.GradOf(x).Data, y.Grad.Data, scale)
		})
	}
	return y
}

// AddScalar returns x + s elementwise (torch.add with a Python number).
func (tp *Tape) AddScalar(x *Var, s float32) *Var { return tp.affine(x, 1, s) }

// Scale returns s·x elementwise (torch.mul with a Python number).
func (tp *Tape) Scale(x *Var, s float32) *Var { return tp.affine(x, s, 0) }

// Neg returns −x elementwise (torch.neg).
func (tp *Tape) Neg(x *Var) *Var { return tp.affine(x, -1, 0) }

// Exp returns eˣ elementwise (torch.exp).
func (tp *Tape) Exp(x *Var) *Var { return tp.pointwise(x, expForward, expBackward) }

func expForward(y, x []float32) {
	for i, v := range x {
		y[i] = float32(math.Exp(float64(v)))
	}
}

// expBackward uses y = eˣ, its own derivative.
func expBackward(dx, dy, _, y []float32) {
	for i, g := range dy {
		dx[i] += g * y[i]
	}
}

// Log returns the natural logarithm elementwise (torch.log); x ≤ 0 gives
// −Inf or NaN as in IEEE arithmetic.
func (tp *Tape) Log(x *Var) *Var { return tp.pointwise(x, logForward, logBackward) }

func logForward(y, x []float32) {
	for i, v := range x {
		y[i] = float32(math.Log(float64(v)))
	}
}

func logBackward(dx, dy, x, _ []float32) {
	for i, g := range dy {
		dx[i] += g / x[i]
	}
}

// Sqrt returns √x elementwise (torch.sqrt). Its gradient is infinite at 0.
func (tp *Tape) Sqrt(x *Var) *Var { return tp.pointwise(x, sqrtForward, sqrtBackward) }

func sqrtForward(y, x []float32) {
	for i, v := range x {
		y[i] = float32(math.Sqrt(float64(v)))
	}
}

// sqrtBackward uses d√x/dx = 1/(2√x) = 0.5/y.
func sqrtBackward(dx, dy, _, y []float32) {
	for i, g := range dy {
		dx[i] += 0.5 * g / y[i]
	}
}

// Square returns x² elementwise (torch.square).
func (tp *Tape) Square(x *Var) *Var { return tp.pointwise(x, squareForward, squareBackward) }

func squareForward(y, x []float32) {
	for i, v := range x {
		y[i] = v * v
	}
}

func squareBackward(dx, dy, x, _ []float32) {
	for i, g := range dy {
		dx[i] += 2 * g * x[i]
	}
}

// Clamp limits x to [lo, hi] elementwise (torch.clamp). As in PyTorch the
// gradient passes where lo ≤ x ≤ hi, bounds included, and is 0 elsewhere.
func (tp *Tape) Clamp(x *Var, lo, hi float32) *Var {
	out := tp.Alloc(x.Value.Shape...)
	clampForward(out.Data, x.Value.Data, lo, hi)
	y := tp.Result(out, x)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			clampBackward(tp.GradOf(x).Data, y.Grad.Data, x.Value.Data, lo, hi)
		})
	}
	return y
}

func clampForward(y, x []float32, lo, hi float32) {
	for i, v := range x {
		y[i] = min(max(v, lo), hi)
	}
}

func clampBackward(dx, dy, x []float32, lo, hi float32) {
	for i, g := range dy {
		if v := x[i]; v >= lo && v <= hi {
			dx[i] += g
		}
	}
}
