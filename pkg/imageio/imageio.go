// Package imageio reads images with limits, applies JPEG EXIF orientation,
// converts between images and float32 tensors, and writes outputs
// atomically.
//
// Reading is defensive because every CLI feeds it files a user points at:
// the encoded size is capped before anything is buffered, the header is
// checked with image.DecodeConfig against a pixel budget and a memory
// budget (EstimateMemory) before a single pixel buffer is allocated, and a decoder panic becomes an error. Every
// error is one line naming the file and the problem.
//
// Supported formats: PNG, JPEG, GIF (first frame), BMP, TIFF and WebP,
// including gray, paletted, 16-bit, CMYK and alpha images.
package imageio

//go:generate go run ../../testdata/images/gen.go -out ../../testdata/images

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"io/fs"
	"os"
	"strings"

	// Registered decoders: each init adds its format to image.Decode.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// DefaultMaxPixels is the pixel budget used when Options.MaxPixels is 0:
// 64 megapixels, enough for any camera photo, small enough that the
// decoded RGBA (256 MB) cannot take the machine down.
const DefaultMaxPixels = 64_000_000

// DefaultMaxBytes caps the encoded file size when Options.MaxBytes is 0.
const DefaultMaxBytes = 256 << 20

// Formats lists the supported formats in the order error messages name them.
const Formats = "png, jpeg, gif, bmp, tiff, webp"

// Sentinel errors; test with errors.Is.
var (
	// ErrUnsupported means the data is not in any supported format.
	ErrUnsupported = errors.New("not a supported image (" + Formats + ")")
	// ErrTooManyPixels means the header declares more pixels than allowed.
	ErrTooManyPixels = errors.New("too many pixels")
	// ErrTooManyBytes means the encoded data is larger than allowed.
	ErrTooManyBytes = errors.New("file too large")
	// ErrEmptyImage means the header declares a zero or negative size.
	ErrEmptyImage = errors.New("image has no pixels")
)

// Options limits and adjusts decoding. The zero value is ready to use.
type Options struct {
	// MaxPixels refuses images whose width*height exceeds it, before
	// decoding. 0 means DefaultMaxPixels; there is no "unlimited".
	MaxPixels int64
	// MaxBytes refuses encoded inputs larger than this. 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// IgnoreOrientation keeps JPEG pixels as stored instead of applying
	// the EXIF orientation tag.
	IgnoreOrientation bool
	// MaxMemory refuses, before decoding, an image whose EstimateMemory
	// (with WorkBytesPerPixel) exceeds it, with ErrTooMuchMemory. 0
	// means no memory check; the pixel budget still applies. The
	// commands set it from --max-memory.
	MaxMemory int64
	// WorkBytesPerPixel is what the caller allocates per input pixel
	// after decoding (FloatRGBBytes for a full-size ToTensor, RGBABytes
	// per picture drawn at the input's size), counted against MaxMemory.
	WorkBytesPerPixel int64
}

func (o Options) maxPixels() int64 {
	if o.MaxPixels > 0 {
		return o.MaxPixels
	}
	return DefaultMaxPixels
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// Open reads and decodes the image file at path; see Decode.
func Open(path string, opt Options) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	// Refuse an oversized regular file before reading any of it.
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > opt.maxBytes() {
		return nil, &limitError{fmt.Sprintf("%s: %d bytes exceeds the limit of %d bytes", path, st.Size(), opt.maxBytes()), ErrTooManyBytes}
	}
	return Decode(f, path, opt)
}

// Decode reads at most opt.MaxBytes from r and decodes it. name is used in
// error messages only ("-" or "" for stdin reads as "<stdin>").
//
// The header is checked first: a width or height <= 0, width*height
// above opt.MaxPixels, or an EstimateMemory above opt.MaxMemory is refused
// before any pixel memory is allocated.
// JPEG images are turned upright according to their EXIF orientation
// unless opt.IgnoreOrientation is set. GIF yields its first frame.
// Decode never panics; a panicking decoder is reported as an error.
func Decode(r io.Reader, name string, opt Options) (image.Image, error) {
	if name == "" || name == "-" {
		name = "<stdin>"
	}
	max := opt.maxBytes()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, pathError(name, err)
	}
	if int64(len(data)) > max {
		return nil, &limitError{fmt.Sprintf("%s: larger than the limit of %d bytes", name, max), ErrTooManyBytes}
	}
	return decodeBytes(data, name, opt)
}

// decodeBytes is Decode on data already in memory.
func decodeBytes(data []byte, name string, opt Options) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%s: decoder panic: %v", name, p)
		}
	}()
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty file: %w", name, ErrUnsupported)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, describe(name, format, err)
	}
	if err := checkSize(name, cfg.Width, cfg.Height, opt.maxPixels()); err != nil {
		return nil, err
	}
	if err := checkMemory(name, data, cfg, format, opt); err != nil {
		return nil, err
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, describe(name, format, err)
	}
	// A decoder must not hand back more than its header promised; check so
	// the pixel budget holds even for a lying multi-part format.
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) > opt.maxPixels() {
		return nil, checkSize(name, b.Dx(), b.Dy(), opt.maxPixels())
	}
	if format == "jpeg" && !opt.IgnoreOrientation {
		img = ApplyOrientation(img, ExifOrientation(data))
	}
	if screen := image.Rect(0, 0, cfg.Width, cfg.Height); format == "gif" && img.Bounds() != screen {
		// image/gif returns the first frame at its own place and size,
		// while the header (and every viewer) has the logical screen: show
		// the frame on the screen, as ReadFrames does, so that the image
		// has the size DecodeConfig reported and its origin at (0, 0).
		canvas := image.NewRGBA(screen)
		draw.Draw(canvas, img.Bounds().Intersect(screen), img, img.Bounds().Min, draw.Over)
		img = canvas
	}
	return img, nil
}

// checkSize enforces the positive-size rule and the pixel budget.
func checkSize(name string, w, h int, max int64) error {
	if w <= 0 || h <= 0 {
		return &limitError{fmt.Sprintf("%s: %dx%d pixels: width and height must be positive", name, w, h), ErrEmptyImage}
	}
	if int64(w)*int64(h) > max {
		return &limitError{fmt.Sprintf("%s: %dx%d pixels exceeds the limit of %d pixels", name, w, h, max), ErrTooManyPixels}
	}
	return nil
}

// describe turns a decoder error into the one-line message users see.
func describe(name, format string, err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return fmt.Errorf("%s: %w", name, ErrUnsupported)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		strings.Contains(err.Error(), "not enough pixel data"): // image/png's word for a short IDAT
		return &limitError{fmt.Sprintf("%s: truncated %s data (%v)", name, strings.ToUpper(format), err), err}
	default:
		return fmt.Errorf("%s: %w", name, err)
	}
}

// pathError reports a failed file operation as "path: reason". An
// *fs.PathError says "open path: reason"; the caller's line then starts
// with the path as every other message here does, and names it once.
// errors.Is still finds the cause (fs.ErrNotExist, ...).
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &limitError{path + ": " + pe.Err.Error(), err}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// limitError carries a complete one-line message and the sentinel or
// cause that errors.Is should find, without repeating its text.
type limitError struct {
	msg   string
	cause error
}

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return e.cause }
