package conv

// The column matrix of one image has one row per (channel, kt, kh, kw) and
// one column per output position (ot, oh, ow): row r holds, for every output
// position, the input value the kernel tap r multiplies there (0 in the
// padding). A convolution is then W [Cout, Cin·k] times that matrix. Rows are
// channel-major, so the rows of channel group g are contiguous.

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

// im2col fills col [Cin·kt·kh·kw, OT·OH·OW] from one image x [Cin, T, H, W].
func (p *Plan) im2col(col, x []float32) {
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
					row := col[r*outC : (r+1)*outC]
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
// accumulating: dx [Cin, T, H, W] += Σ over taps.
func (p *Plan) col2im(dx, col []float32) {
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
					row := col[r*outC : (r+1)*outC]
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
