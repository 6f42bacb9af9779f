//go:build ignore

// gen_small.go is the part of the generator (run together with
// gen_kernels.go) that writes small_amd64.s and small_amd64.go: the kernels
// for products with few rows (small.go), which read A and B where they lie
// instead of packing them.
//
// Three kernel families, each emitted for AVX2+FMA (ymm) and AVX-512F (zmm)
// from one template, like the main micro-kernels:
//
//	axpy  y_i[0:n] += Σ_g s[g,i]·B[g, 0:n] for R ≤ 4 rows y_i and G
//	      consecutive rows of B (or one, for the k mod G tail): the
//	      matrix-vector product 1×k · k×n and its few-row relatives. The G
//	      rows are sequential streams that the hardware prefetchers follow;
//	      y stays in L1 and carries the sum, so every element sees the same
//	      chain of fused multiply-adds in p order whatever the grouping.
//	rows  an R×W tile of C from R rows of A (element (i,p) at a + p·ap + i:
//	      a packed panel, or Aᵀ where it lies) and W columns of B read row
//	      by row at stride ldb: the micro-kernel of gen_kernels.go with the
//	      packed B panel replaced by a stride. Each step prefetches the
//	      same row of the next column tile, which the driver runs next
//	      over the same k-block: at a 4 KiB stride every step is a new
//	      page, where the hardware prefetchers stop.
//	dot   an R×J tile of C = A·Bᵀ with A and B rows both contiguous along
//	      k: one vector of partial sums per element, summed across lanes at
//	      the end, then the k mod lanes tail in scalar. Every element goes
//	      through the same instructions in every R×J variant, so the result
//	      does not depend on how C is cut into tiles or threads.
//
// Only the EVEX forms that AVX-512F itself has are used with zmm registers
// (512-bit shuffles for the horizontal sums, scalar ops on X16–X31), so
// the AVX-512 kernels need no AVX512VL or DQ.
package main

import (
	"fmt"
	"go/format"
	"log"
	"os"
)

// smallISA is one instruction set for the small kernels.
type smallISA struct {
	name  string // AVX2 or AVX512: symbols are kern<name>axpy8 and so on
	reg   string // vector register prefix: Y or Z
	nregs int    // architectural vector registers
	lanes int    // float32 lanes per vector
	zero  string // register zeroing instruction
	// rowsNV[r] is the vectors per tile row of the wide rows kernel with r
	// rows: at least 8 accumulators where registers allow, to cover the
	// FMA latency. The sizes a row group of a taller product (m >
	// rowsMax) can have, 3 to rowsGroup, need one width.
	rowsNV [maxRows + 1]int
	// rowsMax is the most rows of one rows kernel, rowsGroup the most rows
	// of a row group of a taller product (small.go's rowGroups).
	rowsMax, rowsGroup int
	// dotJ[r] is the B rows of the wide dot kernel with r rows of A.
	dotJ [maxDot + 1]int
	// axpyG[r] is the B rows one axpy kernel adds to r rows of y, axpyU[r]
	// the vectors per row of y it carries per iteration.
	axpyG, axpyU [maxAxpy + 1]int
	kc           int // k block of the rows form (small.go's rowsKC)
}

// maxRows and maxDot are the largest row counts of the rows and dot
// kernels: eight rows of three vectors fit AVX-512's 32 registers (six of
// two keep AVX2's tile within 16, its rowsMax), and the dot kernels' row
// addressing reaches four rows of A from one base.
const (
	maxAxpy = 4
	maxRows = 8
	maxDot  = 4
)

func (s smallISA) v(i int) string { return fmt.Sprintf("%s%d", s.reg, i) }
func (s smallISA) x(i int) string { return fmt.Sprintf("X%d", i) }
func (s smallISA) vbytes() int    { return s.lanes * 4 }

// rowAddr returns the memory operand of row r (r < 8) from base at byte
// offset off, with one row stride in s1, 3 strides in s3, 5 in s5 and 7 in
// s7: the scaled-index forms reach 0..8 strides with four registers.
func rowAddr(off int, base, s1, s3, s5, s7 string, r int) string {
	var idx string
	switch r {
	case 0:
		return fmt.Sprintf("%d(%s)", off, base)
	case 1:
		idx = s1 + "*1"
	case 2:
		idx = s1 + "*2"
	case 3:
		idx = s3 + "*1"
	case 4:
		idx = s1 + "*4"
	case 5:
		idx = s5 + "*1"
	case 6:
		idx = s3 + "*2"
	case 7:
		idx = s7 + "*1"
	default:
		log.Fatalf("rowAddr: row %d", r)
	}
	return fmt.Sprintf("%d(%s)(%s)", off, base, idx)
}

// hsum leaves the sum of the lanes of vector register acc in every lane
// (so in its scalar low lane), using tmp. The tree is the same for every
// register: swap halves and add, down to neighbouring lanes.
func (e *emitter) hsum(s smallISA, acc, tmp int) {
	a, t := s.v(acc), s.v(tmp)
	if s.reg == "Z" {
		e.i("VSHUFF32X4 $0x4E, %s, %s, %s", a, a, t)
		e.i("VADDPS %s, %s, %s", t, a, a)
		e.i("VSHUFF32X4 $0xB1, %s, %s, %s", a, a, t)
		e.i("VADDPS %s, %s, %s", t, a, a)
	} else {
		e.i("VPERM2F128 $1, %s, %s, %s", a, a, t)
		e.i("VADDPS %s, %s, %s", t, a, a)
	}
	e.i("VPERMILPS $0x4E, %s, %s", a, t)
	e.i("VADDPS %s, %s, %s", t, a, a)
	e.i("VPERMILPS $0xB1, %s, %s", a, t)
	e.i("VADDPS %s, %s, %s", t, a, a)
}

// axpy emits kern<ISA>axpy<R>x<G>(n int, s, b *float32, ldb int, y *float32,
// ldy int): y_i[j] += s[0·R+i]·B[0,j] + … + s[(G-1)·R+i]·B[G-1,j] for
// the R rows y_i = y + i·ldy and j < n, one fused multiply-add per term in
// row order. u is the number of vectors per row an iteration carries.
func (e *emitter) axpy(s smallISA, r, g, u int) string {
	sym := fmt.Sprintf("kern%saxpy%dx%d", s.name, r, g)
	vb := s.vbytes()
	acc := func(i, v int) int { return i*u + v }
	sreg := func(gg, i int) int { return r*u + gg*r + i } // broadcast s[gg·R+i]
	btmp := func(v int) int { return r*u + r*g + v }
	used := r*u + r*g
	if r > 1 {
		used += u
	}
	if used > s.nregs {
		log.Fatalf("%s: needs %d vector registers, has %d", sym, used, s.nregs)
	}
	b := func(off, gg int) string { return rowAddr(off, "DI", "BX", "R10", "R11", "R12", gg) }
	y := func(off, i int) string { return rowAddr(off, "DX", "R8", "R9", "", "", i) }
	// body emits the FMAs of nv vectors (nv ≤ u) at byte offset 0.
	body := func(nv int) {
		for i := 0; i < r; i++ {
			for v := 0; v < nv; v++ {
				e.i("VMOVUPS %s, %s", y(v*vb, i), s.v(acc(i, v)))
			}
		}
		for gg := 0; gg < g; gg++ {
			if r == 1 {
				for v := 0; v < nv; v++ {
					e.i("VFMADD231PS %s, %s, %s", b(v*vb, gg), s.v(sreg(gg, 0)), s.v(acc(0, v)))
				}
				continue
			}
			for v := 0; v < nv; v++ {
				e.i("VMOVUPS %s, %s", b(v*vb, gg), s.v(btmp(v)))
			}
			for i := 0; i < r; i++ {
				for v := 0; v < nv; v++ {
					e.i("VFMADD231PS %s, %s, %s", s.v(btmp(v)), s.v(sreg(gg, i)), s.v(acc(i, v)))
				}
			}
		}
		for i := 0; i < r; i++ {
			for v := 0; v < nv; v++ {
				e.i("VMOVUPS %s, %s", s.v(acc(i, v)), y(v*vb, i))
			}
		}
	}

	e.f("// func %s(n int, s, b *float32, ldb int, y *float32, ldy int)", sym)
	e.f("// %d rows of y += %d rows of B: accumulators %s..%s, s in %s..%s.", r, g, s.v(0), s.v(acc(r-1, u-1)), s.v(sreg(0, 0)), s.v(sreg(g-1, r-1)))
	e.f("TEXT ·%s(SB), NOSPLIT, $0-48", sym)
	e.i("MOVQ n+0(FP), CX")
	e.i("MOVQ s+8(FP), SI")
	e.i("MOVQ b+16(FP), DI")
	e.i("MOVQ ldb+24(FP), BX")
	e.i("MOVQ y+32(FP), DX")
	e.i("MOVQ ldy+40(FP), R8")
	e.i("SHLQ $2, BX // row stride of B in bytes")
	e.i("SHLQ $2, R8 // row stride of y in bytes")
	e.i("LEAQ (R8)(R8*2), R9 // 3 rows of y")
	if g > 1 {
		e.i("LEAQ (BX)(BX*2), R10 // 3 rows")
		e.i("LEAQ (BX)(BX*4), R11 // 5 rows")
		e.i("LEAQ (R10)(BX*4), R12 // 7 rows")
	}
	for gg := 0; gg < g; gg++ {
		for i := 0; i < r; i++ {
			e.i("VBROADCASTSS %d(SI), %s", 4*(gg*r+i), s.v(sreg(gg, i)))
		}
	}
	e.i("CMPQ CX, $%d", u*s.lanes)
	e.i("JLT %s_vec", sym)
	e.f("%s_loop:", sym)
	body(u)
	e.i("ADDQ $%d, DI", u*vb)
	e.i("ADDQ $%d, DX", u*vb)
	e.i("SUBQ $%d, CX", u*s.lanes)
	e.i("CMPQ CX, $%d", u*s.lanes)
	e.i("JGE %s_loop", sym)

	e.f("%s_vec:", sym)
	if u > 1 {
		e.i("CMPQ CX, $%d", s.lanes)
		e.i("JLT %s_scalar", sym)
		body(1)
		e.i("ADDQ $%d, DI", vb)
		e.i("ADDQ $%d, DX", vb)
		e.i("SUBQ $%d, CX", s.lanes)
		e.i("JMP %s_vec", sym)
	}

	e.f("%s_scalar:", sym)
	e.i("TESTQ CX, CX")
	e.i("JEQ %s_done", sym)
	for i := 0; i < r; i++ {
		x := s.x(acc(i, 0))
		e.i("VMOVSS %s, %s", y(0, i), x)
		for gg := 0; gg < g; gg++ {
			e.i("VFMADD231SS %s, %s, %s", b(0, gg), s.x(sreg(gg, i)), x)
		}
		e.i("VMOVSS %s, %s", x, y(0, i))
	}
	e.i("ADDQ $4, DI")
	e.i("ADDQ $4, DX")
	e.i("DECQ CX")
	e.i("JMP %s_scalar", sym)
	e.f("%s_done:", sym)
	e.i("VZEROUPPER")
	e.i("RET")
	e.f("")
	return sym
}

// rows emits kern<ISA>rows<R>x<W>(k int, a *float32, ap int, b *float32,
// ldb int, c *float32, ldc int, alpha, beta float32): the R×W tile
// C = alpha·A·B + beta·C with A(i,p) at a[p·ap + i] (a packed panel, or Aᵀ
// in place) and B(p,j) at b[p·ldb + j]. As in every kernel, beta = ±0
// leaves C unread. The loop does two k steps per iteration, the second
// addressed through the stride registers.
func (e *emitter) rows(s smallISA, r, nv int) string {
	w := nv * s.lanes
	sym := fmt.Sprintf("kern%srows%dx%d", s.name, r, w)
	vb := s.vbytes()
	acc := func(i, v int) int { return i*nv + v }
	breg := func(v int) int { return r*nv + v }
	bcast := func(i int) int { return r*nv + nv + i%2 }
	if used := r*nv + nv + 2; used > s.nregs {
		log.Fatalf("%s: needs %d vector registers, has %d", sym, used, s.nregs)
	}
	// step emits one k step; the second of a pair reads one stride further.
	step := func(second bool) {
		idxA, idxB := "(SI)", "(DI)"
		if second {
			idxA, idxB = "(SI)(R13*1)", "(DI)(BX*1)"
		}
		for off := 0; off < w*4; off += 64 {
			e.i("PREFETCHT0 %d%s", w*4+off, idxB)
		}
		for v := 0; v < nv; v++ {
			e.i("VMOVUPS %d%s, %s", v*vb, idxB, s.v(breg(v)))
		}
		for i := 0; i < r; i++ {
			e.i("VBROADCASTSS %d%s, %s", 4*i, idxA, s.v(bcast(i)))
			for v := 0; v < nv; v++ {
				e.i("VFMADD231PS %s, %s, %s", s.v(breg(v)), s.v(bcast(i)), s.v(acc(i, v)))
			}
		}
	}

	e.f("// func %s(k int, a *float32, ap int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)", sym)
	e.f("// %d×%d tile: accumulators %s..%s, B in %s..%s, A broadcasts in %s/%s.",
		r, w, s.v(0), s.v(acc(r-1, nv-1)), s.v(breg(0)), s.v(breg(nv-1)), s.v(bcast(0)), s.v(bcast(1)))
	e.f("TEXT ·%s(SB), NOSPLIT, $0-64", sym)
	e.i("MOVQ k+0(FP), CX")
	e.i("MOVQ a+8(FP), SI")
	e.i("MOVQ ap+16(FP), R13")
	e.i("SHLQ $2, R13 // A step along k in bytes")
	e.i("MOVQ b+24(FP), DI")
	e.i("MOVQ ldb+32(FP), BX")
	e.i("SHLQ $2, BX // B row stride in bytes")
	e.i("MOVQ c+40(FP), DX")
	e.i("MOVQ ldc+48(FP), R8")
	e.i("SHLQ $2, R8 // C row stride in bytes")
	for i := 0; i < r; i++ {
		for v := 0; v < nv; v++ {
			e.i("%s %s, %s, %s", s.zero, s.v(acc(i, v)), s.v(acc(i, v)), s.v(acc(i, v)))
		}
	}
	e.i("SHRQ $1, CX // pairs of k steps")
	e.i("JEQ %s_odd", sym)
	e.f("%s_loop:", sym)
	step(false)
	step(true)
	e.i("LEAQ (SI)(R13*2), SI")
	e.i("LEAQ (DI)(BX*2), DI")
	e.i("DECQ CX")
	e.i("JNE %s_loop", sym)
	e.f("%s_odd:", sym)
	e.i("MOVQ k+0(FP), CX")
	e.i("ANDQ $1, CX")
	e.i("JEQ %s_done", sym)
	step(false)

	e.f("%s_done:", sym)
	alpha, beta := s.v(breg(0)), s.v(bcast(0))
	e.i("VBROADCASTSS alpha+56(FP), %s", alpha)
	for i := 0; i < r; i++ {
		for v := 0; v < nv; v++ {
			e.i("VMULPS %s, %s, %s", alpha, s.v(acc(i, v)), s.v(acc(i, v)))
		}
	}
	e.i("MOVL beta+60(FP), AX")
	e.i("ANDL $0x7fffffff, AX")
	e.i("JEQ %s_store", sym)
	e.i("VBROADCASTSS beta+60(FP), %s", beta)
	e.i("MOVQ DX, R9")
	for i := 0; i < r; i++ {
		for v := 0; v < nv; v++ {
			e.i("VFMADD231PS %d(R9), %s, %s", v*vb, beta, s.v(acc(i, v)))
		}
		if i < r-1 {
			e.i("ADDQ R8, R9")
		}
	}
	e.f("%s_store:", sym)
	for i := 0; i < r; i++ {
		for v := 0; v < nv; v++ {
			e.i("VMOVUPS %s, %d(DX)", s.v(acc(i, v)), v*vb)
		}
		if i < r-1 {
			e.i("ADDQ R8, DX")
		}
	}
	e.i("VZEROUPPER")
	e.i("RET")
	e.f("")
	return sym
}

// dot emits kern<ISA>dot<R>x<J>(k int, a *float32, lda int, b *float32,
// ldb int, c *float32, ldc, incc int, alpha, beta float32): the R×J tile
// C[i·ldc + j·incc] = alpha·Σ_p A[i·lda + p]·B[j·ldb + p] + beta·C[…].
func (e *emitter) dot(s smallISA, r, j int) string {
	sym := fmt.Sprintf("kern%sdot%dx%d", s.name, r, j)
	vb := s.vbytes()
	acc := func(i, jj int) int { return i*j + jj }
	areg := func(i int) int { return r*j + i }
	tmp := r*j + r
	if tmp+1 > s.nregs {
		log.Fatalf("%s: needs %d vector registers, has %d", sym, tmp+1, s.nregs)
	}
	a := func(off, i int) string { return rowAddr(off, "SI", "AX", "R9", "", "", i) }
	b := func(off, jj int) string { return rowAddr(off, "DI", "BX", "R10", "R11", "R12", jj) }
	shift := map[int]int{8: 3, 16: 4}[s.lanes]

	e.f("// func %s(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, incc int, alpha, beta float32)", sym)
	e.f("// %d×%d dot products: accumulators %s..%s, A rows in %s..%s, B in %s.",
		r, j, s.v(0), s.v(acc(r-1, j-1)), s.v(areg(0)), s.v(areg(r-1)), s.v(tmp))
	e.f("TEXT ·%s(SB), NOSPLIT, $0-72", sym)
	e.i("MOVQ k+0(FP), CX")
	e.i("SHRQ $%d, CX // whole vectors", shift)
	e.i("MOVQ a+8(FP), SI")
	e.i("MOVQ lda+16(FP), AX")
	e.i("SHLQ $2, AX // A row stride in bytes")
	e.i("LEAQ (AX)(AX*2), R9 // 3 rows")
	e.i("MOVQ b+24(FP), DI")
	e.i("MOVQ ldb+32(FP), BX")
	e.i("SHLQ $2, BX // B row stride in bytes")
	e.i("LEAQ (BX)(BX*2), R10 // 3 rows")
	e.i("LEAQ (BX)(BX*4), R11 // 5 rows")
	e.i("LEAQ (R10)(BX*4), R12 // 7 rows")
	for i := 0; i < r*j; i++ {
		e.i("%s %s, %s, %s", s.zero, s.v(i), s.v(i), s.v(i))
	}
	e.i("TESTQ CX, CX")
	e.i("JEQ %s_reduce", sym)
	e.f("%s_loop:", sym)
	if r == 1 {
		// One row of A: B straight from memory into the FMAs.
		e.i("VMOVUPS (SI), %s", s.v(areg(0)))
		for jj := 0; jj < j; jj++ {
			e.i("VFMADD231PS %s, %s, %s", b(0, jj), s.v(areg(0)), s.v(acc(0, jj)))
		}
	} else {
		for i := 0; i < r; i++ {
			e.i("VMOVUPS %s, %s", a(0, i), s.v(areg(i)))
		}
		for jj := 0; jj < j; jj++ {
			e.i("VMOVUPS %s, %s", b(0, jj), s.v(tmp))
			for i := 0; i < r; i++ {
				e.i("VFMADD231PS %s, %s, %s", s.v(tmp), s.v(areg(i)), s.v(acc(i, jj)))
			}
		}
	}
	e.i("ADDQ $%d, SI", vb)
	e.i("ADDQ $%d, DI", vb)
	e.i("DECQ CX")
	e.i("JNE %s_loop", sym)

	e.f("%s_reduce:", sym)
	for i := 0; i < r*j; i++ {
		e.hsum(s, i, tmp)
	}
	e.i("MOVQ k+0(FP), CX")
	e.i("ANDQ $%d, CX // scalar tail", s.lanes-1)
	e.i("JEQ %s_out", sym)
	e.f("%s_tail:", sym)
	for i := 0; i < r; i++ {
		e.i("VMOVSS %s, %s", a(0, i), s.x(areg(i)))
		for jj := 0; jj < j; jj++ {
			e.i("VFMADD231SS %s, %s, %s", b(0, jj), s.x(areg(i)), s.x(acc(i, jj)))
		}
	}
	e.i("ADDQ $4, SI")
	e.i("ADDQ $4, DI")
	e.i("DECQ CX")
	e.i("JNE %s_tail", sym)

	e.f("%s_out:", sym)
	alpha, beta := s.x(areg(0)), s.x(tmp)
	e.i("MOVQ c+40(FP), DX")
	e.i("MOVQ ldc+48(FP), R8")
	e.i("SHLQ $2, R8 // C row stride in bytes")
	e.i("MOVQ incc+56(FP), R13")
	e.i("SHLQ $2, R13 // C column stride in bytes")
	e.i("VMOVSS alpha+64(FP), %s", alpha)
	for i := 0; i < r*j; i++ {
		e.i("VMULSS %s, %s, %s", alpha, s.x(i), s.x(i))
	}
	// walk visits the tile's elements of C with the address in R10.
	walk := func(op func(i, jj int)) {
		e.i("MOVQ DX, R9")
		for i := 0; i < r; i++ {
			e.i("MOVQ R9, R10")
			for jj := 0; jj < j; jj++ {
				op(i, jj)
				if jj < j-1 {
					e.i("ADDQ R13, R10")
				}
			}
			if i < r-1 {
				e.i("ADDQ R8, R9")
			}
		}
	}
	e.i("MOVL beta+68(FP), AX")
	e.i("ANDL $0x7fffffff, AX")
	e.i("JEQ %s_store", sym)
	e.i("VMOVSS beta+68(FP), %s", beta)
	walk(func(i, jj int) { e.i("VFMADD231SS (R10), %s, %s", beta, s.x(acc(i, jj))) })
	e.f("%s_store:", sym)
	walk(func(i, jj int) { e.i("VMOVSS %s, (R10)", s.x(acc(i, jj))) })
	e.i("VZEROUPPER")
	e.i("RET")
	e.f("")
	return sym
}

// writeSmall writes small_amd64.s and small_amd64.go.
func writeSmall() {
	isas := []smallISA{
		{name: "AVX2", reg: "Y", nregs: 16, lanes: 8, zero: "VXORPS",
			rowsNV: [maxRows + 1]int{2: 4, 3: 2, 4: 2, 5: 2, 6: 2}, rowsMax: 6, rowsGroup: 6,
			dotJ:  [maxDot + 1]int{1: 8, 2: 4, 3: 4, 4: 2},
			axpyG: [maxAxpy + 1]int{1: 8, 2: 4, 3: 2, 4: 2},
			axpyU: [maxAxpy + 1]int{1: 4, 2: 2, 3: 2, 4: 1},
			kc:    256},
		{name: "AVX512", reg: "Z", nregs: 32, lanes: 16, zero: "VPXORD",
			// Up to eight rows in one group (24 accumulators); the groups
			// of 3 to 6 rows of taller products share the 64-column width.
			rowsNV: [maxRows + 1]int{2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 3, 8: 3}, rowsMax: 8, rowsGroup: 6,
			dotJ:  [maxDot + 1]int{1: 8, 2: 8, 3: 8, 4: 6},
			axpyG: [maxAxpy + 1]int{1: 8, 2: 8, 3: 4, 4: 4},
			axpyU: [maxAxpy + 1]int{1: 4, 2: 2, 3: 2, 4: 2},
			kc:    96},
	}
	var e, g emitter
	e.f("// Code generated by gen_kernels.go gen_small.go; DO NOT EDIT.")
	e.f("")
	e.f("//go:build amd64 && !purego && !noasm")
	e.f("")
	e.f("#include \"textflag.h\"")
	e.f("")
	g.f("// Code generated by gen_kernels.go gen_small.go; DO NOT EDIT.")
	g.f("")
	g.f("//go:build amd64 && !purego && !noasm")
	g.f("")
	g.f("package gemm")
	decl := func(sym, args, doc string) {
		g.f("")
		g.f("// %s %s (small_amd64.s).", sym, doc)
		g.f("//")
		g.f("//go:noescape")
		g.f("func %s(%s)", sym, args)
	}
	const (
		axpyArgs = "n int, s, b *float32, ldb int, y *float32, ldy int"
		rowsArgs = "k int, a *float32, ap int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32"
		dotArgs  = "k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, incc int, alpha, beta float32"
	)
	for _, s := range isas {
		var tab emitter
		tab.f("")
		tab.f("// small%s is the small-product kernel set of the %s kernel.", s.name, map[string]string{"AVX2": "avx2", "AVX512": "avx512"}[s.name])
		tab.f("var small%s = &smallKernels{", s.name)
		tab.f("\tlanes:  %d,", s.lanes)
		tab.f("\trowsKC: %d,", s.kc)
		tab.f("\trowsMax: %d,", s.rowsMax)
		tab.f("\trowsGroup: %d,", s.rowsGroup)
		var axpys, axpys1, gs string
		for r := 1; r <= maxAxpy; r++ {
			sym := e.axpy(s, r, s.axpyG[r], s.axpyU[r])
			decl(sym, axpyArgs, fmt.Sprintf("adds %d rows of B, scaled, to %d rows of y", s.axpyG[r], r))
			osym := e.axpy(s, r, 1, s.axpyU[r])
			decl(osym, axpyArgs, fmt.Sprintf("adds 1 row of B, scaled, to %d rows of y", r))
			axpys += fmt.Sprintf("%d: %s, ", r, sym)
			axpys1 += fmt.Sprintf("%d: %s, ", r, osym)
			gs += fmt.Sprintf("%d: %d, ", r, s.axpyG[r])
		}
		tab.f("\taxpy:       [maxAxpy + 1]axpyKernel{%s},", axpys[:len(axpys)-2])
		tab.f("\taxpy1:      [maxAxpy + 1]axpyKernel{%s},", axpys1[:len(axpys1)-2])
		tab.f("\taxpyG:      [maxAxpy + 1]int{%s},", gs[:len(gs)-2])
		var wide, narrow, widths, dots, dots1, js string
		for r := 2; r <= s.rowsMax; r++ {
			nv := s.rowsNV[r]
			sym := e.rows(s, r, nv)
			decl(sym, rowsArgs, fmt.Sprintf("computes a %d×%d tile of C from unpacked A and B", r, nv*s.lanes))
			nsym := e.rows(s, r, 1)
			decl(nsym, rowsArgs, fmt.Sprintf("computes a %d×%d tile of C from unpacked A and B", r, s.lanes))
			wide += fmt.Sprintf("%d: %s, ", r, sym)
			narrow += fmt.Sprintf("%d: %s, ", r, nsym)
			widths += fmt.Sprintf("%d: %d, ", r, nv*s.lanes)
		}
		for r := 1; r <= maxDot; r++ {
			jw := s.dotJ[r]
			sym := e.dot(s, r, jw)
			decl(sym, dotArgs, fmt.Sprintf("computes %d×%d dot products of rows of A and B", r, jw))
			osym := e.dot(s, r, 1)
			decl(osym, dotArgs, fmt.Sprintf("computes %d×1 dot products of rows of A and B", r))
			dots += fmt.Sprintf("%d: %s, ", r, sym)
			dots1 += fmt.Sprintf("%d: %s, ", r, osym)
			js += fmt.Sprintf("%d: %d, ", r, jw)
		}
		tab.f("\trows:       [maxRows + 1]rowsKernel{%s},", wide[:len(wide)-2])
		tab.f("\trowsNarrow: [maxRows + 1]rowsKernel{%s},", narrow[:len(narrow)-2])
		tab.f("\trowsW:      [maxRows + 1]int{%s},", widths[:len(widths)-2])
		tab.f("\tdot:        [maxDot + 1]dotKernel{%s},", dots[:len(dots)-2])
		tab.f("\tdot1:       [maxDot + 1]dotKernel{%s},", dots1[:len(dots1)-2])
		tab.f("\tdotJ:       [maxDot + 1]int{%s},", js[:len(js)-2])
		tab.f("}")
		g.Write(tab.Bytes())
	}
	if err := os.WriteFile("small_amd64.s", e.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	src, err := format.Source(g.Bytes())
	if err != nil {
		log.Fatalf("small_amd64.go: %v", err)
	}
	if err := os.WriteFile("small_amd64.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
