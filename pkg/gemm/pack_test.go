package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPackLayouts checks packA and packB, including their assembly fast
// paths, against the layout definition for every register tile in use (also
// the AVX-512 kernel's 14×32, which this machine may not be able to run).
func TestPackLayouts(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, tile := range [][2]int{{4, 4}, {6, 16}, {14, 32}} {
		mr, nr := tile[0], tile[1]
		for _, trans := range []bool{false, true} {
			for _, dims := range [][2]int{{1, 1}, {mr, 8}, {2*mr + 3, 37}, {3 * mr, 64}, {5*mr + 1, 19}} {
				rows, kc := dims[0], dims[1] // rows of the block, depth
				t.Run(fmt.Sprintf("%dx%d/trans=%v/%dx%d", mr, nr, trans, rows, kc), func(t *testing.T) {
					const i0, p0, pad = 2, 3, 5
					// op(X) is (i0+rows)×(p0+kc); stored transposed when trans.
					opR, opC := i0+rows, p0+kc
					sr, sc := opR, opC
					if trans {
						sr, sc = opC, opR
					}
					ld := sc + pad
					x := randSlice(r, sr*ld)
					at := func(i, p int) float32 {
						if trans {
							return x[p*ld+i]
						}
						return x[i*ld+p]
					}
					panels := (rows + mr - 1) / mr
					dst := make([]float32, panels*mr*kc+8)
					for i := range dst {
						dst[i] = -99
					}
					packA(dst, x, ld, trans, i0, p0, rows, kc, mr)
					for pi := 0; pi < panels; pi++ {
						for p := 0; p < kc; p++ {
							for rr := 0; rr < mr; rr++ {
								var want float32
								if i := pi*mr + rr; i < rows {
									want = at(i0+i, p0+p)
								}
								if got := dst[pi*mr*kc+p*mr+rr]; got != want {
									t.Fatalf("packA panel %d p %d row %d = %g, want %g", pi, p, rr, got, want)
								}
							}
						}
					}
					// The same matrix as op(B): kc×cols block, B = op(X)ᵀ-shaped.
					// op(B)[p][j] = at(i0+j, p0+p) means B stored as X with the
					// opposite transpose flag.
					cols := rows
					dstB := make([]float32, (cols+nr-1)/nr*nr*kc)
					packB(dstB, x, ld, !trans, p0, i0, kc, cols, nr)
					for pj := 0; pj < (cols+nr-1)/nr; pj++ {
						for p := 0; p < kc; p++ {
							for j := 0; j < nr; j++ {
								var want float32
								if c := pj*nr + j; c < cols {
									want = at(i0+c, p0+p)
								}
								if got := dstB[pj*nr*kc+p*nr+j]; got != want {
									t.Fatalf("packB panel %d p %d col %d = %g, want %g", pj, p, j, got, want)
								}
							}
						}
					}
				})
			}
		}
	}
}
