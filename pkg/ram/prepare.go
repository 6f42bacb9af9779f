package ram

import (
	"image"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
)

// Invert says whether ToCanvas turns an image's intensities over.
type Invert int

const (
	// InvertAuto inverts an image whose border is brighter than mid-gray:
	// dark ink on light paper, the opposite of the training digits.
	InvertAuto Invert = iota
	// InvertNever keeps the intensities.
	InvertNever
	// InvertAlways inverts every image.
	InvertAlways
)

// ToCanvas turns a [1,H,W] gray image (values in [0,1]) into a model's
// S×S input: inverted as inv says, scaled so its longer side is S with the
// aspect ratio kept (area averaging when shrinking, bilinear when
// enlarging), and centred on black, since the models were trained on
// white digits on black. img is not changed.
func ToCanvas(img *tensor.Tensor, s int, inv Invert) *tensor.Tensor {
	h, w := img.Shape[1], img.Shape[2]
	t := img
	if inv == InvertAlways || (inv == InvertAuto && borderMean(img.Data, h, w) > 0.5) {
		t = tensor.New(img.Shape...)
		for i, v := range img.Data {
			t.Data[i] = 1 - v
		}
	}
	nh, nw, method := fit(h, w, s)
	r := t
	if nh != h || nw != w {
		r = imageio.ResizeTensor(t, nh, nw, method)
	}
	return centre(r, s)
}

// ImageCanvas is ToCanvas(imageio.ToTensor(img, true), s, inv) computed
// while the image is read (imageio.ToTensorResized), so a photo never
// becomes a full-size float copy. The invert decision reads the same
// border pixels; the inversion is applied after the resize instead of
// before, which changes values by float rounding only.
func ImageCanvas(img image.Image, s int, inv Invert) *tensor.Tensor {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	nh, nw, method := fit(h, w, s)
	r := imageio.ToTensorResized(img, true, nh, nw, method)
	if inv == InvertAlways || (inv == InvertAuto && imageBorderMean(img) > 0.5) {
		for i, v := range r.Data {
			r.Data[i] = 1 - v
		}
	}
	return centre(r, s)
}

// fit returns the size that scales an h×w image so its longer side is s,
// and the filter to get there (area averaging when shrinking, bilinear
// when enlarging).
func fit(h, w, s int) (nh, nw int, m imageio.ResizeMethod) {
	nh, nw = s, s
	if w > h {
		nh = max(1, (h*s+w/2)/w)
	} else if h > w {
		nw = max(1, (w*s+h/2)/h)
	}
	m = imageio.Bilinear
	if nh < h || nw < w {
		m = imageio.Area
	}
	return nh, nw, m
}

// centre places a [1,nh,nw] image in the middle of a black s×s canvas.
func centre(r *tensor.Tensor, s int) *tensor.Tensor {
	nh, nw := r.Shape[1], r.Shape[2]
	out := tensor.New(1, s, s)
	y0, x0 := (s-nh)/2, (s-nw)/2
	for y := 0; y < nh; y++ {
		copy(out.Data[(y0+y)*s+x0:(y0+y)*s+x0+nw], r.Data[y*nw:(y+1)*nw])
	}
	return out
}

// imageBorderMean is borderMean of imageio.ToTensor(img, true), summed in
// the same order, converting only the outermost rows and columns.
func imageBorderMean(img image.Image) float64 {
	b := img.Bounds()
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return borderMean(imageio.ToTensor(img, true).Data, b.Dy(), b.Dx())
	}
	strip := func(r image.Rectangle) []float32 { return imageio.ToTensor(sub.SubImage(r), true).Data }
	top := strip(image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+1))
	bottom := strip(image.Rect(b.Min.X, b.Max.Y-1, b.Max.X, b.Max.Y))
	var s float64
	n := 0
	for x := range top {
		s += float64(top[x]) + float64(bottom[x])
		n += 2
	}
	if b.Dy() > 2 {
		left := strip(image.Rect(b.Min.X, b.Min.Y+1, b.Min.X+1, b.Max.Y-1))
		right := strip(image.Rect(b.Max.X-1, b.Min.Y+1, b.Max.X, b.Max.Y-1))
		for y := range left {
			s += float64(left[y]) + float64(right[y])
			n += 2
		}
	}
	return s / float64(n)
}

// borderMean is the mean of the outermost pixels: MNIST-style inputs have
// a black border, scans of ink on paper a bright one.
func borderMean(px []float32, h, w int) float64 {
	var s float64
	n := 0
	for x := 0; x < w; x++ {
		s += float64(px[x]) + float64(px[(h-1)*w+x])
		n += 2
	}
	for y := 1; y < h-1; y++ {
		s += float64(px[y*w]) + float64(px[y*w+w-1])
		n += 2
	}
	return s / float64(n)
}
