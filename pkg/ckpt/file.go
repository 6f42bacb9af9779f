// Package ckpt reads and writes checkpoints in the safetensors format.
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of
// JSON describing every tensor (dtype, shape, byte range) plus a
// "__metadata__" map of strings, then the raw little-endian tensor bytes.
// Model configuration and training state (step, RNG seed, schedule) travel
// in the metadata as JSON strings (PutJSON, GetJSON), so one file restores a
// run. Files written here load in PyTorch with safetensors.torch.load_file
// and the other way round.
//
// Reading validates the whole header before allocating any tensor, so a
// corrupt or hostile file costs at most its header and yields an error that
// names the file and the tensor, never a panic.
package ckpt

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// Entry is one named tensor of a checkpoint. Exactly one of Float and Int
// holds its values, chosen by DType.
type Entry struct {
	DType DType
	Shape []int
	// Float holds the values of a floating dtype, widened or narrowed to
	// float32. When writing, they are converted to DType (F16, BF16 and F64
	// round to nearest even).
	Float []float32
	// Int holds the values of an integer or boolean dtype.
	Int []int64
}

// File is a decoded checkpoint: named tensors plus string metadata.
type File struct {
	// Name is the path (or the name given to ReadFrom) used in errors.
	Name     string
	Tensors  map[string]*Entry
	Metadata map[string]string

	// unclaimed are the byte ranges [begin, end) of the data section
	// read from disk that no tensor claims (see ReadFrom).
	unclaimed [][2]int64
}

// Unclaimed returns the byte ranges [begin, end) of the data section, as
// read, that no tensor of the header claims: a hole left by a tensor
// whose entry was removed from the header, or bytes after the last
// tensor. A file that was written by WriteFile has none.
func (f *File) Unclaimed() [][2]int64 { return slices.Clone(f.unclaimed) }

// NewFile returns an empty file ready to be filled and written.
func NewFile() *File {
	return &File{Tensors: map[string]*Entry{}, Metadata: map[string]string{}}
}

// FromTensor returns an F32 entry sharing t's shape and data.
func FromTensor(t *tensor.Tensor) *Entry {
	return &Entry{DType: F32, Shape: t.Shape, Float: t.Data}
}

// FromInts returns an I64 entry holding vals (not copied) with the given
// shape; an empty shape is a scalar.
func FromInts(vals []int64, shape ...int) *Entry {
	return &Entry{DType: I64, Shape: append([]int{}, shape...), Int: vals}
}

// Numel returns the number of elements the entry's shape holds.
func (e *Entry) Numel() int {
	n := 1
	for _, d := range e.Shape {
		n *= d
	}
	return n
}

// Tensor returns the entry as a float32 tensor: the Float values are shared,
// integer values are converted into a new tensor.
func (e *Entry) Tensor() *tensor.Tensor {
	if e.DType.IsFloat() {
		return &tensor.Tensor{Shape: append([]int(nil), e.Shape...), Data: e.Float}
	}
	t := tensor.New(e.Shape...)
	for i, v := range e.Int {
		t.Data[i] = float32(v)
	}
	return t
}

// check reports whether the entry is consistent enough to be written.
func (e *Entry) check() error {
	if !e.DType.Known() {
		return fmt.Errorf("unknown dtype %q", e.DType)
	}
	for _, d := range e.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", e.Shape)
		}
	}
	n := e.Numel()
	if e.DType.IsFloat() {
		if len(e.Float) != n || e.Int != nil {
			return fmt.Errorf("%s shape %v needs %d float values, have %d (and %d ints)", e.DType, e.Shape, n, len(e.Float), len(e.Int))
		}
	} else if len(e.Int) != n || e.Float != nil {
		return fmt.Errorf("%s shape %v needs %d int values, have %d (and %d floats)", e.DType, e.Shape, n, len(e.Int), len(e.Float))
	}
	return nil
}

// Names returns the tensor names in sorted order.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Tensor returns the named tensor as float32 (see Entry.Tensor).
func (f *File) Tensor(name string) (*tensor.Tensor, error) {
	e, ok := f.Tensors[name]
	if !ok {
		return nil, f.Report([]string{missing(name)})
	}
	return e.Tensor(), nil
}

// Ints returns the values of the named integer tensor.
func (f *File) Ints(name string) ([]int64, error) {
	e, ok := f.Tensors[name]
	if !ok {
		return nil, f.Report([]string{missing(name)})
	}
	if e.DType.IsFloat() {
		return nil, f.Report([]string{fmt.Sprintf("tensor %q: dtype %s, want an integer dtype", name, e.DType)})
	}
	return e.Int, nil
}

// Expect checks that the file holds exactly the tensors in want with the
// given shapes. Names starting with one of ignorePrefixes (say "optim.")
// are not reported as unexpected. All problems are reported together, in
// one line that names the file once (see Mismatch and Report).
func (f *File) Expect(want map[string][]int, ignorePrefixes ...string) error {
	return f.Report(f.Mismatch(want, ignorePrefixes...))
}

// Mismatch lists what keeps the file from holding exactly the tensors in
// want with the given shapes, as phrases without the file's name: the
// missing tensors by name, the shape mismatches, the unexpected tensors
// (not counting names that start with one of ignorePrefixes) and, when no
// tensor is missing, the data bytes no tensor claims (see Unclaimed). A
// missing tensor explains such bytes, so they are not reported twice.
func (f *File) Mismatch(want map[string][]int, ignorePrefixes ...string) []string {
	var absent, shapes, extra []string
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		e, ok := f.Tensors[n]
		if !ok {
			absent = append(absent, n)
			continue
		}
		if !tensor.SameShape(e.Shape, want[n]) {
			shapes = append(shapes, fmt.Sprintf("tensor %q: shape %v, model expects %v", n, e.Shape, want[n]))
		}
	}
	for _, n := range f.Names() {
		if _, ok := want[n]; ok {
			continue
		}
		ignored := false
		for _, p := range ignorePrefixes {
			if strings.HasPrefix(n, p) {
				ignored = true
				break
			}
		}
		if !ignored {
			extra = append(extra, n)
		}
	}
	var problems []string
	if len(absent) > 0 {
		problems = append(problems, listNames("missing tensor", absent, ""))
	}
	problems = append(problems, capList(shapes)...)
	if len(extra) > 0 {
		problems = append(problems, listNames("unexpected tensor", extra, " (not in the model)"))
	}
	if len(absent) == 0 {
		for _, u := range f.unclaimed {
			problems = append(problems, fmt.Sprintf("bytes [%d,%d) of the data belong to no tensor (an entry was removed from the header, or data was appended)", u[0], u[1]))
		}
	}
	return problems
}

// Report joins problems (phrases such as Mismatch returns) into one error
// that names the file once, "name: problem; problem", or returns nil when
// there are none.
func (f *File) Report(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New(f.Name + ": " + strings.Join(problems, "; "))
}

// missing is the phrase for one absent tensor.
func missing(name string) string { return fmt.Sprintf("missing tensor %q", name) }

// maxListed caps how many names or problems of one kind a message
// spells out: a file of another model can lack every tensor, and one
// line should still be readable.
const maxListed = 5

// listNames says what kind names are, for example `missing tensors "a",
// "b"`, spelling out at most maxListed of them.
func listNames(kind string, names []string, note string) string {
	q := make([]string, 0, min(len(names), maxListed))
	for _, n := range names[:min(len(names), maxListed)] {
		q = append(q, fmt.Sprintf("%q", n))
	}
	list := strings.Join(q, ", ")
	switch {
	case len(names) == 1:
		return kind + " " + list + note
	case len(names) > maxListed:
		return fmt.Sprintf("%d %ss%s: %s and %d more", len(names), kind, note, list, len(names)-maxListed)
	}
	return kind + "s " + list + note
}

// capList keeps the first maxListed problems and says how many more.
func capList(problems []string) []string {
	if len(problems) <= maxListed {
		return problems
	}
	more := "1 more shape mismatch"
	if n := len(problems) - maxListed; n > 1 {
		more = fmt.Sprintf("%d more shape mismatches", n)
	}
	return append(problems[:maxListed:maxListed], more)
}

// CopyTo copies the named tensor's values into dst, whose shape must match.
func (f *File) CopyTo(name string, dst *tensor.Tensor) error {
	e, ok := f.Tensors[name]
	if !ok {
		return f.Report([]string{missing(name)})
	}
	if !tensor.SameShape(e.Shape, dst.Shape) {
		return f.Report([]string{fmt.Sprintf("tensor %q: shape %v, model expects %v", name, e.Shape, dst.Shape)})
	}
	if e.DType.IsFloat() {
		copy(dst.Data, e.Float)
		return nil
	}
	for i, v := range e.Int {
		dst.Data[i] = float32(v)
	}
	return nil
}

// LoadVars copies each variable's tensor, found by its Name, into its
// Value. Every variable must be present with the right shape; nothing is
// modified unless all are. Tensors of the file that no variable names are
// ignored (use Expect to reject them).
func (f *File) LoadVars(vars []*autograd.Var) error {
	var problems, absent []string
	for _, v := range vars {
		e, ok := f.Tensors[v.Name]
		switch {
		case v.Name == "":
			problems = append(problems, fmt.Sprintf("a variable of shape %v has no name", v.Value.Shape))
		case !ok:
			absent = append(absent, v.Name)
		case !tensor.SameShape(e.Shape, v.Value.Shape):
			problems = append(problems, fmt.Sprintf("tensor %q: shape %v, model expects %v", v.Name, e.Shape, v.Value.Shape))
		}
	}
	if len(absent) > 0 {
		problems = append([]string{listNames("missing tensor", absent, "")}, problems...)
	}
	if err := f.Report(problems); err != nil {
		return err
	}
	for _, v := range vars {
		if err := f.CopyTo(v.Name, v.Value); err != nil {
			return err
		}
	}
	return nil
}

// PutJSON stores v as a JSON string under key in meta.
func PutJSON(meta map[string]string, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("metadata %q: %w", key, err)
	}
	meta[key] = string(b)
	return nil
}

// GetJSON decodes the JSON string stored under key in meta into v. A
// missing key is an error wrapping ErrNoMetadata.
func GetJSON(meta map[string]string, key string, v any) error {
	s, ok := meta[key]
	if !ok {
		return fmt.Errorf("metadata %q: %w", key, ErrNoMetadata)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("metadata %q: %w", key, err)
	}
	return nil
}

// ErrNoMetadata reports a metadata key that is absent.
var ErrNoMetadata = errors.New("no such metadata key")
