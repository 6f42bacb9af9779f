package gemm

import "unsafe"

// maxMR and maxNR bound the register tile of any kernel (sizes of scratch
// arrays).
const (
	maxMR = 16
	maxNR = 64
)

// problem is one (possibly batched) SGEMM call after argument checking.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda, strideA   int
	b              []float32
	ldb, strideB   int
	c              []float32
	ldc, strideC   int
	batch          int
}

// packBufs are one thread's packing buffers, 64-byte aligned and grown on
// demand, so steady-state calls allocate nothing.
type packBufs struct {
	a, b []float32
	tile [maxMR * maxNR]float32 // scratch tile for partial edge tiles
}

// alignedFloats returns n float32s whose first element is 64-byte aligned.
func alignedFloats(n int) []float32 {
	s := make([]float32, n+16)
	off := int((64 - uintptr(unsafe.Pointer(&s[0]))%64) % 64 / 4)
	return s[off : off+n : off+n]
}

func (pb *packBufs) ensure(na, nb int) {
	if cap(pb.a) < na {
		pb.a = alignedFloats(na)
	}
	if cap(pb.b) < nb {
		pb.b = alignedFloats(nb)
	}
}

// blockSize splits total into ceil(total/max) nearly equal blocks, rounded up
// to a multiple of unit, so that e.g. k=257 with kc=256 runs as two blocks
// of 129 and 128 instead of 256 and 1.
func blockSize(total, max, unit int) int {
	nb := (total + max - 1) / max
	s := (total + nb - 1) / nb
	return (s + unit - 1) / unit * unit
}

// gemmRegion computes rows [m0, m1) × columns [n0, n1) of C for batch item
// item with the GotoBLAS loop nest:
//
//	jc: NC-wide column blocks of C and op(B)
//	  pc: KC-deep slices of the k dimension; pack op(B)[pc, jc] (L3)
//	    ic: MC-tall row blocks; pack op(A)[ic, pc] (L2)
//	      jr: NR-wide micro-panels of packed B (stays in L1)
//	        ir: MR-tall micro-panels of packed A → micro-kernel
//
// The first pc block applies beta; later ones accumulate with beta=1.
// m0 and n0 must be multiples of MR and NR so every thread sees the same
// global tile grid (results do not depend on the thread count).
//
// A non-nil pre holds all of op(A) packed beforehand by prepackA (the
// threaded path's shared operand, batch item 0): the ic loop then reads its
// panels there instead of packing them.
func gemmRegion(kn *kernel, bufs *packBufs, p *problem, item, m0, m1, n0, n1 int, pre []float32) {
	mr, nr := kn.mr, kn.nr
	a := p.a[item*p.strideA:]
	b := p.b[item*p.strideB:]
	c := p.c[item*p.strideC:]
	ldc := p.ldc
	m, n, k := m1-m0, n1-n0, p.k
	if m <= 0 || n <= 0 || k <= 0 {
		return
	}

	kc := blockSize(k, kn.kc, 1)
	mc := blockSize(m, kn.mc, mr)
	nc := blockSize(n, kn.nc, nr)
	mpad := (p.m + mr - 1) / mr * mr // rows of one KC slice of pre
	if pre != nil {
		bufs.ensure(0, nc*kc)
	} else {
		bufs.ensure(mc*kc, nc*kc)
	}
	tile := bufs.tile[:mr*nr]

	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			packB(bufs.b, b, p.ldb, p.transB, pc, n0+jc, kcb, ncb, nr)
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				ap := bufs.a
				if pre != nil {
					ap = pre[pc*mpad+(m0+ic)*kcb:]
				} else {
					packA(ap, a, p.lda, p.transA, m0+ic, pc, mcb, kcb, mr)
				}
				for jr := 0; jr < ncb; jr += nr {
					cols := min(nr, ncb-jr)
					bp := &bufs.b[jr*kcb]
					for ir := 0; ir < mcb; ir += mr {
						ci := (m0+ic+ir)*ldc + n0 + jc + jr
						microTile(kn, kcb, &ap[ir*kcb], bp, c[ci:], ldc, min(mr, mcb-ir), cols, p.alpha, beta, tile)
					}
				}
			}
		}
	}
}

// microTile computes the rows×cols tile of C at c (row stride ldc) from an
// MR-row micro-panel of packed A and an NR-column micro-panel of packed B:
// full tiles, partial last row panels and half-width last column panels
// go straight to C through the kernel's entry points; other partial tiles
// go through the scratch tile.
func microTile(kn *kernel, kcb int, ap, bp *float32, c []float32, ldc, rows, cols int, alpha, beta float32, tile []float32) {
	mr, nr := kn.mr, kn.nr
	if cols == nr {
		if rows == mr {
			kn.fn(kcb, ap, bp, &c[0], ldc, alpha, beta)
			return
		}
		if kn.edge != nil {
			kn.edge[rows](kcb, ap, bp, &c[0], ldc, alpha, beta)
			return
		}
	} else if 2*cols == nr && rows == mr && kn.half != nil {
		kn.half(kcb, ap, bp, &c[0], ldc, alpha, beta)
		return
	}
	kn.fn(kcb, ap, bp, &tile[0], nr, alpha, 0)
	mergeTile(c, ldc, tile, nr, rows, cols, beta)
}

// mergeTile writes the valid rows×cols corner of a scratch tile (which holds
// alpha·AB) into C with the BLAS beta rule.
func mergeTile(c []float32, ldc int, t []float32, nr, rows, cols int, beta float32) {
	for r := 0; r < rows; r++ {
		dst := c[r*ldc : r*ldc+cols]
		src := t[r*nr : r*nr+cols]
		switch beta {
		case 0:
			copy(dst, src)
		case 1:
			for j, v := range src {
				dst[j] += v
			}
		default:
			for j, v := range src {
				dst[j] = v + beta*dst[j]
			}
		}
	}
}

// scaleC sets C = beta·C for an m×n matrix, writing zeros without reading C
// when beta is zero. It is the whole product when alpha or k is zero.
func scaleC(c []float32, m, n, ldc int, beta float32) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// prepackA packs MR-row panels [p0, p1) of op(A) for the KC slice that
// starts at pc into pre, in the layout gemmRegion reads: slice pc starts
// at pc·mpad (mpad is m rounded up to MR) and holds ceil(m/MR) panels of
// MR×kcb values. Disjoint panel ranges may be packed concurrently: packA
// writes past its last panel only when it has a further row panel to pack,
// and here that panel is always its own.
func prepackA(kn *kernel, p *problem, pre []float32, pc, p0, p1 int) {
	mr := kn.mr
	kc := blockSize(p.k, kn.kc, 1)
	kcb := min(kc, p.k-pc)
	mpad := (p.m + mr - 1) / mr * mr
	rows := min(p1*mr, p.m) - p0*mr
	packA(pre[pc*mpad+p0*mr*kcb:], p.a, p.lda, p.transA, p0*mr, pc, rows, kcb, mr)
}
