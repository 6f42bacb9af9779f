package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/vec"
)

var (
	ninf = float32(math.Inf(-1))
	nan  = float32(math.NaN())
)

// softmaxRef is the float64 softmax of x along axis, computed the
// textbook way with the max subtracted.
func softmaxRef(x *Tensor, axis int, logOut bool) []float64 {
	outer, n, inner := split(x.Shape, axis)
	out := make([]float64, len(x.Data))
	for o := range outer {
		for i := range inner {
			at := func(j int) int { return (o*n+j)*inner + i }
			m := math.Inf(-1)
			for j := range n {
				m = math.Max(m, float64(x.Data[at(j)]))
			}
			var s float64
			for j := range n {
				s += math.Exp(float64(x.Data[at(j)]) - m)
			}
			for j := range n {
				if logOut {
					out[at(j)] = float64(x.Data[at(j)]) - m - math.Log(s)
				} else {
					out[at(j)] = math.Exp(float64(x.Data[at(j)])-m) / s
				}
			}
		}
	}
	return out
}

// eachImpl runs f with the generic vec kernels and, where present, the
// assembly ones.
func eachImpl(t *testing.T, f func(t *testing.T)) {
	prev := vec.UseGeneric(true)
	defer vec.UseGeneric(prev)
	t.Run("generic", f)
	vec.UseGeneric(false)
	if vec.Accelerated() {
		t.Run("asm", f)
	}
}

func TestSoftmaxAxes(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(6, 6))
		for _, shape := range [][]int{{5, 7}, {3, 4, 5}, {2, 3, 1}, {1, 33}, {6}} {
			x := randTensor(r, shape...)
			for i := range x.Data {
				x.Data[i] *= 5
			}
			for axis := range shape {
				for _, log := range []bool{false, true} {
					want := softmaxRef(x, axis, log)
					got := New(shape...)
					inPlace := x.Clone()
					if log {
						LogSoftmax(got, x, axis-len(shape))
						LogSoftmax(inPlace, inPlace, axis)
					} else {
						Softmax(got, x, axis)
						Softmax(inPlace, inPlace, axis)
					}
					for i := range want {
						if !close32(got.Data[i], float32(want[i]), 2e-6) || inPlace.Data[i] != got.Data[i] {
							t.Fatalf("%v axis %d log=%v at %d: %g (in place %g), want %g",
								shape, axis, log, i, got.Data[i], inPlace.Data[i], want[i])
						}
					}
					if !log {
						s := SumAxis(got, axis, false)
						for _, v := range s.Data {
							if math.Abs(float64(v)-1) > 1e-5 {
								t.Fatalf("%v axis %d: a softmax sums to %g", shape, axis, v)
							}
						}
					}
				}
			}
		}
	})
}

// TestSoftmaxEdgeCases covers large logits, masking and fully masked
// slices along the fast last axis and along a strided axis.
func TestSoftmaxEdgeCases(t *testing.T) {
	cases := []struct {
		name    string
		x       []float32
		want    []float32
		wantLog []float32
	}{
		{"large", []float32{1e4, 1e4 - 1, -1e4}, []float32{0.7310586, 0.26894143, 0}, []float32{-0.31326166, -1.3132616, -20000.312}},
		{"huge", []float32{3e38, -3e38}, []float32{1, 0}, []float32{0, ninf}},
		{"masked", []float32{ninf, 2, ninf, 2}, []float32{0, 0.5, 0, 0.5}, []float32{ninf, -0.6931472, ninf, -0.6931472}},
		{"all masked", []float32{ninf, ninf, ninf}, []float32{nan, nan, nan}, []float32{nan, nan, nan}},
		{"nan", []float32{0, nan, 1}, []float32{nan, nan, nan}, []float32{nan, nan, nan}},
	}
	eachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			n := len(c.x)
			row := FromData(append([]float32(nil), c.x...), 1, n)
			// The same values down a column: the strided path.
			col := FromData(append([]float32(nil), c.x...), n, 1)
			for _, tc := range []struct {
				x    *Tensor
				axis int
			}{{row, 1}, {col, 0}, {Stack(1, row, row), 2}, {Stack(2, col, col), 0}} {
				p, lp := New(tc.x.Shape...), New(tc.x.Shape...)
				Softmax(p, tc.x, tc.axis)
				LogSoftmax(lp, tc.x, tc.axis)
				// Position i of the case is element i of a row or column;
				// stacked copies repeat each value.
				rep := len(p.Data) / n
				for k := range p.Data {
					var i int
					if tc.axis == len(tc.x.Shape)-1 && tc.x.Shape[len(tc.x.Shape)-1] == n {
						i = k % n
					} else {
						i = k / rep
					}
					if !close32(p.Data[k], c.want[i], 1e-6) || !close32(lp.Data[k], c.wantLog[i], 1e-6) {
						t.Fatalf("%s %v axis %d at %d: softmax %g log %g, want %g %g",
							c.name, tc.x.Shape, tc.axis, k, p.Data[k], lp.Data[k], c.want[i], c.wantLog[i])
					}
				}
			}
		}
	})
}

// TestSoftmaxBackward checks both backward kernels against central finite
// differences of a float64 softmax: L = Σ dy ⊙ softmax(x).
func TestSoftmaxBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, shape := range [][]int{{3, 6}, {4, 3, 2}} {
		for axis := range shape {
			for _, log := range []bool{false, true} {
				x := randTensor(r, shape...)
				dy := randTensor(r, shape...)
				y := New(shape...)
				dx := randTensor(r, shape...)
				dx0 := dx.Clone()
				if log {
					LogSoftmax(y, x, axis)
					LogSoftmaxBackward(dx, dy, y, axis)
				} else {
					Softmax(y, x, axis)
					SoftmaxBackward(dx, dy, y, axis)
				}
				loss := func(x *Tensor) float64 {
					var l float64
					for i, v := range softmaxRef(x, axis, log) {
						l += float64(dy.Data[i]) * v
					}
					return l
				}
				const h = 1e-2
				for i := range x.Data {
					xp, xm := x.Clone(), x.Clone()
					xp.Data[i] += h
					xm.Data[i] -= h
					num := (loss(xp) - loss(xm)) / (2 * h)
					got := float64(dx.Data[i] - dx0.Data[i])
					if math.Abs(got-num) > 2e-3*(1+math.Abs(num)) {
						t.Fatalf("%v axis %d log=%v: grad[%d] = %g, numeric %g", shape, axis, log, i, got, num)
					}
				}
			}
		}
	}
}

func TestElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	x := randTensor(r, 3, 17)
	y := randTensor(r, 3, 17)
	cases := []struct {
		name string
		run  func(d *Tensor)
		ref  func(v float64) float64
	}{
		{"Exp", func(d *Tensor) { Exp(d, x) }, math.Exp},
		{"Log", func(d *Tensor) { Log(d, x) }, math.Log},
		{"Tanh", func(d *Tensor) { Tanh(d, x) }, math.Tanh},
		{"Sigmoid", func(d *Tensor) { Sigmoid(d, x) }, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"ReLU", func(d *Tensor) { ReLU(d, x) }, func(v float64) float64 { return math.Max(v, 0) }},
		{"Scale", func(d *Tensor) { Scale(d, 2.5, x) }, func(v float64) float64 { return 2.5 * v }},
		{"AddScalar", func(d *Tensor) { AddScalar(d, -1, x) }, func(v float64) float64 { return v - 1 }},
	}
	for _, c := range cases {
		d := New(x.Shape...)
		c.run(d)
		for i, v := range d.Data {
			if !close32(v, float32(c.ref(float64(x.Data[i]))), 1e-6) {
				t.Fatalf("%s(%g) = %g, want %g", c.name, x.Data[i], v, c.ref(float64(x.Data[i])))
			}
		}
	}
	z := y.Clone()
	Axpy(0.5, x, z)
	for i := range z.Data {
		if !close32(z.Data[i], y.Data[i]+0.5*x.Data[i], 1e-6) {
			t.Fatalf("Axpy wrong at %d", i)
		}
	}
	mustPanic(t, "differ", func() { Exp(New(3, 17), New(17, 3)) })
}

// BenchmarkSoftmax measures an attention-sized softmax, [4096, 256], along
// the contiguous last axis and along the strided first axis.
func BenchmarkSoftmax(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	x := randTensor(r, 4096, 256)
	d := New(4096, 256)
	for _, axis := range []int{1, 0} {
		for _, generic := range []bool{false, true} {
			name := "asm"
			if generic {
				name = "generic"
			}
			b.Run(name+"/axis="+string(rune('0'+axis)), func(b *testing.B) {
				defer vec.UseGeneric(vec.UseGeneric(generic))
				b.ReportAllocs()
				b.SetBytes(int64(8 * len(x.Data)))
				for b.Loop() {
					Softmax(d, x, axis)
				}
			})
		}
	}
}

// BenchmarkExp measures Exp on 1M elements.
func BenchmarkExp(b *testing.B) {
	r := rand.New(rand.NewPCG(10, 10))
	x := randTensor(r, 1<<20)
	d := New(1 << 20)
	for _, generic := range []bool{false, true} {
		name := "asm"
		if generic {
			name = "generic"
		}
		b.Run(name, func(b *testing.B) {
			defer vec.UseGeneric(vec.UseGeneric(generic))
			b.ReportAllocs()
			b.SetBytes(int64(8 * len(x.Data)))
			for b.Loop() {
				Exp(d, x)
			}
		})
	}
}
