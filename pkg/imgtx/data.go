package imgtx

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/disintegration/imaging"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
)

// Source names a dataset: mnist (the built-in 8-bit MNIST digits, 28×28
// grey, split 55,000 / 5,000 / 10,000) or imagefolder:DIR (a folder of
// images, one sub-folder per class, converted to the model's size).
type Source struct {
	Kind string // mnist or imagefolder
	Dir  string // imagefolder: the root
}

// ParseSource reads "mnist" or "imagefolder:DIR".
func ParseSource(s string) (Source, error) {
	switch {
	case s == "mnist":
		return Source{Kind: "mnist"}, nil
	case strings.HasPrefix(s, "imagefolder:") && len(s) > len("imagefolder:"):
		return Source{Kind: "imagefolder", Dir: strings.TrimPrefix(s, "imagefolder:")}, nil
	}
	return Source{}, fmt.Errorf("data %q: want mnist or imagefolder:DIR", s)
}

// String returns the source as ParseSource reads it.
func (s Source) String() string {
	if s.Kind == "imagefolder" {
		return "imagefolder:" + s.Dir
	}
	return s.Kind
}

// Dataset is a set of images at a model's size, held in memory.
type Dataset struct {
	Name                string
	Height, Width, Chan int
	Pixels              []uint8 // Len() images, interleaved
	Labels              []int
	Classes             []string
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// imageLen is the number of sub-pixels of one image.
func (d *Dataset) imageLen() int { return d.Height * d.Width * d.Chan }

// Image returns the sub-pixels of image i.
func (d *Dataset) Image(i int) []uint8 {
	n := d.imageLen()
	return d.Pixels[i*n : (i+1)*n]
}

// Open loads split (train, val or test) of src at h × w with c channels.
// MNIST's train split is the first 55,000 training digits, val the last
// 5,000; an image folder's val split is every tenth image, train the
// others and test all of them. limit > 0 keeps only the first limit
// images.
func Open(src Source, split string, h, w, c, limit int) (*Dataset, error) {
	if split != "train" && split != "val" && split != "test" {
		return nil, fmt.Errorf("split %q: want train, val or test", split)
	}
	var ds *Dataset
	var err error
	if src.Kind == "mnist" {
		ds, err = openMNIST(split, h, w, c)
	} else {
		ds, err = openFolder(src.Dir, split, h, w, c)
	}
	if err != nil {
		return nil, err
	}
	if limit > 0 && limit < ds.Len() {
		ds.Labels = ds.Labels[:limit]
		ds.Pixels = ds.Pixels[:limit*ds.imageLen()]
	}
	return ds, nil
}

func openMNIST(split string, h, w, c int) (*Dataset, error) {
	name := map[string]string{"train": "train55k", "val": "val", "test": "test"}[split]
	digits, err := data.LoadMNIST(name)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: "mnist " + split, Height: h, Width: w, Chan: c, Labels: make([]int, digits.Len())}
	for i := range 10 {
		ds.Classes = append(ds.Classes, fmt.Sprint(i))
	}
	n := ds.imageLen()
	ds.Pixels = make([]uint8, digits.Len()*n)
	for i := range digits.Len() {
		ds.Labels[i] = digits.Label(i)
		img := &image.Gray{Pix: digits.Images[i][:], Stride: data.DigitSize, Rect: image.Rect(0, 0, data.DigitSize, data.DigitSize)}
		if h == data.DigitSize && w == data.DigitSize && c == 1 {
			copy(ds.Pixels[i*n:], img.Pix)
			continue
		}
		copy(ds.Pixels[i*n:], ImagePixels(img, h, w, c))
	}
	return ds, nil
}

func openFolder(dir, split string, h, w, c int) (*Dataset, error) {
	f, err := data.ScanImageFolder(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: "imagefolder:" + dir + " " + split, Height: h, Width: w, Chan: c, Classes: f.Classes}
	for i := range f.Len() {
		inVal := i%10 == 9
		if split == "train" && inVal || split == "val" && !inVal {
			continue
		}
		img, label, err := data.LoadImageItem(f, i, func(p string) (image.Image, error) { return imageio.Open(p, imageio.Options{}) })
		if err != nil {
			return nil, err
		}
		ds.Pixels = append(ds.Pixels, ImagePixels(img, h, w, c)...)
		ds.Labels = append(ds.Labels, label)
	}
	if ds.Len() == 0 {
		return nil, fmt.Errorf("image folder %s: no images in the %s split", dir, split)
	}
	return ds, nil
}

// ImagePixels converts any image to a model's input: grey (luma) or RGB,
// resized to h × w (area averaging when shrinking, bilinear otherwise)
// and quantised to 8 bits, interleaved.
func ImagePixels(img image.Image, h, w, c int) []uint8 {
	b := img.Bounds()
	m := imageio.Bilinear
	if b.Dx() > w || b.Dy() > h {
		m = imageio.Area
	}
	// Resized while read: a photo never becomes a full-size float copy.
	t := imageio.ToTensorResized(img, c == 1, h, w, m)
	out := make([]uint8, h*w*c)
	plane := h * w
	for ch := 0; ch < c; ch++ {
		for i := 0; i < plane; i++ {
			out[i*c+ch] = quantise(t.Data[ch*plane+i])
		}
	}
	return out
}

// quantise maps [0, 1] to 0..255, rounding.
func quantise(v float32) uint8 {
	return uint8(min(max(v*255+0.5, 0), 255))
}

// Downsample averages factor × factor blocks of each channel of an
// interleaved h × w image into the side × side low-resolution input of
// super-resolution, rounding to 8 bits.
func Downsample(pix []uint8, h, w, c, side int) []uint8 {
	fh, fw := h/side, w/side
	out := make([]uint8, side*side*c)
	for r := 0; r < side; r++ {
		for x := 0; x < side; x++ {
			for ch := 0; ch < c; ch++ {
				sum := 0
				for dy := 0; dy < fh; dy++ {
					for dx := 0; dx < fw; dx++ {
						sum += int(pix[((r*fh+dy)*w+x*fw+dx)*c+ch])
					}
				}
				n := fh * fw
				out[(r*side+x)*c+ch] = uint8((sum + n/2) / n)
			}
		}
	}
	return out
}

// Bicubic enlarges a low-resolution input of the configuration (LowRes
// square, interleaved) to Height × Width with Catmull-Rom cubic
// interpolation, the usual "bicubic" that super-resolution is measured
// against.
func (c Config) Bicubic(low []uint8) []uint8 {
	img := imaging.Resize(ToImage(low, c.LowRes, c.LowRes, c.Channels), c.Width, c.Height, imaging.CatmullRom)
	out := make([]uint8, c.Len())
	for y := 0; y < c.Height; y++ {
		for x := 0; x < c.Width; x++ {
			o := img.Pix[y*img.Stride+4*x:]
			if c.Channels == 1 {
				out[y*c.Width+x] = o[0]
				continue
			}
			copy(out[(y*c.Width+x)*3:(y*c.Width+x)*3+3], o[:3])
		}
	}
	return out
}

// ToImage returns an interleaved h × w image of c channels as an
// image.Gray or image.NRGBA.
func ToImage(pix []uint8, h, w, c int) image.Image {
	if c == 1 {
		return &image.Gray{Pix: append([]uint8(nil), pix[:h*w]...), Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < h*w; i++ {
		img.Set(i%w, i/w, color.NRGBA{R: pix[i*c], G: pix[i*c+1], B: pix[i*c+2], A: 255})
	}
	return img
}

// fill copies images idx of d into b (with the conditioning cfg needs).
func (d *Dataset) fill(b *Batch, cfg Config, idx []int) {
	b.N = len(idx)
	b.Pixels, b.Labels, b.Low = b.Pixels[:0], b.Labels[:0], b.Low[:0]
	for _, i := range idx {
		img := d.Image(i)
		b.Pixels = append(b.Pixels, img...)
		b.Labels = append(b.Labels, d.Labels[i])
		if cfg.Cond == "lowres" {
			b.Low = append(b.Low, Downsample(img, d.Height, d.Width, d.Chan, cfg.LowRes)...)
		}
	}
}
