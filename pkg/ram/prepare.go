package ram

import (
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
	nh, nw := s, s
	if w > h {
		nh = max(1, (h*s+w/2)/w)
	} else if h > w {
		nw = max(1, (w*s+h/2)/h)
	}
	method := imageio.Bilinear
	if nh < h || nw < w {
		method = imageio.Area
	}
	r := t
	if nh != h || nw != w {
		r = imageio.ResizeTensor(t, nh, nw, method)
	}
	out := tensor.New(1, s, s)
	y0, x0 := (s-nh)/2, (s-nw)/2
	for y := 0; y < nh; y++ {
		copy(out.Data[(y0+y)*s+x0:(y0+y)*s+x0+nw], r.Data[y*nw:(y+1)*nw])
	}
	return out
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
