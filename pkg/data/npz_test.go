package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
)

// readNPY parses one .npy member the way numpy.load does: magic, version
// 1.0, header length, dict; it returns the dict and the data.
func readNPY(t *testing.T, f *zip.File) (string, []byte) {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("%s: magic %q", f.Name, b[:8])
	}
	n := int(binary.LittleEndian.Uint16(b[8:10]))
	if (10+n)%64 != 0 || b[10+n-1] != '\n' {
		t.Fatalf("%s: header of %d bytes does not end a 64-byte block with a newline", f.Name, n)
	}
	return strings.TrimRight(string(b[10:10+n]), " \n"), b[10+n:]
}

func members(t *testing.T, raw []byte) map[string]*zip.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*zip.File{}
	for _, f := range zr.File {
		if f.Method != zip.Store {
			t.Errorf("%s: method %d, want stored (memory-mappable)", f.Name, f.Method)
		}
		out[f.Name] = f
	}
	return out
}

func TestNPZArrays(t *testing.T) {
	var buf bytes.Buffer
	z := NewNPZ(&buf)
	if err := z.Float32s("x", []float32{1, -2.5, float32(math.Inf(1))}, 3); err != nil {
		t.Fatal(err)
	}
	if err := z.Int64s("y", []int64{7, -1, 1 << 40, 0, 3, 4}, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := z.String("s", `{"é":1}`); err != nil {
		t.Fatal(err)
	}
	if err := z.Float32s("scalar", []float32{0.5}); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	m := members(t, buf.Bytes())
	cases := []struct{ name, dict string }{
		{"x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"},
		{"y.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"},
		{"s.npy", "{'descr': '<U7', 'fortran_order': False, 'shape': (), }"},
		{"scalar.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"},
	}
	data := map[string][]byte{}
	for _, c := range cases {
		f, ok := m[c.name]
		if !ok {
			t.Fatalf("no member %s", c.name)
		}
		dict, d := readNPY(t, f)
		if dict != c.dict {
			t.Errorf("%s: header %q, want %q", c.name, dict, c.dict)
		}
		data[c.name] = d
	}
	if got := math.Float32frombits(binary.LittleEndian.Uint32(data["x.npy"][4:])); got != -2.5 || len(data["x.npy"]) != 12 {
		t.Errorf("x[1] = %v (%d bytes)", got, len(data["x.npy"]))
	}
	if got := int64(binary.LittleEndian.Uint64(data["y.npy"][16:])); got != 1<<40 || len(data["y.npy"]) != 48 {
		t.Errorf("y[0,2] = %d (%d bytes)", got, len(data["y.npy"]))
	}
	want := []rune(`{"é":1}`)
	for i, r := range want {
		if got := rune(binary.LittleEndian.Uint32(data["s.npy"][4*i:])); got != r {
			t.Errorf("s[%d] = %q, want %q", i, got, r)
		}
	}
}

func TestNPZRejects(t *testing.T) {
	cases := map[string]func(z *NPZ) error{
		"short array": func(z *NPZ) error {
			w, err := z.Array("a", NPYFloat32, 2)
			if err != nil {
				return err
			}
			if err := WriteFloat32s(w, []float32{1}); err != nil {
				return err
			}
			return z.Close()
		},
		"long array": func(z *NPZ) error { return z.Float32s("a", []float32{1, 2, 3}, 2) },
		"twice": func(z *NPZ) error {
			if err := z.Int64s("a", []int64{1}, 1); err != nil {
				return err
			}
			return z.Int64s("a", []int64{1}, 1)
		},
		"path name": func(z *NPZ) error { return z.Int64s("a/b", []int64{1}, 1) },
		"dtype":     func(z *NPZ) error { _, err := z.Array("a", NPYType("<f2"), 1); return err },
	}
	for name, f := range cases {
		if err := f(NewNPZ(io.Discard)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// testSet is a small image set whose pixel values say where they are.
func testSet(n int) ImageSet {
	return ImageSet{Len: n, Channels: 2, Height: 3, Width: 4,
		Load: func(i int, dst []float32) int {
			for j := range dst {
				dst[j] = float32(i) + float32(j)/100
			}
			return i % 10
		},
		Meta: map[string]any{"tool": "test"}}
}

func TestWriteNPZImageSet(t *testing.T) {
	set, err := testSet(20).Range(5, 3)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := WriteNPZ(&a, set, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZ(&b, set, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same set gave two different files")
	}
	m := members(t, a.Bytes())
	dict, img := readNPY(t, m["images.npy"])
	if !strings.Contains(dict, "'shape': (3, 2, 3, 4)") || len(img) != 3*24*4 {
		t.Fatalf("images: %s, %d bytes", dict, len(img))
	}
	// Image 1 of the range is image 6 of the set; its pixel 7 is 6.07.
	if got := math.Float32frombits(binary.LittleEndian.Uint32(img[4*(24+7):])); got != float32(6)+float32(7)/100 {
		t.Errorf("images[1] pixel 7 = %v", got)
	}
	_, lab := readNPY(t, m["labels.npy"])
	for i, want := range []int64{5, 6, 7} {
		if got := int64(binary.LittleEndian.Uint64(lab[8*i:])); got != want {
			t.Errorf("labels[%d] = %d, want %d", i, got, want)
		}
	}
	dict, raw := readNPY(t, m["meta.npy"])
	n := regexp.MustCompile(`<U(\d+)`).FindStringSubmatch(dict)
	if n == nil {
		t.Fatalf("meta: %s", dict)
	}
	var runes []rune
	for i := 0; i+4 <= len(raw); i += 4 {
		runes = append(runes, rune(binary.LittleEndian.Uint32(raw[i:])))
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(string(runes)), &meta); err != nil {
		t.Fatal(err)
	}
	if meta["format"] != DatasetFormat || meta["from"] != 5.0 || meta["count"] != 3.0 || meta["tool"] != "test" {
		t.Errorf("meta %v", meta)
	}
}

func TestWriteNPZStops(t *testing.T) {
	stop := io.ErrUnexpectedEOF
	err := WriteNPZ(io.Discard, testSet(10), func(done int) error {
		if done == 4 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("got %v, want the hook's error", err)
	}
	if _, err := testSet(10).Range(8, 3); err == nil {
		t.Error("Range past the end: no error")
	}
	if s, err := testSet(10).Range(4, 0); err != nil || s.Len != 6 {
		t.Errorf("Range(4, 0): %d images, %v", s.Len, err)
	}
}

// A set of clips is written [N, C, T, H, W], each clip whole: the layout
// a 3-D convolution reads.
func TestWriteNPZClips(t *testing.T) {
	set := testSet(2)
	set.Frames = 5
	var a bytes.Buffer
	if err := WriteNPZ(&a, set, nil); err != nil {
		t.Fatal(err)
	}
	dict, img := readNPY(t, members(t, a.Bytes())["images.npy"])
	if !strings.Contains(dict, "'shape': (2, 2, 5, 3, 4)") || len(img) != 2*2*5*3*4*4 {
		t.Fatalf("images: %s, %d bytes", dict, len(img))
	}
	// The last value of clip 1 is its value 119: 1 + 119/100.
	if got := math.Float32frombits(binary.LittleEndian.Uint32(img[len(img)-4:])); got != float32(1)+float32(119)/100 {
		t.Errorf("clip 1's last value = %v", got)
	}
}
