package imageio

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/attnkit/attn/pkg/tensor"
)

// ImageNet channel statistics (RGB order, for values in [0,1]) used by
// torchvision's pretrained models. Treat them as constants; pass them as
// ImageNetMean[:] and ImageNetStd[:].
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// ITU-R BT.601 luma weights, the ones color.GrayModel and PIL's "L" mode
// use. They are applied to the gamma-encoded values, as those do.
const (
	lumaR = 0.299
	lumaG = 0.587
	lumaB = 0.114
)

// ToTensor converts img to a [C,H,W] float32 tensor with values in [0,1].
//
// C is 3 (R, G, B) or, when gray is set, 1 holding the BT.601 luma
// 0.299R + 0.587G + 0.114B of the gamma-encoded values (a gray source
// image gives its own values exactly). Alpha is composited over BLACK:
// each channel is the premultiplied value c·a, which is what Go's
// color.Color.RGBA already returns, so a fully transparent pixel is 0.
// 8-bit sources map v to v/255 and 16-bit ones v to v/65535, so
// FromTensor(ToTensor(img)) returns an 8-bit opaque image unchanged.
//
// A model that takes a small input should call ToTensorResized instead:
// it gives the same values without the full-size copy (12 bytes per
// pixel for RGB).
func ToTensor(img image.Image, gray bool) *tensor.Tensor {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	c := 3
	if gray {
		c = 1
	}
	t := tensor.New(c, h, w)
	rows := NewRowReader(img, gray)
	for y := 0; y < h; y++ {
		rows.Read(y, t.Data[y*w:], w*h)
	}
	return t
}

// unit8 holds float32(v)/255 for every 8-bit v: the same bits as the
// division, without a division per sample.
var unit8 = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// A RowReader converts an image one row at a time to the float32 values
// ToTensor documents, so a caller can stream a big image through a
// resize or a filter without holding its full-size float copy. It keeps a
// one-row scratch: one goroutine at a time may use it.
type RowReader struct {
	img  image.Image
	b    image.Rectangle
	gray bool
	// rgba is a one-row scratch for the types image/draw converts fast
	// (YCbCr, CMYK, Paletted); drawing row by row gives the same values as
	// drawing the whole image, since draw converts each pixel alone.
	rgba *image.RGBA
}

// NewRowReader returns a reader of img's rows: three channels, or its
// luma when gray is set, as ToTensor(img, gray) gives them.
func NewRowReader(img image.Image, gray bool) *RowReader {
	r := &RowReader{img: img, b: img.Bounds(), gray: gray}
	switch img.(type) {
	case *image.YCbCr, *image.CMYK, *image.Paletted:
		r.rgba = image.NewRGBA(image.Rect(0, 0, r.b.Dx(), 1))
	}
	return r
}

// Read converts row y (counted from the top of the bounds) into dst: the
// value of channel ch at column x goes to dst[ch*stride+x], the values of
// ToTensor(img, gray).Data[(ch*H+y)*W+x].
func (r *RowReader) Read(y int, dst []float32, stride int) {
	b, w, gray := r.b, r.b.Dx(), r.gray
	set := func(x int, red, g, bl float32) {
		if gray {
			dst[x] = lumaR*red + lumaG*g + lumaB*bl
			return
		}
		dst[x] = red
		dst[stride+x] = g
		dst[2*stride+x] = bl
	}
	img := r.img
	if r.rgba != nil {
		draw.Draw(r.rgba, r.rgba.Rect, img, image.Pt(b.Min.X, b.Min.Y+y), draw.Src)
		img, b, y = r.rgba, r.rgba.Rect, 0
	}
	switch s := img.(type) {
	case *image.Gray:
		row := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			v := unit8[row[x]]
			if gray {
				dst[x] = v
			} else {
				set(x, v, v, v)
			}
		}
	case *image.Gray16:
		row := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			v := float32(uint16(row[2*x])<<8|uint16(row[2*x+1])) / 65535
			if gray {
				dst[x] = v
			} else {
				set(x, v, v, v)
			}
		}
	case *image.NRGBA:
		row := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			p := row[4*x : 4*x+4]
			// Integer products are exact, so one rounding per value and
			// an opaque pixel gives exactly v/255.
			a := int(p[3])
			set(x, float32(int(p[0])*a)/65025, float32(int(p[1])*a)/65025, float32(int(p[2])*a)/65025)
		}
	case *image.RGBA:
		// The hot path (every JPEG comes here): no call per pixel.
		row := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
		if gray {
			d := dst[:w]
			for x := range d {
				p := row[4*x : 4*x+4 : 4*x+4]
				d[x] = lumaR*unit8[p[0]] + lumaG*unit8[p[1]] + lumaB*unit8[p[2]]
			}
			break
		}
		dr, dg, db := dst[:w], dst[stride:stride+w], dst[2*stride:2*stride+w]
		for x := range dr {
			p := row[4*x : 4*x+4 : 4*x+4]
			dr[x], dg[x], db[x] = unit8[p[0]], unit8[p[1]], unit8[p[2]]
		}
	default:
		// Any other image type: the 16-bit premultiplied values from At.
		for x := 0; x < w; x++ {
			red, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			set(x, float32(red)/65535, float32(g)/65535, float32(bl)/65535)
		}
	}
}

// FromTensor converts a [1,H,W] (or [H,W]) tensor to an *image.Gray and a
// [3,H,W] tensor to an opaque *image.RGBA. Values are clamped to [0,1]
// and rounded to 8 bits; NaN becomes 0. Any other shape is a programming
// error and panics, as tensor shape mismatches do elsewhere.
func FromTensor(t *tensor.Tensor) image.Image {
	c, h, w := chw(t, "FromTensor", true)
	plane := h * w
	switch c {
	case 1:
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := 0; i < plane; i++ {
			img.Pix[i] = To8(t.Data[i])
		}
		return img
	default:
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < plane; i++ {
			img.Pix[4*i] = To8(t.Data[i])
			img.Pix[4*i+1] = To8(t.Data[plane+i])
			img.Pix[4*i+2] = To8(t.Data[2*plane+i])
			img.Pix[4*i+3] = 255
		}
		return img
	}
}

// Gray16FromTensor converts a [H,W] or [1,H,W] tensor to a 16-bit
// grayscale image, mapping [0,1] to [0,65535] after clamping (NaN -> 0).
// It is meant for raw attention maps: softmax weights already lie in
// [0,1], and 16 bits keep weights as small as 1/65535 distinguishable
// from zero where 8 bits would flatten them. The values are not stretched;
// a PNG of it round-trips through ToTensor(img, true) within 1/65535.
func Gray16FromTensor(t *tensor.Tensor) *image.Gray16 {
	_, h, w := chw(t, "Gray16FromTensor", false)
	img := image.NewGray16(image.Rect(0, 0, w, h))
	for i := 0; i < h*w; i++ {
		v := uint16(math.Round(float64(clamp01(t.Data[i])) * 65535))
		img.Pix[2*i] = uint8(v >> 8)
		img.Pix[2*i+1] = uint8(v)
	}
	return img
}

// Normalize subtracts mean[c] and divides by std[c] for every channel c of
// a [C,H,W] or [N,C,H,W] tensor, in place, and returns t. With
// ImageNetMean and ImageNetStd it gives torchvision's input convention.
// len(mean) and len(std) must equal C.
func Normalize(t *tensor.Tensor, mean, std []float32) *tensor.Tensor {
	if t.Dims() != 3 && t.Dims() != 4 {
		panic(fmt.Sprintf("imageio: Normalize wants [C,H,W] or [N,C,H,W], got %v", t.Shape))
	}
	c := t.Dim(-3)
	if len(mean) != c || len(std) != c {
		panic(fmt.Sprintf("imageio: Normalize: %d channels but %d means and %d stds", c, len(mean), len(std)))
	}
	plane := t.Dim(-1) * t.Dim(-2)
	for base := 0; base < len(t.Data); base += c * plane {
		for ch := 0; ch < c; ch++ {
			m, inv := mean[ch], 1/std[ch]
			p := t.Data[base+ch*plane : base+(ch+1)*plane]
			for i := range p {
				p[i] = (p[i] - m) * inv
			}
		}
	}
	return t
}

// chw reads the channel count and spatial size of a [H,W] or [C,H,W]
// tensor; rgbOK allows C = 3.
func chw(t *tensor.Tensor, fn string, rgbOK bool) (c, h, w int) {
	switch {
	case t.Dims() == 2:
		return 1, t.Shape[0], t.Shape[1]
	case t.Dims() == 3 && (t.Shape[0] == 1 || (rgbOK && t.Shape[0] == 3)):
		return t.Shape[0], t.Shape[1], t.Shape[2]
	}
	want := "[H,W] or [1,H,W]"
	if rgbOK {
		want = "[H,W], [1,H,W] or [3,H,W]"
	}
	panic(fmt.Sprintf("imageio: %s wants %s, got %v", fn, want, t.Shape))
}

func clamp01(v float32) float32 {
	if !(v > 0) { // also NaN
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// To8 is the 8-bit level FromTensor stores for a value v in 0..1:
// clamped to 0..1 (NaN to 0), times 255, rounded half up.
func To8(v float32) uint8 {
	return uint8(clamp01(v)*255 + 0.5)
}
