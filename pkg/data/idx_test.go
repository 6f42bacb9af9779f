package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes encodes a uint8 IDX array.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func TestDecodeIDX(t *testing.T) {
	good := idxBytes(IDXMagicImages, []uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	x, err := DecodeIDX(bytes.NewReader(good), "good", IDXMagicImages)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Dims) != 3 || x.Dims[0] != 2 || x.Dims[1] != 2 || x.Dims[2] != 3 || x.Data[11] != 12 {
		t.Fatalf("decoded %v %v", x.Dims, x.Data)
	}
	cases := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"empty", nil, "header"},
		{"short header", []byte{0, 0, 8}, "header"},
		{"labels magic", idxBytes(IDXMagicLabels, []uint32{12}, good[16:]), "magic number"},
		{"int32 type", idxBytes(0x00000c03, []uint32{2, 2, 3}, good[16:]), "magic number"},
		{"short dims", good[:10], "dimension sizes"},
		{"truncated payload", good[:len(good)-1], "got 11"},
		{"trailing byte", append(append([]byte{}, good...), 0), "continues"},
		{"huge dims", idxBytes(IDXMagicImages, []uint32{1 << 20, 1 << 10, 1 << 10}, nil), "past"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeIDX(bytes.NewReader(c.bytes), "file-"+c.name, IDXMagicImages)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrIDXFormat) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "file-"+c.name) {
				t.Fatalf("error %q: want ErrIDXFormat mentioning %q and the file name", err, c.want)
			}
		})
	}
}

func TestReadIDXFile(t *testing.T) {
	dir := t.TempDir()
	raw := idxBytes(IDXMagicLabels, []uint32{3}, []byte{7, 2, 1})
	gz := gzipBytes(raw)
	corrupt := append([]byte{}, gz...)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC-32 trailer
	files := map[string][]byte{"plain": raw, "zipped.gz": gz, "corrupt.gz": corrupt, "cut.gz": gz[:len(gz)-10]}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"plain", "zipped.gz"} {
		x, err := ReadIDXFile(filepath.Join(dir, name), IDXMagicLabels)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x.Data, []byte{7, 2, 1}) {
			t.Fatalf("%s: %v", name, x.Data)
		}
	}
	for _, name := range []string{"corrupt.gz", "cut.gz", "missing"} {
		_, err := ReadIDXFile(filepath.Join(dir, name), IDXMagicLabels)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("%s: error %v does not name the file", name, err)
		}
	}
}
