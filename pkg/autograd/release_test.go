package autograd

import (
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// TestRelease checks that Release on an inference tape keeps the kept
// value, hands the other buffers to the next ops, and leaves a recording
// tape and a kept view alone.
func TestRelease(t *testing.T) {
	x := NewParam("x", tensor.FromData([]float32{1, -2, 3, -4}, 4))
	tp := NewInference()
	mark := tp.Mark()
	h := tp.ReLU(tp.Scale(x, 2)) // two buffers: the scaled value and h
	tp.Release(mark, h)
	if got := h.Value.Data; got[0] != 2 || got[1] != 0 || got[2] != 6 || got[3] != 0 {
		t.Fatalf("kept value changed: %v", got)
	}
	if tp.Mark() != mark+1 {
		t.Fatalf("%d buffers still handed out after the mark, want 1", tp.Mark()-mark)
	}
	y := tp.Scale(h, 3) // served from the released buffer
	if y.Value.Data[2] != 18 || h.Value.Data[2] != 6 {
		t.Fatalf("after reuse: y %v, h %v", y.Value.Data, h.Value.Data)
	}

	// A view of a buffer allocated after the mark is not kept alive by
	// itself: nothing is released.
	mark = tp.Mark()
	v := tp.Reshape(tp.Scale(x, 1), 2, 2)
	tp.Release(mark, v)
	if tp.Mark() != mark+1 || v.Value.Data[3] != -4 {
		t.Fatalf("a view was released: %d buffers, %v", tp.Mark()-mark, v.Value.Data)
	}

	// A recording tape keeps everything for Backward.
	rt := NewTape()
	mark = rt.Mark()
	r := rt.ReLU(rt.Scale(x, 2))
	rt.Release(mark, r)
	if rt.Mark() != mark+2 {
		t.Fatalf("recording tape released buffers: %d left", rt.Mark()-mark)
	}
}
