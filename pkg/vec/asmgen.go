//go:build ignore

// asmgen writes kernels_amd64.s, the AVX2+FMA kernels of package vec,
// and expmath_amd64.s, the float64 exponentials of expmath.go.
//
// Run it with `go generate ./pkg/vec` (see the go:generate line in vec.go).
// Every elementwise kernel shares one loop skeleton: an unrolled main loop
// over whole groups of 8·unroll floats, a loop over single 8-float vectors,
// and a masked tail (VMASKMOVPS) for the last 1–7 floats, so that every
// element, wherever it sits, goes through the same instruction sequence and
// gets the same bits. The skeleton is generated instead of written out by
// hand so that the fifteen copies cannot drift apart.
//
// Reductions (sum, dot, max) are written out below as plain text: they
// process whole vectors only and leave the last n%8 elements to Go.
package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
)

// These mirror the constants of expconst.go (which this ignored file cannot
// import); the tests that compare every kernel with its Go twin catch drift.
const (
	expLog2e  = 1.44269504088896340736
	expLn2Hi  = 0.693359375
	expLn2Lo  = -2.12194440e-4
	expC7     = 1.0 / 5040
	expC6     = 1.0 / 720
	expC5     = 1.0 / 120
	expC4     = 1.0 / 24
	expC3     = 1.0 / 6
	expC2     = 0.5
	expHi     = 89
	expLo     = -104
	tanhSmall = 0.25
	tanhT3    = -1.0 / 3
	tanhT5    = 2.0 / 15
	tanhT7    = -17.0 / 315
	tanhT9    = 62.0 / 2835
)

// arg is one Go argument of an assembly function.
type arg struct {
	name string
	kind string // "ptr", "int" or "f32"
}

// mapKernel is an elementwise kernel: it reads one vector from each input
// pointer, computes, and stores one vector to each output pointer.
type mapKernel struct {
	name   string
	doc    string
	args   []arg  // Go arguments in order; exactly one "int" named n
	unroll int    // vectors per main-loop iteration
	regs   int    // Y registers each vector slot uses: Y[k*regs] .. Y[k*regs+regs-1]
	setup  string // constants loaded once (into registers above unroll*regs)
	// body returns the instructions for slot k. ld(ptr, reg) loads one vector
	// from pointer register ptr; st(reg, ptr) stores one.
	body func(k int, ld func(ptr, reg string) string, st func(reg, ptr string) string) string
	// reduce, when set, names the accumulator register and the register
	// holding the result of slot k that is added to it (masked in the tail).
	acc    string
	result func(k int) string
	ret    string // Go result name for the accumulator, if acc is set
}

var ptrRegs = []string{"DI", "SI", "DX", "R9", "R10"}

func y(i int) string { return fmt.Sprintf("Y%d", i) }

func (m mapKernel) frame() (int, map[string]int) {
	off := 0
	offs := map[string]int{}
	for _, a := range m.args {
		switch a.kind {
		case "ptr", "int":
			off = (off + 7) &^ 7
			offs[a.name] = off
			off += 8
		case "f32":
			off = (off + 3) &^ 3
			offs[a.name] = off
			off += 4
		}
	}
	if m.acc != "" {
		off = (off + 7) &^ 7
		offs[m.ret] = off
		off += 4
	}
	return off, offs
}

func (m mapKernel) emit(w *bytes.Buffer) {
	size, offs := m.frame()
	fmt.Fprintf(w, "// %s\n", strings.ReplaceAll(strings.TrimSpace(m.doc), "\n", "\n// "))
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", m.name, size)
	ptr := map[string]string{}
	pi := 0
	for _, a := range m.args {
		switch a.kind {
		case "ptr":
			ptr[a.name] = ptrRegs[pi]
			fmt.Fprintf(w, "\tMOVQ %s+%d(FP), %s\n", a.name, offs[a.name], ptrRegs[pi])
			pi++
		case "int":
			fmt.Fprintf(w, "\tMOVQ %s+%d(FP), CX\n", a.name, offs[a.name])
		}
	}
	// Scalars are referenced by the setup text as NAME+OFF(FP); substitute.
	setup := m.setup
	for _, a := range m.args {
		if a.kind == "f32" {
			setup = strings.ReplaceAll(setup, "$"+a.name, fmt.Sprintf("%s+%d(FP)", a.name, offs[a.name]))
		}
	}
	w.WriteString(setup)
	if m.acc != "" {
		fmt.Fprintf(w, "\tVXORPS %s, %s, %s\n", m.acc, m.acc, m.acc)
	}
	sub := func(s string) string {
		for name, r := range ptr {
			s = strings.ReplaceAll(s, "@"+name, r)
		}
		return s
	}
	step := 8 * m.unroll
	w.WriteString("\tXORQ AX, AX\n")
	fmt.Fprintf(w, "\tMOVQ CX, BX\n\tANDQ $-%d, BX\n\tJZ vec8\n", step)
	w.WriteString("loop:\n")
	for k := 0; k < m.unroll; k++ {
		off := 32 * k
		ld := func(p, r string) string {
			return fmt.Sprintf("\tVMOVUPS %d(%s)(AX*4), %s\n", off, p, r)
		}
		st := func(r, p string) string {
			return fmt.Sprintf("\tVMOVUPS %s, %d(%s)(AX*4)\n", r, off, p)
		}
		w.WriteString(sub(m.body(k, ld, st)))
		if m.acc != "" {
			fmt.Fprintf(w, "\tVADDPS %s, %s, %s\n", m.result(k), m.acc, m.acc)
		}
	}
	fmt.Fprintf(w, "\tADDQ $%d, AX\n\tCMPQ AX, BX\n\tJLT loop\n", step)
	w.WriteString("vec8:\n\tMOVQ CX, BX\n\tANDQ $-8, BX\n\tCMPQ AX, BX\n\tJGE tail\n")
	w.WriteString("loop8:\n")
	{
		ld := func(p, r string) string { return fmt.Sprintf("\tVMOVUPS (%s)(AX*4), %s\n", p, r) }
		st := func(r, p string) string { return fmt.Sprintf("\tVMOVUPS %s, (%s)(AX*4)\n", r, p) }
		w.WriteString(sub(m.body(0, ld, st)))
		if m.acc != "" {
			fmt.Fprintf(w, "\tVADDPS %s, %s, %s\n", m.result(0), m.acc, m.acc)
		}
	}
	w.WriteString("\tADDQ $8, AX\n\tCMPQ AX, BX\n\tJLT loop8\n")
	// Masked tail: the mask lives in the first register of slot 1, which
	// slot 0's body never touches.
	mask := y(m.regs)
	w.WriteString("tail:\n\tMOVQ CX, BX\n\tSUBQ AX, BX\n\tJZ done\n")
	fmt.Fprintf(w, "\tNEGQ BX\n\tADDQ $8, BX\n\tLEAQ tailmask<>(SB), R8\n\tVMOVUPS (R8)(BX*4), %s\n", mask)
	{
		ld := func(p, r string) string {
			return fmt.Sprintf("\tVMASKMOVPS (%s)(AX*4), %s, %s\n", p, mask, r)
		}
		st := func(r, p string) string {
			return fmt.Sprintf("\tVMASKMOVPS %s, %s, (%s)(AX*4)\n", r, mask, p)
		}
		w.WriteString(sub(m.body(0, ld, st)))
		if m.acc != "" {
			fmt.Fprintf(w, "\tVANDPS %s, %s, %s\n", mask, m.result(0), m.result(0))
			fmt.Fprintf(w, "\tVADDPS %s, %s, %s\n", m.result(0), m.acc, m.acc)
		}
	}
	w.WriteString("done:\n")
	if m.acc != "" {
		hsum(w, m.acc)
		fmt.Fprintf(w, "\tVMOVSS X%s, %s+%d(FP)\n", m.acc[1:], m.ret, offs[m.ret])
	}
	w.WriteString("\tVZEROUPPER\n\tRET\n\n")
}

// hsum leaves the sum of the 8 lanes of register acc in its lane 0. It
// clobbers Y15 only if acc is not Y15; callers keep nothing there.
func hsum(w *bytes.Buffer, acc string) {
	x := "X" + acc[1:]
	t := "X15"
	if acc == "Y15" {
		t = "X14"
	}
	fmt.Fprintf(w, "\tVEXTRACTF128 $1, %s, %s\n\tVADDPS %s, %s, %s\n", acc, t, t, x, x)
	fmt.Fprintf(w, "\tVMOVHLPS %s, %s, %s\n\tVADDPS %s, %s, %s\n", x, t, t, t, x, x)
	fmt.Fprintf(w, "\tVMOVSHDUP %s, %s\n\tVADDSS %s, %s, %s\n", x, t, t, x, x)
}

// binop is dst = a OP b.
func binop(name, op, doc string) mapKernel {
	return mapKernel{
		name: name, doc: doc,
		args:   []arg{{"dst", "ptr"}, {"a", "ptr"}, {"b", "ptr"}, {"n", "int"}},
		unroll: 4, regs: 2,
		body: func(k int, ld func(string, string) string, st func(string, string) string) string {
			r0, r1 := y(2*k), y(2*k+1)
			return ld("@a", r0) + ld("@b", r1) +
				fmt.Sprintf("\t%s %s, %s, %s\n", op, r1, r0, r0) + st(r0, "@dst")
		},
	}
}

// expBody computes exp of register x in place into p, using n as scratch.
// Constants come from the expc<> table; Y14/Y15 hold the clamp bounds.
//
// Method: n = round(x·log2 e), r = x − n·ln2 (Cody–Waite, two FMAs),
// e^r by a degree-7 Taylor polynomial on |r| ≤ ln2/2 (truncation error
// 5e-9), then 2^n applied as two factors 2^(n>>1)·2^(n−n>>1) so that both
// stay normal over the whole clamped range [-104, 89]: results that
// overflow become +Inf and results that underflow go gradually through the
// subnormals to 0. The clamps keep x as the second source, so NaN passes
// through them and the polynomial turns it into NaN.
func expBody(x, n, p string) string {
	var b strings.Builder
	f := func(format string, a ...any) { fmt.Fprintf(&b, "\t"+format+"\n", a...) }
	f("VMINPS %s, Y15, %s", x, x)
	f("VMAXPS %s, Y14, %s", x, x)
	f("VMULPS expc<>+0(SB), %s, %s", x, n) // x·log2e
	f("VROUNDPS $0, %s, %s", n, n)
	f("VFNMADD231PS expc<>+32(SB), %s, %s", n, x) // x -= n·ln2hi
	f("VFNMADD231PS expc<>+64(SB), %s, %s", n, x) // x -= n·ln2lo
	f("VMOVUPS expc<>+96(SB), %s", p)             // c7
	for i := 0; i < 7; i++ {                      // c6 .. c0
		f("VFMADD213PS expc<>+%d(SB), %s, %s", 128+32*i, x, p)
	}
	f("VCVTPS2DQ %s, %s", n, n)
	f("VPSRAD $1, %s, %s", n, x) // n1 = n>>1
	f("VPSUBD %s, %s, %s", x, n, n)
	f("VPADDD expc<>+352(SB), %s, %s", x, x) // +127
	f("VPSLLD $23, %s, %s", x, x)
	f("VPADDD expc<>+352(SB), %s, %s", n, n)
	f("VPSLLD $23, %s, %s", n, n)
	f("VMULPS %s, %s, %s", x, p, p)
	f("VMULPS %s, %s, %s", n, p, p)
	return b.String()
}

const clampSetup = "\tVBROADCASTSS expc<>+384(SB), Y15\n\tVBROADCASTSS expc<>+388(SB), Y14\n"

func main() {
	var w bytes.Buffer
	w.WriteString(`// Code generated by asmgen.go; DO NOT EDIT.

//go:build amd64 && !purego && !noasm

#include "textflag.h"

// tailmask<>+4·(8−r) is an 8-lane mask whose first r lanes are set.
DATA tailmask<>+0(SB)/4, $-1
DATA tailmask<>+4(SB)/4, $-1
DATA tailmask<>+8(SB)/4, $-1
DATA tailmask<>+12(SB)/4, $-1
DATA tailmask<>+16(SB)/4, $-1
DATA tailmask<>+20(SB)/4, $-1
DATA tailmask<>+24(SB)/4, $-1
DATA tailmask<>+28(SB)/4, $-1
DATA tailmask<>+32(SB)/4, $0
DATA tailmask<>+36(SB)/4, $0
DATA tailmask<>+40(SB)/4, $0
DATA tailmask<>+44(SB)/4, $0
DATA tailmask<>+48(SB)/4, $0
DATA tailmask<>+52(SB)/4, $0
DATA tailmask<>+56(SB)/4, $0
DATA tailmask<>+60(SB)/4, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

`)
	// expc<>: 8 copies of each constant the exp body reads as a memory
	// operand, then scalars broadcast once.
	type c struct {
		name string
		bits uint32
	}
	f32 := func(v float64) uint32 { return math.Float32bits(float32(v)) }
	vecConsts := []c{
		{"log2e", f32(expLog2e)},
		{"ln2hi", f32(expLn2Hi)},
		{"ln2lo", f32(expLn2Lo)},
		{"c7 = 1/7!", f32(expC7)},
		{"c6 = 1/6!", f32(expC6)},
		{"c5 = 1/5!", f32(expC5)},
		{"c4 = 1/4!", f32(expC4)},
		{"c3 = 1/3!", f32(expC3)},
		{"c2 = 1/2!", f32(expC2)},
		{"c1 = 1", f32(1)},
		{"c0 = 1", f32(1)},
		{"127 (int32)", 127},
	}
	for i, k := range vecConsts {
		fmt.Fprintf(&w, "// %s\n", k.name)
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&w, "DATA expc<>+%d(SB)/4, $0x%08x\n", 32*i+4*j, k.bits)
		}
	}
	scalars := []c{
		{"hi clamp", f32(expHi)},
		{"lo clamp", f32(expLo)},
		{"1.0", f32(1)},
		{"-2.0", f32(-2)},
		{"-0.0 (sign mask)", 0x80000000},
		{"abs mask", 0x7fffffff},
		{"tanh small-x threshold", f32(tanhSmall)},
		{"tanh t3 = -1/3", f32(tanhT3)},
		{"tanh t5 = 2/15", f32(tanhT5)},
		{"tanh t7 = -17/315", f32(tanhT7)},
		{"tanh t9 = 62/2835", f32(tanhT9)},
	}
	base := 32 * len(vecConsts)
	for i, k := range scalars {
		fmt.Fprintf(&w, "// %s\nDATA expc<>+%d(SB)/4, $0x%08x\n", k.name, base+4*i, k.bits)
	}
	fmt.Fprintf(&w, "GLOBL expc<>(SB), RODATA|NOPTR, $%d\n\n", base+4*len(scalars))
	if base != 384 {
		panic("scalar offsets in the kernels assume base 384")
	}

	kernels := []mapKernel{
		binop("addAVX2", "VADDPS", "addAVX2(dst, a, b *float32, n int): dst = a + b."),
		binop("subAVX2", "VSUBPS", "subAVX2(dst, a, b *float32, n int): dst = a − b."),
		binop("mulAVX2", "VMULPS", "mulAVX2(dst, a, b *float32, n int): dst = a · b."),
		binop("divAVX2", "VDIVPS", "divAVX2(dst, a, b *float32, n int): dst = a / b."),
		{
			name: "addScalarAVX2", doc: "addScalarAVX2(dst, x *float32, n int, s float32): dst = x + s.",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}, {"s", "f32"}},
			unroll: 4, regs: 2, setup: "\tVBROADCASTSS $s, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				r := y(2 * k)
				return ld("@x", r) + fmt.Sprintf("\tVADDPS Y15, %s, %s\n", r, r) + st(r, "@dst")
			},
		},
		{
			name: "scaleAVX2", doc: "scaleAVX2(dst, x *float32, n int, s float32): dst = s·x.",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}, {"s", "f32"}},
			unroll: 4, regs: 2, setup: "\tVBROADCASTSS $s, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				r := y(2 * k)
				return ld("@x", r) + fmt.Sprintf("\tVMULPS Y15, %s, %s\n", r, r) + st(r, "@dst")
			},
		},
		{
			name: "axpyAVX2", doc: "axpyAVX2(y, x *float32, n int, alpha float32): y += alpha·x (one FMA).",
			args:   []arg{{"y", "ptr"}, {"x", "ptr"}, {"n", "int"}, {"alpha", "f32"}},
			unroll: 4, regs: 2, setup: "\tVBROADCASTSS $alpha, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				r0, r1 := y(2*k), y(2*k+1)
				return ld("@x", r0) + ld("@y", r1) +
					fmt.Sprintf("\tVFMADD231PS Y15, %s, %s\n", r0, r1) + st(r1, "@y")
			},
		},
		{
			name: "axpyToAVX2", doc: "axpyToAVX2(dst, x, y *float32, n int, alpha float32): dst = alpha·x + y (one FMA).",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"y", "ptr"}, {"n", "int"}, {"alpha", "f32"}},
			unroll: 4, regs: 2, setup: "\tVBROADCASTSS $alpha, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				r0, r1 := y(2*k), y(2*k+1)
				return ld("@x", r0) + ld("@y", r1) +
					fmt.Sprintf("\tVFMADD231PS Y15, %s, %s\n", r0, r1) + st(r1, "@dst")
			},
		},
		{
			// VMAXPS returns its second source when either input is NaN or
			// both are zero; x is that source, so NaN and -0 pass through
			// exactly as in reluGeneric.
			name: "reluAVX2", doc: "reluAVX2(dst, x *float32, n int): dst = x < 0 ? 0 : x (NaN stays NaN).",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}},
			unroll: 4, regs: 2, setup: "\tVXORPS Y15, Y15, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				r := y(2 * k)
				return ld("@x", r) + fmt.Sprintf("\tVMAXPS %s, Y15, %s\n", r, r) + st(r, "@dst")
			},
		},
		{
			name: "reluBackwardAVX2", doc: "reluBackwardAVX2(dx, dy, y *float32, n int): dx += dy where y > 0.",
			args:   []arg{{"dx", "ptr"}, {"dy", "ptr"}, {"y", "ptr"}, {"n", "int"}},
			unroll: 4, regs: 3, setup: "\tVXORPS Y15, Y15, Y15\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				a, b, c := y(3*k), y(3*k+1), y(3*k+2)
				return ld("@y", a) + ld("@dy", b) + ld("@dx", c) +
					fmt.Sprintf("\tVCMPPS $0x1e, Y15, %s, %s\n", a, a) + // y > 0 (ordered)
					fmt.Sprintf("\tVANDPS %s, %s, %s\n", a, b, b) +
					fmt.Sprintf("\tVADDPS %s, %s, %s\n", b, c, c) + st(c, "@dx")
			},
		},
		{
			name: "expAVX2", doc: "expAVX2(dst, x *float32, n int): dst = e^x.",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}},
			unroll: 4, regs: 3, setup: clampSetup,
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				x, n, p := y(3*k), y(3*k+1), y(3*k+2)
				return ld("@x", x) + expBody(x, n, p) + st(p, "@dst")
			},
		},
		{
			name: "expSumAVX2", doc: "expSumAVX2(dst, x *float32, n int, shift float32) float32: dst = e^(x−shift), returns Σdst.",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}, {"shift", "f32"}},
			unroll: 4, regs: 3, setup: clampSetup + "\tVBROADCASTSS $shift, Y13\n",
			acc: "Y12", ret: "ret", result: func(k int) string { return y(3*k + 2) },
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				x, n, p := y(3*k), y(3*k+1), y(3*k+2)
				return ld("@x", x) + fmt.Sprintf("\tVSUBPS Y13, %s, %s\n", x, x) +
					expBody(x, n, p) + st(p, "@dst")
			},
		},
		{
			name: "sigmoidAVX2", doc: "sigmoidAVX2(dst, x *float32, n int): dst = 1/(1+e^−x).",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}},
			unroll: 4, regs: 3, setup: clampSetup + "\tVBROADCASTSS expc<>+392(SB), Y13\n\tVBROADCASTSS expc<>+400(SB), Y12\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				x, n, p := y(3*k), y(3*k+1), y(3*k+2)
				return ld("@x", x) + fmt.Sprintf("\tVXORPS Y12, %s, %s\n", x, x) +
					expBody(x, n, p) +
					fmt.Sprintf("\tVADDPS Y13, %s, %s\n\tVDIVPS %s, Y13, %s\n", p, p, p, p) +
					st(p, "@dst")
			},
		},
		{
			name: "tanhAVX2", doc: "tanhAVX2(dst, x *float32, n int): dst = tanh x.",
			args:   []arg{{"dst", "ptr"}, {"x", "ptr"}, {"n", "int"}},
			unroll: 2, regs: 4,
			setup: clampSetup + "\tVBROADCASTSS expc<>+392(SB), Y13\n\tVBROADCASTSS expc<>+404(SB), Y12\n" +
				"\tVBROADCASTSS expc<>+396(SB), Y11\n\tVBROADCASTSS expc<>+400(SB), Y10\n",
			body: func(k int, ld func(string, string) string, st func(string, string) string) string {
				x, a, n, p := y(4*k), y(4*k+1), y(4*k+2), y(4*k+3)
				var b strings.Builder
				f := func(format string, v ...any) { fmt.Fprintf(&b, "\t"+format+"\n", v...) }
				b.WriteString(ld("@x", x))
				// Large |x|: tanh|x| = (1−t)/(1+t) with t = e^(−2|x|) ≤ 1,
				// so nothing overflows; the sign of x is put back after.
				f("VANDPS Y12, %s, %s", x, a)
				f("VMULPS Y11, %s, %s", a, a)
				b.WriteString(expBody(a, n, p))
				f("VSUBPS %s, Y13, %s", p, a)
				f("VADDPS Y13, %s, %s", p, p)
				f("VDIVPS %s, %s, %s", p, a, a)
				f("VANDPS Y10, %s, %s", x, n)
				f("VORPS %s, %s, %s", n, a, a)
				// Small |x| < 0.25: x + x·x²·(t3 + x²(t5 + x²(t7 + x²·t9))),
				// where 1 − t would lose digits to cancellation.
				f("VMULPS %s, %s, %s", x, x, p)
				f("VBROADCASTSS expc<>+424(SB), %s", n)
				f("VBROADCASTSS expc<>+420(SB), Y9")
				f("VFMADD213PS Y9, %s, %s", p, n)
				f("VBROADCASTSS expc<>+416(SB), Y9")
				f("VFMADD213PS Y9, %s, %s", p, n)
				f("VBROADCASTSS expc<>+412(SB), Y9")
				f("VFMADD213PS Y9, %s, %s", p, n)
				f("VMULPS %s, %s, %s", p, n, n)
				f("VFMADD213PS %s, %s, %s", x, x, n)
				f("VANDPS Y12, %s, %s", x, p)
				f("VBROADCASTSS expc<>+408(SB), Y9")
				f("VCMPPS $0x11, Y9, %s, %s", p, p) // |x| < 0.25 (ordered, NaN false)
				f("VBLENDVPS %s, %s, %s, %s", p, n, a, a)
				b.WriteString(st(a, "@dst"))
				return b.String()
			},
		},
	}
	for _, k := range kernels {
		if k.unroll*k.regs > 9 && k.name == "tanhAVX2" {
			panic("tanh slots collide with Y9 scratch")
		}
		k.emit(&w)
	}
	w.WriteString(reductions)
	for file, text := range map[string][]byte{"kernels_amd64.s": w.Bytes(), "expmath_amd64.s": expMathFile()} {
		if err := os.WriteFile(file, text, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// expMathConsts are the float64 constants of math.Exp's amd64 code
// ($GOROOT/src/math/exp_amd64.s), spelled as it spells them so that the
// assembler gives the same bits, then the clamps; each is stored 4 times
// (one YMM operand).
var expMathConsts = []struct{ name, value string }{
	{"log2e", "1.4426950408889634073599246810018920"},
	{"ln2u", "0.69314718055966295651160180568695068359375"},
	{"ln2l", "0.28235290563031577122588448175013436025525412068e-12"},
	{"sixteenth", "0.0625"},
	{"c8", "2.4801587301587301587e-5"},
	{"c7", "1.9841269841269841270e-4"},
	{"c6", "1.3888888888888888889e-3"},
	{"c5", "8.3333333333333333333e-3"},
	{"c4", "4.1666666666666666667e-2"},
	{"c3", "1.6666666666666666667e-1"},
	{"half", "0.5"},
	{"one", "1.0"},
	{"two", "2.0"},
	{"lo", "-1000.0"},
	{"hi", "7.09782712893384e+02"},
}

// expMathBody is one group of four lanes: x (4 float32 at SI+OFF, minus
// the shift in X15) to float64 results in Y1. Register numbers are
// written as R0..R5 (X or Y) and moved up for the second group of a
// pair; CONST(name) is the constant's YMM operand.
const expMathBody = `VMOVUPS OFF(SI), XR0
VSUBPS X15, XR0, XR0
VCVTPS2PD XR0, YR0
VMAXPD CONST(lo), YR0, YR1
VMINPD CONST(hi), YR1, YR1
VMULPD CONST(log2e), YR1, YR2
VCVTPD2DQY YR2, XR3
VCVTDQ2PD XR3, YR2
VFNMADD231PD CONST(ln2u), YR2, YR1
VFNMADD231PD CONST(ln2l), YR2, YR1
VMULPD CONST(sixteenth), YR1, YR1
VMOVUPD CONST(c8), YR4
VFMADD213PD CONST(c7), YR1, YR4
VFMADD213PD CONST(c6), YR1, YR4
VFMADD213PD CONST(c5), YR1, YR4
VFMADD213PD CONST(c4), YR1, YR4
VFMADD213PD CONST(c3), YR1, YR4
VFMADD213PD CONST(half), YR1, YR4
VFMADD213PD CONST(one), YR1, YR4
VMULPD YR4, YR1, YR1
VADDPD CONST(two), YR1, YR4
VMULPD YR4, YR1, YR1
VADDPD CONST(two), YR1, YR4
VMULPD YR4, YR1, YR1
VADDPD CONST(two), YR1, YR4
VMULPD YR4, YR1, YR1
VADDPD CONST(two), YR1, YR4
VFMADD213PD CONST(one), YR4, YR1
VPADDD X14, XR3, XR3
VPMAXSD X13, XR3, XR3
VPMOVZXDQ XR3, YR3
VPSLLQ $52, YR3, YR3
VMULPD YR3, YR1, YR1
VCMPPD $3, YR0, YR0, YR5
VBLENDVPD YR5, YR0, YR1, YR1`

// expMathGroup returns expMathBody's lines for the group whose registers
// start at base and whose input is at SI+off.
func expMathGroup(base, off int) []string {
	text := expMathBody
	for i, c := range expMathConsts {
		text = strings.ReplaceAll(text, "CONST("+c.name+")", fmt.Sprintf("expm<>+%d(SB)", 32*i))
	}
	for r := 5; r >= 0; r-- {
		text = strings.ReplaceAll(text, fmt.Sprintf("R%d", r), fmt.Sprint(base+r))
	}
	o := ""
	if off != 0 {
		o = fmt.Sprint(off)
	}
	text = strings.ReplaceAll(text, "OFF(SI)", o+"(SI)")
	return strings.Split(text, "\n")
}

// expMathFile is expmath_amd64.s: expMath64AVX2 and expMath32AVX2, which
// differ only in how they store the four results.
func expMathFile() []byte {
	var w bytes.Buffer
	w.WriteString(`// Code generated by asmgen.go; DO NOT EDIT.

//go:build amd64 && !purego && !noasm

#include "textflag.h"

// The kernels of expmath.go: math.Exp's amd64 algorithm (the FMA branch of
// archExp in $GOROOT/src/math/exp_amd64.s: k = round(x·log2 e), a two-part
// ln 2 reduction, x/16, a degree-8 Taylor polynomial for e^r − 1, four
// squarings) run on four float64 lanes at once. Every lane does exactly
// the scalar instruction sequence, with the same constants, so each result
// has the bits math.Exp gives. Out-of-range lanes are clamped instead of
// branched on: x > 709.78 gives k = 1024 and so +Inf, as math.Exp does;
// x < −1000 (and −Inf) gives a zero scale; NaN lanes are put back at the
// end. Results below 2^−1022, subnormal in math.Exp, come out as 0.

`)
	for i, c := range expMathConsts {
		for j := range 4 {
			fmt.Fprintf(&w, "DATA expm<>+%d(SB)/8, $%s\n", 32*i+8*j, c.value)
		}
	}
	bias := 32 * len(expMathConsts)
	for j := range 4 {
		fmt.Fprintf(&w, "DATA expm<>+%d(SB)/4, $1023\n", bias+4*j)
	}
	fmt.Fprintf(&w, "GLOBL expm<>(SB), RODATA|NOPTR, $%d\n\n", bias+16)
	a, b := expMathGroup(0, 0), expMathGroup(6, 16)
	for _, k := range []struct {
		name, dst string
		step      int
		store     func(r int, off string) string
	}{
		{"expMath64AVX2", "float64", 32, func(r int, off string) string {
			return fmt.Sprintf("\tVMOVUPD Y%d, %s(DI)\n", r, off)
		}},
		{"expMath32AVX2", "float32", 16, func(r int, off string) string {
			return fmt.Sprintf("\tVCVTPD2PSY Y%d, X%d\n\tVMOVUPS X%d, %s(DI)\n", r, r, r, off)
		}},
	} {
		fmt.Fprintf(&w, `// func %s(dst *%s, x *float32, n int, shift float32)
// n is a positive multiple of 4. Two groups of four go through the loop
// interleaved, so that one group's long dependency chain hides the other's.
TEXT ·%s(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	VBROADCASTSS shift+24(FP), X15
	VMOVDQU expm<>+%d(SB), X14
	VPXOR X13, X13, X13
	CMPQ CX, $2
	JLT one
pair:
`, k.name, k.dst, k.name, bias)
		for i := range a {
			fmt.Fprintf(&w, "\t%s\n\t%s\n", a[i], b[i])
		}
		w.WriteString(k.store(1, "") + k.store(7, fmt.Sprint(k.step)))
		fmt.Fprintf(&w, "\tADDQ $32, SI\n\tADDQ $%d, DI\n\tSUBQ $2, CX\n\tCMPQ CX, $2\n\tJGE pair\n\tTESTQ CX, CX\n\tJZ done\none:\n", 2*k.step)
		for _, l := range a {
			fmt.Fprintf(&w, "\t%s\n", l)
		}
		w.WriteString(k.store(1, "") + "done:\n\tVZEROUPPER\n\tRET\n\n")
	}
	return w.Bytes()
}

// reductions are the whole-vector reduction kernels. Each handles
// n &^ 7 elements; the Go wrapper adds the rest.
const reductions = `// sumAVX2(x *float32, n int) float32: Σx over the first n&^7 elements,
// in 32 independent float32 lanes.
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ sum8
sumloop:
	VADDPS (SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	ADDQ $32, AX
	CMPQ AX, BX
	JLT sumloop
sum8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JGE sumdone
sumloop8:
	VADDPS (SI)(AX*4), Y0, Y0
	ADDQ $8, AX
	CMPQ AX, BX
	JLT sumloop8
sumdone:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X15
	VADDPS X15, X0, X0
	VMOVHLPS X0, X15, X15
	VADDPS X15, X0, X0
	VMOVSHDUP X0, X15
	VADDSS X15, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// dotAVX2(x, y *float32, n int) float32: Σx·y over the first n&^7
// elements, in 32 independent FMA lanes.
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DX
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ dot8
dotloop:
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VFMADD231PS (DX)(AX*4), Y4, Y0
	VFMADD231PS 32(DX)(AX*4), Y5, Y1
	VFMADD231PS 64(DX)(AX*4), Y6, Y2
	VFMADD231PS 96(DX)(AX*4), Y7, Y3
	ADDQ $32, AX
	CMPQ AX, BX
	JLT dotloop
dot8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JGE dotdone
dotloop8:
	VMOVUPS (SI)(AX*4), Y4
	VFMADD231PS (DX)(AX*4), Y4, Y0
	ADDQ $8, AX
	CMPQ AX, BX
	JLT dotloop8
dotdone:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X15
	VADDPS X15, X0, X0
	VMOVHLPS X0, X15, X15
	VADDPS X15, X0, X0
	VMOVSHDUP X0, X15
	VADDSS X15, X0, X0
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// maxAVX2(x *float32, n int) (m float32, nan bool): the largest of the
// first n&^7 elements (-Inf if none), and whether any of them is NaN.
// VMAXPS drops NaN, so NaN is tracked separately with an unordered compare.
TEXT ·maxAVX2(SB), NOSPLIT, $0-21
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS maxc<>+0(SB), Y0
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	VXORPS Y8, Y8, Y8
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ max8
maxloop:
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VMAXPS Y4, Y0, Y0
	VMAXPS Y5, Y1, Y1
	VMAXPS Y6, Y2, Y2
	VMAXPS Y7, Y3, Y3
	VCMPPS $3, Y5, Y4, Y4
	VCMPPS $3, Y7, Y6, Y6
	VORPS Y4, Y8, Y8
	VORPS Y6, Y8, Y8
	ADDQ $32, AX
	CMPQ AX, BX
	JLT maxloop
max8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JGE maxdone
maxloop8:
	VMOVUPS (SI)(AX*4), Y4
	VMAXPS Y4, Y0, Y0
	VCMPPS $3, Y4, Y4, Y4
	VORPS Y4, Y8, Y8
	ADDQ $8, AX
	CMPQ AX, BX
	JLT maxloop8
maxdone:
	VMAXPS Y1, Y0, Y0
	VMAXPS Y3, Y2, Y2
	VMAXPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X15
	VMAXPS X15, X0, X0
	VMOVHLPS X0, X15, X15
	VMAXPS X15, X0, X0
	VMOVSHDUP X0, X15
	VMAXSS X15, X0, X0
	VMOVSS X0, m+16(FP)
	VMOVMSKPS Y8, AX
	TESTL AX, AX
	SETNE nan+20(FP)
	VZEROUPPER
	RET

DATA maxc<>+0(SB)/4, $0xff800000
GLOBL maxc<>(SB), RODATA|NOPTR, $4
`
