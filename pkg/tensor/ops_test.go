package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randTensor returns a tensor of the given shape with values in [-3, 3].
func randTensor(r *rand.Rand, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = 6*r.Float32() - 3
	}
	return t
}

// unravel turns a flat row-major index into a multi-index of shape.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

// ravel is the inverse of unravel.
func ravel(idx, shape []int) int {
	i := 0
	for d, n := range shape {
		i = i*n + idx[d]
	}
	return i
}

// bcastIndex maps an index of the broadcast shape to the flat index of an
// operand of shape in (aligned right, size-1 dimensions pinned to 0).
func bcastIndex(idx, in []int) int {
	j := make([]int, len(in))
	off := len(idx) - len(in)
	for d := range in {
		if in[d] != 1 {
			j[d] = idx[off+d]
		}
	}
	return ravel(j, in)
}

func close32(a, b float32, tol float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
		return a == b
	}
	return math.Abs(float64(a)-float64(b)) <= tol*(1+math.Abs(float64(b)))
}

// mustPanic fails t unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one mentioning %q", want)
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Fatalf("panic %q does not mention %q", msg, want)
		}
	}()
	f()
}

func TestBroadcastShapes(t *testing.T) {
	cases := []struct {
		a, b, want []int
		err        bool
	}{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}, false},
		{[]int{2, 3}, []int{3}, []int{2, 3}, false},
		{[]int{4, 1, 3}, []int{5, 1}, []int{4, 5, 3}, false},
		{[]int{}, []int{2}, []int{2}, false},
		{[]int{1}, []int{}, []int{1}, false},
		{[]int{0, 3}, []int{1, 3}, []int{0, 3}, false},
		{[]int{2, 3}, []int{2}, nil, true},
		{[]int{2, 1}, []int{3, 2, 4}, []int{3, 2, 4}, false},
		{[]int{0}, []int{2}, nil, true},
	}
	for _, c := range cases {
		got, err := BroadcastShapes(c.a, c.b)
		if (err != nil) != c.err || (!c.err && !SameShape(got, c.want)) {
			t.Errorf("BroadcastShapes(%v, %v) = %v, %v; want %v (error %v)", c.a, c.b, got, err, c.want, c.err)
		}
	}
}

var broadcastPairs = []struct{ a, b []int }{
	{[]int{3, 4}, []int{3, 4}},
	{[]int{5, 7}, []int{7}},
	{[]int{7}, []int{5, 7}},
	{[]int{5, 7}, []int{5, 1}},
	{[]int{5, 1}, []int{1, 7}},
	{[]int{2, 3, 4, 5}, []int{1, 3, 1, 1}}, // per-channel bias on NCHW
	{[]int{2, 3, 4, 5}, []int{3, 1, 5}},
	{[]int{2, 1, 4}, []int{3, 1}},
	{[]int{4, 6}, []int{}},
	{[]int{}, []int{4, 6}},
	{[]int{1, 1}, []int{1}},
	{[]int{0, 3}, []int{3}},
	{[]int{2, 37, 9}, []int{2, 1, 9}},
}

func TestBinaryBroadcast(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	ops := []struct {
		name string
		f    func(d, a, b *Tensor)
		ref  func(a, b float64) float64
	}{
		{"Add", Add, func(a, b float64) float64 { return a + b }},
		{"Sub", Sub, func(a, b float64) float64 { return a - b }},
		{"Mul", Mul, func(a, b float64) float64 { return a * b }},
		{"Div", Div, func(a, b float64) float64 { return a / b }},
	}
	for _, p := range broadcastPairs {
		for _, op := range ops {
			t.Run(fmt.Sprintf("%s%v%v", op.name, p.a, p.b), func(t *testing.T) {
				a, b := randTensor(r, p.a...), randTensor(r, p.b...)
				shape, err := BroadcastShapes(p.a, p.b)
				if err != nil {
					t.Fatal(err)
				}
				d := New(shape...)
				op.f(d, a, b)
				for i, v := range d.Data {
					idx := unravel(i, shape)
					want := op.ref(float64(a.Data[bcastIndex(idx, p.a)]), float64(b.Data[bcastIndex(idx, p.b)]))
					if !close32(v, float32(want), 1e-6) {
						t.Fatalf("at %v: %g, want %g", idx, v, want)
					}
				}
			})
		}
	}
	// In place: x = x + bias.
	x := randTensor(r, 4, 5)
	bias := randTensor(r, 5)
	want := x.Clone()
	Add(x, x, bias)
	for i := range x.Data {
		if x.Data[i] != want.Data[i]+bias.Data[i%5] {
			t.Fatalf("in-place Add differs at %d", i)
		}
	}
	mustPanic(t, "do not broadcast", func() { Add(New(2, 3), New(2, 3), New(2)) })
	mustPanic(t, "dst has shape", func() { Mul(New(3, 2), New(2, 3), New(3)) })
}

func TestSumTo(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, p := range broadcastPairs {
		shape, _ := BroadcastShapes(p.a, p.b)
		for _, in := range [][]int{p.a, p.b} {
			src := randTensor(r, shape...)
			want := make([]float64, Numel(in...))
			for i, v := range src.Data {
				want[bcastIndex(unravel(i, shape), in)] += float64(v)
			}
			dst := randTensor(r, in...)
			SumTo(dst, src)
			acc := dst.Clone()
			AddSumTo(acc, src)
			for i := range want {
				if !close32(dst.Data[i], float32(want[i]), 1e-5) || !close32(acc.Data[i], float32(2*want[i]), 1e-5) {
					t.Fatalf("%v -> %v at %d: SumTo %g, AddSumTo %g, want %g", shape, in, i, dst.Data[i], acc.Data[i], want[i])
				}
			}
		}
	}
	mustPanic(t, "does not broadcast", func() { SumTo(New(3), New(2, 4)) })
	mustPanic(t, "does not broadcast", func() { SumTo(New(2, 2, 4), New(2, 4)) })
}

func TestTransposePermute(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, s := range [][2]int{{1, 1}, {3, 5}, {33, 70}, {64, 1}, {0, 4}} {
		x := randTensor(r, s[0], s[1])
		y := Transpose2D(x)
		for i := 0; i < s[0]; i++ {
			for j := 0; j < s[1]; j++ {
				if y.Data[j*s[0]+i] != x.Data[i*s[1]+j] {
					t.Fatalf("%v: Transpose2D wrong at %d,%d", s, i, j)
				}
			}
		}
	}
	cases := []struct {
		shape, axes []int
	}{
		{[]int{2, 3, 4, 5}, []int{0, 2, 3, 1}}, // NCHW -> NHWC
		{[]int{2, 3, 4, 5}, []int{0, 3, 1, 2}}, // NHWC -> NCHW
		{[]int{2, 3, 4, 5}, []int{3, 2, 1, 0}},
		{[]int{2, 3, 4, 5}, []int{1, 0, 2, 3}},
		{[]int{2, 3, 4, 5}, []int{0, 1, 2, 3}},
		{[]int{6, 1, 7}, []int{2, 1, 0}},
		{[]int{4, 5, 6}, []int{0, 2, 1}},
		{[]int{9}, []int{0}},
		{[]int{}, []int{}},
	}
	for _, c := range cases {
		x := randTensor(r, c.shape...)
		y := Permute(x, c.axes...)
		for i, v := range y.Data {
			idx := unravel(i, y.Shape)
			src := make([]int, len(idx))
			for k, a := range c.axes {
				src[a] = idx[k]
			}
			if v != x.Data[ravel(src, c.shape)] {
				t.Fatalf("Permute(%v, %v) wrong at %v", c.shape, c.axes, idx)
			}
		}
		back := Permute(y, InversePermutation(c.axes)...)
		if !SameShape(back.Shape, x.Shape) {
			t.Fatalf("inverse permute shape %v, want %v", back.Shape, x.Shape)
		}
		for i := range back.Data {
			if back.Data[i] != x.Data[i] {
				t.Fatalf("Permute by the inverse of %v does not round-trip", c.axes)
			}
		}
	}
	mustPanic(t, "not a permutation", func() { Permute(New(2, 3), 0, 0) })
	mustPanic(t, "not 2-D", func() { Transpose2D(New(2, 3, 4)) })
}

func TestSliceConcatStack(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := randTensor(r, 3, 4, 5)
	for axis := -3; axis < 3; axis++ {
		a := (axis + 3) % 3
		n := x.Shape[a]
		// Slice into three parts and concatenate them back.
		cut1, cut2 := 1, n-1
		parts := []*Tensor{Slice(x, axis, 0, cut1), Slice(x, axis, cut1, cut2), Slice(x, axis, cut2, n)}
		for i, v := range parts[1].Data {
			idx := unravel(i, parts[1].Shape)
			idx[a] += cut1
			if v != x.Data[ravel(idx, x.Shape)] {
				t.Fatalf("Slice axis %d wrong at %v", axis, idx)
			}
		}
		y := Concat(axis, parts...)
		if !SameShape(y.Shape, x.Shape) {
			t.Fatalf("Concat shape %v, want %v", y.Shape, x.Shape)
		}
		for i := range y.Data {
			if y.Data[i] != x.Data[i] {
				t.Fatalf("Concat(Slice) along %d does not round-trip", axis)
			}
		}
		// Backward helpers: scatter the parts' gradients back, and gather
		// each part's share of the concatenated gradient.
		g := New(x.Shape...)
		AddToSlice(g, parts[0], axis, 0)
		AddToSlice(g, parts[1], axis, cut1)
		AddToSlice(g, parts[2], axis, cut2)
		AddToSlice(g, parts[1], axis, cut1)
		for i, v := range g.Data {
			idx := unravel(i, g.Shape)
			want := x.Data[i]
			if idx[a] >= cut1 && idx[a] < cut2 {
				want *= 2
			}
			if v != want {
				t.Fatalf("AddToSlice along %d wrong at %v: %g, want %g", axis, idx, v, want)
			}
		}
		p := New(parts[1].Shape...)
		AddSliceInto(p, x, axis, cut1)
		AddSliceInto(p, x, axis, cut1)
		for i, v := range p.Data {
			if v != 2*parts[1].Data[i] {
				t.Fatalf("AddSliceInto along %d wrong at %d", axis, i)
			}
		}
	}
	// Stack at every position, including after the last dimension.
	ts := []*Tensor{randTensor(r, 2, 3), randTensor(r, 2, 3), randTensor(r, 2, 3), randTensor(r, 2, 3)}
	for axis := -3; axis <= 2; axis++ {
		s := Stack(axis, ts...)
		a := (axis + 3) % 3
		for i, v := range s.Data {
			idx := unravel(i, s.Shape)
			k := idx[a]
			rest := append(append([]int(nil), idx[:a]...), idx[a+1:]...)
			if v != ts[k].Data[ravel(rest, []int{2, 3})] {
				t.Fatalf("Stack axis %d wrong at %v", axis, idx)
			}
		}
	}
	mustPanic(t, "out of bounds", func() { Slice(x, 1, 2, 9) })
	mustPanic(t, "does not match", func() { Concat(0, New(2, 3), New(2, 4)) })
	mustPanic(t, "differ", func() { Stack(0, New(2, 3), New(3, 2)) })
	mustPanic(t, "out of range", func() { Slice(x, 3, 0, 1) })
}

func TestAxisReductions(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, shape := range [][]int{{4, 5, 6}, {1, 7}, {9}, {3, 40, 2}} {
		x := randTensor(r, shape...)
		x.Data[len(x.Data)/2] = x.Data[0] // a tie, for Argmax
		for axis := range shape {
			outer, n, inner := split(shape, axis)
			for _, keep := range []bool{false, true} {
				sum, mean, mx := SumAxis(x, axis, keep), MeanAxis(x, axis, keep), MaxAxis(x, axis, keep)
				wantShape := reducedShape(shape, axis, keep)
				if !SameShape(sum.Shape, wantShape) || !SameShape(mx.Shape, wantShape) {
					t.Fatalf("%v axis %d keepdim %v: shape %v, want %v", shape, axis, keep, sum.Shape, wantShape)
				}
				am := ArgmaxAxis(x, axis-len(shape)) // negative axis too
				for o := range outer {
					for i := range inner {
						var s float64
						m, mi := float32(math.Inf(-1)), 0
						for j := range n {
							v := x.Data[(o*n+j)*inner+i]
							s += float64(v)
							if v > m {
								m, mi = v, j
							}
						}
						k := o*inner + i
						if !close32(sum.Data[k], float32(s), 1e-6) || !close32(mean.Data[k], float32(s/float64(n)), 1e-6) {
							t.Fatalf("%v axis %d: sum %g mean %g, want %g", shape, axis, sum.Data[k], mean.Data[k], s)
						}
						if mx.Data[k] != m || am[k] != mi {
							t.Fatalf("%v axis %d at %d: max %g argmax %d, want %g %d", shape, axis, k, mx.Data[k], am[k], m, mi)
						}
					}
				}
			}
		}
	}
	// NaN wins in Max and Argmax along a strided axis as well.
	x := FromData([]float32{1, 5, float32(math.NaN()), 2, 3, 9}, 3, 2)
	if m := MaxAxis(x, 0, false); m.Data[0] == m.Data[0] || m.Data[1] != 9 {
		t.Errorf("MaxAxis with NaN = %v", m.Data)
	}
	if a := ArgmaxAxis(x, 0); a[0] != 1 || a[1] != 2 {
		t.Errorf("ArgmaxAxis with NaN = %v, want [1 2]", a)
	}
	if s, m, mean := Sum(x), Max(FromData([]float32{1, 7, 3}, 3)), Mean(FromData([]float32{1, 2, 3, 6}, 4)); s == s || m != 7 || mean != 3 {
		t.Errorf("Sum %g (want NaN), Max %g (want 7), Mean %g (want 3)", s, m, mean)
	}
	mustPanic(t, "cannot hold", func() { SumAxisInto(New(4), New(4, 5), 0) })
	mustPanic(t, "is empty", func() { MaxAxis(New(3, 0), 1, false) })
}
