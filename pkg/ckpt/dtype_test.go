package ckpt

import (
	"encoding/binary"
	"math"
	"testing"
)

// TestDecodeF32Bits checks that F32 tensors decode to exactly the bits
// stored (the copy on little-endian machines), NaN payloads included.
func TestDecodeF32Bits(t *testing.T) {
	want := []uint32{0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800001, 0x7fc01234, 0x00000001, 0x12345678}
	raw := make([]byte, 4*len(want))
	for i, b := range want {
		binary.LittleEndian.PutUint32(raw[4*i:], b)
	}
	got := make([]float32, len(want))
	decodeFloats(F32, got, raw)
	for i, b := range want {
		if math.Float32bits(got[i]) != b {
			t.Errorf("value %d: %#x, want %#x", i, math.Float32bits(got[i]), b)
		}
	}
	decodeFloats(F32, got[:0], raw[:0]) // an empty tensor
}
