package viz

import (
	"image"
	"image/color"
)

// exactFrame returns f as indices into a palette of its own colours, in
// order of first appearance (row by row), when it is an opaque
// *image.RGBA of at most 256 distinct colours: a GIF frame that keeps
// every pixel exactly, with nothing to dither. ok is false, and the work
// abandoned, at the 257th colour or the first pixel that is not opaque.
//
// Pictures the tools draw (digits, boxes, arrows, text on a few colours)
// are mostly of this kind; quantising them to the Plan 9 palette with
// error diffusion cost most of a small command's time and speckled flat
// colours.
func exactFrame(f image.Image) (*image.Paletted, bool) {
	m, ok := f.(*image.RGBA)
	if !ok {
		return nil, false
	}
	p := image.NewPaletted(image.Rect(0, 0, m.Rect.Dx(), m.Rect.Dy()), nil)
	pal, ok := exactColours(p, m, m.Rect.Min, nil, 256)
	p.Palette = pal
	return p, ok
}

// exactColours fills dst with the indices of the colours of src from sp
// on, in a palette of those colours in order of first appearance, and
// returns it; ok is false, and the work abandoned, at colour limit+1 or at
// a pixel that is not opaque. Pixels that skip marks (row-major over
// dst, nil: none) are left as they are and not counted.
func exactColours(dst *image.Paletted, src *image.RGBA, sp image.Point, skip []bool, limit int) (pal color.Palette, ok bool) {
	var t colourTable
	pal = make(color.Palette, 0, limit)
	w := dst.Rect.Dx()
	last, lastIndex := uint32(1<<32-1), uint8(0) // runs of one colour skip the table
	for y := range dst.Rect.Dy() {
		row := src.Pix[src.PixOffset(sp.X, sp.Y+y):][:4*w]
		out := dst.Pix[y*dst.Stride:][:w]
		for x := range out {
			if skip != nil && skip[y*w+x] {
				continue
			}
			px := row[4*x : 4*x+4 : 4*x+4]
			if px[3] != 0xff {
				return nil, false
			}
			c := uint32(px[0])<<16 | uint32(px[1])<<8 | uint32(px[2])
			if c != last {
				i, found := t.lookup(c, len(pal))
				if !found {
					if len(pal) == limit {
						return nil, false
					}
					pal = append(pal, color.RGBA{px[0], px[1], px[2], 0xff})
				}
				last, lastIndex = c, i
			}
			out[x] = lastIndex
		}
	}
	return pal, true
}

// colourTable maps 24-bit colours to palette indices by open addressing:
// 1,024 slots for at most 256 colours keep the probes short.
type colourTable struct {
	keys [1024]uint32 // colour | 1<<24 for a used slot
	idx  [1024]uint8
}

// lookup returns c's index, or, when c is new, enters it with index next
// and reports found false.
func (t *colourTable) lookup(c uint32, next int) (uint8, bool) {
	k := c | 1<<24
	h := (c * 0x9e3779b1) >> 22
	for {
		switch t.keys[h] {
		case k:
			return t.idx[h], true
		case 0:
			t.keys[h], t.idx[h] = k, uint8(next)
			return uint8(next), false
		}
		h = (h + 1) & 1023
	}
}
