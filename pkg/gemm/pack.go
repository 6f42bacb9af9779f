package gemm

// Packing copies a block of op(A) or op(B) into the order the micro-kernel
// reads it, so the kernel only ever walks contiguous memory and never sees a
// transpose or a leading dimension: the four transpose combinations share one
// kernel and differ only here. Panels past the matrix edge are zero-padded so
// the kernel always computes a full MR×NR tile; the padded rows/columns are
// discarded by the edge write-back.

// packA packs rows [i0, i0+mc) and columns [p0, p0+kc) of op(A) into dst as
// ceil(mc/mr) micro-panels of mr×kc values, each stored column by column
// (kc groups of mr consecutive row values). op(A) is A (m×k, row stride lda)
// or, when trans, the transpose of A (stored k×m).
func packA(dst, a []float32, lda int, trans bool, i0, p0, mc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		if trans {
			// Column p of op(A) is row p0+p of A: the mr values are contiguous.
			if rows == 6 && mr == 6 {
				for p := 0; p < kc; p++ {
					*(*[6]float32)(panel[p*6:]) = *(*[6]float32)(a[(p0+p)*lda+i0+ir:])
				}
				continue
			}
			for p := 0; p < kc; p++ {
				d := panel[p*mr : p*mr+mr]
				src := a[(p0+p)*lda+i0+ir:]
				copy(d[:rows], src[:rows])
				clear(d[rows:])
			}
			continue
		}
		// Rows of A are contiguous: read them in parallel and interleave.
		var srcs [maxMR][]float32
		for r := 0; r < rows; r++ {
			off := (i0+ir+r)*lda + p0
			srcs[r] = a[off : off+kc]
		}
		if rows == mr && mr == 6 {
			s0, s1, s2, s3, s4, s5 := srcs[0], srcs[1], srcs[2], srcs[3], srcs[4], srcs[5]
			for p := 0; p < kc; p++ {
				d := panel[p*6 : p*6+6 : p*6+6]
				d[0], d[1], d[2], d[3], d[4], d[5] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p]
			}
			continue
		}
		for p := 0; p < kc; p++ {
			d := panel[p*mr : p*mr+mr]
			for r := 0; r < rows; r++ {
				d[r] = srcs[r][p]
			}
			clear(d[rows:])
		}
	}
}

// packB packs rows [p0, p0+kc) and columns [j0, j0+nc) of op(B) into dst as
// ceil(nc/nr) micro-panels of kc×nr values, each stored row by row. op(B) is
// B (k×n, row stride ldb) or, when trans, the transpose of B (stored n×k).
func packB(dst, b []float32, ldb int, trans bool, p0, j0, kc, nc, nr int) {
	if !trans {
		packBRows(dst, b, ldb, p0, j0, kc, nc, nr)
		return
	}
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		// Column j of op(B) is row j0+jr+j of B: contiguous along p.
		for j := 0; j < cols; j++ {
			off := (j0+jr+j)*ldb + p0
			src := b[off : off+kc]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kc; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}

// packBRows packs op(B) = B. It walks B row by row (the order B is stored)
// and deals each row out to the micro-panels, so reads are sequential
// rather than a column walk with stride ldb through the whole block.
func packBRows(dst, b []float32, ldb, p0, j0, kc, nc, nr int) {
	full := nc / nr * nr
	for p := 0; p < kc; p++ {
		row := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+nc]
		jr := 0
		switch nr {
		case 16:
			for ; jr < full; jr += 16 {
				*(*[16]float32)(dst[jr*kc+p*16:]) = *(*[16]float32)(row[jr:])
			}
		case 32:
			for ; jr < full; jr += 32 {
				*(*[32]float32)(dst[jr*kc+p*32:]) = *(*[32]float32)(row[jr:])
			}
		default:
			for ; jr < full; jr += nr {
				copy(dst[jr*kc+p*nr:jr*kc+p*nr+nr], row[jr:jr+nr])
			}
		}
		if jr < nc {
			d := dst[jr*kc+p*nr : jr*kc+p*nr+nr]
			n := copy(d, row[jr:])
			clear(d[n:])
		}
	}
}
