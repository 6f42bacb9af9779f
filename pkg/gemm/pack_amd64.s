//go:build amd64 && !purego && !noasm

#include "textflag.h"

// Packing helpers (AVX). Hand-written: two short loops, no tile logic.

// func copyRowsAVX(dst, src *float32, ld, kc, vecs int)
// For p in [0, kc): copy vecs×8 floats from src+p·ld to dst+p·vecs·8.
// Packs one micro-panel of an untransposed B (NR = 8·vecs columns).
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8
	MOVQ kc+24(FP), CX
	MOVQ vecs+32(FP), DX
	TESTQ CX, CX
	JEQ  copy_done
	CMPQ DX, $2
	JNE  copy_general

copy2:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JNE  copy2
	JMP  copy_done

copy_general:
	XORQ AX, AX
copy_vec:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, AX
	ADDQ $32, DI
	MOVQ DX, BX
	SHLQ $5, BX
	CMPQ AX, BX
	JLT  copy_vec
	ADDQ R8, SI
	DECQ CX
	JNE  copy_general

copy_done:
	VZEROUPPER
	RET

// func transpose8AVX(dst *float32, dstStride int, src *float32, ld, blocks int)
// Transposes blocks consecutive 8×8 tiles: rows r∈[0,8) of src (stride ld
// elements), columns 8b..8b+7 → dst+(8b+j)·dstStride, 8 floats each. Packs
// 8 columns of a transposed B (or 8 rows of an untransposed A) at a time.
TEXT ·transpose8AVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R9
	SHLQ $2, R9
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ blocks+32(FP), CX
	TESTQ CX, CX
	JEQ  tr_done
	LEAQ (R8)(R8*2), R10 // 3·ld
	LEAQ (R9)(R9*2), R11 // 3·dstStride

tr_loop:
	MOVQ SI, AX
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (AX)(R10*1), Y3
	LEAQ (AX)(R8*4), AX
	VMOVUPS (AX), Y4
	VMOVUPS (AX)(R8*1), Y5
	VMOVUPS (AX)(R8*2), Y6
	VMOVUPS (AX)(R10*1), Y7

	VUNPCKLPS Y1, Y0, Y8  // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
	VUNPCKHPS Y1, Y0, Y9  // r0[2] r1[2] r0[3] r1[3] | r0[6] ...
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0  // rows 0-3 of columns 0 | 4
	VSHUFPS $0xEE, Y10, Y8, Y1  // columns 1 | 5
	VSHUFPS $0x44, Y11, Y9, Y2  // columns 2 | 6
	VSHUFPS $0xEE, Y11, Y9, Y3  // columns 3 | 7
	VSHUFPS $0x44, Y14, Y12, Y4 // rows 4-7 of columns 0 | 4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8  // column 0
	VPERM2F128 $0x20, Y5, Y1, Y9  // column 1
	VPERM2F128 $0x20, Y6, Y2, Y10 // column 2
	VPERM2F128 $0x20, Y7, Y3, Y11 // column 3
	VPERM2F128 $0x31, Y4, Y0, Y12 // column 4
	VPERM2F128 $0x31, Y5, Y1, Y13 // column 5
	VPERM2F128 $0x31, Y6, Y2, Y14 // column 6
	VPERM2F128 $0x31, Y7, Y3, Y15 // column 7

	MOVQ DI, BX
	VMOVUPS Y8, (BX)
	VMOVUPS Y9, (BX)(R9*1)
	VMOVUPS Y10, (BX)(R9*2)
	VMOVUPS Y11, (BX)(R11*1)
	LEAQ (BX)(R9*4), BX
	VMOVUPS Y12, (BX)
	VMOVUPS Y13, (BX)(R9*1)
	VMOVUPS Y14, (BX)(R9*2)
	VMOVUPS Y15, (BX)(R11*1)

	ADDQ $32, SI
	LEAQ (DI)(R9*8), DI
	DECQ CX
	JNE  tr_loop

tr_done:
	VZEROUPPER
	RET

// func packATransAVX(dst, src *float32, lda, kc, panels, mr int)
// Packs panels full micro-panels of a transposed A (4 ≤ mr ≤ 16): for p in
// [0, kc) and q in [0, panels), the mr floats at src+p·lda+q·mr go to
// dst+q·mr·kc+p·mr. The k steps run outermost, so each row of A is read
// once, left to right, instead of once per panel at a stride that maps
// every step to the same cache set. Each group of mr floats moves as two
// vectors that overlap when mr is not a whole number of them (the first 8
// or 4 floats and the last 8 or 4), so nothing outside them is touched.
TEXT ·packATransAVX(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ kc+24(FP), CX
	MOVQ panels+32(FP), DX
	MOVQ mr+40(FP), BX
	SHLQ $2, BX // mr in bytes
	MOVQ BX, R10
	IMULQ CX, R10 // panel stride in bytes: mr·kc·4
	TESTQ CX, CX
	JEQ  pat_done
	TESTQ DX, DX
	JEQ  pat_done
	CMPQ BX, $32
	JLT  pat_x
	CMPQ BX, $64
	JG   pat_done // wider than two vectors: not this helper's case
	LEAQ -32(BX), R9 // offset of the last 8 floats

pat_y_p:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ DX, R13
pat_y_q:
	VMOVUPS (R11), Y0
	VMOVUPS (R11)(R9*1), Y1
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, (R12)(R9*1)
	ADDQ BX, R11
	ADDQ R10, R12
	DECQ R13
	JNE  pat_y_q
	ADDQ R8, SI
	ADDQ BX, DI
	DECQ CX
	JNE  pat_y_p
	JMP  pat_done

pat_x:
	CMPQ BX, $16
	JLT  pat_done
	LEAQ -16(BX), R9 // offset of the last 4 floats
pat_x_p:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ DX, R13
pat_x_q:
	VMOVUPS (R11), X0
	VMOVUPS (R11)(R9*1), X1
	VMOVUPS X0, (R12)
	VMOVUPS X1, (R12)(R9*1)
	ADDQ BX, R11
	ADDQ R10, R12
	DECQ R13
	JNE  pat_x_q
	ADDQ R8, SI
	ADDQ BX, DI
	DECQ CX
	JNE  pat_x_p

pat_done:
	VZEROUPPER
	RET
