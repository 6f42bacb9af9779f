package imageio

import (
	"bufio"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteFileAtomic writes path through write so that path either keeps its
// old content or holds the complete new content, never a partial file.
//
// write receives a buffered writer on a temporary file created in the same
// directory (so the final rename cannot cross file systems); the data is
// flushed, fsynced, given mode 0644 and renamed over path, and the
// directory is synced on a best-effort basis. On any error, or a panic in
// write, the temporary file is removed.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		done = true
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	// Make the rename itself durable; some systems cannot sync a
	// directory, and the data is already safe, so errors are ignored.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// FastPNGPixels is the size from which SavePNG compresses for speed: at
// the default level Go's encoder tries every PNG filter on every row,
// which takes seconds for a photo-sized picture (9.6 s for a 16 MP
// heatmap, against 1.7 s at png.BestSpeed) to save a fifth of the bytes.
// Smaller pictures, the usual model-sized outputs, keep the default.
const FastPNGPixels = 4_000_000

// SavePNG atomically writes img as a PNG file; see FastPNGPixels.
func SavePNG(path string, img image.Image) error {
	enc := png.Encoder{}
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) >= FastPNGPixels {
		enc.CompressionLevel = png.BestSpeed
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return enc.Encode(w, img) })
}

// SaveJPEG atomically writes img as a JPEG file at the given quality
// (1..100; 0 means 90).
func SaveJPEG(path string, img image.Image, quality int) error {
	if quality == 0 {
		quality = 90
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
	})
}

// SaveGIF atomically writes an animated (or single-frame) GIF.
func SaveGIF(path string, g *gif.GIF) error {
	if g == nil || len(g.Image) == 0 {
		return fmt.Errorf("write %s: GIF has no frames", path)
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return gif.EncodeAll(w, g) })
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
		return WriteFileAtomic(path, func(w io.Writer) error { return gif.Encode(w, img, nil) })
	}
	return fmt.Errorf("write %s: unknown output extension (want .png, .jpg or .gif)", path)
}
