package models

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/attnkit/attn/pkg/ckpt"
)

// noReaderAt hides the ReadAt of fsys's files, for Decode's other path.
type noReaderAt struct{ fsys fs.FS }

type plainFile struct{ fs.File }

func (n noReaderAt) Open(name string) (fs.File, error) {
	f, err := n.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return plainFile{f}, nil
}

// TestDecode checks that Decode reads a model file in place (or through
// a copy where the file cannot be read at an offset) into the checkpoint
// ckpt.ReadBytes gives, named "embedded:NAME", and finds no other file.
func TestDecode(t *testing.T) {
	want := ckpt.NewFile()
	want.Tensors["w"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{2, 3}, Float: []float32{1, -2, 3.5, 0, 5, 6}}
	want.Tensors["n"] = ckpt.FromInts([]int64{7})
	want.Metadata["config"] = `{"side":28}`
	var b bytes.Buffer
	if _, err := want.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"m.safetensors":     {Data: b.Bytes()},
		"bad.safetensors":   {Data: []byte("not a checkpoint")},
		"README.md":         {Data: []byte("# models")},
		"sub/x.safetensors": {Data: b.Bytes()},
	}
	for name, fsys := range map[string]fs.FS{"ReaderAt": fsys, "plain": noReaderAt{fsys}} {
		f, ok, err := Decode(fsys, "m")
		if !ok || err != nil {
			t.Fatalf("%s: Decode(m) = %v, %v", name, ok, err)
		}
		if f.Name != "embedded:m" || f.Metadata["config"] != want.Metadata["config"] {
			t.Errorf("%s: name %q, metadata %v", name, f.Name, f.Metadata)
		}
		if got := f.Tensors["w"]; got == nil || !slices.Equal(got.Float, want.Tensors["w"].Float) || !slices.Equal(got.Shape, []int{2, 3}) {
			t.Errorf("%s: tensor w = %+v", name, got)
		}
		if got, _ := f.Ints("n"); !slices.Equal(got, []int64{7}) {
			t.Errorf("%s: tensor n = %v", name, got)
		}
		if _, ok, err := Decode(fsys, "bad"); !ok || err == nil || !strings.HasPrefix(err.Error(), "embedded:bad: ") {
			t.Errorf("%s: Decode(bad) = %v, %v; want a decoding error naming embedded:bad", name, ok, err)
		}
		for _, missing := range []string{"", "nosuch", "README", "README.md", "sub/x", "../m", `sub\x`, "sub"} {
			if _, ok, _ := Decode(fsys, missing); ok {
				t.Errorf("%s: Decode(%q) found a model", name, missing)
			}
		}
	}
}
