package nlmeans

import (
	"image"

	"github.com/attnkit/attn/pkg/imageio"
)

// DenoiseImage denoises a decoded picture with p (zero Sigma and H
// resolved from it, see Resolve) and returns the parameters used and an
// 8-bit result at the origin: an *image.Gray of the luma when gray is set,
// else an opaque *image.RGBA. Its pixels are those of
//
//	imageio.FromTensor(DenoiseTensor(imageio.ToTensor(img, gray), p, threads))
//
// but img is read a band of rows at a time and the result written
// straight to 8 bits, so that a 12-megapixel photograph needs no
// full-size float copy, only the result and, for an estimated Sigma, the
// coefficients of the estimate (see ImageWorkBytesPerPixel). The result
// does not depend on the thread count.
func DenoiseImage(img image.Image, gray bool, p Params, threads int) (image.Image, Params, error) {
	b := img.Bounds()
	h, w, c := b.Dy(), b.Dx(), 3
	if gray {
		c = 1
	}
	rows := imageio.NewRowReader(img, gray)
	// The levels ToTensor's values times 255 give, as DenoiseTensor reads them.
	src := func(y int, dst []float32, stride int) {
		rows.Read(y, dst, stride)
		for ch := 0; ch < c; ch++ {
			d := dst[ch*stride : ch*stride+w]
			for x, v := range d {
				d[x] = v * 255
			}
		}
	}
	q := p.resolveSources([]rowSource{src}, c, h, w)
	if err := q.Validate(); err != nil {
		return nil, q, err
	}
	var out image.Image
	var sink rowSink
	// The value DenoiseTensor returns is v/255; To8 rounds it as
	// FromTensor does.
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		sink = func(_, y, x0 int, vals []float32) {
			pix := g.Pix[y*g.Stride+x0:][:len(vals)]
			for i, v := range vals {
				pix[i] = imageio.To8(v / 255)
			}
		}
		out = g
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		sink = func(ch, y, x0 int, vals []float32) {
			pix := rgba.Pix[y*rgba.Stride+4*x0:][:4*len(vals)]
			for i, v := range vals {
				pix[4*i+ch] = imageio.To8(v / 255)
			}
			if ch == 0 {
				for i := range vals {
					pix[4*i+3] = 255
				}
			}
		}
		out = rgba
	}
	denoiseSources([]rowSource{src}, []rowSink{sink}, c, h, w, 1, q, threads)
	return out, q, nil
}
