package imageio

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
	"image"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// A fast PNG writer for the pictures the tools make: 8-bit grey, RGB and
// RGBA. It writes what image/png writes at png.BestSpeed, with two
// changes that do not touch a pixel. (1) A row equal to the one above is
// filtered with Up and skips the search over the five filters: enlarged
// pictures (a filmstrip at zoom 8) repeat most rows, and the search was
// a third of Go's encoder's time. (2) The picture is cut into strips of
// about stripBytes of filtered data, each deflated on its own and ended
// with a sync flush, on as many goroutines as the process may use; the
// zlib stream is their concatenation, with the Adler-32 checksums
// combined. The strips depend on the picture only, so the file is the
// same at any thread count. Strips cost a little compression: matches
// cannot reach back across a strip's start.

// stripBytes is the filtered data per independently deflated strip:
// large enough that the lost matches at strip starts do not matter, small
// enough that a 256×256 heatmap already splits over two threads.
const stripBytes = 96 << 10

// pngSource describes img as rows of bpp-byte pixels: row(y, dst) fills
// dst with row y (0-based from the top).
type pngSource struct {
	w, h      int
	bpp       int
	colorType byte // 0 grey, 2 RGB, 6 RGBA (non-premultiplied)
	row       func(y int, dst []byte) []byte
}

// pngSourceOf returns the rows of the images this writer handles, and
// false for the others (paletted, 16-bit, YCbCr, ...), which image/png
// writes instead.
func pngSourceOf(img image.Image) (pngSource, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 {
		return pngSource{}, false
	}
	switch m := img.(type) {
	case *image.Gray:
		return packedRows(m.Pix, m.Stride, w, h, 1, 0), true
	case *image.RGBA:
		if m.Opaque() {
			return packedRows(m.Pix, m.Stride, w, h, 4, 2), true
		}
	case *image.NRGBA:
		if m.Opaque() {
			return packedRows(m.Pix, m.Stride, w, h, 4, 2), true
		}
		return packedRows(m.Pix, m.Stride, w, h, 4, 6), true
	}
	return pngSource{}, false
}

// packedRows describes w×h pixels of inBpp bytes at pix (the first
// pixel of the picture) with the given row stride, written as colour type
// colorType: 4-byte pixels written as RGB (type 2) lose their alpha, the
// others are the picture's own bytes.
func packedRows(pix []byte, stride, w, h, inBpp int, colorType byte) pngSource {
	if inBpp == 4 && colorType == 2 {
		return pngSource{w: w, h: h, bpp: 3, colorType: 2, row: func(y int, dst []byte) []byte {
			return rgbRow(pix[y*stride:], w, dst)
		}}
	}
	return pngSource{w: w, h: h, bpp: inBpp, colorType: colorType, row: func(y int, _ []byte) []byte {
		return pix[y*stride:][:w*inBpp]
	}}
}

// rgbRow drops the alpha of w opaque 4-byte pixels into dst.
func rgbRow(pix []byte, w int, dst []byte) []byte {
	dst = dst[:3*w]
	for x := range w {
		p := pix[4*x : 4*x+3 : 4*x+3]
		d := dst[3*x : 3*x+3 : 3*x+3]
		d[0], d[1], d[2] = p[0], p[1], p[2]
	}
	return dst
}

// writePNG writes src as a PNG file: the signature, IHDR, one IDAT chunk
// per strip, a last IDAT with the checksum, and IEND.
func writePNG(w io.Writer, src pngSource) error {
	rowLen := 1 + src.w*src.bpp
	perStrip := max(1, stripBytes/rowLen)
	strips := (src.h + perStrip - 1) / perStrip
	out := make([]stripOut, strips)
	var next atomic.Int64
	work := func() {
		s := strippers.Get().(*stripper)
		defer strippers.Put(s)
		for {
			i := int(next.Add(1) - 1)
			if i >= strips {
				return
			}
			y0 := i * perStrip
			out[i] = s.strip(src, y0, min(src.h, y0+perStrip), i == strips-1)
		}
	}
	var wg sync.WaitGroup
	for range min(strips, runtime.GOMAXPROCS(0)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()

	cw := chunkWriter{w: w}
	cw.raw([]byte("\x89PNG\r\n\x1a\n"))
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(src.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(src.h))
	ihdr[8], ihdr[9] = 8, src.colorType // 8 bits; compression, filter and interlace methods 0
	cw.chunk("IHDR", ihdr[:])
	sum := uint32(1)
	for _, o := range out {
		cw.chunk("IDAT", o.deflated) // the first strip starts with the zlib header
		sum = adler32Combine(sum, o.adler, o.n)
	}
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], sum)
	cw.chunk("IDAT", tail[:])
	cw.chunk("IEND", nil)
	return cw.err
}

// strippers keeps the buffers and deflaters between pictures: a
// command that writes several pictures would otherwise make a fresh
// deflater (1.2 MB of tables, as a testing.Benchmark of
// flate.NewWriter(BestSpeed) allocates, to fault in) per
// picture and goroutine.
var strippers = sync.Pool{New: func() any { return new(stripper) }}

// stripOut is one strip's deflated data, with the Adler-32 and length of
// the filtered bytes it holds.
type stripOut struct {
	deflated []byte
	adler    uint32
	n        int
}

// stripper holds one goroutine's buffers: the rows, the five candidate
// filterings and the deflater.
type stripper struct {
	rows     [2][]byte // a converted row and the one above it
	cand     [5][]byte
	filtered []byte
	fw       *flate.Writer
}

// strip filters rows [y0, y1) and deflates them, ending with a sync flush,
// or with the final block when last; the first strip starts with the
// zlib header.
func (s *stripper) strip(src pngSource, y0, y1 int, last bool) stripOut {
	n := src.w * src.bpp
	if cap(s.rows[0]) < n {
		s.rows = [2][]byte{make([]byte, n), make([]byte, n)}
		for i := range s.cand {
			s.cand[i] = make([]byte, 1+n)
		}
	}
	above, free := s.rows[0][:n], s.rows[1][:n]
	prev := above
	clear(prev) // the row above the first is zeros
	if y0 > 0 {
		prev = src.row(y0-1, above)
	}
	s.filtered = s.filtered[:0]
	for y := y0; y < y1; y++ {
		cur := src.row(y, free)
		s.filtered = append(s.filtered, s.filter(cur, prev, src.bpp)...)
		// A row converted into free is the next one's "above": the next
		// conversion goes into the other buffer.
		if &cur[0] == &free[0] {
			above, free = free, above
		}
		prev = cur
	}
	var buf bytes.Buffer
	if y0 == 0 {
		// zlib header: deflate with a 32 KiB window, the fastest level;
		// the check bits make 0x7801 a multiple of 31.
		buf.Write([]byte{0x78, 0x01})
	}
	if s.fw == nil {
		s.fw, _ = flate.NewWriter(&buf, flate.BestSpeed)
	} else {
		s.fw.Reset(&buf)
	}
	s.fw.Write(s.filtered) // a bytes.Buffer never fails
	if last {
		s.fw.Close()
	} else {
		s.fw.Flush()
	}
	return stripOut{deflated: buf.Bytes(), adler: adler32.Checksum(s.filtered), n: len(s.filtered)}
}

// filter returns the filter byte and the filtered row: Up for a row equal
// to the one above (all zeros), else the filter with the least sum of
// absolute values as signed bytes, the PNG specification's heuristic and
// image/png's. (Above the first row are zeros, as the format defines.)
func (s *stripper) filter(cur, prev []byte, bpp int) []byte {
	n := len(cur)
	if bytes.Equal(cur, prev) {
		up := s.cand[2][:1+n]
		up[0] = 2
		clear(up[1:])
		return up
	}
	none, sub, up, avg, paeth := s.cand[0][:1+n], s.cand[1][:1+n], s.cand[2][:1+n], s.cand[3][:1+n], s.cand[4][:1+n]
	none[0], sub[0], up[0], avg[0], paeth[0] = 0, 1, 2, 3, 4
	copy(none[1:], cur)
	var sNone, sSub, sUp, sAvg, sPaeth int
	// The first pixel has nothing to its left (a = c = 0); after it no
	// byte needs a bounds test.
	for i := range min(bpp, n) {
		x, b := cur[i], prev[i]
		sub[1+i], up[1+i], avg[1+i], paeth[1+i] = x, x-b, x-b/2, x-b
		sNone += absSigned(x)
		sSub += absSigned(x)
		sUp += absSigned(x - b)
		sAvg += absSigned(x - b/2)
		sPaeth += absSigned(x - b)
	}
	subT, upT, avgT, paethT := sub[1:1+n], up[1:1+n], avg[1:1+n], paeth[1:1+n]
	cur, prev = cur[:n], prev[:n]
	for i := bpp; i < n; i++ {
		x, a, b, c := cur[i], cur[i-bpp], prev[i], prev[i-bpp]
		fs, fu, fa, fp := x-a, x-b, x-byte((int(a)+int(b))>>1), x-paethPredict(a, b, c)
		subT[i], upT[i], avgT[i], paethT[i] = fs, fu, fa, fp
		sNone += absSigned(x)
		sSub += absSigned(fs)
		sUp += absSigned(fu)
		sAvg += absSigned(fa)
		sPaeth += absSigned(fp)
	}
	best, bs := none, sNone
	for _, c := range []struct {
		row []byte
		sum int
	}{{sub, sSub}, {up, sUp}, {avg, sAvg}, {paeth, sPaeth}} {
		if c.sum < bs {
			best, bs = c.row, c.sum
		}
	}
	return best
}

// absSigned is |v| for v read as a signed byte, without a branch.
func absSigned(v byte) int {
	x := int32(int8(v))
	m := x >> 31
	return int((x ^ m) - m)
}

// paethPredict is the Paeth predictor of the PNG specification: of the
// left (a), above (b) and upper-left (c) bytes, the one nearest a+b−c,
// ties going to a, then b.
func paethPredict(a, b, c byte) byte {
	// p−a = b−c, p−b = a−c, p−c = (a−c)+(b−c).
	pa, pb, pc := abs(int(b)-int(c)), abs(int(a)-int(c)), abs(int(a)+int(b)-2*int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// adler32Combine returns the Adler-32 of the concatenation of two byte
// strings from the checksum a1 of the first, a2 of the second and the
// second's length n2. With s1 = 1 + Σ bytes and s2 = Σ of s1 after each
// byte: s1 = s1₁ + s1₂ − 1, and every byte of the second string adds
// s1₁ − 1 more to s2 than it did alone, so s2 = s2₁ + s2₂ + n2·(s1₁ − 1).
func adler32Combine(a1, a2 uint32, n2 int) uint32 {
	const mod = 65521
	s11, s21 := uint64(a1&0xffff), uint64(a1>>16)
	s12, s22 := uint64(a2&0xffff), uint64(a2>>16)
	s1 := (s11 + s12 + mod - 1) % mod
	s2 := (s21 + s22 + (uint64(n2)%mod)*((s11+mod-1)%mod)) % mod
	return uint32(s2<<16 | s1)
}

// chunkWriter writes PNG chunks (length, type, data, CRC-32 of type and
// data), keeping the first error.
type chunkWriter struct {
	w   io.Writer
	err error
}

func (c *chunkWriter) raw(b []byte) {
	if c.err == nil {
		_, c.err = c.w.Write(b)
	}
}

func (c *chunkWriter) chunk(typ string, data []byte) {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(head[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	c.raw(head[:])
	c.raw(data)
	c.raw(tail[:])
}
