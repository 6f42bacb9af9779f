package viz

import (
	"image"
	"image/color"
	"image/color/palette"
	"sync"
)

// A frame after the first is stored as what changed: the smallest
// rectangle holding every pixel that differs from the frame before, with
// the unchanged pixels inside it transparent, so that the previous frame
// shows through (disposal "none"). This is the frame optimisation of
// gifsicle and ImageMagick's OptimizeTransparency. A glimpse path or an
// arrow moving over a still picture then costs the quantiser and the LZW
// coder a small fraction of a frame, and the still parts no longer
// shimmer with a new dither pattern every frame.

// transparent is the palette entry that marks a pixel left as it was.
var transparent = color.RGBA{}

// plan9Delta is the palette of dithered delta frames: the Plan 9 palette
// less the one colour nearest to another of its colours (the transparent
// entry needs its slot), with the transparent entry last.
var plan9Delta = sync.OnceValues(func() (color.Palette, *quantizer) {
	drop, best := 0, int64(1<<62)
	for i, c := range palette.Plan9 {
		for j, d := range palette.Plan9 {
			if i == j {
				continue
			}
			if dist := sqDist(c, d); dist < best || dist == best && i > drop {
				drop, best = i, dist
			}
		}
	}
	opaque := make(color.Palette, 0, 255)
	for i, c := range palette.Plan9 {
		if i != drop {
			opaque = append(opaque, c)
		}
	}
	return append(opaque[:255:255], transparent), newQuantizer(opaque)
})

func sqDist(c, d color.Color) int64 {
	r1, g1, b1, _ := c.RGBA()
	r2, g2, b2, _ := d.RGBA()
	dr, dg, db := int64(r1)-int64(r2), int64(g1)-int64(g2), int64(b1)-int64(b2)
	return dr*dr + dg*dg + db*db
}

// deltaFrame returns cur as a delta over prev (see above), its colours
// kept exactly when the changed pixels have at most 255, else dithered
// (when dither is set) to plan9Delta. ok is false when either frame is not
// an *image.RGBA or when more than half of its pixels changed; the caller
// then stores the whole frame.
func deltaFrame(prev, cur image.Image, dither bool) (*image.Paletted, bool) {
	p, ok1 := prev.(*image.RGBA)
	c, ok2 := cur.(*image.RGBA)
	if !ok1 || !ok2 {
		return nil, false
	}
	w, h := c.Rect.Dx(), c.Rect.Dy()
	rowOf := func(m *image.RGBA, y int) []uint8 { return m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y+y):][:4*w] }
	// One comparison per pixel: which are unchanged, how many changed,
	// and the changed rectangle [x0, x1) × [y0, y1).
	same := make([]bool, w*h)
	changed := 0
	x0, x1, y0, y1 := w, 0, h, 0
	for y := range h {
		a, b, row := rowOf(p, y), rowOf(c, y), same[y*w:(y+1)*w]
		for x := range row {
			row[x] = [4]uint8(a[4*x:]) == [4]uint8(b[4*x:])
			if !row[x] {
				changed++
				x0, x1, y0, y1 = min(x0, x), max(x1, x+1), min(y0, y), y+1
			}
		}
	}
	if x0 >= x1 { // nothing changed: one transparent pixel
		return &image.Paletted{Pix: []uint8{0}, Stride: 1, Rect: image.Rect(0, 0, 1, 1), Palette: color.Palette{transparent}}, true
	}
	if 2*changed > w*h {
		// Most of the frame changed (a new picture, not a moving mark):
		// a delta saves little, and a whole frame shares frame 0's
		// palette and quantiser.
		return nil, false
	}
	rect := image.Rect(x0, y0, x1, y1)
	bw := rect.Dx()
	skip := make([]bool, bw*rect.Dy()) // same, cut to the rectangle
	for y := y0; y < y1; y++ {
		copy(skip[(y-y0)*bw:(y-y0+1)*bw], same[y*w+x0:y*w+x1])
	}
	dst := image.NewPaletted(rect, nil)
	if changedExactly(dst, c, skip) {
		return dst, true
	}
	pal, q := plan9Delta()
	dst.Palette = pal
	q.draw(dst, c, c.Rect.Min.Add(rect.Min), dither, skip, uint8(len(pal)-1))
	return dst, true
}

// changedExactly fills dst (whose Rect is the changed rectangle in frame
// coordinates) with the exact colours of the changed, opaque pixels of c
// and the transparent entry last, and reports whether they fit: at most
// 255 colours, all opaque.
func changedExactly(dst *image.Paletted, c *image.RGBA, skip []bool) bool {
	pal, ok := exactColours(dst, c, c.Rect.Min.Add(dst.Rect.Min), skip, 255)
	if !ok {
		return false
	}
	ti := uint8(len(pal))
	for i, s := range skip { // dst.Stride is the rectangle's width
		if s {
			dst.Pix[i] = ti
		}
	}
	dst.Palette = append(pal, transparent)
	return true
}
