package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/tensor"
)

// Write saves float32 tensors (as F32) and metadata to path atomically.
func Write(path string, tensors map[string]*tensor.Tensor, meta map[string]string) error {
	f := &File{Name: path, Tensors: make(map[string]*Entry, len(tensors)), Metadata: meta}
	for n, t := range tensors {
		f.Tensors[n] = FromTensor(t)
	}
	return WriteFile(path, f)
}

// WriteFile saves f to path atomically (atomicfile.Write): a crash
// leaves either the old file or the complete new one, never a partial
// file.
func WriteFile(path string, f *File) error {
	// Encode first so an invalid entry fails before touching the disk.
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// WriteTo encodes f in the safetensors format. The output is
// deterministic: tensors are laid out in sorted name order and the header
// is padded with spaces to a multiple of 8 bytes so the data section stays
// aligned for memory mapping.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	names := f.Names()
	var hdr bytes.Buffer
	hdr.WriteByte('{')
	var offset int64
	for i, n := range names {
		e := f.Tensors[n]
		if n == "" || n == metadataKey {
			return 0, fmt.Errorf("tensor %q: reserved or empty name", n)
		}
		if !utf8.ValidString(n) {
			return 0, fmt.Errorf("tensor %q: name is not valid UTF-8", n)
		}
		if e == nil {
			return 0, fmt.Errorf("tensor %q: nil entry", n)
		}
		if err := e.check(); err != nil {
			return 0, fmt.Errorf("tensor %q: %w", n, err)
		}
		size := int64(e.Numel()) * int64(e.DType.Size())
		if i > 0 {
			hdr.WriteByte(',')
		}
		writeJSONString(&hdr, n)
		shape := e.Shape
		if shape == nil {
			shape = []int{}
		}
		sb, _ := json.Marshal(shape)
		fmt.Fprintf(&hdr, `:{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}`, e.DType, sb, offset, offset+size)
		offset += size
	}
	// JSON text is UTF-8: json.Marshal would quietly turn invalid bytes
	// into U+FFFD, so the file would not say what was written, and two
	// names could become one.
	for _, k := range slices.Sorted(maps.Keys(f.Metadata)) {
		if !utf8.ValidString(k) || !utf8.ValidString(f.Metadata[k]) {
			return 0, fmt.Errorf("metadata %q: not valid UTF-8", k)
		}
	}
	if len(f.Metadata) > 0 {
		if len(names) > 0 {
			hdr.WriteByte(',')
		}
		// json.Marshal sorts map keys, keeping the header deterministic.
		mb, err := json.Marshal(f.Metadata)
		if err != nil {
			return 0, fmt.Errorf("metadata: %w", err)
		}
		writeJSONString(&hdr, metadataKey)
		hdr.WriteByte(':')
		hdr.Write(mb)
	}
	hdr.WriteByte('}')
	for (8+hdr.Len())%8 != 0 {
		hdr.WriteByte(' ')
	}

	out := make([]byte, 8, 8+hdr.Len()+int(offset))
	binary.LittleEndian.PutUint64(out, uint64(hdr.Len()))
	out = append(out, hdr.Bytes()...)
	for _, n := range names {
		e := f.Tensors[n]
		if e.DType.IsFloat() {
			out = encodeFloats(e.DType, out, e.Float)
			continue
		}
		var err error
		if out, err = encodeInts(e.DType, out, e.Int); err != nil {
			return 0, fmt.Errorf("tensor %q: %w", n, err)
		}
	}
	k, err := w.Write(out)
	return int64(k), err
}

// writeJSONString writes s as a JSON string literal.
func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}
