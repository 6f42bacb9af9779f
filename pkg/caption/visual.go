package caption

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
)

// TileSide is the side of the image in an attention tile: small inputs
// are enlarged so the grid and the word stay readable.
const TileSide = 128

// AttentionTiles returns one picture per word of c, as the paper's
// figures show them: the image (as the encoder saw it: input [3, S, S]
// from Input) enlarged to TileSide pixels, the word's attention map
// upsampled bilinearly, min-max normalised, coloured with cmap and
// blended over it with weight alpha, and the word written beneath. The
// model must have attention (c.Alphas set). An empty caption gives one
// tile, the image alone over "(no words)".
func AttentionTiles(input *tensor.Tensor, c Caption, grid int, cmap *viz.Map, alpha float64) ([]image.Image, error) {
	if len(c.Alphas) != len(c.Tokens) {
		return nil, fmt.Errorf("attention tiles: %d maps for %d words (a model without attention has none)", len(c.Alphas), len(c.Tokens))
	}
	img := imageio.FromTensor(imageio.ResizeTensor(input, TileSide, TileSide, imageio.Bilinear))
	_, th := viz.TextSize("Ag")
	strip := th + 6
	tile := func(pic image.Image, word string) *image.RGBA {
		t := image.NewRGBA(image.Rect(0, 0, TileSide, TileSide+strip))
		draw.Draw(t, t.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(t, pic.Bounds(), pic, image.Point{}, draw.Src)
		w, _ := viz.TextSize(word)
		viz.Label(t, max(0, (TileSide-w)/2-2), TileSide+1, word, color.Black, nil)
		return t
	}
	if len(c.Tokens) == 0 {
		return []image.Image{tile(img, "(no words)")}, nil
	}
	var tiles []image.Image
	for k, a := range c.Alphas {
		if len(a) != grid*grid {
			return nil, fmt.Errorf("attention tiles: word %d: map of %d values, want %d×%d", k, len(a), grid, grid)
		}
		heat, err := viz.Heatmap(img, tensor.FromData(append([]float32(nil), a...), grid, grid), cmap, alpha)
		if err != nil {
			return nil, err
		}
		tiles = append(tiles, tile(heat, c.Tokens[k]))
	}
	return tiles, nil
}
