package data

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// NPYType is the dtype string ("descr") of a NumPy array.
type NPYType string

// The dtypes an export writes: images as float32, labels as int64.
const (
	NPYFloat32 NPYType = "<f4"
	NPYInt64   NPYType = "<i8"
)

// size returns the bytes of one element.
func (t NPYType) size() (int, error) {
	switch t {
	case NPYFloat32:
		return 4, nil
	case NPYInt64:
		return 8, nil
	}
	return 0, fmt.Errorf("npy dtype %q not supported", string(t))
}

// NPZ writes a NumPy .npz archive: a zip file with one .npy file per
// array, which numpy.load(path) reads by name without pickle. Members
// are stored uncompressed, so a reader can also memory-map an array at
// its offset in the file, and with no timestamps, so the same arrays
// give the same bytes.
//
// Arrays are written one after the other: Array starts a member and the
// caller streams its bytes; the member ends at the next Array, String or
// Close, which check that exactly the array's bytes were written.
type NPZ struct {
	zw   *zip.Writer
	cur  *npyMember
	seen map[string]bool
}

type npyMember struct {
	name      string
	want, got int64
	w         io.Writer
}

func (m *npyMember) Write(p []byte) (int, error) {
	if m.got+int64(len(p)) > m.want {
		return 0, fmt.Errorf("npz: array %q: more than its %d bytes written", m.name, m.want)
	}
	n, err := m.w.Write(p)
	m.got += int64(n)
	return n, err
}

// NewNPZ returns an archive writing to w; Close finishes it (and does not
// close w).
func NewNPZ(w io.Writer) *NPZ { return &NPZ{zw: zip.NewWriter(w), seen: map[string]bool{}} }

// Array starts the member name.npy holding an array of dtype and shape
// (an empty shape is a 0-d array) and returns the writer that takes its
// elements: little-endian, in C order.
func (z *NPZ) Array(name string, dtype NPYType, shape ...int) (io.Writer, error) {
	size, err := dtype.size()
	if err != nil {
		return nil, err
	}
	n := int64(size)
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("npz: array %q: negative dimension in shape %v", name, shape)
		}
		n *= int64(d)
	}
	return z.begin(name, string(dtype), shape, n)
}

// String stores s as a 0-d NumPy unicode array (str(npz[name]) gives it
// back): how an export records its description.
func (z *NPZ) String(name, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("npz: string %q is not valid UTF-8", name)
	}
	runes := []rune(s)
	w, err := z.begin(name, fmt.Sprintf("<U%d", max(len(runes), 1)), nil, 4*int64(max(len(runes), 1)))
	if err != nil {
		return err
	}
	buf := make([]byte, 4*max(len(runes), 1)) // UTF-32LE, NUL-padded when empty
	for i, r := range runes {
		binary.LittleEndian.PutUint32(buf[4*i:], uint32(r))
	}
	_, err = w.Write(buf)
	return err
}

// Float32s writes a whole float32 array.
func (z *NPZ) Float32s(name string, vals []float32, shape ...int) error {
	w, err := z.Array(name, NPYFloat32, shape...)
	if err != nil {
		return err
	}
	return WriteFloat32s(w, vals)
}

// Int64s writes a whole int64 array.
func (z *NPZ) Int64s(name string, vals []int64, shape ...int) error {
	w, err := z.Array(name, NPYInt64, shape...)
	if err != nil {
		return err
	}
	buf := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(v))
	}
	_, err = w.Write(buf)
	return err
}

// WriteFloat32s writes vals to w as little-endian float32s, the layout of
// an NPYFloat32 array.
func WriteFloat32s(w io.Writer, vals []float32) error {
	buf := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// Close ends the last member and writes the zip directory.
func (z *NPZ) Close() error {
	if err := z.end(); err != nil {
		return err
	}
	return z.zw.Close()
}

func (z *NPZ) begin(name, descr string, shape []int, bytes int64) (io.Writer, error) {
	if err := z.end(); err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("npz: array name %q: want a plain name", name)
	}
	if z.seen[name] {
		return nil, fmt.Errorf("npz: array %q written twice", name)
	}
	z.seen[name] = true
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(npyHeader(descr, shape)); err != nil {
		return nil, err
	}
	z.cur = &npyMember{name: name, want: bytes, w: w}
	return z.cur, nil
}

func (z *NPZ) end() error {
	m := z.cur
	z.cur = nil
	if m != nil && m.got != m.want {
		return fmt.Errorf("npz: array %q: %d of its %d bytes written", m.name, m.got, m.want)
	}
	return nil
}

// npyHeader returns the .npy version 1.0 preamble of an array: the magic
// string, the version, the header length and the header, a Python dict
// literal padded with spaces and ending in a newline so that the data
// starts at a multiple of 64 bytes, as numpy writes it.
func npyHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	const pre = 10 // magic (6), version (2), header length (2)
	total := pre + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	out := make([]byte, 0, pre+len(hdr))
	out = append(out, "\x93NUMPY\x01\x00"...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(hdr)))
	return append(out, hdr...)
}

// ImageSet is a labelled set of images (or clips) rendered on demand, as
// the tools export them for other software (the PyTorch twins' trainers).
type ImageSet struct {
	Len                     int
	Channels, Height, Width int
	// Frames, when above 0, makes every sample a clip [Channels, Frames,
	// Height, Width], the layout of a 3-D convolution's input; 0 is an
	// image.
	Frames int
	// Load writes sample i ([Channels, Height, Width] or [Channels,
	// Frames, Height, Width], values in [0, 1]) into dst and returns its
	// label.
	Load func(i int, dst []float32) int
	// Meta says what the images are (tool, task, split, seeds, ...); an
	// export stores it as JSON.
	Meta map[string]any
}

// DatasetFormat tags the meta of an exported set, for readers to check.
const DatasetFormat = "attnkit.dataset/1"

// Range returns images from..from+count-1 of s (count 0: to the end),
// with from and count recorded in the meta.
func (s ImageSet) Range(from, count int) (ImageSet, error) {
	if count == 0 {
		count = s.Len - from
	}
	if from < 0 || count < 1 || from+count > s.Len {
		return s, fmt.Errorf("images %d..%d: the set has images 0..%d", from, from+count-1, s.Len-1)
	}
	load := s.Load
	meta := map[string]any{}
	for k, v := range s.Meta {
		meta[k] = v
	}
	meta["from"], meta["count"] = from, count
	s.Len, s.Meta = count, meta
	s.Load = func(i int, dst []float32) int { return load(from+i, dst) }
	return s, nil
}

// Shape returns the shape of one sample: [C, H, W], or [C, T, H, W] for
// clips.
func (s ImageSet) Shape() []int {
	if s.Frames > 0 {
		return []int{s.Channels, s.Frames, s.Height, s.Width}
	}
	return []int{s.Channels, s.Height, s.Width}
}

// WriteNPZ writes s as an .npz archive: "images" [N, C, H, W] float32
// ([N, C, T, H, W] for clips), "labels" [N] int64 and "meta", the meta as a JSON string with
// "format": DatasetFormat. Images are rendered and written one at a time,
// so the memory used does not grow with N. before, when not nil, is
// called before each image with the number written so far; an error from
// it stops the export (an interrupt, a progress bar's hook).
func WriteNPZ(w io.Writer, s ImageSet, before func(done int) error) error {
	if s.Len < 1 || s.Channels < 1 || s.Height < 1 || s.Width < 1 || s.Frames < 0 || s.Load == nil {
		return errors.New("npz export: empty image set")
	}
	meta := map[string]any{"format": DatasetFormat}
	for k, v := range s.Meta {
		meta[k] = v
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("npz export: meta: %w", err)
	}
	z := NewNPZ(w)
	if err := z.String("meta", string(js)); err != nil {
		return err
	}
	shape := s.Shape()
	iw, err := z.Array("images", NPYFloat32, append([]int{s.Len}, shape...)...)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(iw, 1<<16)
	img := make([]float32, s.Channels*max(s.Frames, 1)*s.Height*s.Width)
	labels := make([]int64, s.Len)
	for i := range s.Len {
		if before != nil {
			if err := before(i); err != nil {
				return err
			}
		}
		clear(img)
		labels[i] = int64(s.Load(i, img))
		if err := WriteFloat32s(bw, img); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := z.Int64s("labels", labels, s.Len); err != nil {
		return err
	}
	return z.Close()
}
