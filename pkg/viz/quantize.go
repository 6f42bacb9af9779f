package viz

import (
	"image"
	"image/color"
	"sync/atomic"
)

// quantizer maps colours to palette indices exactly as image/draw's
// FloydSteinberg and Src do when they draw onto an *image.Paletted: the
// first palette entry of least squared RGBA distance, with draw's
// rounding. draw compares every pixel with all 256 entries of the Plan 9
// palette, which made the GIF of one glimpse path cost most of a second.
// quantizer splits the RGB cube into a grid of cells and, for an opaque
// colour, compares it only with the entries that can be nearest to some
// colour of its cell; the index it finds is the one draw finds.
type quantizer struct {
	pal [][4]int32 // the palette as draw sees it: 16-bit R, G, B, A
	// cells holds each cell's candidates in palette order, built the first
	// time a colour falls into the cell. Frames quantised at once share
	// them; two that build one cell together build the same list.
	cells [gridCells * gridCells * gridCells]atomic.Pointer[[]uint8]
}

// gridShift splits each 16-bit channel into gridCells cells of
// 1<<gridShift values: 16 cells per axis leave a handful of candidates in
// each cell of the Plan 9 palette.
const (
	gridShift = 12
	gridCells = 1 << (16 - gridShift)
)

// newQuantizer prepares pal, which must have 1 to 256 colours.
func newQuantizer(pal color.Palette) *quantizer {
	q := &quantizer{pal: make([][4]int32, len(pal))}
	for i, c := range pal {
		r, g, b, a := c.RGBA()
		q.pal[i] = [4]int32{int32(r), int32(g), int32(b), int32(a)}
	}
	return q
}

// sqDiff is image/draw's distance term: the squared difference of two
// 16-bit values, shifted right by 2 so that four of them fit a uint32.
func sqDiff(x, y int32) uint32 {
	d := uint32(x - y)
	return (d * d) >> 2
}

// index returns the palette index of the colour (r, g, b, a), 16-bit
// channels each in [0, 0xffff].
func (q *quantizer) index(r, g, b, a int32) int {
	cands := q.candidatesOf(r, g, b, a)
	best, bestSum := 0, uint32(1<<32-1)
	for _, i := range cands {
		p := &q.pal[i]
		sum := sqDiff(r, p[0]) + sqDiff(g, p[1]) + sqDiff(b, p[2]) + sqDiff(a, p[3])
		if sum < bestSum {
			best, bestSum = int(i), sum
			if sum == 0 {
				break
			}
		}
	}
	return best
}

// candidatesOf returns the entries to compare the colour with: its
// cell's when the colour is opaque (the cells assume alpha 0xffff), else
// every entry.
func (q *quantizer) candidatesOf(r, g, b, a int32) []uint8 {
	if a != 0xffff {
		return everyIndex[:len(q.pal)]
	}
	k := int(r>>gridShift)*gridCells*gridCells + int(g>>gridShift)*gridCells + int(b>>gridShift)
	if c := q.cells[k].Load(); c != nil {
		return *c
	}
	c := q.cellCandidates(r>>gridShift, g>>gridShift, b>>gridShift)
	q.cells[k].Store(&c)
	return c
}

// everyIndex lists every palette index in order.
var everyIndex = func() (ix [256]uint8) {
	for i := range ix {
		ix[i] = uint8(i)
	}
	return ix
}()

// cellCandidates lists, in palette order, the entries that may be nearest to
// an opaque colour of cell (ci, cj, ck). An entry whose least distance to
// the cell exceeds the greatest distance of some entry to the cell is
// farther, for every colour of the cell, than that entry: it can neither
// be the nearest nor tie with it, so leaving it out changes no index.
// Distances are draw's sums of sqDiff; each term is monotone in the
// channel difference, so its least and greatest values over the cell are
// at the nearest and the farthest edge.
func (q *quantizer) cellCandidates(ci, cj, ck int32) []uint8 {
	cell := [3]int32{ci, cj, ck}
	lo := make([]uint64, len(q.pal))
	minHi := uint64(1<<64 - 1)
	for i, p := range q.pal {
		l, h := uint64(sqDiff(0xffff, p[3])), uint64(sqDiff(0xffff, p[3]))
		for c := range 3 {
			c0 := cell[c] << gridShift
			c1 := c0 + 1<<gridShift - 1
			l += uint64(sqDiff(min(max(p[c], c0), c1), p[c]))
			h += uint64(max(sqDiff(c0, p[c]), sqDiff(c1, p[c])))
		}
		lo[i] = l
		minHi = min(minHi, h)
	}
	var out []uint8
	for i, l := range lo {
		if l <= minHi {
			out = append(out, uint8(i))
		}
	}
	return out
}

// clamp16 limits a channel with diffused error to [0, 0xffff], as draw
// does.
func clamp16(v int32) int32 { return min(max(v, 0), 0xffff) }

// draw quantises src, from sp on, into all of dst, whose palette q was
// made from, with Floyd-Steinberg error diffusion when dither is set: the
// pixels draw.FloydSteinberg.Draw(dst, dst.Rect, src, sp) (or draw.Src
// without dither) writes, whose arithmetic it repeats step for step.
// src must cover dst.Rect's size from sp.
//
// skip, when not nil, marks pixels (row-major over dst) to leave out: they
// get index skipIndex, and no error flows into or out of them, as if the
// picture ended there.
func (q *quantizer) draw(dst *image.Paletted, src image.Image, sp image.Point, dither bool, skip []bool, skipIndex uint8) {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	// The errors carried to the current and the next row; +2 spares the
	// edge tests, as in draw.
	errCur := make([][4]int32, w+2)
	errNext := make([][4]int32, w+2)
	rgba, _ := src.(*image.RGBA)
	// The colour looked up last and its index: runs of one colour (a
	// background, or a palette colour, which leaves no error to diffuse)
	// skip the search.
	last, lastIndex := [4]int32{-1}, 0
	for y := range h {
		row := dst.Pix[dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y):]
		for x := range w {
			if skip != nil && skip[y*w+x] {
				row[x] = skipIndex
				errCur[x+1] = [4]int32{}
				continue
			}
			var er, eg, eb, ea int32
			if rgba != nil {
				px := rgba.Pix[rgba.PixOffset(sp.X+x, sp.Y+y):]
				er, eg, eb, ea = int32(px[0])*0x101, int32(px[1])*0x101, int32(px[2])*0x101, int32(px[3])*0x101
			} else {
				r, g, b, a := src.At(sp.X+x, sp.Y+y).RGBA()
				er, eg, eb, ea = int32(r), int32(g), int32(b), int32(a)
			}
			if dither {
				e := &errCur[x+1]
				er, eg, eb, ea = clamp16(er+e[0]/16), clamp16(eg+e[1]/16), clamp16(eb+e[2]/16), clamp16(ea+e[3]/16)
			}
			if c := [4]int32{er, eg, eb, ea}; c != last {
				last, lastIndex = c, q.index(er, eg, eb, ea)
			}
			i := lastIndex
			row[x] = uint8(i)
			if !dither {
				continue
			}
			p := &q.pal[i]
			dr, dg, db, da := er-p[0], eg-p[1], eb-p[2], ea-p[3]
			n0, n1, n2, c2 := &errNext[x], &errNext[x+1], &errNext[x+2], &errCur[x+2]
			n0[0], n0[1], n0[2], n0[3] = n0[0]+3*dr, n0[1]+3*dg, n0[2]+3*db, n0[3]+3*da
			n1[0], n1[1], n1[2], n1[3] = n1[0]+5*dr, n1[1]+5*dg, n1[2]+5*db, n1[3]+5*da
			n2[0], n2[1], n2[2], n2[3] = n2[0]+dr, n2[1]+dg, n2[2]+db, n2[3]+da
			c2[0], c2[1], c2[2], c2[3] = c2[0]+7*dr, c2[1]+7*dg, c2[2]+7*db, c2[3]+7*da
		}
		errCur, errNext = errNext, errCur
		clear(errNext)
	}
}
