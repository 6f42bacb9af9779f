package viz

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Grid lays images out as a contact sheet, row by row, cols per row.
//
// Every cell is as large as the largest image, images are centred in their
// cells, pad pixels of bg separate the cells and frame the sheet, and a
// nil image leaves its cell empty. cols <= 0 picks ceil(sqrt(n)) for a
// roughly square sheet; cols > n shrinks to n. The sheet is
//
//	cols·cellW + (cols+1)·pad  by  rows·cellH + (rows+1)·pad
//
// pixels with rows = ceil(n/cols), and empty (0×0) when there are no
// images. Images are composited over bg.
func Grid(images []image.Image, cols, pad int, bg color.Color) *image.RGBA {
	n := len(images)
	if n == 0 {
		return image.NewRGBA(image.Rectangle{})
	}
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = min(cols, n)
	pad = max(pad, 0)
	rows := (n + cols - 1) / cols
	cw, ch := 0, 0
	for _, img := range images {
		if img != nil {
			cw = max(cw, img.Bounds().Dx())
			ch = max(ch, img.Bounds().Dy())
		}
	}
	sheet := image.NewRGBA(image.Rect(0, 0, cols*cw+(cols+1)*pad, rows*ch+(rows+1)*pad))
	if bg != nil {
		draw.Draw(sheet, sheet.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	}
	for i, img := range images {
		if img == nil {
			continue
		}
		b := img.Bounds()
		x := pad + (i%cols)*(cw+pad) + (cw-b.Dx())/2
		y := pad + (i/cols)*(ch+pad) + (ch-b.Dy())/2
		op := draw.Over
		if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
			op = draw.Src // the same pixels, copied row by row instead of blended
		}
		draw.Draw(sheet, image.Rect(x, y, x+b.Dx(), y+b.Dy()), img, b.Min, op)
	}
	return sheet
}
