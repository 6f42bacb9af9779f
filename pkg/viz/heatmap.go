package viz

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
)

// DefaultAlpha is the heatmap's weight in an overlay: the result is
// 0.6·image + 0.4·heatmap, enough colour to read the map while the
// picture underneath stays recognisable.
const DefaultAlpha = 0.4

// Heatmap overlays an attention grid on img.
//
// attn is an h×w grid ([h,w], [1,h,w] or [1,1,h,w]) over the whole image,
// e.g. 14×14 softmax weights over a 224×224 input. It is upsampled to the
// image's full resolution with bilinear interpolation using PyTorch's
// align_corners=false convention (each grid cell is centred on its patch
// of pixels, as F.interpolate(mode="bilinear") does), normalised min-max
// to [0,1] (the grid's smallest finite value shows as the colormap's low
// end, its largest as the high end; a constant grid shows all low),
// coloured with cmap (nil means Turbo), and blended per channel as
//
//	out = round((1−alpha)·image + alpha·colour)
//
// with the image's alpha composited over black first. alpha must lie in
// [0,1]; pass DefaultAlpha for the usual look. The result is opaque and
// has img's size, with bounds starting at (0,0).
func Heatmap(img image.Image, attn *tensor.Tensor, cmap *Map, alpha float64) (*image.RGBA, error) {
	return HeatmapInto(nil, img, attn, cmap, alpha)
}

// HeatmapInto is Heatmap drawing into dst when dst has img's size (else
// into a new picture, as when dst is nil) and returning it. A caller that
// writes one map after another over a photo passes the previous result
// back, so a single picture of the photo's size is ever held.
func HeatmapInto(dst *image.RGBA, img image.Image, attn *tensor.Tensor, cmap *Map, alpha float64) (*image.RGBA, error) {
	if attn == nil {
		return nil, fmt.Errorf("attention grid is nil")
	}
	lo, hi := finiteRange(attn.Data)
	return heatmapInto(dst, img, attn, cmap, alpha, lo, hi)
}

// HeatmapRange is Heatmap with a fixed value range instead of min-max:
// lo maps to the colormap's low end and hi to its high end, values outside
// are clamped. Use it to compare maps on one scale, e.g. lo=0, hi=1 for
// raw softmax weights, or the range over all steps of an animation.
func HeatmapRange(img image.Image, attn *tensor.Tensor, cmap *Map, alpha float64, lo, hi float32) (*image.RGBA, error) {
	return heatmapInto(nil, img, attn, cmap, alpha, lo, hi)
}

// heatmapInto is HeatmapRange drawing into dst when it has img's size.
func heatmapInto(dst *image.RGBA, img image.Image, attn *tensor.Tensor, cmap *Map, alpha float64, lo, hi float32) (*image.RGBA, error) {
	if !(alpha >= 0 && alpha <= 1) {
		return nil, fmt.Errorf("heatmap alpha %g outside [0,1]", alpha)
	}
	b := img.Bounds()
	out := dst
	if out == nil || out.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) {
		out = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	if err := colorRows(attn, b.Dx(), b.Dy(), cmap, lo, hi, func(y int, heat []uint8) {
		row := out.Pix[y*out.Stride : y*out.Stride+4*b.Dx()]
		for i := 0; i < len(row); i += 4 {
			for c := 0; c < 3; c++ {
				v := (1-alpha)*float64(row[i+c]) + alpha*float64(heat[i+c])
				row[i+c] = uint8(v + 0.5)
			}
			row[i+3] = 255
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// Colorize returns the attention grid alone, upsampled bilinearly to w×h
// as Heatmap does, mapped from [lo,hi] to [0,1] (clamped; lo >= hi makes
// everything 0) and coloured with cmap (nil means Turbo).
func Colorize(attn *tensor.Tensor, w, h int, cmap *Map, lo, hi float32) (*image.RGBA, error) {
	var out *image.RGBA
	err := colorRows(attn, w, h, cmap, lo, hi, func(y int, heat []uint8) {
		if out == nil {
			out = image.NewRGBA(image.Rect(0, 0, w, h))
		}
		copy(out.Pix[y*out.Stride:], heat)
	})
	return out, err
}

// colorRows upsamples and colours the grid as Colorize documents and hands
// each row of w RGBA pixels to fn, top to bottom (the slice is reused),
// so a picture the size of a photo never needs the full-size float map
// or colour layer beside it.
func colorRows(attn *tensor.Tensor, w, h int, cmap *Map, lo, hi float32, fn func(y int, rgba []uint8)) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("heatmap size %dx%d: must be positive", w, h)
	}
	g, err := grid2D(attn)
	if err != nil {
		return err
	}
	if cmap == nil {
		cmap = Turbo()
	}
	scale := float32(0)
	if hi > lo {
		scale = 1 / (hi - lo)
	}
	pix := make([]uint8, 4*w)
	imageio.ResizeTensorRows(g, h, w, imageio.Bilinear, func(y int, up []float32) {
		for i, v := range up {
			c := cmap.At(float64((v - lo) * scale))
			p := pix[4*i : 4*i+4 : 4*i+4]
			p[0], p[1], p[2], p[3] = c.R, c.G, c.B, 255
		}
		fn(y, pix)
	})
	return nil
}

// Upsample resizes an attention grid ([h,w], [1,h,w] or [1,1,h,w]) to a
// [H,W] tensor with bilinear interpolation, align_corners=false.
func Upsample(attn *tensor.Tensor, H, W int) (*tensor.Tensor, error) {
	g, err := grid2D(attn)
	if err != nil {
		return nil, err
	}
	return imageio.ResizeTensor(g, H, W, imageio.Bilinear), nil
}

// UpsampleRows computes Upsample(attn, H, W) but hands it to fn one row of
// W values at a time, top to bottom (the slice is reused), for callers
// that threshold or reduce a map at a photo's size without holding it.
func UpsampleRows(attn *tensor.Tensor, H, W int, fn func(y int, row []float32)) error {
	g, err := grid2D(attn)
	if err != nil {
		return err
	}
	imageio.ResizeTensorRows(g, H, W, imageio.Bilinear, fn)
	return nil
}

// GridTensor turns a rectangular [][]float32 (rows of equal length) into
// an [h,w] tensor for Heatmap.
func GridTensor(grid [][]float32) (*tensor.Tensor, error) {
	if len(grid) == 0 || len(grid[0]) == 0 {
		return nil, fmt.Errorf("attention grid is empty")
	}
	h, w := len(grid), len(grid[0])
	t := tensor.New(h, w)
	for y, row := range grid {
		if len(row) != w {
			return nil, fmt.Errorf("attention grid row %d has %d values, row 0 has %d", y, len(row), w)
		}
		copy(t.Data[y*w:], row)
	}
	return t, nil
}

// grid2D views attn as [h,w], accepting leading dimensions of size 1.
func grid2D(attn *tensor.Tensor) (*tensor.Tensor, error) {
	if attn == nil {
		return nil, fmt.Errorf("attention grid is nil")
	}
	s := attn.Shape
	for len(s) > 2 && s[0] == 1 {
		s = s[1:]
	}
	if len(s) != 2 || s[0] <= 0 || s[1] <= 0 {
		return nil, fmt.Errorf("attention grid has shape %v, want [h,w], [1,h,w] or [1,1,h,w]", attn.Shape)
	}
	return attn.Reshape(s...), nil
}

// finiteRange returns the smallest and largest finite values (0, 0 when
// there are none), so a stray NaN or Inf does not wash out the map.
func finiteRange(v []float32) (lo, hi float32) {
	first := true
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			continue
		}
		if first {
			lo, hi, first = x, x, false
			continue
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
