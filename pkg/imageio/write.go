package imageio

import (
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/atomicfile"
)

// PNG returns a writer of img as a PNG file, for atomicfile.Set.Write;
// see FastPNGPixels.
func PNG(img image.Image) func(io.Writer) error {
	enc := png.Encoder{}
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) >= FastPNGPixels {
		enc.CompressionLevel = png.BestSpeed
	}
	return func(w io.Writer) error { return enc.Encode(w, img) }
}

// JPEG returns a writer of img as a JPEG file at the given quality
// (1..100; 0 means 90).
func JPEG(img image.Image, quality int) func(io.Writer) error {
	if quality == 0 {
		quality = 90
	}
	return func(w io.Writer) error { return jpeg.Encode(w, img, &jpeg.Options{Quality: quality}) }
}

// GIF returns a writer of an animated (or single-frame) GIF.
func GIF(g *gif.GIF) func(io.Writer) error {
	return func(w io.Writer) error {
		if g == nil || len(g.Image) == 0 {
			return fmt.Errorf("GIF has no frames")
		}
		return gif.EncodeAll(w, g)
	}
}

// FastPNGPixels is the size from which PNG and SavePNG compress for
// speed: at the default level Go's encoder tries every PNG filter on every
// row, which takes seconds for a photo-sized picture (9.6 s for a 16 MP
// heatmap, against 1.7 s at png.BestSpeed) to save a fifth of the bytes.
// Smaller pictures, the usual model-sized outputs, keep the default.
const FastPNGPixels = 4_000_000

// SavePNG atomically writes img as a PNG file; see FastPNGPixels.
func SavePNG(path string, img image.Image) error { return atomicfile.Write(path, PNG(img)) }

// SaveJPEG atomically writes img as a JPEG file at the given quality
// (1..100; 0 means 90).
func SaveJPEG(path string, img image.Image, quality int) error {
	return atomicfile.Write(path, JPEG(img, quality))
}

// SaveGIF atomically writes an animated (or single-frame) GIF.
func SaveGIF(path string, g *gif.GIF) error {
	if g == nil || len(g.Image) == 0 {
		return fmt.Errorf("write %s: GIF has no frames", path)
	}
	return atomicfile.Write(path, GIF(g))
}

// Save atomically writes img in the format its extension names: .png,
// .jpg/.jpeg (quality 90) or .gif (one frame, Plan 9 palette with
// Floyd-Steinberg dithering).
func Save(path string, img image.Image) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return SavePNG(path, img)
	case ".jpg", ".jpeg":
		return SaveJPEG(path, img, 90)
	case ".gif":
		return atomicfile.Write(path, func(w io.Writer) error { return gif.Encode(w, img, nil) })
	}
	return fmt.Errorf("write %s: unknown output extension (want .png, .jpg or .gif)", path)
}
