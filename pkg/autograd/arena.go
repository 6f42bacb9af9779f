package autograd

import (
	"slices"
	"unsafe"

	"github.com/attnkit/attn/pkg/tensor"
)

// arena recycles tensors between steps. Buffers are kept in free lists by
// exact length: a training loop repeats the same shapes every step, so after
// the first step every request is served from a free list.
type arena struct {
	free  map[int][]*tensor.Tensor
	inUse []*tensor.Tensor
	vars  []*Var // pooled Var structs, vars[:nvars] are in use
	nvars int
	// views are tensor headers over storage owned by someone else
	// (reshapes). They never enter the free lists: handing one out as a
	// fresh buffer would zero the storage it aliases.
	views  []*tensor.Tensor
	nviews int
}

// view returns a pooled header with the given shape over data.
func (a *arena) view(data []float32, shape ...int) *tensor.Tensor {
	if a.nviews == len(a.views) {
		a.views = append(a.views, new(tensor.Tensor))
	}
	t := a.views[a.nviews]
	a.nviews++
	t.Shape = append(t.Shape[:0], shape...)
	t.Data = data
	return t
}

// get returns a zeroed tensor of the given shape.
func (a *arena) get(shape ...int) *tensor.Tensor {
	t := a.getDirty(shape...)
	clear(t.Data)
	return t
}

// getDirty returns a tensor of the given shape whose contents are left
// from an earlier step: for outputs an op overwrites completely, where
// zeroing first would be a wasted pass over memory.
func (a *arena) getDirty(shape ...int) *tensor.Tensor {
	n := tensor.Numel(shape...)
	if a.free == nil {
		a.free = make(map[int][]*tensor.Tensor)
	}
	var t *tensor.Tensor
	if l := a.free[n]; len(l) > 0 {
		t = l[len(l)-1]
		a.free[n] = l[:len(l)-1]
		t.Shape = append(t.Shape[:0], shape...)
	} else {
		t = tensor.New(shape...)
	}
	a.inUse = append(a.inUse, t)
	return t
}

// newVar returns a cleared Var from the pool.
func (a *arena) newVar() *Var {
	if a.nvars == len(a.vars) {
		a.vars = append(a.vars, new(Var))
	}
	v := a.vars[a.nvars]
	a.nvars++
	*v = Var{}
	return v
}

// reset returns every buffer handed out since the last reset.
func (a *arena) reset() {
	for _, t := range a.inUse {
		a.free[len(t.Data)] = append(a.free[len(t.Data)], t)
	}
	clear(a.inUse)
	a.inUse = a.inUse[:0]
	a.nvars = 0
	for _, t := range a.views[:a.nviews] {
		t.Data = nil // do not keep the aliased storage alive
	}
	a.nviews = 0
}

// release returns to the free lists the buffers handed out after the
// first mark of them, except keep (which stays handed out). When keep is
// a view into one of them it releases nothing.
func (a *arena) release(mark int, keep *tensor.Tensor) {
	rest := a.inUse[mark:]
	k := slices.Index(rest, keep)
	if k < 0 && len(keep.Data) > 0 {
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(keep.Data)))
		for _, t := range rest {
			start := uintptr(unsafe.Pointer(unsafe.SliceData(t.Data)))
			if lo >= start && lo < start+4*uintptr(len(t.Data)) {
				return
			}
		}
	}
	if k >= 0 {
		rest[0], rest[k] = rest[k], rest[0]
		rest = rest[1:]
	}
	for _, t := range rest {
		a.free[len(t.Data)] = append(a.free[len(t.Data)], t)
	}
	clear(rest)
	a.inUse = a.inUse[:len(a.inUse)-len(rest)]
}
