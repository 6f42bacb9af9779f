package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSmallAgainstReference checks the small-product path (m ≤ 16 or n = 1)
// against the naive reference for every kernel: every m from 1 to 17 with
// small odd and even n and k, all transposes, the alpha/beta special cases
// and leading dimensions larger than needed; then layer-sized n and k
// (256, 1024 and odd neighbours) on 1 to 3 threads.
func TestSmallAgainstReference(t *testing.T) {
	small := []int{1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33}
	alphaBeta := [][2]float32{{1, 0}, {1, 1}, {-1.5, 0.75}, {0.5, 0}, {2, -1}}
	combos := [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}
	for _, kn := range kernelsUnderTest() {
		t.Run(kn.name+"/small", func(t *testing.T) {
			r := rand.New(rand.NewPCG(21, 1))
			i := 0
			for m := 1; m <= 17; m++ {
				for _, n := range small {
					for _, k := range small {
						for _, tr := range combos {
							i++
							if raceEnabled && i%7 != 0 {
								continue // the race detector slows the reference tenfold
							}
							ab := alphaBeta[i%len(alphaBeta)]
							tc := gemmCase{tr[0], tr[1], m, n, k, ab[0], ab[1], (i % 3) * 2}
							withKernel(t, kn, 1, func() { checkCase(t, r, tc) })
						}
					}
				}
			}
		})
		for _, threads := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/large/threads%d", kn.name, threads), func(t *testing.T) {
				r := rand.New(rand.NewPCG(22, uint64(threads)))
				ms := []int{1, 2, 3, 4, 7, 8, 13, 16, 17}
				nk := [][2]int{{256, 256}, {1024, 256}, {256, 1024}, {1, 1024}, {1024, 1}, {257, 1023}}
				if raceEnabled {
					ms, nk = []int{1, 4, 13}, [][2]int{{256, 256}, {1, 1024}, {257, 300}}
				}
				i := 0
				for _, m := range ms {
					for _, sh := range nk {
						for _, tr := range combos {
							i++
							ab := alphaBeta[i%len(alphaBeta)]
							tc := gemmCase{tr[0], tr[1], m, sh[0], sh[1], ab[0], ab[1], (i % 2) * 5}
							withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
						}
					}
				}
				// n = 1 with many rows: the transposed matrix-vector product.
				for _, tr := range combos {
					for _, mk := range [][2]int{{1000, 257}, {300, 1024}} {
						i++
						ab := alphaBeta[i%len(alphaBeta)]
						tc := gemmCase{tr[0], tr[1], mk[0], 1, mk[1], ab[0], ab[1], (i % 2) * 3}
						withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
					}
				}
			})
		}
	}
}

// TestSmallRowsForm sends the products of 2 to 4 rows, which take the axpy
// form by default, through the rows kernels.
func TestSmallRowsForm(t *testing.T) {
	defer func(old int) { axpyMaxM = old }(axpyMaxM)
	axpyMaxM = 1
	r := rand.New(rand.NewPCG(25, 1))
	for _, kn := range kernelsUnderTest() {
		for _, threads := range []int{1, 2} {
			for m := 2; m <= maxAxpy; m++ {
				for _, ta := range []bool{false, true} {
					for _, nk := range [][2]int{{1, 67}, {61, 47}, {200, 3}, {1030, 300}} {
						tc := gemmCase{ta, false, m, nk[0], nk[1], -0.5, 1.25, 3}
						withKernel(t, kn, threads, func() { checkCase(t, r, tc) })
					}
				}
			}
		}
	}
}

// TestSmallBlockedPath sends small products through the blocked path, which
// they no longer take by default but batches and tall products still
// share: its edge kernels for the last row panel and the scratch tile.
func TestSmallBlockedPath(t *testing.T) {
	defer func(old int) { smallMaxM = old }(smallMaxM)
	smallMaxM = 0
	r := rand.New(rand.NewPCG(23, 1))
	for _, kn := range kernelsUnderTest() {
		for _, m := range []int{1, 2, 5, 13, 16} {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for _, nk := range [][2]int{{1, 67}, {61, 47}, {200, 1}} {
					tc := gemmCase{tr[0], tr[1], m, nk[0], nk[1], -0.5, 1.25, 3}
					withKernel(t, kn, 1, func() { checkCase(t, r, tc) })
				}
			}
		}
	}
}

// TestSmallDeterministic checks that the thread count does not change a bit
// of a small product, for each of the three forms and n = 1.
func TestSmallDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(24, 1))
	for _, tc := range []gemmCase{
		{false, false, 1, 1030, 700, 1.5, 0.5, 0},
		{false, false, 13, 1030, 513, 1, 1, 3},
		{true, false, 4, 777, 600, 1, 0, 1},
		{false, true, 5, 1000, 301, -1, 0.25, 0},
		{true, true, 16, 333, 400, 1, 0, 2},
		{false, false, 3000, 1, 300, 1, 0.5, 0},
		{true, false, 3000, 1, 300, 1, 0, 0},
	} {
		lda, ldb, ldc := tc.k+tc.pad, tc.n+tc.pad, tc.n+tc.pad
		if tc.transA {
			lda = tc.m + tc.pad
		}
		if tc.transB {
			ldb = tc.k + tc.pad
		}
		a := randSlice(r, tc.m*lda+tc.k*lda)
		b := randSlice(r, tc.n*ldb+tc.k*ldb)
		c0 := randSlice(r, tc.m*ldc)
		for _, kn := range kernelsUnderTest() {
			var ref []float32
			for _, threads := range []int{1, 2, 3, 4} {
				c := slices.Clone(c0)
				withKernel(t, kn, threads, func() {
					Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
				})
				if ref == nil {
					ref = c
				} else if !slices.Equal(ref, c) {
					t.Fatalf("%s %v: threads=%d changes the result", kn.name, tc, threads)
				}
			}
		}
	}
}

// TestSmallTables checks the invariants rowsColumns and dotColumns rely on:
// one wide tile width for every size a row group of a taller product can
// have, and dot blocks that are whole numbers of every dot tile.
func TestSmallTables(t *testing.T) {
	for _, kn := range kernelsUnderTest() {
		sk := kn.small
		if sk == nil {
			t.Fatalf("%s: no small-product kernels", kn.name)
		}
		if sk.rowsMax < maxAxpy+1 || sk.rowsMax > maxRows || sk.rowsGroup < 3 || sk.rowsGroup > sk.rowsMax {
			t.Fatalf("%s: rowsMax %d, rowsGroup %d: want %d ≤ rowsMax ≤ %d and 3 ≤ rowsGroup ≤ rowsMax", kn.name, sk.rowsMax, sk.rowsGroup, maxAxpy+1, maxRows)
		}
		for r := 2; r <= sk.rowsMax; r++ {
			if sk.rows[r] == nil || sk.rowsNarrow[r] == nil || sk.rowsW[r]%sk.lanes != 0 {
				t.Fatalf("%s: rows kernels for %d rows missing or width %d not a multiple of %d", kn.name, r, sk.rowsW[r], sk.lanes)
			}
		}
		for m := sk.rowsMax + 1; m <= smallMaxM; m++ {
			groups := sk.rowGroups(m)
			_, last := rowGroup(m, groups, groups-1)
			for g := range groups {
				if _, r := rowGroup(m, groups, g); r > sk.rowsMax || sk.rowsW[r] != sk.rowsW[last] {
					t.Fatalf("%s: m=%d: a group of %d rows (width %d) beside one of %d (width %d)", kn.name, m, r, sk.rowsW[r], last, sk.rowsW[last])
				}
			}
		}
		for r := 1; r <= maxAxpy; r++ {
			if sk.axpy[r] == nil || sk.axpy1[r] == nil || sk.axpyG[r] < 1 {
				t.Fatalf("%s: axpy kernels for %d rows missing", kn.name, r)
			}
		}
		for r := 1; r <= maxDot; r++ {
			if sk.dot[r] == nil || sk.dot1[r] == nil || dotBlock%sk.dotJ[r] != 0 {
				t.Fatalf("%s: dot kernels for %d rows missing or J=%d does not divide %d", kn.name, r, sk.dotJ[r], dotBlock)
			}
		}
	}
}
