package ckpt

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets of this package. Their seed corpora live in
// testdata/fuzz/<target>/ (made by testdata/fuzzseeds/gen.go) and run as
// ordinary tests under go test; bench/fuzz.sh runs the fuzzer on each.

// FuzzReadBytes feeds arbitrary bytes to the reader (ReadBytes, and
// ReadString, which must agree with it). A file it accepts
// must be consistent (every entry holds as many values as its shape
// says), must be writable again, and must read back equal from what the
// writer makes of it; the writer's output is a fixed point.
func FuzzReadBytes(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.safetensors"
		got, err := ReadBytes(data, name)
		// ReadString decodes the same bytes to the same file, or fails
		// with the same error.
		inPlace, serr := ReadString(string(data), name)
		if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
			t.Fatalf("ReadBytes: %v; ReadString: %v", err, serr)
		}
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || strings.ContainsRune(msg, '\n') {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		sameFile(t, got, inPlace)
		for n, e := range got.Tensors {
			if err := e.check(); err != nil {
				t.Fatalf("tensor %q as read: %v", n, err)
			}
		}
		var once bytes.Buffer
		if _, err := got.WriteTo(&once); err != nil {
			t.Fatalf("a file the reader accepts cannot be written back: %v", err)
		}
		again, err := ReadBytes(once.Bytes(), name)
		if err != nil {
			t.Fatalf("the writer's output does not read: %v", err)
		}
		sameFile(t, got, again)
		var twice bytes.Buffer
		if _, err := again.WriteTo(&twice); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("writing what was read changes the bytes:\n%q\n%q", once.Bytes(), twice.Bytes())
		}
	})
}

// dtypes lists every dtype, so a fuzzed byte can pick one.
var dtypes = []DType{F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool}

// FuzzWriteRead builds a file from fuzzed names, dtypes, shapes, values
// and metadata, writes it and reads it back (refusing only reserved or
// empty names and text that is not UTF-8): names, shapes, metadata and
// integer values must come back exactly, F32 and F64 values bit for bit
// (NaN as some NaN), F16 and BF16 values as their rounding, and the header
// must keep the data section 8-byte aligned.
func FuzzWriteRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, name1, name2 string, dt1, dt2 uint8, shape1, shape2, vals []byte, metaKey, metaVal string) {
		want := NewFile()
		add := func(name string, dt uint8, shape []byte) {
			d := dtypes[int(dt)%len(dtypes)]
			e := &Entry{DType: d, Shape: []int{}}
			for _, s := range shape[:min(len(shape), 4)] {
				e.Shape = append(e.Shape, int(s%5))
			}
			n := e.Numel()
			if d.IsFloat() {
				e.Float = make([]float32, n)
				for i := range e.Float {
					e.Float[i] = math.Float32frombits(word(vals, i))
				}
			} else {
				lo, hi := intRange(d)
				e.Int = make([]int64, n)
				for i := range e.Int {
					v := int64(word(vals, 2*i))<<32 | int64(word(vals, 2*i+1))
					if d != I64 {
						v = lo + int64(uint64(v)%uint64(hi-lo+1))
					}
					e.Int[i] = v
				}
			}
			want.Tensors[name] = e
		}
		add(name1, dt1, shape1)
		add(name2, dt2, shape2)
		if metaKey != "" {
			want.Metadata[metaKey] = metaVal
		}
		var buf bytes.Buffer
		_, err := want.WriteTo(&buf)
		if err != nil {
			// Refusing a reserved or empty name, or text that JSON
			// cannot hold as it is, is right; anything else is not.
			ok := !utf8.ValidString(metaKey) || !utf8.ValidString(metaVal)
			for n := range want.Tensors {
				ok = ok || n == "" || n == metadataKey || !utf8.ValidString(n)
			}
			if !ok {
				t.Fatalf("write: %v", err)
			}
			return
		}
		data := buf.Bytes()
		if hl := binary.LittleEndian.Uint64(data); (8+hl)%8 != 0 {
			t.Fatalf("header of %d bytes leaves the data unaligned", hl)
		}
		got, err := ReadBytes(data, "fuzz")
		if err != nil {
			t.Fatalf("the writer's output does not read: %v\n%q", err, data)
		}
		if len(got.Metadata) != len(want.Metadata) || got.Metadata[metaKey] != want.Metadata[metaKey] {
			t.Fatalf("metadata %q came back as %q", want.Metadata, got.Metadata)
		}
		if !slices.Equal(got.Names(), want.Names()) {
			t.Fatalf("names %q came back as %q", want.Names(), got.Names())
		}
		for _, n := range want.Names() {
			w, g := want.Tensors[n], got.Tensors[n]
			if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Int, w.Int) {
				t.Fatalf("tensor %q: wrote %s %v %v, read %s %v %v", n, w.DType, w.Shape, w.Int, g.DType, g.Shape, g.Int)
			}
			for i, v := range w.Float {
				if r := roundTo(w.DType, v); !sameFloat(g.Float[i], r) {
					t.Fatalf("tensor %q (%s) element %d: wrote %v (%#x), read %v, want %v", n, w.DType, i, v, math.Float32bits(v), g.Float[i], r)
				}
			}
		}
	})
}

// word returns the i-th little-endian 4-byte word of b, cycling through
// b (zero when b is empty).
func word(b []byte, i int) uint32 {
	if len(b) == 0 {
		return 0
	}
	var w [4]byte
	for k := range w {
		w[k] = b[(4*i+k)%len(b)]
	}
	return binary.LittleEndian.Uint32(w[:])
}

// roundTo returns the float32 that v becomes once stored as d.
func roundTo(d DType, v float32) float32 {
	switch d {
	case F16:
		return HalfToFloat32(Float32ToHalf(v))
	case BF16:
		return math.Float32frombits(uint32(Float32ToBFloat16(v)) << 16)
	}
	return v
}

// sameFloat is bit equality, except that any NaN equals any NaN: a NaN's
// payload is not preserved through a narrowing or a float64 round trip.
func sameFloat(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// sameFile fails t unless a and b hold the same tensors and metadata.
func sameFile(t *testing.T, a, b *File) {
	t.Helper()
	if !slices.Equal(a.Names(), b.Names()) || len(a.Metadata) != len(b.Metadata) {
		t.Fatalf("tensors %q and metadata %q became %q and %q", a.Names(), a.Metadata, b.Names(), b.Metadata)
	}
	for k, v := range a.Metadata {
		if b.Metadata[k] != v {
			t.Fatalf("metadata %q: %q became %q", k, v, b.Metadata[k])
		}
	}
	for _, n := range a.Names() {
		x, y := a.Tensors[n], b.Tensors[n]
		if x.DType != y.DType || !slices.Equal(x.Shape, y.Shape) || !slices.Equal(x.Int, y.Int) || len(x.Float) != len(y.Float) {
			t.Fatalf("tensor %q: %s %v became %s %v", n, x.DType, x.Shape, y.DType, y.Shape)
		}
		for i := range x.Float {
			if !sameFloat(x.Float[i], y.Float[i]) {
				t.Fatalf("tensor %q element %d: %v became %v", n, i, x.Float[i], y.Float[i])
			}
		}
	}
}
