package viz

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Geometry convention for the shape functions: coordinates are in pixels
// with integer values at pixel CENTRES, so Line(dst, 2, 5, 9, 5, 1, c)
// sets exactly row 5 from x=2 to x=9. Edges are anti-aliased by coverage
// (how far a pixel centre lies inside the shape, to ±0.5 px) and blended
// over what is there; partly transparent colours blend too. Drawing is
// clipped to dst's bounds.

// Rect draws the outline of r, width pixels thick, inside r.
func Rect(dst draw.Image, r image.Rectangle, c color.Color, width int) {
	r = r.Canon()
	if width < 1 {
		width = 1
	}
	if 2*width >= r.Dx() || 2*width >= r.Dy() {
		FillRect(dst, r, c)
		return
	}
	FillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+width), c)             // top
	FillRect(dst, image.Rect(r.Min.X, r.Max.Y-width, r.Max.X, r.Max.Y), c)             // bottom
	FillRect(dst, image.Rect(r.Min.X, r.Min.Y+width, r.Min.X+width, r.Max.Y-width), c) // left
	FillRect(dst, image.Rect(r.Max.X-width, r.Min.Y+width, r.Max.X, r.Max.Y-width), c) // right
}

// FillRect fills r with c, blending when c is not opaque.
func FillRect(dst draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(dst, r.Canon(), image.NewUniform(c), image.Point{}, draw.Over)
}

// Line draws a segment from (x0,y0) to (x1,y1), width pixels thick, with
// round ends.
func Line(dst draw.Image, x0, y0, x1, y1, width float64, c color.Color) {
	if width <= 0 {
		width = 1
	}
	half := width / 2
	// A pixel is covered when its distance to the segment is under
	// half+0.5. Most of the box around a slanted line lies far from it, so
	// two shortcuts leave such pixels alone, each with a margin of a pixel
	// or more over any rounding: a squared distance beyond (half+1.5)²
	// skips math.Hypot, and each row visits only the pixels within
	// half+2.5 of the line through the segment.
	far := (half + 1.5) * (half + 1.5)
	coverage := func(px, py float64) float64 {
		ex, ey := segOffset(px, py, x0, y0, x1, y1)
		if ex*ex+ey*ey > far {
			return -1
		}
		return half + 0.5 - math.Hypot(ex, ey)
	}
	margin := half + 1
	minX, maxX := math.Min(x0, x1)-margin, math.Max(x0, x1)+margin
	minY, maxY := math.Min(y0, y1)-margin, math.Max(y0, y1)+margin
	dx, dy := x1-x0, y1-y0
	if !(math.Abs(dy) >= 1) { // a flat line's box is thin already
		fillBox(dst, minX, minY, maxX, maxY, c, coverage)
		return
	}
	// In row y the line passes x = xc; a pixel d away from the line lies
	// d·L/|dy| away from xc along the row.
	reach := (half + 2.5) * math.Hypot(dx, dy) / math.Abs(dy)
	b := dst.Bounds()
	for y := max(math.Floor(minY), float64(b.Min.Y)); y <= min(math.Ceil(maxY), float64(b.Max.Y-1)); y++ {
		xc := x0 + (y-y0)*dx/dy
		fillBox(dst, math.Max(minX, xc-reach), y, math.Min(maxX, xc+reach), y, c, coverage)
	}
}

// Arrow draws a line from (x0,y0) to (x1,y1) with a filled triangular
// head whose tip is at (x1,y1). The head is 4+3·width long and 4+3·width
// wide, shortened to the arrow's length when the arrow is shorter.
func Arrow(dst draw.Image, x0, y0, x1, y1, width float64, c color.Color) {
	if width <= 0 {
		width = 1
	}
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n < 1e-9 {
		Disc(dst, x1, y1, width/2+1, c)
		return
	}
	ux, uy := dx/n, dy/n
	headLen := math.Min(4+3*width, n)
	hw := (4 + 3*width) / 2
	bx, by := x1-ux*headLen, y1-uy*headLen
	if headLen < n {
		Line(dst, x0, y0, bx, by, width, c)
	}
	Triangle(dst, [3][2]float64{{x1, y1}, {bx - uy*hw, by + ux*hw}, {bx + uy*hw, by - ux*hw}}, c)
}

// Triangle fills the triangle with the given corners.
func Triangle(dst draw.Image, p [3][2]float64, c color.Color) {
	// Order the corners so the cross product below is positive; then the
	// same sign test finds "outside" for every edge.
	if cross := (p[1][0]-p[0][0])*(p[2][1]-p[0][1]) - (p[1][1]-p[0][1])*(p[2][0]-p[0][0]); cross < 0 {
		p[1], p[2] = p[2], p[1]
	}
	minX := math.Min(p[0][0], math.Min(p[1][0], p[2][0]))
	maxX := math.Max(p[0][0], math.Max(p[1][0], p[2][0]))
	minY := math.Min(p[0][1], math.Min(p[1][1], p[2][1]))
	maxY := math.Max(p[0][1], math.Max(p[1][1], p[2][1]))
	var length [3]float64 // of each edge, once rather than per pixel
	for i := range 3 {
		a, b := p[i], p[(i+1)%3]
		length[i] = math.Hypot(b[0]-a[0], b[1]-a[1])
	}
	fillBox(dst, minX-1, minY-1, maxX+1, maxY+1, c, func(px, py float64) float64 {
		out := math.Inf(-1) // signed distance outside the nearest edge
		for i := 0; i < 3; i++ {
			a, b := p[i], p[(i+1)%3]
			ex, ey := b[0]-a[0], b[1]-a[1]
			l := length[i]
			if l < 1e-12 {
				continue
			}
			// Positive outside: with cross > 0 the interior lies where
			// this cross product is negative.
			out = math.Max(out, ((px-a[0])*ey-(py-a[1])*ex)/l)
		}
		return 0.5 - out
	})
}

// Disc fills a circle of radius r centred on (cx,cy).
func Disc(dst draw.Image, cx, cy, r float64, c color.Color) {
	fill(dst, cx, cy, cx, cy, r+1, c, func(px, py float64) float64 {
		return r + 0.5 - math.Hypot(px-cx, py-cy)
	})
}

// face is the font of labels and markers: basicfont's 7×13 pixel face
// (ASCII; other runes draw as a box).
var face font.Face = basicfont.Face7x13

// labelPad is the space between the text and its background box.
const labelPad = 2

// TextSize returns the width and height in pixels that text occupies in
// the 7×13 label font.
func TextSize(text string) (w, h int) {
	return font.MeasureString(face, text).Ceil(), face.Metrics().Height.Ceil()
}

// Label draws one line of text with its top-left corner near (x,y) on a
// background box of colour bg (nil for none) that keeps it legible over
// any picture. A box that would leave dst is moved back inside. It
// returns the box.
func Label(dst draw.Image, x, y int, text string, fg, bg color.Color) image.Rectangle {
	tw, th := TextSize(text)
	box := image.Rect(x, y, x+tw+2*labelPad, y+th+2*labelPad)
	b := dst.Bounds()
	if box.Max.X > b.Max.X {
		box = box.Add(image.Pt(b.Max.X-box.Max.X, 0))
	}
	if box.Max.Y > b.Max.Y {
		box = box.Add(image.Pt(0, b.Max.Y-box.Max.Y))
	}
	if box.Min.X < b.Min.X {
		box = box.Add(image.Pt(b.Min.X-box.Min.X, 0))
	}
	if box.Min.Y < b.Min.Y {
		box = box.Add(image.Pt(0, b.Min.Y-box.Min.Y))
	}
	if bg != nil {
		FillRect(dst, box, bg)
	}
	drawText(dst, box.Min.X+labelPad, box.Min.Y+labelPad, text, fg)
	return box
}

// drawText draws text with its top-left corner at (x,y).
func drawText(dst draw.Image, x, y int, text string, fg color.Color) {
	d := font.Drawer{
		Dst:  dst,
		Src:  image.NewUniform(fg),
		Face: face,
		Dot:  fixed.P(x, y+face.Metrics().Ascent.Ceil()),
	}
	d.DrawString(text)
}

// Marker draws a numbered disc centred on (cx,cy), for showing the order
// of glimpses or words: a disc of colour c with a thin contrasting ring
// and the number n in black or white, whichever reads better on c.
func Marker(dst draw.Image, cx, cy float64, n int, c color.Color) {
	text := strconv.Itoa(n)
	tw, _ := TextSize(text)
	r := math.Max(8, float64(tw)/2+3)
	ink := contrast(c)
	Disc(dst, cx, cy, r+1, ink)
	Disc(dst, cx, cy, r, c)
	// Digits in the 7x13 face span the 9 rows above the baseline, so a
	// baseline 4.5 px below the centre centres them vertically.
	asc := face.Metrics().Ascent.Ceil()
	drawText(dst, int(math.Round(cx-float64(tw)/2)), int(math.Round(cy+4.5))-asc, text, ink)
}

// contrast picks black or white, whichever differs more in BT.601 luma.
func contrast(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	if 0.299*float64(r)+0.587*float64(g)+0.114*float64(b) > 0.5*65535 {
		return color.Black
	}
	return color.White
}

// segOffset is the vector to (px,py) from its nearest point on the
// segment (x0,y0)-(x1,y1); its length is the distance to the segment.
func segOffset(px, py, x0, y0, x1, y1 float64) (ex, ey float64) {
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-x0)*dx+(py-y0)*dy)/l2))
	}
	return px - (x0 + t*dx), py - (y0 + t*dy)
}

// fill applies coverage over the box around a segment grown by margin.
func fill(dst draw.Image, x0, y0, x1, y1, margin float64, c color.Color, coverage func(px, py float64) float64) {
	fillBox(dst, math.Min(x0, x1)-margin, math.Min(y0, y1)-margin, math.Max(x0, x1)+margin, math.Max(y0, y1)+margin, c, coverage)
}

// fillBox blends c into every pixel of the box whose coverage is > 0.
func fillBox(dst draw.Image, minX, minY, maxX, maxY float64, c color.Color, coverage func(px, py float64) float64) {
	b := dst.Bounds()
	x0 := max(b.Min.X, int(math.Floor(minX)))
	y0 := max(b.Min.Y, int(math.Floor(minY)))
	x1 := min(b.Max.X-1, int(math.Ceil(maxX)))
	y1 := min(b.Max.Y-1, int(math.Ceil(maxY)))
	sr, sg, sb, sa := c.RGBA()
	// An *image.RGBA is read and written in place: the bytes At and Set
	// would give (8-bit v read as v*0x101, 16-bit v stored as v>>8)
	// without their allocation of a color.Color per pixel.
	rgba, _ := dst.(*image.RGBA)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			cov := coverage(float64(x), float64(y))
			if cov <= 0 {
				continue
			}
			var px []uint8
			if rgba != nil {
				px = rgba.Pix[rgba.PixOffset(x, y):][:4]
			}
			if cov >= 1 && sa == 0xFFFF {
				if px != nil {
					px[0], px[1], px[2], px[3] = uint8(sr>>8), uint8(sg>>8), uint8(sb>>8), 0xFF
				} else {
					dst.Set(x, y, color.RGBA64{uint16(sr), uint16(sg), uint16(sb), 0xFFFF})
				}
				continue
			}
			cov = math.Min(cov, 1)
			// Porter-Duff "over" with the source scaled by its coverage.
			var dr, dg, db, da uint32
			if px != nil {
				dr, dg, db, da = uint32(px[0])*0x101, uint32(px[1])*0x101, uint32(px[2])*0x101, uint32(px[3])*0x101
			} else {
				dr, dg, db, da = dst.At(x, y).RGBA()
			}
			k := 1 - cov*float64(sa)/0xFFFF
			mix := func(s, d uint32) uint16 { return uint16(cov*float64(s) + k*float64(d) + 0.5) }
			if px != nil {
				px[0], px[1], px[2], px[3] = uint8(mix(sr, dr)>>8), uint8(mix(sg, dg)>>8), uint8(mix(sb, db)>>8), uint8(mix(sa, da)>>8)
			} else {
				dst.Set(x, y, color.RGBA64{mix(sr, dr), mix(sg, dg), mix(sb, db), mix(sa, da)})
			}
		}
	}
}
