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
	c, _, _ := resizeShape(t, h, w)
	out := tensor.New(c, h, w)
	if t.Dims() == 2 {
		out = tensor.New(h, w)
	}
	ResizeTensorRows(t, h, w, m, func(y int, row []float32) {
		for ch := 0; ch < c; ch++ {
			copy(out.Data[(ch*h+y)*w:(ch*h+y+1)*w], row[ch*w:(ch+1)*w])
		}
	})
	return out
}

// ResizeTensorRows computes what ResizeTensor(t, h, w, m) returns, bit for
// bit, but hands it to fn one output row at a time, top to bottom, instead
// of allocating it: row holds the C channels of row y one after the other
// (channel ch at row[ch*w:(ch+1)*w]) and is reused after fn returns. A
// caller that consumes rows, such as a heatmap blended over a photo or a
// mask, then never holds a full-size float copy.
func ResizeTensorRows(t *tensor.Tensor, h, w int, m ResizeMethod, fn func(y int, row []float32)) {
	c, ih, iw := resizeShape(t, h, w)
	plane := ih * iw
	src := func(y int) ([]float32, int) { return t.Data[y*iw:], plane }
	resample(c, ih, iw, h, w, m, src, fn)
}

// ToTensorResized returns ResizeTensor(ToTensor(img, gray), h, w, m), bit
// for bit, without the full-size float copy in between: rows are
// converted and resampled as they are read, so a 16-megapixel photo
// shrunk to a model's input costs one pass over its pixels and a few
// rows of floats instead of 192 MB. When img is already h×w it is
// ToTensor(img, gray).
func ToTensorResized(img image.Image, gray bool, h, w int, m ResizeMethod) *tensor.Tensor {
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return ToTensor(img, gray)
	}
	if h <= 0 || w <= 0 {
		panic(fmt.Sprintf("imageio: ToTensorResized to %dx%d", w, h))
	}
	c := 3
	if gray {
		c = 1
	}
	iw := b.Dx()
	rows := NewRowReader(img, gray)
	buf := make([]float32, c*iw)
	src := func(y int) ([]float32, int) {
		rows.Read(y, buf, iw)
		return buf, iw
	}
	out := tensor.New(c, h, w)
	resample(c, b.Dy(), iw, h, w, m, src, func(y int, row []float32) {
		for ch := 0; ch < c; ch++ {
			copy(out.Data[(ch*h+y)*w:(ch*h+y+1)*w], row[ch*w:(ch+1)*w])
		}
	})
	return out
}

// resizeShape checks a ResizeTensor call and returns the input's channels
// and size.
func resizeShape(t *tensor.Tensor, h, w int) (c, ih, iw int) {
	if h <= 0 || w <= 0 {
		panic(fmt.Sprintf("imageio: ResizeTensor to %dx%d", w, h))
	}
	switch t.Dims() {
	case 2:
		return 1, t.Shape[0], t.Shape[1]
	case 3:
		return t.Shape[0], t.Shape[1], t.Shape[2]
	}
	panic(fmt.Sprintf("imageio: ResizeTensor wants [H,W] or [C,H,W], got %v", t.Shape))
}

// resample is the separable resize behind ResizeTensor and
// ToTensorResized. Each output value is Σ_y wy·(Σ_x wx·src[y][x]) over
// the taps of its row and column. The inner sums depend only on the source
// row, so each source row is read once (src(y) returns it, channel ch at
// row[ch*stride:]), resampled horizontally, and kept only while output
// rows still need it: taps move down monotonically, so the cache holds
// one output row's taps at most. The sums are formed in the same order as
// a direct double loop would, so the result does not depend on this.
func resample(c, ih, iw, h, w int, m ResizeMethod, src func(y int) ([]float32, int), fn func(y int, row []float32)) {
	var ys, xs []tap
	switch m {
	case Bilinear:
		ys, xs = bilinearTaps(ih, h), bilinearTaps(iw, w)
	case Area:
		ys, xs = areaTaps(ih, h), areaTaps(iw, w)
	default:
		panic(fmt.Sprintf("imageio: unknown %v", m))
	}
	type rowSums struct {
		y int
		v []float32 // c*w horizontal sums
	}
	var cache []rowSums
	var spare [][]float32
	sums := func(y int) []float32 {
		for _, r := range cache {
			if r.y == y {
				return r.v
			}
		}
		var v []float32
		if n := len(spare); n > 0 {
			v, spare = spare[n-1], spare[:n-1]
		} else {
			v = make([]float32, c*w)
		}
		in, stride := src(y)
		for ch := 0; ch < c; ch++ {
			row := in[ch*stride : ch*stride+iw]
			out := v[ch*w : (ch+1)*w]
			for ox := range out {
				idx := xs[ox].idx
				wt := xs[ox].wt[:len(idx)]
				var r float32
				for i, xx := range idx {
					r += wt[i] * row[xx]
				}
				out[ox] = r
			}
		}
		cache = append(cache, rowSums{y, v})
		return v
	}
	out := make([]float32, c*w)
	for oy := 0; oy < h; oy++ {
		ty := ys[oy]
		// Rows above this output row's first tap are never needed again.
		keep := cache[:0]
		for _, r := range cache {
			if len(ty.idx) > 0 && r.y < ty.idx[0] {
				spare = append(spare, r.v)
			} else {
				keep = append(keep, r)
			}
		}
		cache = keep
		clear(out)
		for j, yy := range ty.idx {
			wt, v := ty.wt[j], sums(yy)
			for k, r := range v {
				out[k] += wt * r
			}
		}
		fn(oy, out)
	}
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
