package imageio

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// ExifOrientation returns the EXIF orientation (1..8) of a JPEG file's
// bytes, or 1 when there is none or the metadata is malformed.
//
// It walks the JPEG marker segments up to the first scan, finds the APP1
// segment that starts with "Exif\x00\x00", and reads tag 0x0112 from IFD0
// of the TIFF structure inside, in either byte order ("II" little-endian or
// "MM" big-endian). Every offset is bounds-checked, so garbage metadata
// yields 1, never a panic.
func ExifOrientation(jpeg []byte) int {
	b := jpeg
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1 // not a marker where one must be: give up quietly
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte before a marker
			i++
			continue
		case m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7): // markers without a length
			i += 2
			continue
		case m == 0xDA || m == 0xD9: // start of scan or end of image: metadata is over
			return 1
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if m == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF header
// block, returning 0 when absent or invalid.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 0
	}
	count := uint64(bo.Uint16(t[off:]))
	for k := uint64(0); k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 0
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint32(t[e+4:]) < 1 {
			return 0
		}
		var v uint32
		switch bo.Uint16(t[e+2:]) { // field type
		case 3: // SHORT, left-justified in the 4-byte value field
			v = uint32(bo.Uint16(t[e+8:]))
		case 4: // LONG, tolerated although the spec says SHORT
			v = bo.Uint32(t[e+8:])
		default:
			return 0
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}

// ApplyOrientation returns img transformed so that it displays upright for
// EXIF orientation o:
//
//	1 as stored          5 transpose (mirror across the main diagonal)
//	2 mirror left-right  6 rotate 90° clockwise
//	3 rotate 180°        7 transverse (mirror across the anti-diagonal)
//	4 mirror top-bottom  8 rotate 90° counter-clockwise
//
// Orientation 1 or an invalid value returns img itself. Gray, Gray16,
// RGBA, RGBA64, NRGBA and NRGBA64 images keep their type; other kinds
// (YCbCr, CMYK, paletted) are converted to RGBA first. The result's bounds
// start at (0,0).
func ApplyOrientation(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	nw, nh := w, h
	if o >= 5 {
		nw, nh = h, w
	}
	r := image.Rect(0, 0, nw, nh)
	switch s := img.(type) {
	case *image.Gray:
		d := image.NewGray(r)
		permute(d.Pix, d.Stride, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, 1, w, h, o)
		return d
	case *image.Gray16:
		d := image.NewGray16(r)
		permute(d.Pix, d.Stride, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, 2, w, h, o)
		return d
	case *image.RGBA64:
		d := image.NewRGBA64(r)
		permute(d.Pix, d.Stride, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, 8, w, h, o)
		return d
	case *image.NRGBA:
		d := image.NewNRGBA(r)
		permute(d.Pix, d.Stride, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, 4, w, h, o)
		return d
	case *image.NRGBA64:
		d := image.NewNRGBA64(r)
		permute(d.Pix, d.Stride, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, 8, w, h, o)
		return d
	}
	src, ok := img.(*image.RGBA)
	if !ok {
		// draw has fast paths for YCbCr and the rest goes through At;
		// either way one conversion, then a plain byte permutation.
		src = image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(src, src.Rect, img, b.Min, draw.Src)
		b = src.Rect
	}
	d := image.NewRGBA(r)
	permute(d.Pix, d.Stride, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, 4, w, h, o)
	return d
}

// permute copies the w×h source pixels of bpp bytes each into dst at the
// positions orientation o sends them to.
func permute(dst []byte, dstStride int, src []byte, srcStride, bpp, w, h, o int) {
	for y := 0; y < h; y++ {
		row := src[y*srcStride:]
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			copy(dst[dy*dstStride+dx*bpp:dy*dstStride+dx*bpp+bpp], row[x*bpp:x*bpp+bpp])
		}
	}
}
