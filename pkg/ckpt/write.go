package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

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

// WriteFile saves f to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path, so a crash leaves
// either the old file or the complete new one, never a partial file.
func WriteFile(path string, f *File) (err error) {
	// Encode first so an invalid entry fails before touching the disk.
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; checkpoints are ordinary files.
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	// Sync the directory so the rename itself survives a crash; not every
	// platform allows it, so failure here is not an error.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
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
