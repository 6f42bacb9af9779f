//go:build ignore

// gen_kernels writes kernels_amd64.s, the x86-64 micro-kernels of package
// gemm, and with gen_small.go the small-product kernels (small_amd64.s).
// Run it with `go generate ./pkg/gemm` (see the go:generate line in
// kernel_amd64.go).
//
// One template emits every kernel, parameterised by vector width and
// register file: the AVX2+FMA kernel (ymm, 16 registers, 6×16) and the
// AVX-512F kernel (zmm, 32 registers, 14×32) are the same instruction
// sequence with different register names, lane counts and row counts. The
// AVX2 kernel is exercised on every developer machine, so a bug in the shared
// logic shows up there; the AVX-512 one only adds wider registers, the EVEX
// zeroing idiom (VPXORD, because VXORPS on zmm needs AVX512DQ) and a longer
// row loop.
//
// Micro-kernel contract (row-major, see pack.go for the panel layouts):
//
//	func kernXXX(k int, a, b, c *float32, ldc int, alpha, beta float32)
//
// a points at a packed MR×k micro-panel of A (k groups of MR values, one per
// row), b at a packed k×NR micro-panel of B (k rows of NR values). The kernel
// computes the MR×NR tile AB = a·b in registers, then writes
// C = alpha·AB + beta·C to the full tile at c (row stride ldc elements).
// When beta is ±0 it does not read C, so NaN/Inf in C do not propagate.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
)

// isa describes one instantiation of the kernel template.
type isa struct {
	sym     string // Go symbol: kernAVX2
	reg     string // vector register prefix: Y or Z
	nregs   int    // architectural vector registers available
	lanes   int    // float32 lanes per vector register
	mr      int    // rows of the tile = broadcasts per k step
	astride int    // rows of the packed A micro-panel (≥ mr; 0 means mr)
	bstride int    // columns of the packed B micro-panel (≥ NR; 0 means NR)
	nvec    int    // vectors per tile row; NR = nvec·lanes
	unroll  int    // k steps per main-loop iteration
	zero    string // register zeroing instruction
	pfDist  int    // A prefetch distance in bytes
}

func (s isa) nr() int { return s.nvec * s.lanes }

// bpanel is the column count of the packed B micro-panel the kernel walks:
// a half-width edge kernel reads the first NR/2 of each row.
func (s isa) bpanel() int {
	if s.bstride == 0 {
		return s.nr()
	}
	return s.bstride
}

// apanel is the row count of the packed A micro-panel the kernel walks: an
// edge kernel computes fewer rows than the main kernel's panel holds.
func (s isa) apanel() int {
	if s.astride == 0 {
		return s.mr
	}
	return s.astride
}

func (s isa) vec(i int) string      { return fmt.Sprintf("%s%d", s.reg, i) }
func (s isa) acc(r, v int) string   { return s.vec(r*s.nvec + v) }
func (s isa) breg(v int) string     { return s.vec(s.mr*s.nvec + v) }
func (s isa) bcast(r int) string    { return s.vec(s.mr*s.nvec + s.nvec + r%2) }
func (s isa) label(l string) string { return s.sym + "_" + l }

type emitter struct{ bytes.Buffer }

func (e *emitter) f(format string, args ...any) { fmt.Fprintf(&e.Buffer, format+"\n", args...) }
func (e *emitter) i(format string, args ...any) { e.f("\t"+format, args...) }

// step emits one k step at byte offsets aOff into the A panel and bOff into
// the B panel: load the NR values of B, then for each of the MR rows
// broadcast A[r] and fuse-multiply-add into that row's accumulators. The
// broadcasts alternate between two registers so the next one can issue while
// the previous row's FMAs still read the other.
func (e *emitter) step(s isa, aOff, bOff int) {
	for v := 0; v < s.nvec; v++ {
		e.i("VMOVUPS %d(DI), %s", bOff+v*s.lanes*4, s.breg(v))
	}
	for r := 0; r < s.mr; r++ {
		e.i("VBROADCASTSS %d(SI), %s", aOff+r*4, s.bcast(r))
		for v := 0; v < s.nvec; v++ {
			// Go operand order: dst = src2·src1 + dst.
			e.i("VFMADD231PS %s, %s, %s", s.breg(v), s.bcast(r), s.acc(r, v))
		}
	}
}

func (e *emitter) kernel(s isa) {
	if used := s.mr*s.nvec + s.nvec + 2; used > s.nregs {
		log.Fatalf("%s: needs %d vector registers, has %d", s.sym, used, s.nregs)
	}
	rowBytes := s.nr() * 4
	aStep, bStep := s.apanel()*4, s.bpanel()*4

	e.f("// func %s(k int, a, b, c *float32, ldc int, alpha, beta float32)", s.sym)
	if s.apanel() != s.mr || s.bpanel() != s.nr() {
		e.f("// Edge kernel: the first %d rows of a %d-row packed A micro-panel, the first %d columns of a %d-column packed B micro-panel.", s.mr, s.apanel(), s.nr(), s.bpanel())
	}
	e.f("// %d×%d tile: accumulators %s..%s, B in %s..%s, A broadcasts in %s/%s.",
		s.mr, s.nr(), s.acc(0, 0), s.acc(s.mr-1, s.nvec-1), s.breg(0), s.breg(s.nvec-1), s.bcast(0), s.bcast(1))
	e.f("TEXT ·%s(SB), NOSPLIT, $0-48", s.sym)
	e.i("MOVQ k+0(FP), CX")
	e.i("MOVQ a+8(FP), SI")
	e.i("MOVQ b+16(FP), DI")
	e.i("MOVQ c+24(FP), DX")
	e.i("MOVQ ldc+32(FP), R8")
	e.i("SHLQ $2, R8 // row stride of C in bytes")

	// Touch the C tile early so its lines arrive while the k loop runs.
	e.i("MOVQ DX, R9")
	for r := 0; r < s.mr; r++ {
		for off := 0; off < rowBytes; off += 64 {
			e.i("PREFETCHT0 %d(R9)", off)
		}
		e.i("PREFETCHT0 %d(R9)", rowBytes-4) // the row's last line when C is unaligned
		if r < s.mr-1 {
			e.i("ADDQ R8, R9")
		}
	}
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nvec; v++ {
			e.i("%s %s, %s, %s", s.zero, s.acc(r, v), s.acc(r, v), s.acc(r, v))
		}
	}

	e.i("CMPQ CX, $%d", s.unroll)
	e.i("JLT %s", s.label("tail"))
	e.f("%s:", s.label("loop"))
	// A streams from L2; one prefetch per 64 bytes of A consumed per iteration.
	aBytes := s.unroll * aStep
	for off := 0; off < aBytes; off += 64 {
		e.i("PREFETCHT0 %d(SI)", s.pfDist+off)
	}
	for u := 0; u < s.unroll; u++ {
		e.step(s, u*aStep, u*bStep)
	}
	e.i("ADDQ $%d, SI", s.unroll*aStep)
	e.i("ADDQ $%d, DI", s.unroll*bStep)
	e.i("SUBQ $%d, CX", s.unroll)
	e.i("CMPQ CX, $%d", s.unroll)
	e.i("JGE %s", s.label("loop"))

	e.f("%s:", s.label("tail"))
	e.i("TESTQ CX, CX")
	e.i("JEQ %s", s.label("done"))
	e.f("%s:", s.label("tail1"))
	e.step(s, 0, 0)
	e.i("ADDQ $%d, SI", aStep)
	e.i("ADDQ $%d, DI", bStep)
	e.i("DECQ CX")
	e.i("JNE %s", s.label("tail1"))

	e.f("%s:", s.label("done"))
	// The B registers are free now: reuse them for alpha and beta.
	alpha, beta := s.breg(0), s.breg(1)
	e.i("VBROADCASTSS alpha+40(FP), %s", alpha)
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nvec; v++ {
			e.i("VMULPS %s, %s, %s", alpha, s.acc(r, v), s.acc(r, v))
		}
	}
	// beta == ±0: skip reading C entirely (BLAS semantics).
	e.i("MOVL beta+44(FP), AX")
	e.i("ANDL $0x7fffffff, AX")
	e.i("JEQ %s", s.label("store"))
	e.i("VBROADCASTSS beta+44(FP), %s", beta)
	e.i("MOVQ DX, R9")
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nvec; v++ {
			e.i("VFMADD231PS %d(R9), %s, %s", v*s.lanes*4, beta, s.acc(r, v))
		}
		if r < s.mr-1 {
			e.i("ADDQ R8, R9")
		}
	}
	e.f("%s:", s.label("store"))
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nvec; v++ {
			e.i("VMOVUPS %s, %d(DX)", s.acc(r, v), v*s.lanes*4)
		}
		if r < s.mr-1 {
			e.i("ADDQ R8, DX")
		}
	}
	e.i("VZEROUPPER")
	e.i("RET")
	e.f("")
}

func main() {
	isas := []isa{
		{sym: "kernAVX2", reg: "Y", nregs: 16, lanes: 8, mr: 6, nvec: 2, unroll: 4, zero: "VXORPS", pfDist: 512},
		{sym: "kernAVX512", reg: "Z", nregs: 32, lanes: 16, mr: 14, nvec: 2, unroll: 4, zero: "VPXORD", pfDist: 1024},
	}
	// Edge kernels for the last, partial row panel of A (m not a multiple
	// of MR): kernAVX2r2 computes 2 rows of a 6-row panel straight into C,
	// rather than a whole tile into scratch that is then merged; for m=128
	// that saves two thirds of a tile row in 22 (about 3% of the product).
	for _, s := range isas[:2] {
		for r := 1; r < s.mr; r++ {
			t := s
			t.sym, t.mr, t.astride = fmt.Sprintf("%sr%d", s.sym, r), r, s.mr
			isas = append(isas, t)
		}
	}
	// Half-width kernels for a last column panel of exactly NR/2 columns
	// (n = 784 = 24.5·32 for the AVX-512 tile), full height only.
	for _, s := range isas[:2] {
		t := s
		t.sym, t.nvec, t.bstride = s.sym+"h", s.nvec/2, s.nr()
		isas = append(isas, t)
	}
	var e emitter
	e.f("// Code generated by gen_kernels.go; DO NOT EDIT.")
	e.f("")
	e.f("//go:build amd64 && !purego && !noasm")
	e.f("")
	e.f("#include \"textflag.h\"")
	e.f("")
	for _, s := range isas {
		e.kernel(s)
	}
	if err := os.WriteFile("kernels_amd64.s", e.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	// The Go side of the edge kernels: declarations and, per main kernel,
	// the table indexed by row count.
	var g emitter
	g.f("// Code generated by gen_kernels.go; DO NOT EDIT.")
	g.f("")
	g.f("//go:build amd64 && !purego && !noasm")
	g.f("")
	g.f("package gemm")
	for _, s := range isas[2:] {
		g.f("")
		g.f("// %s computes the %d×%d top-left corner of a %d×%d tile (kernels_amd64.s).", s.sym, s.mr, s.nr(), s.apanel(), s.bpanel())
		g.f("//")
		g.f("//go:noescape")
		g.f("func %s(k int, a, b, c *float32, ldc int, alpha, beta float32)", s.sym)
	}
	for _, s := range isas[:2] {
		g.f("")
		g.f("// half%s computes the left half of a %s tile.", s.sym[4:], s.sym)
		g.f("var half%s microKernel = %sh", s.sym[4:], s.sym)
	}
	for _, s := range isas[:2] {
		g.f("")
		g.f("// edge%s[r] computes the first r rows of a %s tile; entry 0 is unused.", s.sym[4:], s.sym)
		g.f("var edge%s = []microKernel{", s.sym[4:])
		g.f("\tnil,")
		for r := 1; r < s.mr; r++ {
			g.f("\t%sr%d,", s.sym, r)
		}
		g.f("}")
	}
	if err := os.WriteFile("edge_amd64.go", g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	writeSmall()
}
