package imgtx

import (
	"image"
	"image/color"

	"github.com/attnkit/attn/pkg/viz"
)

// panelBG is the colour between the tiles of a panel.
var panelBG = color.RGBA{40, 40, 40, 255}

// Tile returns one interleaved image of the model's size enlarged by a
// whole factor zoom (each pixel a sharp square).
func (c Config) Tile(pix []uint8, zoom int) image.Image {
	return viz.Enlarge(ToImage(pix, c.Height, c.Width, c.Channels), max(zoom, 1))
}

// LowTile returns a low-resolution input enlarged to the model's size
// times zoom.
func (c Config) LowTile(low []uint8, zoom int) image.Image {
	f := c.Height / c.LowRes
	return viz.Enlarge(ToImage(low, c.LowRes, c.LowRes, c.Channels), max(zoom, 1)*f)
}

// SampleGrid lays out count images (interleaved, one after the other) in
// a grid of cols columns.
func (c Config) SampleGrid(pix []uint8, count, cols, zoom int) image.Image {
	tiles := make([]image.Image, count)
	for i := range tiles {
		tiles[i] = c.Tile(pix[i*c.Len():(i+1)*c.Len()], zoom)
	}
	return viz.Grid(tiles, cols, 2, panelBG)
}

// CompletionPanel shows, left to right, an image, its first rows (the
// rest blanked in mid grey) and the completions drawn from them.
func (c Config) CompletionPanel(orig []uint8, rows int, completions []uint8, count, zoom int) image.Image {
	kept := make([]uint8, c.Len())
	for i, keep := range c.KnownRows(rows) {
		kept[i] = 128
		if keep {
			kept[i] = orig[i]
		}
	}
	tiles := []image.Image{c.Tile(orig, zoom), c.Tile(kept, zoom)}
	captions := []string{"original", "kept"}
	for i := 0; i < count; i++ {
		tiles = append(tiles, c.Tile(completions[i*c.Len():(i+1)*c.Len()], zoom))
		captions = append(captions, "")
	}
	return viz.Strip(tiles, captions, 2, panelBG)
}

// UpscalePanel shows the low-resolution input (enlarged), its bicubic
// enlargement and the super-resolved samples side by side.
func (c Config) UpscalePanel(low []uint8, samples []uint8, count, zoom int) image.Image {
	tiles := []image.Image{c.LowTile(low, zoom), c.Tile(c.Bicubic(low), zoom)}
	for i := 0; i < count; i++ {
		tiles = append(tiles, c.Tile(samples[i*c.Len():(i+1)*c.Len()], zoom))
	}
	return viz.Strip(tiles, []string{"input", "bicubic"}, 2, panelBG)
}
