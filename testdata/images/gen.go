//go:build ignore

// gen writes the sample images in this folder. Run it from pkg/imageio
// with `go generate` (or `go run gen.go -out .` here). Output is
// deterministic: rerunning it rewrites identical files.
//
// Two files need outside encoders and are only remade with -external:
// cmyk.jpg (ImageMagick's convert; Go cannot encode CMYK JPEG) and the
// .webp files (cwebp from Debian's webp package; Go cannot encode WebP).
// They are committed, so the tests never need those tools.
package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

var (
	outDir   = flag.String("out", ".", "folder to write the images to")
	external = flag.Bool("external", false, "also remake cmyk.jpg and the .webp files with convert and cwebp")
)

func main() {
	flag.Parse()
	rgbPNG := encPNG(rgb(16, 12))
	write("rgb.png", rgbPNG)
	write("gray.png", encPNG(gray(16, 12)))
	write("gray16.png", encPNG(gray16(16, 12)))
	write("rgba64.png", encPNG(rgba64(8, 8)))
	write("paletted.png", encPNG(paletted(16, 12)))
	write("alpha.png", encPNG(alpha(16, 12)))
	write("rgb.jpg", encJPEG(rgb(32, 24)))
	write("gray.jpg", encJPEG(gray(32, 24)))
	// The orientation fixtures store a 32x16 blue picture with a red 8x8
	// block in the stored top-left corner; the tests look for the block
	// where each orientation must move it.
	marked := encJPEG(cornerMark(32, 16))
	write("exif-orient-6.jpg", withAPP1(marked, exifOrientation(binary.BigEndian, 6)))
	write("exif-orient-8-le.jpg", withAPP1(marked, exifOrientation(binary.LittleEndian, 8)))
	write("exif-garbage.jpg", withAPP1(marked, []byte("Exif\x00\x00MM\x00\x2a\xff\xff\xff\xf0garbage")))
	write("anim.gif", encGIF())
	var b bytes.Buffer
	check(bmp.Encode(&b, rgb(16, 12)))
	write("rgb.bmp", b.Bytes())
	b.Reset()
	check(tiff.Encode(&b, rgb(16, 12), &tiff.Options{Compression: tiff.Deflate}))
	write("rgb.tiff", b.Bytes())

	// Broken and hostile inputs.
	write("truncated.png", rgbPNG[:len(rgbPNG)/2])
	write("not-an-image.png", []byte("These are notes, not a picture.\n"))
	write("empty.png", nil)
	write("huge-header.png", pngWithHeader(100000, 100000))
	write("zero-size.png", pngWithHeader(0, 0))
	// GIF can state a 0x0 logical screen, which its decoder accepts.
	write("zero-size.gif", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00\x3b"))
	garbage := []byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43}
	for i := 0; i < 80; i++ {
		garbage = append(garbage, byte(i*37+11))
	}
	write("garbage.jpg", garbage)

	if *external {
		run("convert", path("rgb.png"), "-colorspace", "CMYK", "-quality", "95", path("cmyk.jpg"))
		run("cwebp", "-quiet", "-lossless", path("rgb.png"), "-o", path("lossless.webp"))
		run("cwebp", "-quiet", "-q", "90", "-exact", path("alpha.png"), "-o", path("alpha.webp"))
	}
}

func rgb(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / (w - 1)), uint8(y * 255 / (h - 1)), 128, 255})
		}
	}
	return m
}

func gray(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 255 / (len(m.Pix) - 1))
	}
	return m
}

// gray16 uses values whose low byte matters, to catch 8-bit truncation.
func gray16(w, h int) *image.Gray16 {
	m := image.NewGray16(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetGray16(x, y, color.Gray16{uint16((y*w+x)*337 + 1)})
		}
	}
	return m
}

func rgba64(w, h int) *image.NRGBA64 {
	m := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA64(x, y, color.NRGBA64{uint16(x * 8191), uint16(y * 8191), 40000, uint16(65535 - x*4096)})
		}
	}
	return m
}

func paletted(w, h int) *image.Paletted {
	pal := color.Palette{
		color.RGBA{0, 0, 0, 255}, color.RGBA{255, 0, 0, 255},
		color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255},
	}
	m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetColorIndex(x, y, uint8((x/4+y/3)%4))
		}
	}
	return m
}

// alpha is red with opacity rising from 0 on the left to 255 on the right.
func alpha(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{255, 0, 0, uint8(x * 17)})
		}
	}
	return m
}

func cornerMark(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < 8 && y < 8 {
				c = color.RGBA{255, 0, 0, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func encGIF() []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}}
	g := &gif.GIF{LoopCount: 0}
	for f := 0; f < 3; f++ {
		m := image.NewPaletted(image.Rect(0, 0, 16, 16), pal)
		for i := range m.Pix {
			m.Pix[i] = uint8((i/16 + f) % 3)
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10*(f+1))
	}
	var b bytes.Buffer
	check(gif.EncodeAll(&b, g))
	return b.Bytes()
}

// exifOrientation builds an APP1 payload: "Exif\0\0", a TIFF header in
// byte order bo, and IFD0 with two entries (Make, then Orientation), so a
// reader must scan past an unrelated tag.
func exifOrientation(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, o uint16) []byte {
	var t []byte
	if bo == binary.LittleEndian {
		t = append(t, 'I', 'I')
	} else {
		t = append(t, 'M', 'M')
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8) // IFD0 right after the header
	t = bo.AppendUint16(t, 2) // entry count
	// 0x010F Make, ASCII, 4 bytes "Go!\0" held in the value field itself.
	t = bo.AppendUint16(t, 0x010F)
	t = bo.AppendUint16(t, 2)
	t = bo.AppendUint32(t, 4)
	t = append(t, 'G', 'o', '!', 0)
	// 0x0112 Orientation, SHORT, count 1, value left-justified.
	t = bo.AppendUint16(t, 0x0112)
	t = bo.AppendUint16(t, 3)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint16(t, o)
	t = bo.AppendUint16(t, 0)
	t = bo.AppendUint32(t, 0) // no next IFD
	return append([]byte("Exif\x00\x00"), t...)
}

// withAPP1 inserts an APP1 segment holding payload right after SOI.
func withAPP1(jpg, payload []byte) []byte {
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// pngWithHeader returns a well-formed PNG whose IHDR claims w×h RGBA
// pixels but whose IDAT holds only a few compressed bytes.
func pngWithHeader(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	out = chunk(out, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 64))
	zw.Close()
	out = chunk(out, "IDAT", z.Bytes())
	return chunk(out, "IEND", nil)
}

func chunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	body := append([]byte(typ), data...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
}

func encPNG(m image.Image) []byte {
	var b bytes.Buffer
	check(png.Encode(&b, m))
	return b.Bytes()
}

func encJPEG(m image.Image) []byte {
	var b bytes.Buffer
	check(jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}))
	return b.Bytes()
}

func path(name string) string { return filepath.Join(*outDir, name) }

func write(name string, data []byte) {
	check(os.WriteFile(path(name), data, 0o644))
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
