package data

// Box is an axis-aligned pixel rectangle, half-open: it covers the columns
// X0 ≤ x < X1 and the rows Y0 ≤ y < Y1. The zero Box is empty.
type Box struct {
	X0, Y0, X1, Y1 int
}

// W returns the width in pixels.
func (b Box) W() int { return b.X1 - b.X0 }

// H returns the height in pixels.
func (b Box) H() int { return b.Y1 - b.Y0 }

// Empty reports whether the box covers no pixel.
func (b Box) Empty() bool { return b.X1 <= b.X0 || b.Y1 <= b.Y0 }

// Contains reports whether pixel (x, y) lies inside the box.
func (b Box) Contains(x, y int) bool { return b.X0 <= x && x < b.X1 && b.Y0 <= y && y < b.Y1 }

// Inside reports whether the box lies entirely within a w×h image.
func (b Box) Inside(w, h int) bool { return b.X0 >= 0 && b.Y0 >= 0 && b.X1 <= w && b.Y1 <= h }

// Overlaps reports whether the two boxes share at least one pixel.
func (b Box) Overlaps(c Box) bool {
	return !b.Empty() && !c.Empty() && b.X0 < c.X1 && c.X0 < b.X1 && b.Y0 < c.Y1 && c.Y0 < b.Y1
}

// Translate returns the box moved by (dx, dy).
func (b Box) Translate(dx, dy int) Box { return Box{b.X0 + dx, b.Y0 + dy, b.X1 + dx, b.Y1 + dy} }

// Centre returns the box's centre in pixel coordinates.
func (b Box) Centre() (x, y float64) {
	return float64(b.X0+b.X1) / 2, float64(b.Y0+b.Y1) / 2
}

// inkBox returns the tight box around the pixels of a w-wide image that
// exceed thresh, or the empty Box when there are none.
func inkBox(pix []uint8, w int, thresh uint8) Box {
	h := len(pix) / w
	b := Box{X0: w, Y0: h}
	for y := 0; y < h; y++ {
		row := pix[y*w : y*w+w]
		for x, p := range row {
			if p > thresh {
				b.X0 = min(b.X0, x)
				b.X1 = max(b.X1, x+1)
				b.Y0 = min(b.Y0, y)
				b.Y1 = y + 1
			}
		}
	}
	if b.X1 == 0 {
		return Box{}
	}
	return b
}
