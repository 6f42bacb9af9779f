package models

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/ckpt"
)

// TestSet checks that a Set lists its names sorted, copies bytes out,
// decodes a model in place into the checkpoint ckpt.ReadBytes gives, named
// "embedded:NAME", and finds no other name.
func TestSet(t *testing.T) {
	want := ckpt.NewFile()
	want.Tensors["w"] = &ckpt.Entry{DType: ckpt.F32, Shape: []int{2, 3}, Float: []float32{1, -2, 3.5, 0, 5, 6}}
	want.Tensors["n"] = ckpt.FromInts([]int64{7})
	want.Metadata["config"] = `{"side":28}`
	var b bytes.Buffer
	if _, err := want.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	s := Set{"m": b.String(), "bad": "not a checkpoint"}
	if got := s.Names(); !slices.Equal(got, []string{"bad", "m"}) {
		t.Errorf("Names() = %v", got)
	}
	raw, ok := s.Bytes("m")
	if !ok || !bytes.Equal(raw, b.Bytes()) {
		t.Fatalf("Bytes(m) = %d bytes, %v", len(raw), ok)
	}
	raw[0] ^= 1 // a copy: the set is unchanged
	f, ok, err := s.Decode("m")
	if !ok || err != nil {
		t.Fatalf("Decode(m) = %v, %v", ok, err)
	}
	if f.Name != "embedded:m" || f.Metadata["config"] != want.Metadata["config"] {
		t.Errorf("name %q, metadata %v", f.Name, f.Metadata)
	}
	if got := f.Tensors["w"]; got == nil || !slices.Equal(got.Float, want.Tensors["w"].Float) || !slices.Equal(got.Shape, []int{2, 3}) {
		t.Errorf("tensor w = %+v", got)
	}
	if got, _ := f.Ints("n"); !slices.Equal(got, []int64{7}) {
		t.Errorf("tensor n = %v", got)
	}
	if _, ok, err := s.Decode("bad"); !ok || err == nil || !strings.HasPrefix(err.Error(), "embedded:bad: ") {
		t.Errorf("Decode(bad) = %v, %v; want a decoding error naming embedded:bad", ok, err)
	}
	for _, missing := range []string{"", "nosuch", "M", "m.safetensors", "../m"} {
		if _, ok, _ := s.Decode(missing); ok {
			t.Errorf("Decode(%q) found a model", missing)
		}
		if _, ok := s.Bytes(missing); ok {
			t.Errorf("Bytes(%q) found a model", missing)
		}
	}
}
