package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}

// direct is the naive float64 convolution every kernel is checked against:
// it loops over every output, every tap, and the input value under it. It
// returns y = conv(x,w)+b and, for an output gradient dy, the exact dx, dw
// and db.
func direct(p Plan, x, w, b, dy []float32) (y, dx, dw, db []float64) {
	T, H, W := p.In[0], p.In[1], p.In[2]
	OT, OH, OW := p.Out[0], p.Out[1], p.Out[2]
	KT, KH, KW := p.Kernel[0], p.Kernel[1], p.Kernel[2]
	cg, og := p.Cin/p.Groups, p.Cout/p.Groups
	y = make([]float64, p.OutLen())
	dx = make([]float64, p.InLen())
	dw = make([]float64, p.WeightLen())
	db = make([]float64, p.Cout)
	for n := 0; n < p.N; n++ {
		for co := 0; co < p.Cout; co++ {
			g := co / og
			for ot := 0; ot < OT; ot++ {
				for oh := 0; oh < OH; oh++ {
					for ow := 0; ow < OW; ow++ {
						yi := (((n*p.Cout+co)*OT+ot)*OH+oh)*OW + ow
						s := 0.0
						if b != nil {
							s = float64(b[co])
						}
						db[co] += float64(dy[yi])
						for ci := 0; ci < cg; ci++ {
							c := g*cg + ci
							for kt := 0; kt < KT; kt++ {
								it := ot*p.Stride[0] - p.Pad[0] + kt*p.Dil[0]
								for kh := 0; kh < KH; kh++ {
									ih := oh*p.Stride[1] - p.Pad[1] + kh*p.Dil[1]
									for kw := 0; kw < KW; kw++ {
										iw := ow*p.Stride[2] - p.Pad[2] + kw*p.Dil[2]
										if it < 0 || it >= T || ih < 0 || ih >= H || iw < 0 || iw >= W {
											continue
										}
										xi := (((n*p.Cin+c)*T+it)*H+ih)*W + iw
										wi := (((co*cg+ci)*KT+kt)*KH+kh)*KW + kw
										s += float64(w[wi]) * float64(x[xi])
										dx[xi] += float64(w[wi]) * float64(dy[yi])
										dw[wi] += float64(x[xi]) * float64(dy[yi])
									}
								}
							}
						}
						y[yi] = s
					}
				}
			}
		}
	}
	return y, dx, dw, db
}

func compare(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// checkPlan runs every kernel of p on random data and compares with direct.
// The tolerance is float32 accumulation error: sums of at most a few hundred
// products of values in [-1,1] are good to ~1e-5 relative.
func checkPlan(t *testing.T, p Plan, rng *rand.Rand, withBias bool) {
	t.Helper()
	x := randSlice(rng, p.InLen())
	w := randSlice(rng, p.WeightLen())
	dy := randSlice(rng, p.OutLen())
	var b []float32
	if withBias {
		b = randSlice(rng, p.Cout)
	}
	wantY, wantDx, wantDw, wantDb := direct(p, x, w, b, dy)
	ws := make([]float32, p.WorkspaceLen())
	// Garbage in every output buffer that must be overwritten, and a known
	// offset in every one that must be accumulated into.
	y := randSlice(rng, p.OutLen())
	for i := range y {
		y[i] = float32(math.NaN())
	}
	p.Forward(y, x, w, b, ws)
	compare(t, "y", y, wantY, 1e-4)

	dx := make([]float32, p.InLen())
	dw := make([]float32, p.WeightLen())
	db := make([]float32, p.Cout)
	for i := range dx {
		dx[i] = 1
	}
	for i := range dw {
		dw[i] = 1
	}
	for i := range db {
		db[i] = 1
	}
	for i := range ws {
		ws[i] = float32(math.NaN()) // the kernels must not read stale workspace
	}
	p.BackwardInput(dx, dy, w, ws)
	p.BackwardWeight(dw, db, dy, x, ws)
	for i := range wantDx {
		wantDx[i]++
	}
	for i := range wantDw {
		wantDw[i]++
	}
	for i := range wantDb {
		wantDb[i]++
	}
	compare(t, "dx", dx, wantDx, 1e-4)
	compare(t, "dw", dw, wantDw, 1e-4)
	if withBias {
		compare(t, "db", db, wantDb, 1e-4)
	}
}

func TestConv2DAgainstDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cases := []struct {
		x, w []int
		p    Params
		bias bool
	}{
		{[]int{1, 1, 5, 5}, []int{1, 1, 3, 3}, Params{}, false},
		{[]int{2, 3, 7, 6}, []int{4, 3, 3, 3}, Params{PadH: 1, PadW: 1}, true},
		{[]int{2, 3, 9, 8}, []int{5, 3, 3, 3}, Params{StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, true},
		{[]int{1, 2, 11, 9}, []int{3, 2, 3, 3}, Params{DilH: 2, DilW: 2, PadH: 2, PadW: 1}, true},
		{[]int{3, 4, 5, 7}, []int{6, 4, 1, 1}, Params{}, true},                        // pointwise fast path
		{[]int{2, 4, 6, 6}, []int{6, 4, 1, 1}, Params{StrideH: 2, StrideW: 2}, false}, // 1x1 but strided: im2col
		{[]int{2, 4, 7, 5}, []int{6, 2, 3, 2}, Params{PadH: 1, Groups: 2}, true},
		{[]int{1, 4, 5, 5}, []int{4, 1, 3, 3}, Params{PadH: 1, PadW: 1, Groups: 4}, true}, // depthwise
		{[]int{2, 6, 5, 5}, []int{4, 3, 1, 1}, Params{Groups: 2}, true},                   // grouped pointwise
		{[]int{1, 2, 4, 13}, []int{2, 2, 2, 5}, Params{StrideH: 1, StrideW: 3, PadW: 3, DilW: 2}, true},
		{[]int{2, 1, 3, 3}, []int{2, 1, 5, 5}, Params{PadH: 2, PadW: 2}, true}, // kernel larger than input: taps outside every row
		{[]int{1, 3, 8, 8}, []int{2, 3, 7, 7}, Params{StrideH: 2, StrideW: 2, PadH: 3, PadW: 3}, true},
		// Chunking (targetCols 256): 12×12 outputs put two images in a
		// GEMM, so five images make chunks of 2, 2 and 1; 4×4 outputs put
		// up to 16 images in one, so 20 make chunks of 16 and 4.
		{[]int{5, 2, 12, 12}, []int{3, 2, 3, 3}, Params{PadH: 1, PadW: 1}, true},
		{[]int{20, 3, 4, 4}, []int{4, 3, 3, 3}, Params{PadH: 1, PadW: 1}, true},
		{[]int{7, 5, 4, 4}, []int{6, 5, 3, 3}, Params{PadH: 1, PadW: 1}, false},
		{[]int{3, 3, 4, 4}, []int{4, 3, 3, 3}, Params{PadH: 1, PadW: 1, Groups: 1}, true},
		{[]int{3, 3, 32, 33}, []int{2, 3, 1, 1}, Params{}, true},                          // pointwise, one image per GEMM
		{[]int{2, 4, 6, 5}, []int{4, 2, 3, 5}, Params{PadH: 1, PadW: 2, Groups: 2}, true}, // grouped, shifted rows
		{[]int{3, 2, 5, 6}, []int{3, 2, 1, 3}, Params{PadW: 1}, true},                     // 1×3: shifted rows, no height padding
		{[]int{2, 2, 4, 1}, []int{2, 2, 3, 3}, Params{PadH: 1, PadW: 1}, true},            // one-column images
		{[]int{2, 2, 4, 5}, []int{3, 2, 1, 3}, Params{PadH: 1, PadW: 1}, true},            // height padding: a taller output, shifted rows
		{[]int{3, 4, 6, 6}, []int{6, 2, 5, 5}, Params{PadH: 2, PadW: 2, Groups: 2}, true}, // grouped 5×5, shifted rows
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p, err := NewPlan2D(c.x, c.w, c.p)
			if err != nil {
				t.Fatal(err)
			}
			if p.Out[1] != OutputSize(c.x[2], c.w[2], c.p.StrideH, c.p.PadH, c.p.DilH) {
				t.Fatalf("plan output %v disagrees with OutputSize", p.Out)
			}
			checkPlan(t, p, rng, c.bias)
		})
	}
}

func TestConv3DAgainstDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	cases := []struct {
		x, w []int
		p    Params3D
	}{
		{[]int{2, 2, 4, 5, 5}, []int{3, 2, 3, 3, 3}, Params3D{PadT: 1, PadH: 1, PadW: 1}},
		{[]int{1, 3, 5, 6, 7}, []int{2, 3, 3, 1, 1}, Params3D{PadT: 1}}, // temporal-only kernel as in I3D
		{[]int{1, 2, 6, 7, 7}, []int{4, 2, 1, 3, 3}, Params3D{StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
		{[]int{2, 4, 3, 4, 4}, []int{4, 4, 1, 1, 1}, Params3D{}}, // pointwise
		{[]int{1, 2, 7, 5, 5}, []int{2, 1, 2, 2, 2}, Params3D{StrideT: 2, DilT: 2, DilH: 2, PadW: 1, Groups: 2}},
		{[]int{3, 2, 3, 4, 4}, []int{3, 2, 1, 3, 3}, Params3D{PadH: 1, PadW: 1}}, // shifted rows over 3 frames, chunked
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p, err := NewPlan3D(c.x, c.w, c.p)
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, p, rng, true)
		})
	}
}

func TestPlanErrors(t *testing.T) {
	cases := []struct {
		x, w []int
		p    Params
	}{
		{[]int{1, 3, 5}, []int{1, 3, 3, 3}, Params{}},              // wrong rank
		{[]int{1, 3, 5, 5}, []int{2, 2, 3, 3}, Params{}},           // channel mismatch
		{[]int{1, 3, 2, 2}, []int{2, 3, 3, 3}, Params{}},           // kernel too large
		{[]int{1, 4, 5, 5}, []int{3, 2, 3, 3}, Params{Groups: 2}},  // Cout not a multiple of groups
		{[]int{1, 3, 5, 5}, []int{2, 3, 3, 3}, Params{PadH: -1}},   // negative padding
		{[]int{1, 3, 5, 5}, []int{2, 3, 3, 3}, Params{Groups: -3}}, // treated as 1: valid
	}
	for i, c := range cases {
		_, err := NewPlan2D(c.x, c.w, c.p)
		if (err == nil) != (i == len(cases)-1) {
			t.Errorf("case %d: err = %v", i, err)
		}
	}
}

func TestOutputSize(t *testing.T) {
	cases := []struct{ in, k, s, p, d, want int }{
		{32, 3, 1, 1, 1, 32},
		{32, 3, 2, 1, 1, 16},
		{7, 3, 2, 0, 1, 3},
		{7, 3, 1, 2, 2, 7},
		{224, 7, 2, 3, 1, 112},
		{2, 3, 1, 0, 1, 0},
	}
	for _, c := range cases {
		if got := OutputSize(c.in, c.k, c.s, c.p, c.d); got != c.want {
			t.Errorf("OutputSize(%d,%d,%d,%d,%d) = %d, want %d", c.in, c.k, c.s, c.p, c.d, got, c.want)
		}
	}
}

func TestForwardDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	p, err := NewPlan2D([]int{2, 3, 8, 8}, []int{4, 3, 3, 3}, Params{PadH: 1, PadW: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, w, b := randSlice(rng, p.InLen()), randSlice(rng, p.WeightLen()), randSlice(rng, p.Cout)
	y, ws := make([]float32, p.OutLen()), make([]float32, p.WorkspaceLen())
	dx, dw, db := make([]float32, p.InLen()), make([]float32, p.WeightLen()), make([]float32, p.Cout)
	if a := testing.AllocsPerRun(10, func() {
		p.Forward(y, x, w, b, ws)
		p.BackwardInput(dx, y, w, ws)
		p.BackwardWeight(dw, db, y, x, ws)
	}); a != 0 {
		t.Fatalf("conv with a workspace allocates %v times", a)
	}
}

// benchConv times one forward plus both backward kernels of a 3x3, pad-1
// convolution at the Learn-to-Pay-Attention VGG sizes (N=32).
func benchConv(b *testing.B, n, c, hw int) {
	rng := rand.New(rand.NewPCG(5, 5))
	p, err := NewPlan2D([]int{n, c, hw, hw}, []int{c, c, 3, 3}, Params{PadH: 1, PadW: 1})
	if err != nil {
		b.Fatal(err)
	}
	x, w, bias := randSlice(rng, p.InLen()), randSlice(rng, p.WeightLen()), randSlice(rng, p.Cout)
	y, ws := make([]float32, p.OutLen()), make([]float32, p.WorkspaceLen())
	dx, dw, db := make([]float32, p.InLen()), make([]float32, p.WeightLen()), make([]float32, p.Cout)
	flops := 3 * 2 * float64(p.OutLen()) * float64(c*9) // fwd + 2 backward GEMMs
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.Forward(y, x, w, bias, ws)
		p.BackwardInput(dx, y, w, ws)
		p.BackwardWeight(dw, db, y, x, ws)
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConv2DFwdBwd(b *testing.B) {
	for _, s := range []struct{ n, c, hw int }{{32, 64, 32}, {32, 128, 16}, {32, 256, 8}} {
		b.Run(fmt.Sprintf("N%d_C%d_%dx%d", s.n, s.c, s.hw, s.hw), func(b *testing.B) { benchConv(b, s.n, s.c, s.hw) })
	}
}

// TestThreads runs plans whose images make several chunks with 2, 3 and
// 4 workers: every result matches the direct convolution, Forward and
// BackwardInput give the bits of one worker, and BackwardWeight the same
// bits on every call with the same count.
func TestThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	plans := []struct {
		x, w []int
		p    Params
	}{
		{[]int{9, 3, 8, 8}, []int{4, 3, 3, 3}, Params{PadH: 1, PadW: 1}},              // 4 images a chunk: 3 chunks
		{[]int{5, 2, 12, 12}, []int{3, 2, 3, 3}, Params{PadH: 1, PadW: 1}},            // 2 images a chunk
		{[]int{7, 4, 16, 16}, []int{6, 4, 3, 3}, Params{StrideH: 2, StrideW: 2}},      // one image a chunk, strided
		{[]int{6, 4, 9, 9}, []int{6, 4, 1, 1}, Params{}},                              // pointwise
		{[]int{6, 4, 20, 20}, []int{6, 2, 3, 3}, Params{PadH: 1, PadW: 1, Groups: 2}}, // grouped, one image a chunk
	}
	for i, c := range plans {
		for _, threads := range []int{2, 3, 4} {
			t.Run(fmt.Sprintf("%d/threads=%d", i, threads), func(t *testing.T) {
				p, err := NewPlan2D(c.x, c.w, c.p)
				if err != nil {
					t.Fatal(err)
				}
				p.Threads = threads
				checkPlan(t, p, rng, true)

				one := p
				one.Threads = 1
				x, w, dy := randSlice(rng, p.InLen()), randSlice(rng, p.WeightLen()), randSlice(rng, p.OutLen())
				run := func(p Plan) (y, dx, dw []float32) {
					y, dx, dw = make([]float32, p.OutLen()), make([]float32, p.InLen()), make([]float32, p.WeightLen())
					ws := make([]float32, p.WorkspaceLen())
					p.Forward(y, x, w, nil, ws)
					p.BackwardInput(dx, dy, w, ws)
					p.BackwardWeight(dw, nil, dy, x, ws)
					return y, dx, dw
				}
				y1, dx1, _ := run(one)
				y, dx, dw := run(p)
				_, _, dwAgain := run(p)
				if !slices.Equal(y, y1) || !slices.Equal(dx, dx1) {
					t.Errorf("forward or input gradient differs from one worker's")
				}
				if !slices.Equal(dw, dwAgain) {
					t.Errorf("weight gradient differs between two calls")
				}
			})
		}
	}
}
