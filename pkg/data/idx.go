package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers for unsigned-byte arrays: the third byte is the element
// type (0x08 = uint8), the fourth the number of dimensions.
const (
	IDXMagicLabels = 0x00000801 // uint8, 1 dimension: N labels
	IDXMagicImages = 0x00000803 // uint8, 3 dimensions: N × rows × cols
)

// maxIDXBytes bounds the payload an IDX header may announce, so a corrupt
// header or a gzip bomb cannot make the reader hold more than 1 GiB. MNIST's
// largest file holds 47 MB.
const maxIDXBytes = 1 << 30

// IDX is one decoded IDX array of unsigned bytes.
type IDX struct {
	Dims []int  // sizes, outermost first
	Data []byte // row-major payload, len = product of Dims
}

// ErrIDXFormat is wrapped by every error about malformed IDX content.
var ErrIDXFormat = errors.New("malformed IDX data")

// DecodeIDX reads one uint8 IDX array from r and checks that its magic
// number equals wantMagic (IDXMagicImages or IDXMagicLabels), that the
// payload is exactly as long as the dimensions say, and that nothing
// follows it. name is only used in error messages.
func DecodeIDX(r io.Reader, name string, wantMagic uint32) (*IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("idx %s: header: %w: %w", name, ErrIDXFormat, err)
	}
	magic := binary.BigEndian.Uint32(head[:])
	if magic != wantMagic {
		return nil, fmt.Errorf("idx %s: magic number %#08x, want %#08x: %w", name, magic, wantMagic, ErrIDXFormat)
	}
	nd := int(head[3])
	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, fmt.Errorf("idx %s: %d dimension sizes: %w: %w", name, nd, ErrIDXFormat, err)
	}
	dims := make([]int, nd)
	size := 1
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		// Checking each step keeps the product from overflowing.
		if d > maxIDXBytes || size*int(d) > maxIDXBytes {
			return nil, fmt.Errorf("idx %s: dimension %d of size %d takes the payload past %d bytes: %w", name, i, d, maxIDXBytes, ErrIDXFormat)
		}
		dims[i] = int(d)
		size *= int(d)
	}
	// The buffer grows as the payload arrives instead of being sized from
	// the header, so a few bytes announcing a gigabyte cost a few bytes.
	var payload bytes.Buffer
	payload.Grow(min(size, 1<<20))
	if n, err := io.CopyN(&payload, r, int64(size)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("idx %s: dimensions %v need %d payload bytes, got %d: %w: %w", name, dims, size, n, ErrIDXFormat, err)
	}
	buf := payload.Bytes()
	// Reading past the payload both catches trailing bytes and makes a
	// gzip reader verify its checksum, which it only does at end of stream.
	var extra [1]byte
	n, err := io.ReadFull(r, extra[:])
	if n != 0 {
		return nil, fmt.Errorf("idx %s: data continues after the %d bytes dimensions %v announce: %w", name, size, dims, ErrIDXFormat)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("idx %s: after payload: %w", name, err)
	}
	return &IDX{Dims: dims, Data: buf}, nil
}

// ReadIDXFile decodes the IDX file at path, gunzipping it first when it
// starts with the gzip magic bytes (so both train-images-idx3-ubyte and
// train-images-idx3-ubyte.gz work).
func ReadIDXFile(path string, wantMagic uint32) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	r := io.Reader(br)
	if magic, err := br.Peek(2); err == nil && bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx %s: gzip: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	return DecodeIDX(r, path, wantMagic)
}
