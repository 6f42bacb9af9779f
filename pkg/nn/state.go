package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/attnkit/attn/pkg/ckpt"
)

// StateDict returns the module's parameters and buffers as checkpoint
// entries keyed by state-dict name, sharing their storage: float tensors
// as F32, counts as I64 scalars. Names must be non-empty and unique.
func StateDict(m Module) (map[string]*ckpt.Entry, error) {
	sd := map[string]*ckpt.Entry{}
	add := func(name string, e *ckpt.Entry) error {
		if name == "" {
			return fmt.Errorf("nn: a tensor of shape %v has no state-dict name", e.Shape)
		}
		if _, dup := sd[name]; dup {
			return fmt.Errorf("nn: state-dict name %q appears twice", name)
		}
		sd[name] = e
		return nil
	}
	for _, p := range m.Params() {
		if err := add(p.Name, ckpt.FromTensor(p.Value)); err != nil {
			return nil, err
		}
	}
	for _, b := range m.Buffers() {
		e, err := bufferEntry(b)
		if err != nil {
			return nil, err
		}
		if err := add(b.Name, e); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// bufferEntry converts a buffer to a checkpoint entry.
func bufferEntry(b Buffer) (*ckpt.Entry, error) {
	switch {
	case b.Value != nil && b.Count == nil:
		return ckpt.FromTensor(b.Value), nil
	case b.Count != nil && b.Value == nil:
		// A view of the live counter; the 0-dim shape matches torch's.
		return &ckpt.Entry{DType: ckpt.I64, Shape: []int{}, Int: []int64{*b.Count}}, nil
	}
	return nil, fmt.Errorf("nn: buffer %q must have exactly one of Value and Count", b.Name)
}

// Shapes returns the shape of every tensor of the module's state dict, as
// ckpt.File.Expect takes them.
func Shapes(m Module) map[string][]int {
	want := map[string][]int{}
	for _, p := range m.Params() {
		want[p.Name] = p.Value.Shape
	}
	for _, b := range m.Buffers() {
		if b.Value != nil {
			want[b.Name] = b.Value.Shape
		} else {
			want[b.Name] = []int{}
		}
	}
	return want
}

// PutState adds the module's state dict to f (which may also receive an
// optimizer's state and metadata before it is written).
func PutState(f *ckpt.File, m Module) error {
	sd, err := StateDict(m)
	if err != nil {
		return err
	}
	for n, e := range sd {
		if _, dup := f.Tensors[n]; dup {
			return fmt.Errorf("nn: tensor %q already in the file", n)
		}
		f.Tensors[n] = e
	}
	return nil
}

// LoadState copies f's tensors into the module's parameters and buffers.
// It is strict, like torch's load_state_dict(strict=True): every tensor of
// the module must be present with its shape, and the file may hold nothing
// else except names starting with one of ignorePrefixes (for example
// optim.TensorPrefix). All problems are reported together and nothing is
// modified unless the whole state matches.
func LoadState(f *ckpt.File, m Module, ignorePrefixes ...string) error {
	if _, err := StateDict(m); err != nil { // catches unnamed or duplicate tensors
		return err
	}
	// Every problem goes into one line that names the file once.
	if err := f.Expect(Shapes(m), ignorePrefixes...); err != nil {
		return err
	}
	var problems []string
	for _, b := range m.Buffers() {
		if e := f.Tensors[b.Name]; b.Count != nil && e.DType.IsFloat() {
			problems = append(problems, fmt.Sprintf("tensor %q: dtype %s, want an integer dtype", b.Name, e.DType))
		}
	}
	// A NaN or Inf weight would only show up later as NaN predictions:
	// refuse it here, before anything is modified.
	for _, p := range m.Params() {
		if !finite(f.Tensors[p.Name].Float) {
			problems = append(problems, fmt.Sprintf("tensor %q: holds NaN or Inf", p.Name))
		}
	}
	for _, b := range m.Buffers() {
		if b.Value != nil && !finite(f.Tensors[b.Name].Float) {
			problems = append(problems, fmt.Sprintf("tensor %q: holds NaN or Inf", b.Name))
		}
	}
	if err := f.Report(problems); err != nil {
		return err
	}
	for _, p := range m.Params() {
		if err := f.CopyTo(p.Name, p.Value); err != nil {
			return err
		}
	}
	for _, b := range m.Buffers() {
		if b.Value != nil {
			if err := f.CopyTo(b.Name, b.Value); err != nil {
				return err
			}
			continue
		}
		v, _ := f.Ints(b.Name)
		*b.Count = v[0]
	}
	return nil
}

// Save writes the module's state dict and meta to path atomically.
func Save(path string, m Module, meta map[string]string) error {
	f := ckpt.NewFile()
	f.Name = path
	if err := PutState(f, m); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	for k, v := range meta {
		f.Metadata[k] = v
	}
	return ckpt.WriteFile(path, f)
}

// Load reads path into the module (see LoadState) and returns the file,
// whose metadata and extra tensors the caller may still need.
func Load(path string, m Module, ignorePrefixes ...string) (*ckpt.File, error) {
	f, err := ckpt.Read(path)
	if err != nil {
		return nil, err
	}
	if err := LoadState(f, m, ignorePrefixes...); err != nil {
		return nil, err
	}
	return f, nil
}

// CopyParams copies the values of src's parameters and buffers into dst,
// matched by name (for example to snapshot an exponential moving average
// or a best model). Shapes must match.
func CopyParams(dst, src Module) error {
	f := ckpt.NewFile()
	f.Name = "module"
	if err := PutState(f, src); err != nil {
		return err
	}
	return LoadState(f, dst)
}

// finite reports whether x holds no NaN or Inf (x-x is 0 only for finite x).
func finite(x []float32) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}

// WarmStart copies into dst the tensors of src that dst also has, for a
// model that extends another (a conditional model started from an
// unconditional one): dst's tensor named n takes src's tensor srcName(n)
// when src has one; a nil srcName keeps the names. It returns the names of
// dst's tensors that src lacks, which keep their fresh values. A matched
// pair of different shapes, or a tensor of src that nothing takes, is an
// error, reported before anything is modified.
func WarmStart(dst, src Module, srcName func(string) string) (fresh []string, err error) {
	from, err := StateDict(src)
	if err != nil {
		return nil, err
	}
	to, err := StateDict(dst)
	if err != nil {
		return nil, err
	}
	if srcName == nil {
		srcName = func(n string) string { return n }
	}
	pairs := map[string]string{} // dst name → src name
	used := map[string]bool{}
	var problems []string
	for n, e := range to {
		sn := srcName(n)
		s, ok := from[sn]
		if sn == "" || !ok {
			fresh = append(fresh, n)
			continue
		}
		if !slices.Equal(s.Shape, e.Shape) || s.DType != e.DType {
			problems = append(problems, fmt.Sprintf("%q is %s %v, %q wants %s %v", sn, s.DType, s.Shape, n, e.DType, e.Shape))
			continue
		}
		pairs[n], used[sn] = sn, true
	}
	for n := range from {
		if !used[n] {
			problems = append(problems, fmt.Sprintf("%q has no place in the new model", n))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("nn: warm start: %s", strings.Join(problems, "; "))
	}
	for n, sn := range pairs {
		copy(to[n].Float, from[sn].Float) // shares the parameter's storage
	}
	for _, b := range dst.Buffers() { // a counter's entry is a copy, not a view
		if sn, ok := pairs[b.Name]; ok && b.Count != nil {
			*b.Count = from[sn].Int[0]
		}
	}
	slices.Sort(fresh)
	return fresh, nil
}
