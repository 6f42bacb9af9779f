package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var (
	nan  = float32(math.NaN())
	pinf = float32(math.Inf(1))
	ninf = float32(math.Inf(-1))
)

// testLengths covers every tail length around the 8- and 32-float steps of
// the assembly loops, plus a few long slices.
func testLengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	return append(ns, 255, 256, 513, 1000, 4099)
}

// ulpDiff is the distance between a and b in units in the last place; NaN
// matches only NaN, and +0 matches −0.
func ulpDiff(a, b float32) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	ord := func(f float32) int64 {
		u := math.Float32bits(f)
		if u&0x80000000 != 0 {
			return -int64(u & 0x7fffffff)
		}
		return int64(u)
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// randSlice returns n values in [-scale, scale] placed at offset off of a
// larger buffer, so that the kernels also see unaligned addresses, and
// with specials sprinkled in when specials is set.
func randSlice(r *rand.Rand, n, off int, scale float32, specials bool) []float32 {
	buf := make([]float32, n+off)
	x := buf[off:]
	for i := range x {
		x[i] = (2*r.Float32() - 1) * scale
		if specials && r.IntN(11) == 0 {
			x[i] = []float32{nan, pinf, ninf, 0, float32(math.Copysign(0, -1)), 1e-40, -1e-40}[r.IntN(7)]
		}
	}
	return x
}

// withImpl runs f once with the generic kernels and, where this machine
// has them, once with the assembly ones.
func withImpl(t *testing.T, f func(t *testing.T, impl string)) {
	prev := UseGeneric(true)
	defer UseGeneric(prev)
	t.Run("generic", func(t *testing.T) { f(t, "generic") })
	if !hasAsm {
		return
	}
	UseGeneric(false)
	t.Run("avx2", func(t *testing.T) { f(t, "avx2") })
}

// kernelCase is one kernel run through its exported API; in holds the
// inputs, dst arrives pre-filled (accumulating kernels read it).
type kernelCase struct {
	name  string
	nin   int
	scale float32 // input range
	ulps  int64   // allowed asm/generic difference
	abs   float64 // or this absolute difference (cancellation in Axpy)
	run   func(dst []float32, in [][]float32)
}

var kernelCases = []kernelCase{
	{"Add", 2, 100, 0, 0, func(d []float32, in [][]float32) { Add(d, in[0], in[1]) }},
	{"Sub", 2, 100, 0, 0, func(d []float32, in [][]float32) { Sub(d, in[0], in[1]) }},
	{"Mul", 2, 100, 0, 0, func(d []float32, in [][]float32) { Mul(d, in[0], in[1]) }},
	{"Div", 2, 100, 0, 0, func(d []float32, in [][]float32) { Div(d, in[0], in[1]) }},
	{"AddScalar", 1, 100, 0, 0, func(d []float32, in [][]float32) { AddScalar(d, 0.37, in[0]) }},
	{"Scale", 1, 100, 0, 0, func(d []float32, in [][]float32) { Scale(d, -1.7, in[0]) }},
	{"Axpy", 1, 100, 1, 1e-5, func(d []float32, in [][]float32) { Axpy(0.3, in[0], d) }},
	{"AxpyTo", 2, 100, 1, 1e-5, func(d []float32, in [][]float32) { AxpyTo(d, 0.3, in[0], in[1]) }},
	{"ReLU", 1, 100, 0, 0, func(d []float32, in [][]float32) { ReLU(d, in[0]) }},
	{"ReLUBackward", 2, 100, 0, 0, func(d []float32, in [][]float32) { ReLUBackward(d, in[0], in[1]) }},
	{"Exp", 1, 100, 3, 0, func(d []float32, in [][]float32) { Exp(d, in[0]) }},
	{"ExpSum", 1, 30, 3, 0, func(d []float32, in [][]float32) { ExpSum(d, in[0], 1.5) }},
	{"Sigmoid", 1, 100, 4, 0, func(d []float32, in [][]float32) { Sigmoid(d, in[0]) }},
	{"Tanh", 1, 10, 4, 0, func(d []float32, in [][]float32) { Tanh(d, in[0]) }},
	{"Tanh/small", 1, 0.3, 4, 0, func(d []float32, in [][]float32) { Tanh(d, in[0]) }},
}

// TestAsmMatchesGeneric runs every assembly kernel and its Go twin on the
// same inputs: all tail lengths, unaligned starts, NaN/Inf/±0/subnormals.
func TestAsmMatchesGeneric(t *testing.T) {
	if !hasAsm {
		t.Skip("no assembly kernels in this build or on this CPU")
	}
	defer UseGeneric(UseGeneric(false))
	r := rand.New(rand.NewPCG(1, 2))
	for _, kc := range kernelCases {
		t.Run(kc.name, func(t *testing.T) {
			for _, n := range testLengths() {
				for off := 0; off < 3; off++ {
					specials := off == 2
					in := make([][]float32, kc.nin)
					for i := range in {
						in[i] = randSlice(r, n, off, kc.scale, specials)
					}
					init := randSlice(r, n, off, 10, false)
					got := append([]float32(nil), init...)
					want := append([]float32(nil), init...)
					UseGeneric(false)
					kc.run(got, in)
					UseGeneric(true)
					kc.run(want, in)
					for i := range got {
						d := ulpDiff(got[i], want[i])
						if d > kc.ulps && !(math.Abs(float64(got[i]-want[i])) <= kc.abs) {
							t.Fatalf("n=%d off=%d i=%d in=%v: asm %g, generic %g (%d ulp)",
								n, off, i, column(in, i), got[i], want[i], d)
						}
					}
				}
			}
		})
	}
}

func column(in [][]float32, i int) []float32 {
	var c []float32
	for _, s := range in {
		c = append(c, s[i])
	}
	return c
}

// TestInPlace checks dst aliasing an input, which the tensor package relies
// on (x = relu(x), x = x + b).
func TestInPlace(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		x := []float32{-2, -1, 0, 1, 2, 3, 4, 5, 6, -7, 8}
		y := append([]float32(nil), x...)
		Add(x, x, x)
		ReLU(x, x)
		for i := range x {
			if want := max(2*y[i], 0); x[i] != want {
				t.Fatalf("i=%d: %g, want %g", i, x[i], want)
			}
		}
	})
}

// TestReductions checks Sum, Dot, Max and Argmax against float64 or
// plain-loop references on both implementations.
func TestReductions(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range testLengths() {
			for off := 0; off < 2; off++ {
				x := randSlice(r, n, off, 10, false)
				y := randSlice(r, n, off, 10, false)
				var s, d, sa, da float64
				for i := range x {
					s += float64(x[i])
					d += float64(x[i]) * float64(y[i])
					sa += math.Abs(float64(x[i]))
					da += math.Abs(float64(x[i]) * float64(y[i]))
				}
				if got := Sum(x); math.Abs(float64(got)-s) > 1e-6*sa+1e-30 {
					t.Fatalf("Sum n=%d: %g, want %g", n, got, s)
				}
				if got := Dot(x, y); math.Abs(float64(got)-d) > 1e-6*da+1e-30 {
					t.Fatalf("Dot n=%d: %g, want %g", n, got, d)
				}
				if got, want := Max(x), maxGeneric(x); got != want {
					t.Fatalf("Max n=%d: %g, want %g", n, got, want)
				}
				if n > 0 {
					bi := 0
					for i, v := range x {
						if v > x[bi] {
							bi = i
						}
					}
					if got := Argmax(x); got != bi {
						t.Fatalf("Argmax n=%d: %d, want %d", n, got, bi)
					}
				}
				// A NaN anywhere, including the scalar tail, wins.
				for _, at := range []int{0, n / 2, n - 1} {
					if n == 0 {
						break
					}
					z := append([]float32(nil), x...)
					z[at] = nan
					if m := Max(z); m == m {
						t.Fatalf("Max n=%d NaN at %d: %g", n, at, m)
					}
					if a := Argmax(z); z[a] == z[a] {
						t.Fatalf("Argmax n=%d NaN at %d: %d", n, at, a)
					}
				}
			}
		}
		cases := []struct {
			x    []float32
			max  float32
			argm int
		}{
			{nil, ninf, -1},
			{[]float32{ninf, ninf}, ninf, 0},
			{[]float32{1, pinf, 2, pinf}, pinf, 1},
			{[]float32{-3, -1, -2, -1, -9, -9, -9, -9, -9}, -1, 1},
		}
		for _, c := range cases {
			if got := Max(c.x); got != c.max {
				t.Errorf("Max(%v) = %g, want %g", c.x, got, c.max)
			}
			if got := Argmax(c.x); got != c.argm {
				t.Errorf("Argmax(%v) = %d, want %d", c.x, got, c.argm)
			}
		}
	})
}

// TestSumLong checks that the blocked float64 accumulation keeps a long
// sum of ones exact, where a single float32 running sum stalls at 2^24.
func TestSumLong(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		x := make([]float32, 1<<25)
		for i := range x {
			x[i] = 1
		}
		if got := Sum(x); got != 1<<25 {
			t.Fatalf("Sum of 2^25 ones = %g", got)
		}
		if got := Dot(x[:1<<20], x[:1<<20]); got != 1<<20 {
			t.Fatalf("Dot of 2^20 ones = %g", got)
		}
	})
}

// TestExpAccuracy sweeps the normal-result range against float64 math.Exp.
func TestExpAccuracy(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		const n = 1 << 18
		x := make([]float32, n)
		lo, hi := float32(-87.3), float32(88.7)
		for i := range x {
			x[i] = lo + (hi-lo)*float32(i)/(n-1)
		}
		// Also every float in a neighbourhood of 0 and of ±ln2/2, where
		// the range reduction switches n.
		for _, c := range []float32{0, 0.34657359, -0.34657359, 1} {
			v := c
			for i := 0; i < 2000; i++ {
				x = append(x, v)
				v = math.Nextafter32(v, pinf)
			}
		}
		got := make([]float32, len(x))
		Exp(got, x)
		var worst int64
		for i, v := range x {
			want := float32(math.Exp(float64(v)))
			if d := ulpDiff(got[i], want); d > worst {
				worst = d
				if d > 2 {
					t.Fatalf("Exp(%g) = %g, want %g (%d ulp)", v, got[i], want, d)
				}
			}
		}
		t.Logf("worst error %d ulp", worst)
	})
}

// TestExpSpecial pins down overflow, underflow and non-finite inputs.
func TestExpSpecial(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		cases := []struct {
			x    float32
			want float32
		}{
			{0, 1},
			{pinf, pinf},
			{ninf, 0},
			{nan, nan},
			{88.8, pinf},
			{89, pinf},
			{1000, pinf},
			{-104, 0},
			{-1000, 0},
			{-100, exp64(-100)}, // subnormal
			{-88, exp64(-88)},   // just below the normal range
			{88.72, exp64(88.72)},
		}
		for _, c := range cases {
			// Put the value in every lane position of a 9-vector so both
			// the full-vector and the masked tail paths see it.
			x := make([]float32, 9)
			for i := range x {
				x[i] = c.x
			}
			got := make([]float32, 9)
			Exp(got, x)
			for i := range got {
				if d := ulpDiff(got[i], c.want); d > 2 {
					t.Errorf("Exp(%g)[%d] = %g, want %g", c.x, i, got[i], c.want)
				}
			}
		}
	})
}

// exp64 is the float64 reference of Exp for the float32 input x.
func exp64(x float32) float32 { return float32(math.Exp(float64(x))) }

// TestSigmoidTanhAccuracy compares with float64 references: absolute error
// under 1e-6 everywhere and small relative error.
func TestSigmoidTanhAccuracy(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		const n = 1 << 16
		x := make([]float32, 0, n+6)
		for i := 0; i < n; i++ {
			x = append(x, -40+80*float32(i)/(n-1))
		}
		x = append(x, 1e-30, -1e-30, 1e-7, 0.2499, 0.25, 0.2501)
		sg := make([]float32, len(x))
		th := make([]float32, len(x))
		Sigmoid(sg, x)
		Tanh(th, x)
		for i, v := range x {
			ws := 1 / (1 + math.Exp(-float64(v)))
			wt := math.Tanh(float64(v))
			if e := math.Abs(float64(sg[i]) - ws); e > 1e-6 || e > 3e-7*ws {
				t.Fatalf("Sigmoid(%g) = %g, want %g", v, sg[i], ws)
			}
			if e := math.Abs(float64(th[i]) - wt); e > 1e-6 || e > 3e-7*math.Abs(wt) {
				t.Fatalf("Tanh(%g) = %g, want %g", v, th[i], wt)
			}
		}
		sp := []float32{pinf, ninf, nan, 1000, -1000, 0}
		wantS := []float32{1, 0, nan, 1, 0, 0.5}
		wantT := []float32{1, -1, nan, 1, -1, 0}
		gs, gt := make([]float32, len(sp)), make([]float32, len(sp))
		Sigmoid(gs, sp)
		Tanh(gt, sp)
		for i := range sp {
			if ulpDiff(gs[i], wantS[i]) != 0 || ulpDiff(gt[i], wantT[i]) != 0 {
				t.Errorf("x=%g: sigmoid %g (want %g), tanh %g (want %g)", sp[i], gs[i], wantS[i], gt[i], wantT[i])
			}
		}
	})
}

func TestLog(t *testing.T) {
	x := []float32{1, 2, 0.5, 1e-30, 1e30, 0, -1, pinf, nan}
	want := []float32{0, float32(math.Ln2), -float32(math.Ln2), float32(math.Log(1e-30)), float32(math.Log(1e30)), ninf, nan, pinf, nan}
	got := make([]float32, len(x))
	Log(got, x)
	for i := range x {
		if ulpDiff(got[i], want[i]) > 1 {
			t.Errorf("Log(%g) = %g, want %g", x[i], got[i], want[i])
		}
	}
}

// TestSoftmaxRow covers stability, masking and the all-masked case.
func TestSoftmaxRow(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		cases := []struct {
			name string
			x    []float32
			want []float32 // nil: only check it sums to 1
		}{
			{"uniform", []float32{3, 3, 3, 3}, []float32{0.25, 0.25, 0.25, 0.25}},
			{"large", []float32{1e4, 1e4 - 1, -1e4}, []float32{0.7310586, 0.26894143, 0}},
			{"masked", []float32{ninf, 0, ninf, 0}, []float32{0, 0.5, 0, 0.5}},
			{"all masked", []float32{ninf, ninf, ninf}, []float32{nan, nan, nan}},
			{"nan", []float32{1, nan, 2}, []float32{nan, nan, nan}},
			{"long", func() []float32 {
				x := make([]float32, 1031)
				for i := range x {
					x[i] = float32(i%17) - 8
				}
				return x
			}(), nil},
		}
		for _, c := range cases {
			got := make([]float32, len(c.x))
			Softmax(got, c.x)
			lsm := make([]float32, len(c.x))
			LogSoftmax(lsm, c.x, make([]float32, len(c.x)))
			var s float64
			for i, p := range got {
				s += float64(p)
				if c.want != nil {
					if c.want[i] != c.want[i] {
						if p == p {
							t.Errorf("%s: p[%d] = %g, want NaN", c.name, i, p)
						}
						continue
					}
					if math.Abs(float64(p-c.want[i])) > 1e-6 {
						t.Errorf("%s: p[%d] = %g, want %g", c.name, i, p, c.want[i])
					}
				}
				if lp := float64(lsm[i]); p == p && math.Abs(math.Exp(lp)-float64(p)) > 1e-6 {
					t.Errorf("%s: exp(logsoftmax[%d]) = %g, softmax %g", c.name, i, math.Exp(lp), p)
				}
			}
			if s == s && math.Abs(s-1) > 1e-5 {
				t.Errorf("%s: sums to %g", c.name, s)
			}
		}
	})
}

// TestLengthMismatchPanics checks that a programmer error is loud.
func TestLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Add":  func() { Add(make([]float32, 3), make([]float32, 3), make([]float32, 2)) },
		"Axpy": func() { Axpy(1, make([]float32, 3), make([]float32, 4)) },
		"Dot":  func() { Dot(make([]float32, 3), make([]float32, 4)) },
		"Exp":  func() { Exp(make([]float32, 3), make([]float32, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on length mismatch", name)
				}
			}()
			f()
		}()
	}
}

func TestUseGeneric(t *testing.T) {
	if defaultAsm("generic") || defaultAsm("") != hasAsm {
		t.Fatal("ATTNKIT_VEC=generic does not select the Go kernels at start-up")
	}
	prev := UseGeneric(true)
	defer UseGeneric(prev)
	if Accelerated() || Implementation() != "generic" {
		t.Fatal("UseGeneric(true) did not select the Go kernels")
	}
	UseGeneric(false)
	if Accelerated() != hasAsm {
		t.Fatalf("UseGeneric(false): accelerated=%v, hasAsm=%v", Accelerated(), hasAsm)
	}
}

func ExampleSoftmax() {
	scores := []float32{1, 2, float32(math.Inf(-1)), 3}
	p := make([]float32, len(scores))
	Softmax(p, scores)
	fmt.Printf("%.4f\n", p)
	// Output: [0.0900 0.2447 0.0000 0.6652]
}

// TestExpSumTotal checks the returned total of ExpSum against the values
// it stored, across tail lengths and blocks.
func TestExpSumTotal(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range testLengths() {
			x := randSlice(r, n, 1, 5, false)
			dst := make([]float32, n)
			got := ExpSum(dst, x, 2)
			var want float64
			for _, v := range dst {
				want += float64(v)
			}
			if math.Abs(float64(got)-want) > 1e-6*want {
				t.Fatalf("n=%d: ExpSum returned %g, stored values sum to %g", n, got, want)
			}
		}
	})
}
