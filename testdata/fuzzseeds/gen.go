//go:build ignore

// gen writes the seed corpora of the fuzz targets: the files under
// pkg/*/testdata/fuzz/Fuzz*/ that go test runs as ordinary test cases and
// that bench/fuzz.sh starts the fuzzer from. Each seed is either a small
// valid input, made with the package's own writer where it has one, or a
// hostile one (truncated, huge sizes in a header, negative offsets, ...).
//
// Run it from the repository root:
//
//	go run testdata/fuzzseeds/gen.go
//
// Output is deterministic. It adds and overwrites its own seeds and
// leaves every other file alone, so the crashers the fuzzer found and
// that were checked in as regression seeds stay.
package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/attnkit/attn/pkg/ckpt"
)

func main() {
	imageioSeeds()
	ckptSeeds()
	cliutilSeeds()
	dataSeeds()
	captionSeeds()
}

// seed writes one corpus file: the "go test fuzz v1" header, then one
// line per argument of the target, in its order.
func seed(pkg, target, name string, args ...any) {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		case uint8:
			fmt.Fprintf(&b, "uint8(%d)\n", v)
		case int8:
			fmt.Fprintf(&b, "int8(%d)\n", v)
		case int:
			fmt.Fprintf(&b, "int(%d)\n", v)
		case uint32:
			fmt.Fprintf(&b, "uint32(%d)\n", v)
		default:
			log.Fatalf("seed %s/%s: no encoding for %T", target, name, a)
		}
	}
	dir := filepath.Join("pkg", pkg, "testdata", "fuzz", target)
	check(os.MkdirAll(dir, 0o755))
	check(os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
}

// ---- pkg/imageio ----

// budget is the fuzzed pixel-budget argument that gives n pixels (the
// targets use n%(1<<18)+1).
func budget(n int) uint32 { return uint32(n - 1) }

func imageioSeeds() {
	samples := "testdata/images"
	entries, err := os.ReadDir(samples)
	check(err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(samples, e.Name()))
		check(err)
		seed("imageio", "FuzzDecode", "sample-"+e.Name(), b, budget(1<<18), false)
	}
	rgbPNG := encPNG(rgb(16, 12))
	// The budget boundary: 192 pixels fit a budget of 192, not of 191.
	seed("imageio", "FuzzDecode", "limit-exact-png", rgbPNG, budget(192), false)
	seed("imageio", "FuzzDecode", "limit-over-png", rgbPNG, budget(191), false)
	orient6, err := os.ReadFile(filepath.Join(samples, "exif-orient-6.jpg"))
	check(err)
	seed("imageio", "FuzzDecode", "exif-orient-6-ignored", orient6, budget(512), true)
	seed("imageio", "FuzzDecode", "exif-orient-6-limit", orient6, budget(511), false)

	// Hostile headers: every format claiming a huge picture in a tiny file.
	seed("imageio", "FuzzDecode", "huge-png-ihdr", pngWithHeader(1<<31-1, 1<<31-1), budget(1<<18), false)
	seed("imageio", "FuzzDecode", "png-short-idat", pngWithHeader(64, 64), budget(1<<18), false)
	var b bytes.Buffer
	check(bmp.Encode(&b, rgb(4, 3)))
	bmpSmall := b.Bytes()
	seed("imageio", "FuzzDecode", "small-bmp", bmpSmall, budget(1<<18), false)
	hugeBMP := bytes.Clone(bmpSmall)
	binary.LittleEndian.PutUint32(hugeBMP[18:], 100000)
	binary.LittleEndian.PutUint32(hugeBMP[22:], 100000)
	seed("imageio", "FuzzDecode", "huge-bmp", hugeBMP, budget(1<<18), false)
	topDown := bytes.Clone(bmpSmall) // a negative height means rows stored top-down
	binary.LittleEndian.PutUint32(topDown[22:], uint32(0x100000000-3))
	seed("imageio", "FuzzDecode", "bmp-negative-height", topDown, budget(1<<18), false)
	minHeight := bytes.Clone(bmpSmall)
	binary.LittleEndian.PutUint32(minHeight[22:], 0x80000000)
	seed("imageio", "FuzzDecode", "bmp-min-int-height", minHeight, budget(1<<18), false)
	seed("imageio", "FuzzDecode", "bmp-truncated", bmpSmall[:len(bmpSmall)-7], budget(1<<18), false)
	b.Reset()
	check(tiff.Encode(&b, rgb(4, 3), nil))
	tiffSmall := b.Bytes()
	seed("imageio", "FuzzDecode", "small-tiff", tiffSmall, budget(1<<18), false)
	seed("imageio", "FuzzDecode", "huge-tiff", tiffWithSize(tiffSmall, 1<<20, 1<<20), budget(1<<18), false)
	seed("imageio", "FuzzDecode", "tiff-width-over-data", tiffWithSize(tiffSmall, 64, 3), budget(1<<18), false)
	jpg := encJPEG(rgb(8, 8))
	seed("imageio", "FuzzDecode", "small-jpeg", jpg, budget(1<<18), false)
	seed("imageio", "FuzzDecode", "huge-jpeg-sof", jpegWithSize(jpg, 65535, 65535), budget(1<<18), false)
	seed("imageio", "FuzzDecode", "jpeg-truncated", jpg[:len(jpg)/2], budget(1<<18), false)
	seed("imageio", "FuzzDecode", "huge-gif-screen", gifScreen(encGIF(1, 2, 2), 65535, 65535), budget(1<<18), false)
	webp, err := os.ReadFile(filepath.Join(samples, "lossless.webp"))
	check(err)
	seed("imageio", "FuzzDecode", "huge-webp-vp8l", webpVP8LSize(webp, 16384, 16384), budget(1<<18), false)

	for _, name := range []string{"exif-orient-6.jpg", "exif-orient-8-le.jpg", "exif-garbage.jpg", "rgb.jpg"} {
		b, err := os.ReadFile(filepath.Join(samples, name))
		check(err)
		seed("imageio", "FuzzExifOrientation", "sample-"+name, b)
	}
	for o := uint16(1); o <= 8; o++ {
		seed("imageio", "FuzzExifOrientation", fmt.Sprintf("tiff-be-%d", o), tiffBlock(binary.BigEndian, 3, uint32(o)<<16, 2))
	}
	seed("imageio", "FuzzExifOrientation", "tiff-le-long", tiffBlock(binary.LittleEndian, 4, 6, 1))
	seed("imageio", "FuzzExifOrientation", "tiff-bad-value", tiffBlock(binary.LittleEndian, 3, 9, 1))
	seed("imageio", "FuzzExifOrientation", "tiff-count-65535", append([]byte("MM\x00\x2a\x00\x00\x00\x08\xff\xff"), make([]byte, 24)...))
	seed("imageio", "FuzzExifOrientation", "tiff-offset-past-end", []byte("II\x2a\x00\xf0\xff\xff\xff\x00\x00"))
	seed("imageio", "FuzzExifOrientation", "jpeg-segment-length-past-end", []byte("\xff\xd8\xff\xe1\xff\xffExif\x00\x00MM"))
	seed("imageio", "FuzzExifOrientation", "jpeg-fill-bytes", []byte("\xff\xd8\xff\xff\xff\xd0\xff\x01\xff\xd9"))

	for kind := uint8(0); kind < 8; kind++ {
		seed("imageio", "FuzzApplyOrientation", fmt.Sprintf("kind-%d", kind), kind, uint8(4), uint8(2), int8(0), int8(0), int(kind)+1, []byte("pixels of some image"))
	}
	seed("imageio", "FuzzApplyOrientation", "offset-origin-rotate", uint8(2), uint8(5), uint8(3), int8(-3), int8(7), 6, []byte{1, 2, 3, 4, 5, 6, 7})
	seed("imageio", "FuzzApplyOrientation", "one-pixel-transverse", uint8(5), uint8(0), uint8(0), int8(-128), int8(127), 7, []byte{0xff})
	seed("imageio", "FuzzApplyOrientation", "invalid-orientation", uint8(0), uint8(3), uint8(3), int8(0), int8(0), -1, []byte{9})

	anim, err := os.ReadFile(filepath.Join(samples, "anim.gif"))
	check(err)
	seed("imageio", "FuzzGIFFrames", "sample-anim", anim, budget(1<<18))
	seed("imageio", "FuzzGIFFrames", "limit-exact", anim, budget(3*16*16))
	seed("imageio", "FuzzGIFFrames", "limit-over", anim, budget(3*16*16-1))
	seed("imageio", "FuzzGIFFrames", "zero-screen", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00\x3b"), budget(1<<18))
	seed("imageio", "FuzzGIFFrames", "truncated", anim[:len(anim)/2], budget(1<<18))
	seed("imageio", "FuzzGIFFrames", "disposals", encGIFDisposals(), budget(1<<18))
	// A large screen with many one-pixel frames: a small file that stands
	// for many full-screen composited frames.
	seed("imageio", "FuzzGIFFrames", "many-frames-big-screen", gifScreen(encGIF(40, 1, 1), 200, 200), budget(1<<18))
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

func encPNG(m image.Image) []byte {
	var b bytes.Buffer
	check(png.Encode(&b, m))
	return b.Bytes()
}

func encJPEG(m image.Image) []byte {
	var b bytes.Buffer
	check(jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}))
	return b.Bytes()
}

// encGIF returns an animation of n frames of w×h pixels.
func encGIF(n, w, h int) []byte {
	pal := color.Palette{color.Black, color.White}
	g := &gif.GIF{}
	for i := 0; i < n; i++ {
		m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		m.Pix[0] = uint8(i % 2)
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 1)
	}
	var b bytes.Buffer
	check(gif.EncodeAll(&b, g))
	return b.Bytes()
}

// encGIFDisposals returns a 4×4 animation of partial frames using each
// disposal method.
func encGIFDisposals() []byte {
	pal := color.Palette{color.Transparent, color.Black, color.White}
	g := &gif.GIF{Config: image.Config{Width: 4, Height: 4, ColorModel: pal}, BackgroundIndex: 0}
	for i, d := range []byte{gif.DisposalNone, gif.DisposalBackground, gif.DisposalPrevious, 0} {
		m := image.NewPaletted(image.Rect(i%3, i%2, i%3+2, i%2+2), pal)
		for k := range m.Pix {
			m.Pix[k] = uint8(1 + (i+k)%2)
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 1)
		g.Disposal = append(g.Disposal, d)
	}
	var b bytes.Buffer
	check(gif.EncodeAll(&b, g))
	return b.Bytes()
}

// gifScreen rewrites the logical screen size of a GIF.
func gifScreen(g []byte, w, h uint16) []byte {
	g = bytes.Clone(g)
	binary.LittleEndian.PutUint16(g[6:], w)
	binary.LittleEndian.PutUint16(g[8:], h)
	return g
}

// pngWithHeader returns a well-formed PNG whose IHDR claims w×h RGBA
// pixels but whose IDAT holds only a few compressed bytes.
func pngWithHeader(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out = pngChunk(out, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 64))
	zw.Close()
	out = pngChunk(out, "IDAT", z.Bytes())
	return pngChunk(out, "IEND", nil)
}

func pngChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	body := append([]byte(typ), data...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
}

// tiffWithSize rewrites the ImageWidth and ImageLength tags of IFD0 of
// a little-endian TIFF (what x/image/tiff writes).
func tiffWithSize(t []byte, w, h uint32) []byte {
	t = bytes.Clone(t)
	le := binary.LittleEndian
	off := le.Uint32(t[4:])
	n := le.Uint16(t[off:])
	for k := uint32(0); k < uint32(n); k++ {
		e := off + 2 + 12*k
		var v uint32
		switch le.Uint16(t[e:]) {
		case 256:
			v = w
		case 257:
			v = h
		default:
			continue
		}
		le.PutUint16(t[e+2:], 4) // LONG, so values above 65535 fit
		le.PutUint32(t[e+8:], v)
	}
	return t
}

// jpegWithSize rewrites the frame size in the SOF0 segment.
func jpegWithSize(j []byte, w, h uint16) []byte {
	j = bytes.Clone(j)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

// webpVP8LSize rewrites the 14-bit width and height of a lossless WebP.
func webpVP8LSize(webp []byte, w, h uint32) []byte {
	webp = bytes.Clone(webp)
	i := bytes.Index(webp, []byte("VP8L")) + 8 + 1 // chunk header, then the 0x2f signature
	bits := binary.LittleEndian.Uint32(webp[i:])
	bits = bits&^(1<<28-1) | (w - 1) | (h-1)<<14
	binary.LittleEndian.PutUint32(webp[i:], bits)
	return webp
}

// tiffBlock returns the TIFF block of an EXIF segment whose IFD0 holds
// an orientation entry of the given field type and raw value, after
// (entries-1) unrelated entries.
func tiffBlock(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, typ uint16, value uint32, entries int) []byte {
	t := make([]byte, 8)
	if bo == binary.LittleEndian {
		copy(t, "II")
	} else {
		copy(t, "MM")
	}
	bo.PutUint16(t[2:], 42)
	bo.PutUint32(t[4:], 8)
	t = bo.AppendUint16(t, uint16(entries))
	for k := 1; k < entries; k++ {
		t = bo.AppendUint16(t, 0x010F)
		t = bo.AppendUint16(t, 2)
		t = bo.AppendUint32(t, 4)
		t = append(t, 'G', 'o', '!', 0)
	}
	t = bo.AppendUint16(t, 0x0112)
	t = bo.AppendUint16(t, typ)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint32(t, value)
	return bo.AppendUint32(t, 0)
}

// ---- pkg/ckpt ----

func ckptSeeds() {
	f := ckpt.NewFile()
	floats := []float32{0, -1.5, 3.25, 1e-3, 65504, float32(math.Inf(-1))}
	for _, d := range []ckpt.DType{ckpt.F32, ckpt.F16, ckpt.BF16, ckpt.F64} {
		f.Tensors["t."+string(d)] = &ckpt.Entry{DType: d, Shape: []int{2, 3}, Float: floats}
	}
	f.Tensors["t.I64"] = &ckpt.Entry{DType: ckpt.I64, Shape: []int{2}, Int: []int64{math.MinInt64, math.MaxInt64}}
	f.Tensors["t.I32"] = &ckpt.Entry{DType: ckpt.I32, Shape: []int{2}, Int: []int64{math.MinInt32, 7}}
	f.Tensors["t.I16"] = &ckpt.Entry{DType: ckpt.I16, Shape: []int{1}, Int: []int64{-300}}
	f.Tensors["t.I8"] = &ckpt.Entry{DType: ckpt.I8, Shape: []int{2}, Int: []int64{-128, 127}}
	f.Tensors["t.U8"] = &ckpt.Entry{DType: ckpt.U8, Shape: []int{2}, Int: []int64{0, 255}}
	f.Tensors["t.BOOL"] = &ckpt.Entry{DType: ckpt.Bool, Shape: []int{2}, Int: []int64{1, 0}}
	f.Tensors["scalar"] = ckpt.FromInts([]int64{42})
	f.Tensors["empty"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{0, 4}, Float: []float32{}}
	f.Metadata["config"] = `{"hidden":256}`
	seed("ckpt", "FuzzReadBytes", "every-dtype", encode(f))
	one := ckpt.NewFile()
	one.Tensors["w"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{2}, Float: []float32{1, 2}}
	small := encode(one)
	seed("ckpt", "FuzzReadBytes", "one-tensor", small)
	meta := ckpt.NewFile()
	meta.Metadata["format"] = "pt"
	seed("ckpt", "FuzzReadBytes", "metadata-only", encode(meta))
	one.Tensors["z"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{0}, Float: []float32{}}
	seed("ckpt", "FuzzReadBytes", "empty-tensor-last", encode(one))
	seed("ckpt", "FuzzReadBytes", "empty-header", raw(`{}`, nil))
	seed("ckpt", "FuzzReadBytes", "short-file", []byte{8, 0, 0})
	seed("ckpt", "FuzzReadBytes", "truncated-data", small[:len(small)-1])
	seed("ckpt", "FuzzReadBytes", "trailing-byte", append(bytes.Clone(small), 0))
	huge := bytes.Clone(small)
	binary.LittleEndian.PutUint64(huge, math.MaxUint64)
	seed("ckpt", "FuzzReadBytes", "header-length-max", huge)
	past := bytes.Clone(small)
	binary.LittleEndian.PutUint64(past, uint64(len(small)))
	seed("ckpt", "FuzzReadBytes", "header-length-past-end", past)
	data8 := make([]byte, 8)
	seed("ckpt", "FuzzReadBytes", "negative-offsets", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "reversed-offsets", raw(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "hole", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "huge-shape", raw(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "huge-shape-with-zero", raw(`{"a":{"dtype":"F32","shape":[9223372036854775807,9223372036854775807,0],"data_offsets":[0,0]}}`, nil))
	seed("ckpt", "FuzzReadBytes", "negative-dim", raw(`{"a":{"dtype":"F32","shape":[-2,-1],"data_offsets":[0,8]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "duplicate-key", raw(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil))
	seed("ckpt", "FuzzReadBytes", "unknown-dtype", raw(`{"a":{"dtype":"F8","shape":[8],"data_offsets":[0,8]}}`, data8))
	seed("ckpt", "FuzzReadBytes", "metadata-not-string", raw(`{"__metadata__":{"n":1}}`, nil))
	seed("ckpt", "FuzzReadBytes", "json-after-object", raw(`{}{}`, nil))
	seed("ckpt", "FuzzReadBytes", "f16-nan-payload", raw(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, []byte{0x01, 0x7c, 0xff, 0xff}))
	seed("ckpt", "FuzzReadBytes", "u8-scalar", raw(`{"s":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{200}))
	seed("ckpt", "FuzzReadBytes", "bool-byte-2", raw(`{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}))
	seed("ckpt", "FuzzReadBytes", "header-invalid-utf8", raw("{\"\xff\":"+`{"dtype":"U8","shape":[0],"data_offsets":[0,0]},`+"\"\xfe\":"+`{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil))

	seed("ckpt", "FuzzWriteRead", "f32-and-i64", "w", "step", uint8(1), uint8(4), []byte{2, 3}, []byte{}, []byte("0123456789abcdef"), "config", `{"a":1}`)
	seed("ckpt", "FuzzWriteRead", "f16-bf16", "half", "brain", uint8(2), uint8(3), []byte{4}, []byte{1, 2}, []byte{0x00, 0x00, 0xc0, 0x7f, 0x01, 0x00, 0x80, 0x00}, "", "")
	seed("ckpt", "FuzzWriteRead", "small-ints", "i8", "bool", uint8(7), uint8(9), []byte{3}, []byte{2}, []byte{0xff, 0x80, 0x7f, 0x01}, "note", "h\u00e9llo \"q\"")
	seed("ckpt", "FuzzWriteRead", "reserved-name", "__metadata__", "x", uint8(0), uint8(5), []byte{}, []byte{0}, []byte{1}, "k", "v")
	seed("ckpt", "FuzzWriteRead", "unicode-names", "层.权重", "</script>&", uint8(6), uint8(8), []byte{1, 1, 1}, []byte{4, 4}, []byte("vals"), "\u2028", "\x00")
}

// raw returns a safetensors file with the given header text and data.
func raw(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func encode(f *ckpt.File) []byte {
	var b bytes.Buffer
	_, err := f.WriteTo(&b)
	check(err)
	return b.Bytes()
}

// ---- pkg/cliutil ----

func cliutilSeeds() {
	for i, list := range []string{
		"photos/a.png\nphotos/b.jpg\n",
		"# made by find\n\n  spaced name.png  \r\nlast-without-newline.webp",
		"\n\n\n",
		"-\n--\n#not-a-comment-after-space? # x\n",
		"a.png\x00b.png\n\xff\xfe.png\n",
	} {
		seed("cliutil", "FuzzPathList", fmt.Sprintf("list-%d", i), list)
	}
	for i, s := range []string{"", "0/4", "3/4", "4/4", "-1/4", "1/0", "x", "1/2/3", "+1/2", " 1/2", "01/02",
		"0/9223372036854775807", "9223372036854775806/9223372036854775807", "0/9223372036854775808", "1/-2"} {
		seed("cliutil", "FuzzParseShard", fmt.Sprintf("shard-%02d", i), s, "photos/img0001.jpg")
	}
	for i, s := range []string{"32,64,128", " 1 , -2 ", "", "1,,2", "-9223372036854775808", "99999999999999999999", "+5,0x10", "7,"} {
		seed("cliutil", "FuzzParseInts", fmt.Sprintf("ints-%d", i), s)
	}
	for i, s := range []string{
		"run a.png --at 0,0 -o out b.png",
		"run - --json --at=-1,1",
		"run a.png -- --at b",
		"run a.png --bogus",
		"run a.png --at",
		"group leaf x --n 3",
		"run a.png --json --generate-bash-completion",
		"--verbose --config c.json r a.png -n 2",
		"raw a --at b",
		"unknown a --x",
		"run --at -- a.png",
		"",
	} {
		seed("cliutil", "FuzzInterspersed", fmt.Sprintf("args-%02d", i), strings.ReplaceAll(s, " ", "\x00"))
	}
}

// ---- pkg/data ----

func dataSeeds() {
	idx := func(magic uint32, dims []uint32, payload []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, magic)
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
		}
		return append(b, payload...)
	}
	const images, labels = 0x803, 0x801
	px := []byte("abcdefghijkl")
	seed("data", "FuzzDecodeIDX", "images-2x2x3", idx(images, []uint32{2, 2, 3}, px), false)
	seed("data", "FuzzDecodeIDX", "labels-3", idx(labels, []uint32{3}, []byte{7, 0, 9}), true)
	seed("data", "FuzzDecodeIDX", "empty-array", idx(images, []uint32{0, 28, 28}, nil), false)
	seed("data", "FuzzDecodeIDX", "trailing-byte", idx(labels, []uint32{1}, []byte{1, 2}), true)
	seed("data", "FuzzDecodeIDX", "truncated-payload", idx(images, []uint32{2, 2, 3}, px[:7]), false)
	seed("data", "FuzzDecodeIDX", "truncated-dims", idx(images, []uint32{2}, nil)[:6], false)
	seed("data", "FuzzDecodeIDX", "wrong-magic", idx(labels, []uint32{3}, []byte{1, 2, 3}), false)
	seed("data", "FuzzDecodeIDX", "huge-dims-1GiB", idx(images, []uint32{1 << 30, 1, 1}, px), false)
	seed("data", "FuzzDecodeIDX", "huge-dims-overflow", idx(images, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), false)
	seed("data", "FuzzDecodeIDX", "gzip-magic-as-data", []byte{0x1f, 0x8b, 8, 1}, true)
	seed("data", "FuzzDecodeIDX", "empty", []byte{}, true)

	record := func(labels ...byte) []byte {
		r := append([]byte{}, labels...)
		for i := 0; i < 3*32*32; i++ {
			r = append(r, byte('a'+i%26))
		}
		return r
	}
	seed("data", "FuzzCIFAR", "cifar10-record", record(9), false)
	seed("data", "FuzzCIFAR", "cifar100-record", record(19, 99), true)
	seed("data", "FuzzCIFAR", "cifar10-label-10", record(10), false)
	seed("data", "FuzzCIFAR", "cifar100-coarse-20", record(20, 5), true)
	seed("data", "FuzzCIFAR", "cifar10-truncated", record(3)[:3000], false)
	seed("data", "FuzzCIFAR", "cifar100-as-cifar10", record(1, 2), false)
	seed("data", "FuzzCIFAR", "empty", []byte{}, true)

	for name, spec := range map[string]string{
		"two-classes":        "cat/a.png\ncat/b.JPG\ndog/c.webp\n",
		"nested-order":       "cat/x/y.png\ncat/a.png\ncat/x-y/z.png\ncat/x/a.png\n",
		"top-level-only":     "a.png\nb.jpg\n",
		"empty-class":        "cat/\ndog/a.png\n",
		"not-images":         "cat/notes.txt\ncat/a.png.bak\n",
		"symlinked-class":    "real/a.png\nlink -> real\n",
		"link-loop-in-class": "cat/a.png\ncat/loop -> cat\n",
		"link-named-image":   "cat/a.png\ncat/b.png -> cat/a.png\n",
		"dangling-class":     "cat/a.png\ngone -> nowhere\n",
		"dot-dot":            "../escape.png\ncat/../../b.png\n",
	} {
		seed("data", "FuzzImageFolder", name, spec)
	}
}

// ---- pkg/caption ----

func captionSeeds() {
	for name, text := range map[string]string{
		"valid": `{"dataset":"tiny","images":[
 {"filename":"a.jpg","split":"train","sentences":[{"tokens":["a","red","dog"],"raw":"A red dog."},{"tokens":["dog"]}]},
 {"filepath":"val2014","filename":"c.jpg","split":"restval","sentences":[{"tokens":["a","cat"]}]},
 {"filename":"b.jpg","split":"val","sentences":[{"tokens":["two","birds"]}]},
 {"filename":"a.jpg","split":"test","sentences":[{"tokens":["<unk>","<pad>"]}]}]}`,
		"not-json":         `{"images": [`,
		"no-images":        `{"dataset":"coco"}`,
		"images-null":      `{"images":null}`,
		"missing-file":     `{"images":[{"filename":"zz.jpg","split":"train","sentences":[{"tokens":["x"]}]}]}`,
		"folder-as-image":  `{"images":[{"filename":"d.jpg","split":"train","sentences":[{"tokens":["x"]}]}]}`,
		"empty-token":      `{"images":[{"filename":"a.jpg","split":"train","sentences":[{"tokens":["x",""]}]}]}`,
		"no-sentences":     `{"images":[{"filename":"a.jpg","split":"train","sentences":[]}]}`,
		"unknown-split":    `{"images":[{"filename":"a.jpg","split":"dev","sentences":[{"tokens":["x"]}]}]}`,
		"wrong-types":      `{"images":[{"filename":7,"split":["train"],"sentences":"x"}]}`,
		"escape-dot-dot":   `{"images":[{"filename":"../captions.json","split":"train","sentences":[{"tokens":["x"]}]}]}`,
		"escape-filepath":  `{"images":[{"filepath":"../images/val2014/..","filename":"a.jpg","split":"train","sentences":[{"tokens":["x"]}]}]}`,
		"absolute-path":    `{"images":[{"filepath":"/","filename":"a.jpg","split":"train","sentences":[{"tokens":["x"]}]}]}`,
		"deep-nesting":     `{"images":[{"filename":"a.jpg","split":"train","x":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `,"sentences":[{"tokens":["x"]}]}]}`,
		"duplicate-fields": `{"images":[{"filename":"zz.jpg","filename":"a.jpg","split":"val","sentences":[{"tokens":["x"]}]}]}`,
	} {
		seed("caption", "FuzzReadKarpathy", name, []byte(text))
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
