package ckpt

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
)

// sampleFile returns a file with one tensor of every dtype.
func sampleFile() *File {
	f := NewFile()
	floats := []float32{0, -1.5, 3.25, 1e-3, 65504, -0.0}
	for _, d := range []DType{F32, F16, BF16, F64} {
		f.Tensors["t."+string(d)] = &Entry{DType: d, Shape: []int{2, 3}, Float: append([]float32(nil), floats...)}
	}
	f.Tensors["t.I64"] = &Entry{DType: I64, Shape: []int{3}, Int: []int64{math.MinInt64, 0, math.MaxInt64}}
	f.Tensors["t.I32"] = &Entry{DType: I32, Shape: []int{2}, Int: []int64{math.MinInt32, math.MaxInt32}}
	f.Tensors["t.I16"] = &Entry{DType: I16, Shape: []int{2}, Int: []int64{-7, 300}}
	f.Tensors["t.I8"] = &Entry{DType: I8, Shape: []int{2}, Int: []int64{-128, 127}}
	f.Tensors["t.U8"] = &Entry{DType: U8, Shape: []int{2, 2}, Int: []int64{0, 1, 254, 255}}
	f.Tensors["t.BOOL"] = &Entry{DType: Bool, Shape: []int{2}, Int: []int64{1, 0}}
	f.Tensors["scalar"] = FromInts([]int64{42})
	f.Tensors["empty"] = &Entry{DType: F32, Shape: []int{0, 4}, Float: []float32{}}
	f.Metadata["config"] = `{"hidden":256}`
	f.Metadata["note"] = "héllo \"quoted\""
	return f
}

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTripEveryDType(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "all.safetensors")
	want := sampleFile()
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tensors) != len(want.Tensors) {
		t.Fatalf("got %d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for name, w := range want.Tensors {
		g := got.Tensors[name]
		if g == nil || g.DType != w.DType || !tensor.SameShape(g.Shape, w.Shape) {
			t.Fatalf("%s: got %+v, want %+v", name, g, w)
		}
		for i := range w.Int {
			if g.Int[i] != w.Int[i] {
				t.Errorf("%s[%d] = %d, want %d", name, i, g.Int[i], w.Int[i])
			}
		}
		for i, v := range w.Float {
			// The narrow dtypes round; the expected value is the rounded one.
			switch w.DType {
			case F16:
				v = HalfToFloat32(Float32ToHalf(v))
			case BF16:
				v = math.Float32frombits(uint32(Float32ToBFloat16(v)) << 16)
			}
			if math.Float32bits(g.Float[i]) != math.Float32bits(v) {
				t.Errorf("%s[%d] = %g, want %g", name, i, g.Float[i], v)
			}
		}
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			t.Errorf("metadata %q = %q, want %q", k, got.Metadata[k], v)
		}
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries after WriteFile, want 1", len(ents))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}

func TestWriteIsDeterministicAndAligned(t *testing.T) {
	a, b := encode(t, sampleFile()), encode(t, sampleFile())
	if !bytes.Equal(a, b) {
		t.Fatal("two encodings of the same file differ")
	}
	n := binary.LittleEndian.Uint64(a)
	if (8+n)%8 != 0 {
		t.Fatalf("data section starts at %d, not 8-aligned", 8+n)
	}
	// Tensors are laid out in sorted name order.
	hdr := string(a[8 : 8+n])
	if strings.Index(hdr, `"empty"`) > strings.Index(hdr, `"scalar"`) {
		t.Fatal("header not in sorted order")
	}
}

func TestHalfConversions(t *testing.T) {
	cases := []struct {
		f    float32
		half uint16
		bf   uint16
	}{
		{1, 0x3c00, 0x3f80},
		{-2, 0xc000, 0xc000},
		{65504, 0x7bff, 0x4780},
		{65520, 0x7c00, 0x4780},                  // rounds up to Inf in half
		{float32(math.Inf(-1)), 0xfc00, 0xff80},  // -Inf
		{5.960464477539063e-08, 0x0001, 0x3380},  // smallest half subnormal
		{2.9802322387695312e-08, 0x0000, 0x3300}, // half of it: ties to even (0)
		{6.103515625e-05, 0x0400, 0x3880},        // smallest half normal
		{1.0009765625, 0x3c01, 0x3f80},           // 1+2^-10
		{1.00048828125, 0x3c00, 0x3f80},          // 1+2^-11: tie, to even
		{1.00146484375, 0x3c02, 0x3f80},          // 1+3*2^-11: tie, to even (up)
		{3.140625, 0x4248, 0x4049},
	}
	for _, c := range cases {
		if h := Float32ToHalf(c.f); h != c.half {
			t.Errorf("Float32ToHalf(%g) = %#04x, want %#04x", c.f, h, c.half)
		}
		if b := Float32ToBFloat16(c.f); b != c.bf {
			t.Errorf("Float32ToBFloat16(%g) = %#04x, want %#04x", c.f, b, c.bf)
		}
	}
	// Every finite half survives half -> float32 -> half.
	for h := 0; h < 1<<16; h++ {
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			if f := HalfToFloat32(uint16(h)); f == f {
				t.Fatalf("NaN half %#04x widened to %g", h, f)
			}
			continue
		}
		if back := Float32ToHalf(HalfToFloat32(uint16(h))); back != uint16(h) {
			t.Fatalf("half %#04x -> %g -> %#04x", h, HalfToFloat32(uint16(h)), back)
		}
	}
	if f := HalfToFloat32(Float32ToHalf(float32(math.NaN()))); f == f {
		t.Fatal("NaN did not survive F16")
	}
	if b := Float32ToBFloat16(float32(math.NaN())); b&0x7f80 != 0x7f80 || b&0x7f == 0 {
		t.Fatalf("NaN became bf16 %#04x", b)
	}
}

// rawFile builds a file from a literal header and data section.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestMalformed(t *testing.T) {
	eight := make([]byte, 8)
	valid := encode(t, sampleFile())
	hugeLen := binary.LittleEndian.AppendUint64(nil, 1<<40)
	cases := []struct {
		name string
		data []byte
		want string // substring of the error besides the file name
	}{
		{"empty file", nil, "shorter than"},
		{"truncated header length", []byte{1, 2, 3}, "shorter than"},
		{"huge header length", append(hugeLen, "{}"...), "exceeds"},
		{"header longer than file", rawFile(`{}`, nil)[:9], "exceeds"},
		{"invalid JSON", rawFile(`{"a":`, nil), "invalid JSON"},
		{"not an object", rawFile(`[1,2]`, nil), "want an object"},
		{"trailing JSON", rawFile(`{} {}`, nil), "after the top-level"},
		{"duplicate tensor", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, eight[:2]), `duplicate key "a"`},
		{"duplicate field", rawFile(`{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, eight[:1]), `tensor "a": duplicate key "dtype"`},
		{"unknown field", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}`, eight[:1]), `tensor "a": unknown field`},
		{"missing field", rawFile(`{"a":{"dtype":"U8","shape":[1]}}`, nil), `tensor "a": missing field "data_offsets"`},
		{"offsets outside", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, eight[:4]), `tensor "a": data_offsets [0,8] outside`},
		{"begin after end", rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}`, eight[:4]), `tensor "a": invalid data_offsets`},
		{"negative offset", rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[-4,0]}}`, eight[:4]), `tensor "a": invalid data_offsets`},
		{"three offsets", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, eight[:1]), `tensor "a": data_offsets has 3`},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, eight[:6]), `tensor "b": bytes [2,6) overlap`},
		{"wrong byte count", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), `tensor "a": shape [3] of F32 needs a different byte count`},
		{"overflowing shape", rawFile(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil), `tensor "a": shape`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}`, eight[:1]), `tensor "a": unknown dtype "F8"`},
		{"negative dim", rawFile(`{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}`, eight[:1]), `tensor "a": negative dimension`},
		{"fractional dim", rawFile(`{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}`, eight[:1]), `tensor "a"`},
		{"null shape", rawFile(`{"a":{"dtype":"U8","shape":null,"data_offsets":[0,1]}}`, eight[:1]), `tensor "a": shape is null`},
		{"metadata not string", rawFile(`{"__metadata__":{"k":1}}`, nil), `metadata "k"`},
		{"truncated data", valid[:len(valid)-1], "outside"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), path+": ") || strings.Count(err.Error(), path) != 1 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name the file and contain %q", err, c.want)
			}
		})
	}
}

func TestWriteRejects(t *testing.T) {
	cases := map[string]*Entry{
		"count":    {DType: F32, Shape: []int{3}, Float: []float32{1}},
		"dtype":    {DType: "X", Shape: []int{1}, Float: []float32{1}},
		"range":    {DType: U8, Shape: []int{1}, Int: []int64{256}},
		"negative": {DType: F32, Shape: []int{-1}},
		"mixed":    {DType: I64, Shape: []int{1}, Int: []int64{1}, Float: []float32{1}},
	}
	dir := t.TempDir()
	for name, e := range cases {
		f := NewFile()
		f.Tensors[name] = e
		path := filepath.Join(dir, name)
		if err := WriteFile(path, f); err == nil || !strings.Contains(err.Error(), `tensor "`+name+`"`) {
			t.Errorf("%s: error %v", name, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: a file was written", name)
		}
	}
	f := NewFile()
	f.Tensors[metadataKey] = FromInts([]int64{1}, 1)
	if err := WriteFile(filepath.Join(dir, "reserved"), f); err == nil {
		t.Error("reserved name accepted")
	}
}

func TestExpectAndLoadVars(t *testing.T) {
	f := NewFile()
	f.Name = "m.safetensors"
	f.Tensors["w"] = FromTensor(tensor.FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	f.Tensors["b"] = FromTensor(tensor.FromData([]float32{7, 8}, 2))
	f.Tensors["optim.step.w"] = FromInts([]int64{3})
	f.Tensors["extra"] = FromInts([]int64{1}, 1)

	err := f.Expect(map[string][]int{"w": {2, 3}, "b": {3}, "c": {1}}, "optim.")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`m.safetensors: missing tensor "c"`, `tensor "b": shape [2], model expects [3]`, `unexpected tensor "extra"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "optim.step") {
		t.Errorf("ignored prefix reported: %v", err)
	}
	if strings.Count(err.Error(), "m.safetensors") != 1 || strings.Contains(err.Error(), "\n") {
		t.Errorf("want one line naming the file once: %q", err)
	}
	if err := f.Expect(map[string][]int{"w": {2, 3}, "b": {2}, "extra": {1}}, "optim."); err != nil {
		t.Fatal(err)
	}

	w := autograd.NewParam("w", tensor.New(2, 3))
	b := autograd.NewParam("b", tensor.New(3))
	if err := f.LoadVars([]*autograd.Var{w, b}); err == nil || !strings.Contains(err.Error(), `m.safetensors: tensor "b"`) {
		t.Fatalf("error %v", err)
	}
	if w.Value.Data[0] != 0 {
		t.Fatal("LoadVars modified a variable despite failing")
	}
	b = autograd.NewParam("b", tensor.New(2))
	if err := f.LoadVars([]*autograd.Var{w, b}); err != nil {
		t.Fatal(err)
	}
	if w.Value.Data[5] != 6 || b.Value.Data[1] != 8 {
		t.Fatalf("loaded %v %v", w.Value, b.Value)
	}
	if steps, err := f.Ints("optim.step.w"); err != nil || steps[0] != 3 {
		t.Fatalf("Ints: %v %v", steps, err)
	}
	if _, err := f.Ints("w"); err == nil {
		t.Fatal("Ints of a float tensor succeeded")
	}
}

func TestMetadataJSON(t *testing.T) {
	type cfg struct {
		Hidden int     `json:"hidden"`
		LR     float64 `json:"lr"`
	}
	meta := map[string]string{}
	if err := PutJSON(meta, "config", cfg{256, 3e-4}); err != nil {
		t.Fatal(err)
	}
	var got cfg
	if err := GetJSON(meta, "config", &got); err != nil || got != (cfg{256, 3e-4}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if err := GetJSON(meta, "absent", &got); err == nil {
		t.Fatal("missing key gave no error")
	}
	meta["bad"] = "{"
	if err := GetJSON(meta, "bad", &got); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("error %v", err)
	}
}

func TestReadBytes(t *testing.T) {
	f, err := ReadBytes(encode(t, sampleFile()), "embedded")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "embedded" || f.Tensors["scalar"].Int[0] != 42 {
		t.Fatalf("got %+v", f)
	}
}

func TestWriteReplacesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	for i, v := range []float32{1, 2} {
		err := Write(path, map[string]*tensor.Tensor{"x": tensor.FromData([]float32{v, v}, 2)}, map[string]string{"i": string(rune('0' + i))})
		if err != nil {
			t.Fatal(err)
		}
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := f.Tensor("x"); x.Data[1] != 2 || f.Metadata["i"] != "1" || f.Tensors["x"].DType != F32 {
		t.Fatalf("got %v %v", x, f.Metadata)
	}
}

// TestReadLargeTensors reads tensors larger than the buffer ReadFrom
// reads through, of every element size, ending inside a chunk and on its
// edge, from a file and from memory.
func TestReadLargeTensors(t *testing.T) {
	want := NewFile()
	floats := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%1000) - 0.5
		}
		return x
	}
	ints := func(n int) []int64 {
		x := make([]int64, n)
		for i := range x {
			x[i] = int64(i%100 - 50)
		}
		return x
	}
	want.Tensors["f32"] = &Entry{DType: F32, Shape: []int{3*readChunk/4 + 5}, Float: floats(3*readChunk/4 + 5)}
	want.Tensors["f32.edge"] = &Entry{DType: F32, Shape: []int{2, readChunk / 4}, Float: floats(readChunk / 2)}
	want.Tensors["f16"] = &Entry{DType: F16, Shape: []int{readChunk/2 + 1}, Float: floats(readChunk/2 + 1)}
	want.Tensors["f64"] = &Entry{DType: F64, Shape: []int{readChunk/8*2 + 3}, Float: floats(readChunk/8*2 + 3)}
	want.Tensors["i64"] = &Entry{DType: I64, Shape: []int{readChunk/8 + 7}, Int: ints(readChunk/8 + 7)}
	want.Tensors["i8"] = &Entry{DType: I8, Shape: []int{readChunk + 1}, Int: ints(readChunk + 1)}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	fromFile, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	fromBytes, err := ReadBytes(encode(t, want), "big")
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*File{fromFile, fromBytes} {
		for name, w := range want.Tensors {
			g := got.Tensors[name]
			if g == nil || len(g.Float) != len(w.Float) || len(g.Int) != len(w.Int) {
				t.Fatalf("%s: %s has %d floats and %d ints, want %d and %d", got.Name, name, len(g.Float), len(g.Int), len(w.Float), len(w.Int))
			}
			for i, v := range w.Float {
				if w.DType == F16 {
					v = HalfToFloat32(Float32ToHalf(v))
				}
				if g.Float[i] != v {
					t.Fatalf("%s: %s[%d] = %g, want %g", got.Name, name, i, g.Float[i], v)
				}
			}
			for i, v := range w.Int {
				if g.Int[i] != v {
					t.Fatalf("%s: %s[%d] = %d, want %d", got.Name, name, i, g.Int[i], v)
				}
			}
		}
	}
}

// ReadString reads F32 tensors in place where they are aligned, copies them
// where they are not, and gives the file ReadBytes gives either way.
func TestReadStringInPlace(t *testing.T) {
	b := encode(t, sampleFile())
	want, err := ReadBytes(b, "m")
	if err != nil {
		t.Fatal(err)
	}
	// The same bytes at 0 to 3 bytes past an allocation's (aligned) start:
	// each F32 tensor lies on a multiple of 4 at exactly one of them.
	inPlace := map[string]int{}
	for shift := range 4 {
		s := string(append(make([]byte, shift), b...))[shift:]
		got, err := ReadString(s, "m")
		if err != nil {
			t.Fatal(err)
		}
		sameFile(t, want, got)
		lo := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		for n, e := range got.Tensors {
			if e.DType != F32 || len(e.Float) == 0 {
				continue
			}
			p := uintptr(unsafe.Pointer(&e.Float[0]))
			if p >= lo && p < lo+uintptr(len(s)) {
				if p%4 != 0 {
					t.Errorf("shift %d: tensor %q read in place at an unaligned address", shift, n)
				}
				inPlace[n]++
			}
		}
	}
	for n, e := range want.Tensors {
		if e.DType == F32 && len(e.Float) > 0 && littleEndian && inPlace[n] != 1 {
			t.Errorf("tensor %q read in place at %d of 4 addresses, want 1", n, inPlace[n])
		}
	}
}
