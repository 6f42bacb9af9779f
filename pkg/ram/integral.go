package ram

// Integral is a summed-area table of a [C][H][W] image: Sum[c][y][x] is the
// sum of the pixels above and to the left of (x, y), exclusive, so any
// rectangle's sum takes four reads. The glimpse model builds one per image
// and episode and reads every coarse patch of every glimpse from it, which
// makes a block average cost the same whatever the scale (Crow 1984).
// Sums are float64: a 100×100 canvas sums to 10⁴, where float32 would
// lose the last three decimals of a pixel.
type Integral struct {
	C, H, W int
	Sum     []float64 // [C][H+1][W+1]
}

// Reset builds the table of img ([C][H][W], row-major) in place, reusing
// the storage when it is large enough.
func (it *Integral) Reset(img []float32, c, h, w int) {
	it.C, it.H, it.W = c, h, w
	n := c * (h + 1) * (w + 1)
	if cap(it.Sum) < n {
		it.Sum = make([]float64, n)
	}
	it.Sum = it.Sum[:n]
	stride := w + 1
	for ch := 0; ch < c; ch++ {
		s := it.Sum[ch*(h+1)*stride : (ch+1)*(h+1)*stride]
		clear(s[:stride])
		plane := img[ch*h*w : (ch+1)*h*w]
		for y := 0; y < h; y++ {
			row := s[(y+1)*stride : (y+2)*stride]
			above := s[y*stride : (y+1)*stride]
			var run float64
			row[0] = 0
			for x, v := range plane[y*w : (y+1)*w] {
				run += float64(v)
				row[x+1] = above[x+1] + run
			}
		}
	}
}

// rect returns the sum of channel ch over [x0, x1) × [y0, y1), clipped to
// the image (pixels outside read as zero).
func (it *Integral) rect(ch, x0, y0, x1, y1 int) float64 {
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, it.W), min(y1, it.H)
	if x1 <= x0 || y1 <= y0 {
		return 0
	}
	stride := it.W + 1
	s := it.Sum[ch*(it.H+1)*stride:]
	return s[y1*stride+x1] - s[y0*stride+x1] - s[y1*stride+x0] + s[y0*stride+x0]
}

// ExtractIntegral is Extract reading the coarse scales from a summed-area
// table of the same image: the same values up to float rounding (the
// finest scale is copied from img exactly as Extract does).
func (s Sensor) ExtractIntegral(dst, img []float32, it *Integral, lx, ly float32) {
	c, h, w := it.C, it.H, it.W
	fine := Sensor{Patch: s.Patch, Scales: 1}
	fine.Extract(dst, img, c, h, w, lx, ly)
	g := s.Patch
	cx, cy := Centre(lx, w), Centre(ly, h)
	for sc := 1; sc < s.Scales; sc++ {
		f := 1 << sc
		side := g * f
		x0 := roundHalfUp(cx - float64(side)/2)
		y0 := roundHalfUp(cy - float64(side)/2)
		inv := 1 / float64(f*f)
		for ch := 0; ch < c; ch++ {
			out := dst[(sc*c+ch)*g*g : (sc*c+ch+1)*g*g]
			for i := 0; i < g; i++ {
				by := y0 + i*f
				for j := 0; j < g; j++ {
					bx := x0 + j*f
					out[i*g+j] = float32(it.rect(ch, bx, by, bx+f, by+f) * inv)
				}
			}
		}
	}
}
