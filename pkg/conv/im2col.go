package conv

import "github.com/attnkit/attn/pkg/vec"

// The column matrix of one image has one row per (channel, kt, kh, kw) and
// one column per output position (ot, oh, ow): row r holds, for every output
// position, the input value the kernel tap r multiplies there (0 in the
// padding). A convolution is then W [Cout, Cin·k] times that matrix. Rows are
// channel-major, so the rows of channel group g are contiguous.
//
// The kernels batch several images into one matrix, so im2col and col2im
// take the row stride ld of the column matrix and a col slice that starts
// at the image's first column.

// validRange returns the output indices [lo, hi) whose input index
// o·stride + off falls inside [0, size), clamped to [0, out).
func validRange(off, stride, size, out int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if size-off > 0 {
		hi = (size - off + stride - 1) / stride
	}
	hi = min(hi, out)
	lo = min(lo, hi)
	return lo, hi
}

// shiftedRows reports whether every kernel tap reads a shifted copy of the
// input plane: stride 1, no dilation and an output row as wide as the input
// row ("same" width, as a 3×3 pad-1 convolution), with no time kernel. Then
// the valid part of a tap's row is one contiguous run of the plane, apart
// from the few columns that wrap around a row end, and im2col and col2im
// move whole runs instead of one image row at a time (which at 8×8 and 4×4
// maps costs more in call overhead than in copying).
func (p *Plan) shiftedRows() bool {
	return p.Kernel[0] == 1 && p.Pad[0] == 0 && p.Stride == [3]int{1, 1, 1} &&
		p.Dil[1] == 1 && p.Dil[2] == 1 && p.Out[2] == p.In[2]
}

// tapSpan returns, for a tap at offsets (offH, offW) of a shiftedRows plan,
// the valid output rows [hlo, hhi) and columns [wlo, whi), and whether any
// output position is valid at all.
func (p *Plan) tapSpan(offH, offW int) (hlo, hhi, wlo, whi int, ok bool) {
	hlo, hhi = validRange(offH, 1, p.In[1], p.Out[1])
	wlo, whi = validRange(offW, 1, p.In[2], p.Out[2])
	return hlo, hhi, wlo, whi, hlo < hhi && wlo < whi
}

// clearWrapped zeroes, in rows [hlo, hhi) of a W-wide plane, the columns
// outside [wlo, whi): the positions a contiguous shifted run fills from
// the neighbouring row.
func clearWrapped(plane []float32, W, hlo, hhi, wlo, whi int) {
	if wlo == 0 && whi == W {
		return
	}
	for oh := hlo; oh < hhi; oh++ {
		r := plane[oh*W : (oh+1)*W]
		for j := 0; j < wlo; j++ {
			r[j] = 0
		}
		for j := whi; j < W; j++ {
			r[j] = 0
		}
	}
}

// A "same" plan (shiftedRows with as many output rows as input rows)
// has output planes exactly as large as its input planes, so a tap's row
// over all T frames of a channel is the channel's whole T·H·W block
// shifted by one offset: one copy (or one add) per tap and channel, then
// zeros for the positions that read padding (the bands of rows above and
// below each frame's valid rows, and the wrapped columns). The frame-by-
// frame form below moves 16- or 64-float runs at the 4×4 and 8×8 maps of
// the small networks, where the bookkeeping per run cost more than the
// copying.
func (p *Plan) sameShape() bool { return p.shiftedRows() && p.Out[1] == p.In[1] }

// sameTap is one kernel tap of a sameShape plan: the shift of its row
// against the channel's T·H·W block, and the positions that read
// padding.
type sameTap struct {
	off                int // the row's position i reads the block at i+off
	t, h, w            int // T, H, W
	hlo, hhi, wlo, whi int // each frame's valid rows and columns
	ok                 bool
}

// sameTapAt returns the tap at kernel offsets (kh, kw).
func (p *Plan) sameTapAt(kh, kw int) sameTap {
	offH, offW := kh-p.Pad[1], kw-p.Pad[2]
	hlo, hhi, wlo, whi, ok := p.tapSpan(offH, offW)
	W := p.In[2]
	return sameTap{off: offH*W + offW, t: p.In[0], h: p.In[1], w: W, hlo: hlo, hhi: hhi, wlo: wlo, whi: whi, ok: ok}
}

// span returns the positions [lo, hi) of a row whose shifted position
// lies inside the block; the others are all padding.
func (s sameTap) span() (lo, hi int) {
	return max(0, -s.off), s.t*s.h*s.w - max(0, s.off)
}

// zero clears, in a row of T·H·W positions, those that read padding: the
// rows of every frame outside [hlo, hhi) and the columns outside
// [wlo, whi).
func (s sameTap) zero(row []float32) {
	hw := s.h * s.w
	for f := range s.t {
		frame := row[f*hw : (f+1)*hw]
		clear(frame[:s.hlo*s.w])
		clear(frame[s.hhi*s.w:])
	}
	for j := 0; j < s.wlo; j++ {
		for i := j; i < len(row); i += s.w {
			row[i] = 0
		}
	}
	for j := s.whi; j < s.w; j++ {
		for i := j; i < len(row); i += s.w {
			row[i] = 0
		}
	}
}

// im2colSame is im2col for sameShape plans.
func (p *Plan) im2colSame(col, x []float32, ld int) {
	n, taps := p.inPlane(), p.Kernel[1]*p.Kernel[2]
	for tap := range taps {
		st := p.sameTapAt(tap/p.Kernel[2], tap%p.Kernel[2])
		lo, hi := st.span()
		for c := 0; c < p.Cin; c++ {
			row := col[(c*taps+tap)*ld:][:n]
			if !st.ok {
				clear(row)
				continue
			}
			copy(row[lo:hi], x[c*n+lo+st.off:c*n+hi+st.off])
			// The positions outside [lo, hi) are padding too, inside the
			// bands zero clears.
			st.zero(row)
		}
	}
}

// col2imSame is col2im for sameShape plans. It zeroes the positions of
// col that read padding before adding whole blocks, so col is clobbered.
func (p *Plan) col2imSame(dx, col []float32, ld int) {
	n, taps := p.inPlane(), p.Kernel[1]*p.Kernel[2]
	for tap := range taps {
		st := p.sameTapAt(tap/p.Kernel[2], tap%p.Kernel[2])
		if !st.ok {
			continue
		}
		lo, hi := st.span()
		for c := 0; c < p.Cin; c++ {
			row := col[(c*taps+tap)*ld:][:n]
			st.zero(row)
			d := dx[c*n+lo+st.off : c*n+hi+st.off]
			vec.Add(d, d, row[lo:hi])
		}
	}
}

// im2colShifted is im2col for shiftedRows plans.
func (p *Plan) im2colShifted(col, x []float32, ld int) {
	T, H, W := p.In[0], p.In[1], p.In[2]
	OH := p.Out[1]
	KH, KW := p.Kernel[1], p.Kernel[2]
	op := OH * W // output plane
	r := 0
	for c := 0; c < p.Cin; c++ {
		for kh := 0; kh < KH; kh++ {
			for kw := 0; kw < KW; kw++ {
				offH, offW := kh-p.Pad[1], kw-p.Pad[2]
				hlo, hhi, wlo, whi, ok := p.tapSpan(offH, offW)
				row := col[r*ld : r*ld+T*op]
				r++
				for t := 0; t < T; t++ {
					dst := row[t*op : (t+1)*op]
					if !ok {
						clear(dst)
						continue
					}
					plane := x[(c*T+t)*H*W : (c*T+t+1)*H*W]
					clear(dst[:hlo*W])
					clear(dst[hhi*W:])
					lo, hi, off := hlo*W+wlo, (hhi-1)*W+whi, offH*W+offW
					copy(dst[lo:hi], plane[lo+off:hi+off])
					clearWrapped(dst, W, hlo, hhi, wlo, whi)
				}
			}
		}
	}
}

// col2imShifted is col2im for shiftedRows plans. It zeroes the wrapped
// positions of col before adding whole runs, so col is clobbered.
func (p *Plan) col2imShifted(dx, col []float32, ld int) {
	T, H, W := p.In[0], p.In[1], p.In[2]
	OH := p.Out[1]
	KH, KW := p.Kernel[1], p.Kernel[2]
	op := OH * W
	r := 0
	for c := 0; c < p.Cin; c++ {
		for kh := 0; kh < KH; kh++ {
			for kw := 0; kw < KW; kw++ {
				offH, offW := kh-p.Pad[1], kw-p.Pad[2]
				hlo, hhi, wlo, whi, ok := p.tapSpan(offH, offW)
				row := col[r*ld : r*ld+T*op]
				r++
				if !ok {
					continue
				}
				for t := 0; t < T; t++ {
					src := row[t*op : (t+1)*op]
					plane := dx[(c*T+t)*H*W : (c*T+t+1)*H*W]
					clearWrapped(src, W, hlo, hhi, wlo, whi)
					lo, hi, off := hlo*W+wlo, (hhi-1)*W+whi, offH*W+offW
					d := plane[lo+off : hi+off]
					vec.Add(d, d, src[lo:hi])
				}
			}
		}
	}
}

// im2col fills the column matrix of one image x [Cin, T, H, W]: row r of
// [Cin·kt·kh·kw, OT·OH·OW] is col[r·ld : r·ld+OT·OH·OW].
func (p *Plan) im2col(col, x []float32, ld int) {
	if p.sameShape() {
		p.im2colSame(col, x, ld)
		return
	}
	if p.shiftedRows() {
		p.im2colShifted(col, x, ld)
		return
	}
	T, H, W := p.In[0], p.In[1], p.In[2]
	OT, OH, OW := p.Out[0], p.Out[1], p.Out[2]
	KT, KH, KW := p.Kernel[0], p.Kernel[1], p.Kernel[2]
	sT, sH, sW := p.Stride[0], p.Stride[1], p.Stride[2]
	outC := OT * OH * OW
	r := 0
	for c := 0; c < p.Cin; c++ {
		xc := x[c*T*H*W : (c+1)*T*H*W]
		for kt := 0; kt < KT; kt++ {
			offT := kt*p.Dil[0] - p.Pad[0]
			for kh := 0; kh < KH; kh++ {
				offH := kh*p.Dil[1] - p.Pad[1]
				hlo, hhi := validRange(offH, sH, H, OH)
				for kw := 0; kw < KW; kw++ {
					offW := kw*p.Dil[2] - p.Pad[2]
					wlo, whi := validRange(offW, sW, W, OW)
					row := col[r*ld : r*ld+outC]
					r++
					for ot := 0; ot < OT; ot++ {
						dst := row[ot*OH*OW : (ot+1)*OH*OW]
						it := ot*sT + offT
						if it < 0 || it >= T {
							clear(dst)
							continue
						}
						plane := xc[it*H*W : (it+1)*H*W]
						clear(dst[:hlo*OW])
						clear(dst[hhi*OW:])
						for oh := hlo; oh < hhi; oh++ {
							src := plane[(oh*sH+offH)*W:]
							d := dst[oh*OW : (oh+1)*OW]
							clear(d[:wlo])
							clear(d[whi:])
							if sW == 1 {
								copy(d[wlo:whi], src[wlo+offW:whi+offW])
								continue
							}
							for ow := wlo; ow < whi; ow++ {
								d[ow] = src[ow*sW+offW]
							}
						}
					}
				}
			}
		}
	}
}

// col2im scatters col (laid out as in im2col) back onto one image,
// accumulating: dx [Cin, T, H, W] += Σ over taps. col is scratch and may
// be clobbered.
func (p *Plan) col2im(dx, col []float32, ld int) {
	if p.sameShape() {
		p.col2imSame(dx, col, ld)
		return
	}
	if p.shiftedRows() {
		p.col2imShifted(dx, col, ld)
		return
	}
	T, H, W := p.In[0], p.In[1], p.In[2]
	OT, OH, OW := p.Out[0], p.Out[1], p.Out[2]
	KT, KH, KW := p.Kernel[0], p.Kernel[1], p.Kernel[2]
	sT, sH, sW := p.Stride[0], p.Stride[1], p.Stride[2]
	outC := OT * OH * OW
	r := 0
	for c := 0; c < p.Cin; c++ {
		xc := dx[c*T*H*W : (c+1)*T*H*W]
		for kt := 0; kt < KT; kt++ {
			offT := kt*p.Dil[0] - p.Pad[0]
			for kh := 0; kh < KH; kh++ {
				offH := kh*p.Dil[1] - p.Pad[1]
				hlo, hhi := validRange(offH, sH, H, OH)
				for kw := 0; kw < KW; kw++ {
					offW := kw*p.Dil[2] - p.Pad[2]
					wlo, whi := validRange(offW, sW, W, OW)
					row := col[r*ld : r*ld+outC]
					r++
					for ot := 0; ot < OT; ot++ {
						it := ot*sT + offT
						if it < 0 || it >= T {
							continue
						}
						plane := xc[it*H*W : (it+1)*H*W]
						src := row[ot*OH*OW : (ot+1)*OH*OW]
						for oh := hlo; oh < hhi; oh++ {
							d := plane[(oh*sH+offH)*W:]
							s := src[oh*OW : (oh+1)*OW]
							if sW == 1 {
								d = d[wlo+offW : whi+offW]
								for i, v := range s[wlo:whi] {
									d[i] += v
								}
								continue
							}
							for ow := wlo; ow < whi; ow++ {
								d[ow*sW+offW] += s[ow]
							}
						}
					}
				}
			}
		}
	}
}
