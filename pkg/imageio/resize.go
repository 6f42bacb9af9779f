package imageio

import (
	"fmt"
	"image"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
	"github.com/disintegration/imaging"
)

// ResizeMethod selects the resampling filter.
type ResizeMethod int

const (
	// Bilinear interpolates between the four nearest source pixels with
	// PyTorch's align_corners=false convention: output pixel centres map to
	// src = (dst+0.5)·in/out − 0.5, clamped at the borders. Good for
	// upsampling; it aliases when shrinking by more than 2x.
	Bilinear ResizeMethod = iota
	// Area averages every source pixel the output pixel covers, weighting
	// partly covered ones by the covered fraction (an exact box filter).
	// Use it for downscaling; for integer factors it equals PyTorch's
	// mode="area" (adaptive average pooling).
	Area
)

// String returns "bilinear" or "area".
func (m ResizeMethod) String() string {
	switch m {
	case Bilinear:
		return "bilinear"
	case Area:
		return "area"
	}
	return fmt.Sprintf("ResizeMethod(%d)", int(m))
}

// ResizeTensor resamples a [H,W] or [C,H,W] tensor to h×w per channel and
// returns a new tensor of the same rank. h and w must be positive.
func ResizeTensor(t *tensor.Tensor, h, w int, m ResizeMethod) *tensor.Tensor {
	if h <= 0 || w <= 0 {
		panic(fmt.Sprintf("imageio: ResizeTensor to %dx%d", w, h))
	}
	var c, ih, iw int
	switch t.Dims() {
	case 2:
		c, ih, iw = 1, t.Shape[0], t.Shape[1]
	case 3:
		c, ih, iw = t.Shape[0], t.Shape[1], t.Shape[2]
	default:
		panic(fmt.Sprintf("imageio: ResizeTensor wants [H,W] or [C,H,W], got %v", t.Shape))
	}
	out := tensor.New(c, h, w)
	if t.Dims() == 2 {
		out = tensor.New(h, w)
	}
	var ys, xs []tap
	switch m {
	case Bilinear:
		ys, xs = bilinearTaps(ih, h), bilinearTaps(iw, w)
	case Area:
		ys, xs = areaTaps(ih, h), areaTaps(iw, w)
	default:
		panic(fmt.Sprintf("imageio: unknown %v", m))
	}
	// Separable: each output pixel is Σ_y Σ_x wy·wx·src[y][x] over the
	// taps of its row and column.
	for ch := 0; ch < c; ch++ {
		src := t.Data[ch*ih*iw : (ch+1)*ih*iw]
		dst := out.Data[ch*h*w : (ch+1)*h*w]
		for oy := 0; oy < h; oy++ {
			ty := ys[oy]
			for ox := 0; ox < w; ox++ {
				tx := xs[ox]
				var s float32
				for j, yy := range ty.idx {
					row := src[yy*iw:]
					var r float32
					for i, xx := range tx.idx {
						r += tx.wt[i] * row[xx]
					}
					s += ty.wt[j] * r
				}
				dst[oy*w+ox] = s
			}
		}
	}
	return out
}

// tap lists the source indices one output index reads and their weights.
type tap struct {
	idx []int
	wt  []float32
}

func bilinearTaps(in, out int) []tap {
	taps := make([]tap, out)
	scale := float64(in) / float64(out)
	for o := range taps {
		src := (float64(o)+0.5)*scale - 0.5
		if src < 0 {
			src = 0 // as torch: the first half pixel repeats the edge
		}
		i0 := int(src)
		if i0 > in-1 {
			i0 = in - 1
		}
		i1 := i0 + 1
		if i1 > in-1 {
			i1 = in - 1
		}
		l := float32(src - float64(i0))
		taps[o] = tap{idx: []int{i0, i1}, wt: []float32{1 - l, l}}
	}
	return taps
}

func areaTaps(in, out int) []tap {
	taps := make([]tap, out)
	scale := float64(in) / float64(out)
	for o := range taps {
		lo, hi := float64(o)*scale, float64(o+1)*scale
		var t tap
		for i := int(math.Floor(lo)); i < in && float64(i) < hi; i++ {
			cover := math.Min(hi, float64(i+1)) - math.Max(lo, float64(i))
			if cover <= 1e-12 {
				continue
			}
			t.idx = append(t.idx, i)
			t.wt = append(t.wt, float32(cover/scale))
		}
		taps[o] = t
	}
	return taps
}

// Resize returns img resampled to w×h pixels as an *image.NRGBA, using
// imaging's Linear filter for Bilinear and its Box filter (which widens
// with the shrink factor, i.e. an area average) for Area. Use ResizeTensor
// when 16-bit precision matters. If one of w and h is 0 it is chosen to
// keep the aspect ratio.
func Resize(img image.Image, w, h int, m ResizeMethod) *image.NRGBA {
	f := imaging.Linear
	if m == Area {
		f = imaging.Box
	}
	return imaging.Resize(img, w, h, f)
}
