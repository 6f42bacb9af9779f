package autograd

import (
	"fmt"

	"github.com/attnkit/attn/pkg/tensor"
)

// Tape records the backward closures of the ops run on it.
// A Tape is used by one goroutine at a time.
type Tape struct {
	record   bool
	threads  int // goroutines an op may use; see SetThreads
	backward []func()
	arena    arena
}

// NewTape returns a tape that records ops for Backward.
func NewTape() *Tape { return &Tape{record: true} }

// NewInference returns a tape that records nothing: ops only compute their
// forward values, with no closure and no gradient buffer.
func NewInference() *Tape { return &Tape{} }

// Recording reports whether ops run on this tape are recorded.
func (tp *Tape) Recording() bool { return tp.record }

// SetRecording switches recording on or off (off is PyTorch's no_grad).
func (tp *Tape) SetRecording(on bool) { tp.record = on }

// SetThreads lets the ops on this tape use up to n goroutines (n ≤ 1:
// only the caller's). Convolutions split their batch over them, forward
// and backward; elementwise ops without broadcasting split their
// elements, batch norms their channels and softmaxes their rows, when large enough
// (parallelMin); the other ops run on the caller's goroutine. Values and
// gradients do not depend on n, except a convolution's weight gradient,
// summed per goroutine and then in a fixed order: the same bits for the
// same n.
func (tp *Tape) SetThreads(n int) { tp.threads = n }

// Alloc returns a zeroed scratch tensor owned by the tape until Reset.
// Op implementations use it for outputs and saved intermediates.
func (tp *Tape) Alloc(shape ...int) *tensor.Tensor { return tp.arena.get(shape...) }

// Scratch is Alloc without the zeroing: the contents are whatever an
// earlier step left. Ops use it for outputs they overwrite in full.
func (tp *Tape) Scratch(shape ...int) *tensor.Tensor { return tp.arena.getDirty(shape...) }

// Mark returns the point in the tape's buffers that Release goes back to.
func (tp *Tape) Mark() int { return len(tp.arena.inUse) }

// Release hands back for reuse every buffer the tape allocated since mark,
// except the one holding keep's value. A single inference pass through a
// stack of layers then touches the memory of one layer instead of all of
// them: for imgtx attend on one image, a third of the time had gone to
// the kernel handing out fresh pages (perf record). It does nothing on a recording tape (Backward
// needs every value) or when keep is a view into a buffer it would
// release. Values computed since mark, other than keep, must not be used
// afterwards.
func (tp *Tape) Release(mark int, keep *Var) {
	if tp.record || mark < 0 || mark > len(tp.arena.inUse) {
		return
	}
	tp.arena.release(mark, keep.Value)
}

// View returns a tape-owned tensor header with the given shape over data,
// which it does not own (a reshape of another value). Like Alloc it is
// valid until Reset, and it allocates nothing in steady state.
func (tp *Tape) View(data []float32, shape ...int) *tensor.Tensor {
	return tp.arena.view(data, shape...)
}

// Result wraps an op's output value. The result needs a gradient when the
// tape records and any input needs one.
func (tp *Tape) Result(value *tensor.Tensor, inputs ...*Var) *Var {
	v := tp.arena.newVar()
	v.Value = value
	if tp.record {
		for _, in := range inputs {
			if in != nil && in.RequiresGrad {
				v.RequiresGrad = true
				break
			}
		}
	}
	return v
}

// Const wraps a tape-owned value that needs no gradient (inputs, masks,
// sampled actions). Unlike the package-level Const it takes its Var from
// the tape's pool, so it allocates nothing in steady state.
func (tp *Tape) Const(value *tensor.Tensor) *Var {
	v := tp.arena.newVar()
	v.Value = value
	return v
}

// Push records a backward closure. Op implementations call it only when
// their result RequiresGrad.
func (tp *Tape) Push(backward func()) { tp.backward = append(tp.backward, backward) }

// GradOf returns v's gradient buffer, taking a zeroed one from the arena on
// first use. Backward closures accumulate into it with +=.
func (tp *Tape) GradOf(v *Var) *tensor.Tensor {
	if v.Grad == nil {
		v.Grad = tp.arena.get(v.Value.Shape...)
	}
	return v.Grad
}

// gradBuf returns v's gradient buffer and whether it was just taken: a new
// buffer comes from the arena unzeroed, and the caller must write every
// element of it instead of accumulating. Zeroing the buffers GradOf hands
// out was a tenth of a transformer's training step, and the first
// contribution to a gradient is usually the only one.
func (tp *Tape) gradBuf(v *Var) (g []float32, fresh bool) {
	if v.Grad == nil {
		v.Grad = tp.arena.getDirty(v.Value.Shape...)
		return v.Grad.Data, true
	}
	return v.Grad.Data, false
}

// Backward seeds d(loss)/d(loss) = 1 for a one-element loss and runs every
// recorded closure in reverse order.
func (tp *Tape) Backward(loss *Var) {
	if loss.Value.Size() != 1 {
		panic(fmt.Sprintf("autograd: Backward needs a scalar loss, got shape %v", loss.Value.Shape))
	}
	seed := tp.arena.get(loss.Value.Shape...)
	seed.Data[0] = 1
	tp.BackwardWith(loss, seed)
}

// BackwardWith seeds out's gradient with grad (same shape as out) and runs
// the recorded closures in reverse order. It computes vector-Jacobian
// products for non-scalar outputs.
func (tp *Tape) BackwardWith(out *Var, grad *tensor.Tensor) {
	if !tensor.SameShape(out.Value.Shape, grad.Shape) {
		panic(fmt.Sprintf("autograd: seed gradient shape %v, output shape %v", grad.Shape, out.Value.Shape))
	}
	if !out.RequiresGrad {
		return
	}
	g := tp.GradOf(out)
	for i, x := range grad.Data {
		g.Data[i] += x
	}
	for i := len(tp.backward) - 1; i >= 0; i-- {
		tp.backward[i]()
	}
}

// Reset forgets every recorded op and returns all tape-owned buffers and
// Vars to the arena. Values and gradients of intermediates become invalid;
// parameters and their gradients are untouched.
func (tp *Tape) Reset() {
	clear(tp.backward)
	tp.backward = tp.backward[:0]
	tp.arena.reset()
}
