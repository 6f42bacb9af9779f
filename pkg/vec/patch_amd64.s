//go:build amd64 && !purego && !noasm

// AVX2+FMA kernels of patch.go, written by hand (three short loops). Each
// handles whole 8-float vectors only; the Go side runs the tail through the
// pure-Go twin.

#include "textflag.h"

// nlmc holds the exp constants of expconst.go, 8 copies each: log2e,
// ln2hi, ln2lo, c7..c2, 1, 127 (int32), expLo.
DATA nlmc<>+0(SB)/4, $0x3fb8aa3b
DATA nlmc<>+4(SB)/4, $0x3fb8aa3b
DATA nlmc<>+8(SB)/4, $0x3fb8aa3b
DATA nlmc<>+12(SB)/4, $0x3fb8aa3b
DATA nlmc<>+16(SB)/4, $0x3fb8aa3b
DATA nlmc<>+20(SB)/4, $0x3fb8aa3b
DATA nlmc<>+24(SB)/4, $0x3fb8aa3b
DATA nlmc<>+28(SB)/4, $0x3fb8aa3b
DATA nlmc<>+32(SB)/4, $0x3f318000
DATA nlmc<>+36(SB)/4, $0x3f318000
DATA nlmc<>+40(SB)/4, $0x3f318000
DATA nlmc<>+44(SB)/4, $0x3f318000
DATA nlmc<>+48(SB)/4, $0x3f318000
DATA nlmc<>+52(SB)/4, $0x3f318000
DATA nlmc<>+56(SB)/4, $0x3f318000
DATA nlmc<>+60(SB)/4, $0x3f318000
DATA nlmc<>+64(SB)/4, $0xb95e8083
DATA nlmc<>+68(SB)/4, $0xb95e8083
DATA nlmc<>+72(SB)/4, $0xb95e8083
DATA nlmc<>+76(SB)/4, $0xb95e8083
DATA nlmc<>+80(SB)/4, $0xb95e8083
DATA nlmc<>+84(SB)/4, $0xb95e8083
DATA nlmc<>+88(SB)/4, $0xb95e8083
DATA nlmc<>+92(SB)/4, $0xb95e8083
DATA nlmc<>+96(SB)/4, $0x39500d01
DATA nlmc<>+100(SB)/4, $0x39500d01
DATA nlmc<>+104(SB)/4, $0x39500d01
DATA nlmc<>+108(SB)/4, $0x39500d01
DATA nlmc<>+112(SB)/4, $0x39500d01
DATA nlmc<>+116(SB)/4, $0x39500d01
DATA nlmc<>+120(SB)/4, $0x39500d01
DATA nlmc<>+124(SB)/4, $0x39500d01
DATA nlmc<>+128(SB)/4, $0x3ab60b61
DATA nlmc<>+132(SB)/4, $0x3ab60b61
DATA nlmc<>+136(SB)/4, $0x3ab60b61
DATA nlmc<>+140(SB)/4, $0x3ab60b61
DATA nlmc<>+144(SB)/4, $0x3ab60b61
DATA nlmc<>+148(SB)/4, $0x3ab60b61
DATA nlmc<>+152(SB)/4, $0x3ab60b61
DATA nlmc<>+156(SB)/4, $0x3ab60b61
DATA nlmc<>+160(SB)/4, $0x3c088889
DATA nlmc<>+164(SB)/4, $0x3c088889
DATA nlmc<>+168(SB)/4, $0x3c088889
DATA nlmc<>+172(SB)/4, $0x3c088889
DATA nlmc<>+176(SB)/4, $0x3c088889
DATA nlmc<>+180(SB)/4, $0x3c088889
DATA nlmc<>+184(SB)/4, $0x3c088889
DATA nlmc<>+188(SB)/4, $0x3c088889
DATA nlmc<>+192(SB)/4, $0x3d2aaaab
DATA nlmc<>+196(SB)/4, $0x3d2aaaab
DATA nlmc<>+200(SB)/4, $0x3d2aaaab
DATA nlmc<>+204(SB)/4, $0x3d2aaaab
DATA nlmc<>+208(SB)/4, $0x3d2aaaab
DATA nlmc<>+212(SB)/4, $0x3d2aaaab
DATA nlmc<>+216(SB)/4, $0x3d2aaaab
DATA nlmc<>+220(SB)/4, $0x3d2aaaab
DATA nlmc<>+224(SB)/4, $0x3e2aaaab
DATA nlmc<>+228(SB)/4, $0x3e2aaaab
DATA nlmc<>+232(SB)/4, $0x3e2aaaab
DATA nlmc<>+236(SB)/4, $0x3e2aaaab
DATA nlmc<>+240(SB)/4, $0x3e2aaaab
DATA nlmc<>+244(SB)/4, $0x3e2aaaab
DATA nlmc<>+248(SB)/4, $0x3e2aaaab
DATA nlmc<>+252(SB)/4, $0x3e2aaaab
DATA nlmc<>+256(SB)/4, $0x3f000000
DATA nlmc<>+260(SB)/4, $0x3f000000
DATA nlmc<>+264(SB)/4, $0x3f000000
DATA nlmc<>+268(SB)/4, $0x3f000000
DATA nlmc<>+272(SB)/4, $0x3f000000
DATA nlmc<>+276(SB)/4, $0x3f000000
DATA nlmc<>+280(SB)/4, $0x3f000000
DATA nlmc<>+284(SB)/4, $0x3f000000
DATA nlmc<>+288(SB)/4, $0x3f800000
DATA nlmc<>+292(SB)/4, $0x3f800000
DATA nlmc<>+296(SB)/4, $0x3f800000
DATA nlmc<>+300(SB)/4, $0x3f800000
DATA nlmc<>+304(SB)/4, $0x3f800000
DATA nlmc<>+308(SB)/4, $0x3f800000
DATA nlmc<>+312(SB)/4, $0x3f800000
DATA nlmc<>+316(SB)/4, $0x3f800000
DATA nlmc<>+320(SB)/4, $0x0000007f
DATA nlmc<>+324(SB)/4, $0x0000007f
DATA nlmc<>+328(SB)/4, $0x0000007f
DATA nlmc<>+332(SB)/4, $0x0000007f
DATA nlmc<>+336(SB)/4, $0x0000007f
DATA nlmc<>+340(SB)/4, $0x0000007f
DATA nlmc<>+344(SB)/4, $0x0000007f
DATA nlmc<>+348(SB)/4, $0x0000007f
DATA nlmc<>+352(SB)/4, $0xc2d00000
DATA nlmc<>+356(SB)/4, $0xc2d00000
DATA nlmc<>+360(SB)/4, $0xc2d00000
DATA nlmc<>+364(SB)/4, $0xc2d00000
DATA nlmc<>+368(SB)/4, $0xc2d00000
DATA nlmc<>+372(SB)/4, $0xc2d00000
DATA nlmc<>+376(SB)/4, $0xc2d00000
DATA nlmc<>+380(SB)/4, $0xc2d00000
GLOBL nlmc<>(SB), RODATA|NOPTR, $384

// accSqDiffDeltaAVX2(acc, a, b, c, d *float32, n int):
// acc += (a−b)² − (c−d)², without FMA so that it matches Go bit for bit.
TEXT ·accSqDiffDeltaAVX2(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), R9
	MOVQ d+32(FP), R10
	MOVQ n+40(FP), CX
	XORQ AX, AX
sqloop:
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS (DX)(AX*4), Y0, Y0
	VMOVUPS (R9)(AX*4), Y1
	VSUBPS (R10)(AX*4), Y1, Y1
	VMULPS Y0, Y0, Y0
	VMULPS Y1, Y1, Y1
	VSUBPS Y1, Y0, Y0
	VADDPS (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JB sqloop
	VZEROUPPER
	RET

// accMulAVX2(acc, a, b *float32, n int): acc += a·b (fused).
TEXT ·accMulAVX2(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
mulloop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (DI)(AX*4), Y1
	VFMADD231PS (DX)(AX*4), Y0, Y1
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JB mulloop
	VZEROUPPER
	RET

// BOXW sums patch values from R (two registers, even and odd terms, as
// patchWeightsGeneric does) into A, using B and the counter R11.
#define BOXW(R, A, B) \
	VMOVUPS (R), A; \
	VXORPS B, B, B; \
	MOVQ R8, R11; \
	TESTQ R11, R11; \
	JZ 6(PC); \
	VADDPS 4(R), A, A; \
	VADDPS 8(R), B, B; \
	ADDQ $8, R; \
	DECQ R11; \
	JNZ -4(PC); \
	VADDPS B, A, A

// WEIGHT turns the box sum A into the weight P, using N and T; Y10 =
// shift, Y11 = 0, Y12 = −scale and Y13 = bias.
#define WEIGHT(A, N, P, T) \
	VSUBPS Y13, A, A; \
	VMAXPS Y11, A, A; \
	VMULPS Y12, A, A; \
	VADDPS Y10, A, A; \
	VMAXPS nlmc<>+352(SB), A, A; \
	VMULPS nlmc<>+0(SB), A, N; \
	VROUNDPS $0, N, N; \
	VFNMADD231PS nlmc<>+32(SB), N, A; \
	VFNMADD231PS nlmc<>+64(SB), N, A; \
	VMOVUPS nlmc<>+96(SB), P; \
	VFMADD213PS nlmc<>+128(SB), A, P; \
	VFMADD213PS nlmc<>+160(SB), A, P; \
	VFMADD213PS nlmc<>+192(SB), A, P; \
	VFMADD213PS nlmc<>+224(SB), A, P; \
	VFMADD213PS nlmc<>+256(SB), A, P; \
	VFMADD213PS nlmc<>+288(SB), A, P; \
	VFMADD213PS nlmc<>+288(SB), A, P; \
	VCVTPS2DQ N, N; \
	VPSRAD $1, N, T; \
	VPSUBD T, N, N; \
	VPADDD nlmc<>+320(SB), T, T; \
	VPSLLD $23, T, T; \
	VPADDD nlmc<>+320(SB), N, N; \
	VPSLLD $23, N, N; \
	VMULPS T, P, P; \
	VMULPS N, P, P

// STOREW writes the weight P at offset OFF of w and accumulates it into
// den, using T.
#define STOREW(P, OFF, T) \
	VMOVUPS P, OFF(DI)(AX*4); \
	VADDPS OFF(SI)(AX*4), P, T; \
	VMOVUPS T, OFF(SI)(AX*4)

// patchWeightsAVX2(w, den, dist *float32, n, patch int, bias, scale, shift float32):
// d = box of patch dist values, w = exp(shift − max(d − bias, 0)·scale),
// den += w. Two vectors per iteration give the
// processor two independent exp chains; an odd last vector goes alone.
TEXT ·patchWeightsAVX2(SB), NOSPLIT, $0-52
	MOVQ w+0(FP), DI
	MOVQ den+8(FP), SI
	MOVQ dist+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ patch+32(FP), R8
	SUBQ $1, R8
	SHRQ $1, R8
	VBROADCASTSS bias+40(FP), Y13
	VBROADCASTSS scale+44(FP), Y12
	VBROADCASTSS shift+48(FP), Y10
	VXORPS Y11, Y11, Y11
	VSUBPS Y12, Y11, Y12
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ wone
wloop:
	LEAQ (R9)(AX*4), R10
	BOXW(R10, Y0, Y1)
	LEAQ 32(R9)(AX*4), R10
	BOXW(R10, Y4, Y5)
	WEIGHT(Y0, Y1, Y2, Y3)
	WEIGHT(Y4, Y5, Y6, Y7)
	STOREW(Y2, 0, Y3)
	STOREW(Y6, 32, Y7)
	ADDQ $16, AX
	CMPQ AX, BX
	JB wloop
wone:
	CMPQ AX, CX
	JAE wdone
	LEAQ (R9)(AX*4), R10
	BOXW(R10, Y0, Y1)
	WEIGHT(Y0, Y1, Y2, Y3)
	STOREW(Y2, 0, Y3)
wdone:
	VZEROUPPER
	RET
