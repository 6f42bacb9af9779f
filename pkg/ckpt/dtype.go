package ckpt

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// littleEndian is true on machines whose float32s are stored as the
// safetensors format stores them.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// DType names an element type as the safetensors header spells it.
type DType string

// The element types this package reads and writes. Floating types are
// exposed as float32 (Entry.Float), integer and boolean types as int64
// (Entry.Int).
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

// Size returns the number of bytes one element takes, or 0 for an unknown
// dtype.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16, I16:
		return 2
	case I8, U8, Bool:
		return 1
	}
	return 0
}

// IsFloat reports whether d is a floating-point type (held in Entry.Float).
func (d DType) IsFloat() bool {
	switch d {
	case F64, F32, F16, BF16:
		return true
	}
	return false
}

// Known reports whether this package can read and write d.
func (d DType) Known() bool { return d.Size() != 0 }

// decodeFloats converts little-endian raw bytes of a floating dtype into dst.
func decodeFloats(d DType, dst []float32, raw []byte) {
	le := binary.LittleEndian
	switch d {
	case F32:
		if littleEndian && len(dst) > 0 {
			// The file's bytes are already this machine's float32s: one
			// copy instead of a conversion per value (the conversion was
			// 15% of lpa attend's time on one image, in perf record).
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), raw[:4*len(dst)])
			return
		}
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(raw[8*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = HalfToFloat32(le.Uint16(raw[2*i:]))
		}
	case BF16:
		for i := range dst {
			// bfloat16 is the top half of a float32, so widening is exact.
			dst[i] = math.Float32frombits(uint32(le.Uint16(raw[2*i:])) << 16)
		}
	}
}

// decodeInts converts little-endian raw bytes of an integer dtype into dst.
func decodeInts(d DType, dst []int64, raw []byte) {
	le := binary.LittleEndian
	switch d {
	case I64:
		for i := range dst {
			dst[i] = int64(le.Uint64(raw[8*i:]))
		}
	case I32:
		for i := range dst {
			dst[i] = int64(int32(le.Uint32(raw[4*i:])))
		}
	case I16:
		for i := range dst {
			dst[i] = int64(int16(le.Uint16(raw[2*i:])))
		}
	case I8:
		for i := range dst {
			dst[i] = int64(int8(raw[i]))
		}
	case U8, Bool:
		for i := range dst {
			dst[i] = int64(raw[i])
		}
	}
}

// encodeFloats appends src converted to the floating dtype d.
func encodeFloats(d DType, buf []byte, src []float32) []byte {
	le := binary.LittleEndian
	for _, v := range src {
		switch d {
		case F32:
			buf = le.AppendUint32(buf, math.Float32bits(v))
		case F64:
			buf = le.AppendUint64(buf, math.Float64bits(float64(v)))
		case F16:
			buf = le.AppendUint16(buf, Float32ToHalf(v))
		case BF16:
			buf = le.AppendUint16(buf, Float32ToBFloat16(v))
		}
	}
	return buf
}

// intRange returns the representable range of an integer dtype.
func intRange(d DType) (lo, hi int64) {
	switch d {
	case I64:
		return math.MinInt64, math.MaxInt64
	case I32:
		return math.MinInt32, math.MaxInt32
	case I16:
		return math.MinInt16, math.MaxInt16
	case I8:
		return math.MinInt8, math.MaxInt8
	case U8:
		return 0, math.MaxUint8
	case Bool:
		return 0, 1
	}
	return 0, -1
}

// encodeInts appends src converted to the integer dtype d, failing on a
// value the dtype cannot hold rather than silently wrapping it.
func encodeInts(d DType, buf []byte, src []int64) ([]byte, error) {
	lo, hi := intRange(d)
	le := binary.LittleEndian
	for i, v := range src {
		if v < lo || v > hi {
			return nil, fmt.Errorf("element %d = %d does not fit %s", i, v, d)
		}
		switch d {
		case I64:
			buf = le.AppendUint64(buf, uint64(v))
		case I32:
			buf = le.AppendUint32(buf, uint32(v))
		case I16:
			buf = le.AppendUint16(buf, uint16(v))
		default:
			buf = append(buf, byte(v))
		}
	}
	return buf, nil
}

// HalfToFloat32 widens an IEEE 754 binary16 value; every half is exactly
// representable as a float32.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN; keep the payload's top bits.
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal half: value is man * 2^-24, exact in float32.
		f := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
}

// Float32ToHalf narrows f to IEEE 754 binary16 with round-to-nearest-even,
// as torch's .half() does: overflow gives ±Inf, NaN stays NaN.
func Float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00 // quiet NaN
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Result is subnormal (or zero): shift the full significand,
		// including the implicit bit, and round to nearest even.
		if e < -10 {
			return sign
		}
		m := man | 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		r := m >> shift
		rem := m & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // may carry into the exponent, which correctly rounds up to Inf
	}
	return sign | uint16(r)
}

// Float32ToBFloat16 narrows f to bfloat16 with round-to-nearest-even, as
// torch's .bfloat16() does; NaN stays a quiet NaN.
func Float32ToBFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
