package ckpt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// MaxHeaderSize caps the JSON header a reader accepts (the reference
// safetensors implementation uses the same 100 MB), so a corrupt length
// cannot make Read allocate gigabytes.
const MaxHeaderSize = 100 << 20

// metadataKey is the reserved header key holding the string metadata.
const metadataKey = "__metadata__"

// Read loads and validates the safetensors file at path.
func Read(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, pathError(path, err)
	}
	return ReadFrom(fh, st.Size(), path)
}

// ReadBytes decodes a checkpoint held in memory, such as a go:embed model;
// name is used in errors.
func ReadBytes(b []byte, name string) (*File, error) {
	return ReadFrom(bytes.NewReader(b), int64(len(b)), name)
}

// ReadString decodes a checkpoint held in a string, such as a go:embed
// model; name is used in errors. On a little-endian machine its F32
// tensors whose address is a multiple of 4 are not copied (the others
// are): their Float slices point into s itself, whose memory Go never
// changes, and which for an embedded string is the executable's
// read-only data. So they must not be written to; decoding the weights
// into a model (nn.LoadState) copies them out. For a single image this
// saves the model's size in fresh memory and a copy: lpa attend, with a
// 10 MB model, went from 9,300 to 7,100 page faults (perf stat).
func ReadString(s string, name string) (*File, error) {
	return readFrom(strings.NewReader(s), int64(len(s)), name, s)
}

// ReadFrom decodes a checkpoint of size bytes from r; name is used in
// errors, which all start with "name: ". The header is validated
// completely before any tensor is allocated.
//
// Bytes of the data section that no tensor claims do not stop it: that
// is what a file looks like after a tensor's entry was taken out of its
// header, and the useful report then is which tensor is missing, which
// only the model knows. Expect names the missing tensors, or the
// unclaimed bytes when nothing is missing (see Unclaimed).
func ReadFrom(r io.ReaderAt, size int64, name string) (*File, error) {
	return readFrom(r, size, name, "")
}

// readFrom is ReadFrom; when mem is not empty it holds the size bytes r
// reads, and F32 tensors are taken from it in place (ReadString).
func readFrom(r io.ReaderAt, size int64, name string, mem string) (*File, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if size < 8 {
		return nil, fail("file is %d bytes, shorter than the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fail("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, fail("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if n > uint64(size-8) {
		return nil, fail("header length %d exceeds the %d bytes after it", n, size-8)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, fail("reading header: %w", err)
	}
	// encoding/json would read invalid UTF-8 as U+FFFD, changing names
	// and metadata silently; the format's JSON must be valid UTF-8.
	if !utf8.Valid(hdr) {
		return nil, fail("header is not valid UTF-8")
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart

	f := &File{Name: name, Tensors: map[string]*Entry{}, Metadata: map[string]string{}}
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	err := strictObject(hdr, func(key string, val json.RawMessage) error {
		if key == metadataKey {
			return strictObject(val, func(k string, v json.RawMessage) error {
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					return fmt.Errorf("metadata %q: value is not a string", k)
				}
				f.Metadata[k] = s
				return nil
			})
		}
		e, begin, end, err := parseEntry(val, dataLen)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", key, err)
		}
		f.Tensors[key] = e
		spans = append(spans, span{key, begin, end})
		return nil
	})
	if err != nil {
		return nil, fail("%w", err)
	}

	// Sorted by start, no tensor may begin before the previous one ended:
	// overlapping tensors would alias each other's bytes. A gap (a hole
	// between tensors, or bytes after the last) is recorded instead, for
	// Expect to report.
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	var pos int64
	for _, s := range spans {
		switch {
		case s.begin < pos:
			return nil, fail("tensor %q: bytes [%d,%d) overlap the previous tensor ending at %d", s.name, s.begin, s.end, pos)
		case s.begin > pos:
			f.unclaimed = append(f.unclaimed, [2]int64{pos, s.begin})
		}
		pos = s.end
	}
	if pos < dataLen {
		f.unclaimed = append(f.unclaimed, [2]int64{pos, dataLen})
	}

	// Only now, with every size proven to fit the file, read the data,
	// through one small buffer: a buffer the size of the largest tensor
	// would be megabytes of fresh memory to fault in, and decoding from a
	// chunk that stays in cache is faster.
	raw := make([]byte, min(readChunk, dataLen))
	for _, s := range spans {
		e := f.Tensors[s.name]
		// An empty tensor reads nothing (the loop below does not run): at
		// the end of the data, a zero-length ReadAt (bytes.Reader's) would
		// report io.EOF.
		size := int64(e.DType.Size())
		count := e.Numel()
		if mem != "" && e.DType == F32 && littleEndian && count > 0 {
			if p := unsafe.StringData(mem[dataStart+s.begin:]); uintptr(unsafe.Pointer(p))%4 == 0 {
				e.Float = unsafe.Slice((*float32)(unsafe.Pointer(p)), count)
				continue
			}
		}
		if e.DType.IsFloat() {
			e.Float = make([]float32, count)
		} else {
			e.Int = make([]int64, count)
		}
		for off := int64(0); off < s.end-s.begin; off += int64(len(raw)) {
			chunk := raw[:min(int64(len(raw)), s.end-s.begin-off)]
			if _, err := r.ReadAt(chunk, dataStart+s.begin+off); err != nil {
				return nil, fail("tensor %q: reading data: %w", s.name, err)
			}
			i, j := off/size, (off+int64(len(chunk)))/size
			if e.DType.IsFloat() {
				decodeFloats(e.DType, e.Float[i:j], chunk)
			} else {
				decodeInts(e.DType, e.Int[i:j], chunk)
			}
		}
		// A boolean is one byte holding 0 or 1; anything else is a file
		// this package could not write back, so it is refused here.
		if e.DType == Bool {
			if i := slices.IndexFunc(e.Int, func(v int64) bool { return v > 1 }); i >= 0 {
				return nil, fail("tensor %q: BOOL element %d is %d, want 0 or 1", s.name, i, e.Int[i])
			}
		}
	}
	return f, nil
}

// readChunk is the buffer ReadFrom reads tensor data through; a multiple
// of every dtype's size, so no element straddles two chunks.
const readChunk = 64 << 10

// pathError reports a failed file operation as "path: reason": an
// *fs.PathError's own text ("open path: reason") would name the file a
// second time after the caller's prefix. errors.Is still sees the cause.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// headerEntry is one tensor's description in the JSON header.
type headerEntry struct {
	DType   DType   `json:"dtype"`
	Shape   []int64 `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// parseEntry validates one tensor description against a data section of
// dataLen bytes and returns the entry (without data) and its byte range.
func parseEntry(val json.RawMessage, dataLen int64) (e *Entry, begin, end int64, err error) {
	var h headerEntry
	seen := map[string]bool{}
	err = strictObject(val, func(k string, v json.RawMessage) error {
		seen[k] = true
		switch k {
		case "dtype":
			return json.Unmarshal(v, &h.DType)
		case "shape":
			return json.Unmarshal(v, &h.Shape)
		case "data_offsets":
			return json.Unmarshal(v, &h.Offsets)
		}
		return fmt.Errorf("unknown field %q", k)
	})
	if err != nil {
		return nil, 0, 0, err
	}
	for _, k := range []string{"dtype", "shape", "data_offsets"} {
		if !seen[k] {
			return nil, 0, 0, fmt.Errorf("missing field %q", k)
		}
	}
	if !h.DType.Known() {
		return nil, 0, 0, fmt.Errorf("unknown dtype %q", h.DType)
	}
	if h.Shape == nil {
		return nil, 0, 0, errors.New("shape is null")
	}
	if len(h.Offsets) != 2 {
		return nil, 0, 0, fmt.Errorf("data_offsets has %d values, want 2", len(h.Offsets))
	}
	begin, end = h.Offsets[0], h.Offsets[1]
	if begin < 0 || end < 0 || begin > end {
		return nil, 0, 0, fmt.Errorf("invalid data_offsets [%d,%d]", begin, end)
	}
	if end > dataLen {
		return nil, 0, 0, fmt.Errorf("data_offsets [%d,%d] outside the %d-byte data section", begin, end, dataLen)
	}
	// The element count times the element size must equal the byte range.
	// The product is computed with overflow checks: any product larger
	// than the data section is already wrong, however large.
	shape := make([]int, len(h.Shape))
	var count uint64 = 1
	overflow := false
	for i, d := range h.Shape {
		if d < 0 {
			return nil, 0, 0, fmt.Errorf("negative dimension %d in shape %v", d, h.Shape)
		}
		shape[i] = int(d)
		hi, lo := bits.Mul64(count, uint64(d))
		if hi != 0 || lo > uint64(dataLen) {
			overflow = true
		}
		count = lo
	}
	if slices.Contains(h.Shape, 0) {
		count, overflow = 0, false
	}
	if overflow || count*uint64(h.DType.Size()) != uint64(end-begin) {
		return nil, 0, 0, fmt.Errorf("shape %v of %s needs a different byte count than data_offsets [%d,%d] hold", h.Shape, h.DType, begin, end)
	}
	if int64(int(count)) != int64(count) {
		return nil, 0, 0, fmt.Errorf("shape %v too large for this platform", h.Shape)
	}
	return &Entry{DType: h.DType, Shape: shape}, begin, end, nil
}

// strictObject walks a JSON object, calling fn for each member in order.
// Unlike json.Unmarshal into a map it rejects duplicate keys, which would
// otherwise let two header entries silently shadow each other, and it
// rejects anything but whitespace after the closing brace.
func strictObject(data []byte, fn func(key string, val json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		// %q: a string token may hold a newline, and errors are one line.
		return fmt.Errorf("invalid JSON: want an object, found %q", fmt.Sprint(tok))
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("invalid JSON: object key %v", tok)
		}
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return fmt.Errorf("invalid JSON at key %q: %w", key, err)
		}
		if err := fn(key, val); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the top-level object")
	}
	return nil
}
