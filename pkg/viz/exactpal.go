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
	var t colourTable
	b := m.Bounds()
	p := image.NewPaletted(image.Rect(0, 0, b.Dx(), b.Dy()), make(color.Palette, 0, 256))
	last, lastIndex := uint32(1<<32-1), uint8(0) // runs of one colour skip the table
	for y := range b.Dy() {
		src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
		dst := p.Pix[y*p.Stride:][:b.Dx()]
		for x := range dst {
			px := src[4*x : 4*x+4 : 4*x+4]
			if px[3] != 0xff {
				return nil, false
			}
			c := uint32(px[0])<<16 | uint32(px[1])<<8 | uint32(px[2])
			if c != last {
				i, found := t.lookup(c, len(p.Palette))
				if !found {
					if len(p.Palette) == 256 {
						return nil, false
					}
					p.Palette = append(p.Palette, color.RGBA{px[0], px[1], px[2], 0xff})
				}
				last, lastIndex = c, i
			}
			dst[x] = lastIndex
		}
	}
	return p, true
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
