package viz

import (
	"image"
	"image/color"
)

// Strip lays tiles out left to right, pad pixels of bg between and around
// them (as Grid with one row), and draws each tile's caption, when not "",
// in white on a dark box in the tile's top-left corner. captions may be
// shorter than tiles.
func Strip(tiles []image.Image, captions []string, pad int, bg color.Color) *image.RGBA {
	sheet := Grid(tiles, len(tiles), pad, bg)
	pad = max(pad, 0)
	cw, ch := 0, 0
	for _, t := range tiles {
		if t != nil {
			cw, ch = max(cw, t.Bounds().Dx()), max(ch, t.Bounds().Dy())
		}
	}
	for i, c := range captions {
		if c == "" || i >= len(tiles) || tiles[i] == nil {
			continue
		}
		b := tiles[i].Bounds()
		x := pad + i*(cw+pad) + (cw-b.Dx())/2
		y := pad + (ch-b.Dy())/2
		Label(sheet, x+2, y+2, c, color.White, color.RGBA{0, 0, 0, 180})
	}
	return sheet
}
