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

// patchWeightsAVX2(w, den, wmax, dist *float32, n, patch int, bias, scale float32):
// d = box of patch dist values, w = exp(−max(d − bias, 0)·scale),
// den += w, wmax = max(wmax, w). The box adds even and odd terms in two
// registers, as patchWeightsGeneric does.
TEXT ·patchWeightsAVX2(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), DI
	MOVQ den+8(FP), SI
	MOVQ wmax+16(FP), DX
	MOVQ dist+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ patch+40(FP), R8
	SUBQ $1, R8
	SHRQ $1, R8
	VBROADCASTSS bias+48(FP), Y13
	VBROADCASTSS scale+52(FP), Y12
	VXORPS Y11, Y11, Y11
	VSUBPS Y12, Y11, Y12
	XORQ AX, AX
wloop:
	LEAQ (R9)(AX*4), R10
	VMOVUPS (R10), Y0
	VXORPS Y1, Y1, Y1
	MOVQ R8, R11
	TESTQ R11, R11
	JZ boxdone
box:
	VADDPS 4(R10), Y0, Y0
	VADDPS 8(R10), Y1, Y1
	ADDQ $8, R10
	DECQ R11
	JNZ box
boxdone:
	VADDPS Y1, Y0, Y0
	VSUBPS Y13, Y0, Y0
	VMAXPS Y11, Y0, Y0
	VMULPS Y12, Y0, Y0
	VMAXPS nlmc<>+352(SB), Y0, Y0
	VMULPS nlmc<>+0(SB), Y0, Y1
	VROUNDPS $0, Y1, Y1
	VFNMADD231PS nlmc<>+32(SB), Y1, Y0
	VFNMADD231PS nlmc<>+64(SB), Y1, Y0
	VMOVUPS nlmc<>+96(SB), Y2
	VFMADD213PS nlmc<>+128(SB), Y0, Y2
	VFMADD213PS nlmc<>+160(SB), Y0, Y2
	VFMADD213PS nlmc<>+192(SB), Y0, Y2
	VFMADD213PS nlmc<>+224(SB), Y0, Y2
	VFMADD213PS nlmc<>+256(SB), Y0, Y2
	VFMADD213PS nlmc<>+288(SB), Y0, Y2
	VFMADD213PS nlmc<>+288(SB), Y0, Y2
	VCVTPS2DQ Y1, Y1
	VPSRAD $1, Y1, Y3
	VPSUBD Y3, Y1, Y1
	VPADDD nlmc<>+320(SB), Y3, Y3
	VPSLLD $23, Y3, Y3
	VPADDD nlmc<>+320(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y3, Y2, Y2
	VMULPS Y1, Y2, Y2
	VMOVUPS Y2, (DI)(AX*4)
	VADDPS (SI)(AX*4), Y2, Y3
	VMOVUPS Y3, (SI)(AX*4)
	VMAXPS (DX)(AX*4), Y2, Y3
	VMOVUPS Y3, (DX)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JB wloop
	VZEROUPPER
	RET
