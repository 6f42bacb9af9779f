package viz

import (
	"image"
	"image/color"
	"image/draw"
)

// Zoom returns the whole factor that brings the longer side of a w×h
// picture to at least side pixels: 1 when it already is that long, or
// when side is 0 or less (keep the size). A whole factor keeps every
// source pixel a sharp square.
func Zoom(w, h, side int) int {
	long := max(w, h)
	if side <= 0 || long <= 0 || long >= side {
		return 1
	}
	return (side + long - 1) / long
}

// Enlarge repeats every pixel of img k×k times (nearest neighbour). A
// gray image stays an *image.Gray; any other becomes an *image.RGBA with
// the same colours (alpha kept). k ≤ 1 returns img itself. The result's
// bounds start at (0,0).
func Enlarge(img image.Image, k int) image.Image {
	if k <= 1 {
		return img
	}
	b := img.Bounds()
	r := image.Rect(0, 0, b.Dx()*k, b.Dy()*k)
	if g, ok := img.(*image.Gray); ok {
		dst := image.NewGray(r)
		for y := 0; y < r.Dy(); y++ {
			for x := 0; x < r.Dx(); x++ {
				dst.Pix[y*dst.Stride+x] = g.GrayAt(b.Min.X+x/k, b.Min.Y+y/k).Y
			}
		}
		return dst
	}
	dst := image.NewRGBA(r)
	if src, ok := img.(*image.RGBA); ok {
		// Each source row is widened once and then copied k−1 times:
		// the common case (heat maps, colourised tiles) without a
		// colour conversion or a draw call per pixel.
		for y := 0; y < b.Dy(); y++ {
			sp := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			row := dst.Pix[y*k*dst.Stride : y*k*dst.Stride+4*r.Dx()]
			for x := 0; x < b.Dx(); x++ {
				px := sp[4*x : 4*x+4]
				for j := range k {
					copy(row[4*(x*k+j):], px)
				}
			}
			for j := 1; j < k; j++ {
				copy(dst.Pix[(y*k+j)*dst.Stride:], row)
			}
		}
		return dst
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y))
			draw.Draw(dst, image.Rect(x*k, y*k, (x+1)*k, (y+1)*k), image.NewUniform(c), image.Point{}, draw.Src)
		}
	}
	return dst
}
