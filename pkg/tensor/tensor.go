// Package tensor holds dense row-major float32 tensors and the elementwise
// and reduction kernels the models are built from.
//
// A Tensor is a shape plus one contiguous []float32. Reshape returns a view
// that shares storage; Transpose2D, Permute, Slice, Concat and Stack return
// copies (their ...Into forms write into a caller's tensor), so every Tensor
// is always contiguous and kernels never deal with strides.
//
// Kernels take their output first (dst), in the shape the operation
// produces, so that autograd can hand in tensors from its arena; a few
// allocating conveniences (Transpose2D, Permute, Slice, Concat, Stack,
// SumAxis, ...) sit beside them. dst may be the same tensor as an input of
// an elementwise op or a softmax (in-place); otherwise outputs must not
// overlap inputs. A shape mismatch is a programmer error and panics with the
// shapes in the message.
//
// Add, Sub, Mul and Div broadcast as NumPy and PyTorch do (BroadcastShapes);
// SumTo reduces a gradient of the broadcast shape back to an input's shape.
// Softmax and LogSoftmax work along any axis and follow PyTorch on masked
// rows: −Inf entries get probability 0, and a row that is −Inf everywhere
// gives NaN (there is no distribution to return). The contiguous inner loops
// run on package vec, which uses AVX2 assembly where the CPU has it.
package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a dense, contiguous, row-major float32 array.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Numel returns the number of elements a shape holds.
func Numel(shape ...int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			// No shape in the message: formatting it would make every
			// caller's shape slice escape to the heap.
			panic("tensor: negative dimension in shape")
		}
		n *= d
	}
	return n
}

// New returns a zero-filled tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Numel(shape...))}
}

// FromData wraps data (not copied) as a tensor of the given shape.
func FromData(data []float32, shape ...int) *Tensor {
	if Numel(shape...) != len(data) {
		panic(fmt.Sprintf("tensor: %d values do not fill shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Size returns the number of elements.
func (t *Tensor) Size() int { return len(t.Data) }

// Dims returns the number of dimensions.
func (t *Tensor) Dims() int { return len(t.Shape) }

// Dim returns dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}

// Reshape returns a view with a new shape over the same storage. One
// dimension may be -1 and is inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	s := append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range s {
		if d == -1 {
			if infer >= 0 {
				panic("tensor: Reshape with more than one -1")
			}
			infer = i
			continue
		}
		known *= d
	}
	if infer >= 0 {
		if known == 0 || len(t.Data)%known != 0 {
			panic(fmt.Sprintf("tensor: cannot reshape %v to %v", t.Shape, shape))
		}
		s[infer] = len(t.Data) / known
	}
	if Numel(s...) != len(t.Data) {
		panic(fmt.Sprintf("tensor: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor{Shape: s, Data: t.Data}
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	for i := range t.Data {
		t.Data[i] = v
	}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// String prints the shape and up to the first 8 values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v[", t.Shape)
	for i, v := range t.Data {
		if i == 8 {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%g", v)
	}
	b.WriteByte(']')
	return b.String()
}
