package ckpt

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// A tensor whose entry was taken out of the header leaves its bytes
// behind. Reading still works; what a model load reports is the missing
// tensor by name, and the stray bytes only when nothing is missing.
func TestUnclaimedBytes(t *testing.T) {
	data := make([]byte, 8)
	for _, c := range []struct {
		name, header string
		n            int
		gap          [2]int64
	}{
		{"hole", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"c":{"dtype":"U8","shape":[1],"data_offsets":[6,7]}}`, 7, [2]int64{4, 6}},
		{"hole at start", `{"c":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2, [2]int64{0, 1}},
		{"after the last", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 6, [2]int64{4, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := ReadBytes(rawFile(c.header, data[:c.n]), "model.safetensors")
			if err != nil {
				t.Fatal(err)
			}
			if u := f.Unclaimed(); len(u) != 1 || u[0] != c.gap {
				t.Fatalf("Unclaimed() = %v, want [%v]", u, c.gap)
			}
			want := map[string][]int{"b": {2}}
			for n, e := range f.Tensors {
				want[n] = e.Shape
			}
			err = f.Expect(want)
			if err == nil || err.Error() != `model.safetensors: missing tensor "b"` {
				t.Fatalf("Expect with b: %v", err)
			}
			delete(want, "b")
			err = f.Expect(want)
			wantMsg := fmt.Sprintf("model.safetensors: bytes [%d,%d) of the data belong to no tensor", c.gap[0], c.gap[1])
			if err == nil || !strings.HasPrefix(err.Error(), wantMsg) {
				t.Fatalf("Expect without b: %v, want %q...", err, wantMsg)
			}
		})
	}
	// A file as written has no stray bytes.
	f, err := ReadBytes(encode(t, sampleFile()), "x")
	if err != nil || len(f.Unclaimed()) != 0 {
		t.Fatalf("%v %v", f.Unclaimed(), err)
	}
}

// Many missing tensors are listed on one line, the first few by name.
func TestMissingList(t *testing.T) {
	f := NewFile()
	f.Name = "m.safetensors"
	want := map[string][]int{}
	for i := range 8 {
		want[fmt.Sprintf("w%d", i)] = []int{1}
	}
	err := f.Expect(want)
	if err == nil || err.Error() != `m.safetensors: 8 missing tensors: "w0", "w1", "w2", "w3", "w4" and 3 more` {
		t.Fatalf("got %v", err)
	}
	want = map[string][]int{"w0": {1}, "w1": {1}}
	if err := f.Expect(want); err == nil || err.Error() != `m.safetensors: missing tensors "w0", "w1"` {
		t.Fatalf("got %v", err)
	}
}

// A file that cannot be opened is named once, and errors.Is still sees
// why.
func TestReadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.safetensors")
	_, err := Read(path)
	if err == nil || err.Error() != path+": no such file or directory" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

// Shape mismatches past the first few are counted, not listed.
func TestShapeList(t *testing.T) {
	f := NewFile()
	f.Name = "m.safetensors"
	want := map[string][]int{}
	for i := range 7 {
		n := fmt.Sprintf("w%d", i)
		f.Tensors[n] = FromInts([]int64{1}, 1)
		want[n] = []int{2}
	}
	err := f.Expect(want)
	if err == nil || !strings.HasSuffix(err.Error(), `tensor "w4": shape [1], model expects [2]; 2 more shape mismatches`) || strings.Contains(err.Error(), `"w5"`) {
		t.Fatalf("got %v", err)
	}
	delete(want, "w6")
	delete(f.Tensors, "w6")
	if err := f.Expect(want); err == nil || !strings.HasSuffix(err.Error(), "; 1 more shape mismatch") {
		t.Fatalf("got %v", err)
	}
}
