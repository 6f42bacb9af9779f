package imageio

import (
	"errors"
	"fmt"
	"image"
	"image/color"
)

// ErrTooMuchMemory means decoding and working on the image would need
// more memory than Options.MaxMemory allows.
var ErrTooMuchMemory = errors.New("needs too much memory")

// Bytes per input pixel of the full-size copies a caller may make after
// decoding; add them up for Options.WorkBytesPerPixel.
const (
	// FloatRGBBytes is a [3,H,W] float32 tensor, what ToTensor(img, false)
	// returns (ToTensor(img, true) needs a third of it).
	FloatRGBBytes = 3 * 4
	// RGBABytes is an *image.RGBA picture of the input's size, e.g. a
	// heatmap blended over it.
	RGBABytes = 4
)

// EstimateMemory returns about how many bytes it takes to decode an image
// whose header is cfg, in format ("png", "jpeg", ... as image.DecodeConfig
// names it), while the caller works on it with work bytes per pixel:
//
//	encoded + pixels × (decoded + orient + progressive + work)
//
// encoded is the file's size (Decode holds it while decoding). decoded is
// the bytes per pixel of the image the decoder returns, read from the
// colour model: 1 for gray or paletted, 2 for 16-bit gray, 3 for JPEG's
// YCbCr (4:4:4, the most a JPEG can use; 4:2:0 needs 1.5), 4 for CMYK and
// 8-bit RGBA, 8 for 16-bit RGBA, and 8 for a model it does not know.
// orient is the upright copy ApplyOrientation makes for a rotated or
// mirrored JPEG (8 for YCbCr and CMYK, which it converts to RGBA first).
// progressive is what Go's JPEG decoder keeps for a progressive file: the
// DCT coefficients of every block as int32, 4 bytes per sample. work is
// the caller's own full-size copies (see FloatRGBBytes, RGBABytes; a tool
// that resizes to a model's input with ToTensorResized adds nothing).
//
// The figure is an estimate to refuse hopeless inputs before decoding,
// not an accounting: Go's heap also holds garbage until the next
// collection, and small images are dominated by fixed costs.
func EstimateMemory(cfg image.Config, format string, encoded int, orient int, progressive bool, work int64) int64 {
	px := int64(max(cfg.Width, 0)) * int64(max(cfg.Height, 0))
	per := decodedBytesPerPixel(cfg.ColorModel) + max(work, 0)
	if orient > 1 {
		switch cfg.ColorModel {
		case color.YCbCrModel, color.CMYKModel:
			per += 2 * RGBABytes // the RGBA source and the rotated copy
		default:
			per += decodedBytesPerPixel(cfg.ColorModel)
		}
	}
	if format == "jpeg" && progressive {
		per += 4 * jpegComponents(cfg.ColorModel)
	}
	// Saturate instead of overflowing: a lying header may declare 2^62
	// pixels of 8 bytes.
	const maxInt64 = 1<<63 - 1
	if px > 0 && per > (maxInt64-int64(encoded))/px {
		return maxInt64
	}
	return int64(encoded) + px*per
}

// decodedBytesPerPixel is the size of one pixel of the image a decoder
// returns for colour model m.
func decodedBytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.NYCbCrAModel:
		return 4
	case color.CMYKModel, color.RGBAModel, color.NRGBAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// jpegComponents is the number of colour components of a JPEG whose
// decoder reports model m.
func jpegComponents(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.CMYKModel:
		return 4
	}
	return 3
}

// progressiveJPEG reports whether JPEG data is progressive: its first
// start-of-frame marker is SOF2 (or another progressive SOF). It walks
// the marker segments as ExifOrientation does and answers false for
// anything it cannot read.
func progressiveJPEG(b []byte) bool {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return false
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return false
		}
		m := b[i+1]
		switch {
		case m == 0xFF:
			i++
			continue
		case m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7):
			i += 2
			continue
		case m == 0xDA || m == 0xD9:
			return false
		case m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE:
			return true
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return false // a sequential frame
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 {
			return false
		}
		i += 2 + n
	}
	return false
}

// checkMemory refuses an image whose estimate exceeds opt.MaxMemory.
func checkMemory(name string, data []byte, cfg image.Config, format string, opt Options) error {
	if opt.MaxMemory <= 0 {
		return nil
	}
	orient := 1
	progressive := false
	if format == "jpeg" {
		if !opt.IgnoreOrientation {
			orient = ExifOrientation(data)
		}
		progressive = progressiveJPEG(data)
	}
	need := EstimateMemory(cfg, format, len(data), orient, progressive, opt.WorkBytesPerPixel)
	return memoryError(name, need, opt.MaxMemory)
}

// memoryError is the refusal when need exceeds limit, else nil.
func memoryError(name string, need, limit int64) error {
	if need <= limit {
		return nil
	}
	return &limitError{fmt.Sprintf("%s: needs about %s, limit %s", name, GiB(need), GiB(limit)), ErrTooMuchMemory}
}

// GiB formats a byte count in gibibytes for messages: one decimal from
// 1 GiB up ("37.3 GiB"), two below ("0.25 GiB").
func GiB(n int64) string {
	g := float64(n) / (1 << 30)
	if g >= 1 {
		return fmt.Sprintf("%.1f GiB", g)
	}
	return fmt.Sprintf("%.2f GiB", g)
}
