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
	start := 0
	if trans {
		// Column p of op(A) is row p0+p of A: the full panels' values of
		// a k step lie side by side, and are moved row by row.
		if full := mc / mr; full > 0 && packATrans(dst, a[p0*lda+i0:], lda, kc, full, mr) {
			start = full * mr
		}
	}
	for ir := start; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		if trans {
			// Without assembly: element by element for the kernels' panel
			// heights (a copy call per k step cost 7% of a transformer's
			// training step).
			if rows == 6 && mr == 6 {
				for p := 0; p < kc; p++ {
					d := panel[p*6 : p*6+6 : p*6+6]
					s := a[(p0+p)*lda+i0+ir:]
					s = s[:6:6]
					d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
				}
				continue
			}
			if rows == 14 && mr == 14 {
				for p := 0; p < kc; p++ {
					d := panel[p*14 : p*14+14 : p*14+14]
					s := a[(p0+p)*lda+i0+ir:]
					s = s[:14:14]
					d[0], d[1], d[2], d[3], d[4], d[5], d[6] = s[0], s[1], s[2], s[3], s[4], s[5], s[6]
					d[7], d[8], d[9], d[10], d[11], d[12], d[13] = s[7], s[8], s[9], s[10], s[11], s[12], s[13]
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
		// Rows of A are contiguous: this is a transpose of mr rows into kc
		// groups. The assembly helper moves 8×8 tiles; when mr is not a
		// multiple of 8 its last group also writes rows of the next panel
		// (or next k step), which are rewritten afterwards: groups run last
		// to first and each group's k steps in increasing order, and the
		// panel after this one is packed later. So it needs 8·groups rows of
		// the block from ir on.
		if groups := (mr + 7) / 8; ir+8*groups <= mc && kc >= 8 {
			blocks := kc / 8
			ok := true
			for g := groups - 1; g >= 0 && ok; g-- {
				off := (i0+ir+8*g)*lda + p0
				ok = transpose8(dst[ir*kc+8*g:], mr, a[off:], lda, blocks)
			}
			if ok {
				for p := blocks * 8; p < kc; p++ {
					d := panel[p*mr : p*mr+mr]
					for r := range d {
						d[r] = a[(i0+ir+r)*lda+p0+p]
					}
				}
				continue
			}
		}
		// The last panel of a block (the overflow above would reach past
		// it): transpose the groups of 8 rows that lie inside the panel,
		// and copy the rest row by row. The threaded path packs op(A) in
		// pieces, so every piece ends in such a panel.
		if full := rows / 8; full > 0 && kc >= 8 && 8*full <= mr {
			blocks := kc / 8
			ok := true
			for g := 0; g < full && ok; g++ {
				off := (i0+ir+8*g)*lda + p0
				ok = transpose8(dst[ir*kc+8*g:], mr, a[off:], lda, blocks)
			}
			if ok {
				for p := 0; p < kc; p++ {
					d := panel[p*mr : p*mr+mr]
					lo := 8 * full
					if p >= blocks*8 {
						lo = 0
					}
					for r := lo; r < rows; r++ {
						d[r] = a[(i0+ir+r)*lda+p0+p]
					}
					clear(d[rows:])
				}
				continue
			}
		}
		var srcs [maxMR][]float32
		for r := 0; r < rows; r++ {
			off := (i0+ir+r)*lda + p0
			srcs[r] = a[off : off+kc]
		}
		if rows == mr && mr == 6 {
			s0, s1, s2, s3, s4, s5 := srcs[0][:kc], srcs[1][:kc], srcs[2][:kc], srcs[3][:kc], srcs[4][:kc], srcs[5][:kc]
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
		// Full panels: one strided row copy each (assembly when available).
		full := nc / nr * nr
		if full > 0 && copyRows(dst, b[p0*ldb+j0:], ldb, kc, nr) {
			for jr := nr; jr < full; jr += nr {
				copyRows(dst[jr*kc:], b[p0*ldb+j0+jr:], ldb, kc, nr)
			}
			packBRows(dst[full*kc:], b, ldb, p0, j0+full, kc, nc-full, nr)
			return
		}
		packBRows(dst, b, ldb, p0, j0, kc, nc, nr)
		return
	}
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		if cols == nr && nr%8 == 0 && kc >= 8 {
			// Transpose 8 columns of op(B) (8 rows of B) at a time.
			blocks := kc / 8
			ok := true
			for g := 0; g < nr/8 && ok; g++ {
				off := (j0+jr+8*g)*ldb + p0
				ok = transpose8(panel[8*g:], nr, b[off:], ldb, blocks)
			}
			if ok {
				for j := 0; j < nr; j++ {
					off := (j0+jr+j)*ldb + p0
					for p := blocks * 8; p < kc; p++ {
						panel[p*nr+j] = b[off+p]
					}
				}
				continue
			}
		}
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

// packBRows packs op(B) = B. It walks B in strips of rows: within a strip
// each micro-panel receives a contiguous run of whole cache lines, while the
// reads stay sequential along the strip's rows. (Dealing out one row at a
// time instead writes to every panel at a 16 KiB stride, which thrashes one
// L1 set; a whole-panel column walk reads B at stride ldb.)
func packBRows(dst, b []float32, ldb, p0, j0, kc, nc, nr int) {
	const strip = 8
	for ps := 0; ps < kc; ps += strip {
		pe := min(kc, ps+strip)
		for jr := 0; jr < nc; jr += nr {
			cols := min(nr, nc-jr)
			panel := dst[jr*kc : jr*kc+nr*kc]
			for p := ps; p < pe; p++ {
				d := panel[p*nr : p*nr+nr]
				off := (p0+p)*ldb + j0 + jr
				src := b[off : off+cols]
				if cols == 16 && nr == 16 {
					d, src = d[:16:16], src[:16:16]
					for i := range d {
						d[i] = src[i]
					}
					continue
				}
				copy(d, src)
				clear(d[cols:])
			}
		}
	}
}
