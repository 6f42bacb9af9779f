package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fixtures = "../../testdata/data"

func TestCIFAR10(t *testing.T) {
	for _, dir := range []string{filepath.Join(fixtures, "cifar-10-batches-bin"), fixtures} {
		test, err := LoadCIFAR10(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		if test.Len() != 3 || !slices.Equal(test.Labels, []uint8{3, 8, 0}) || test.CoarseLabels != nil {
			t.Fatalf("test labels %v", test.Labels)
		}
		if len(test.Classes) != 10 || test.Classes[3] != "cat" {
			t.Fatalf("classes %v", test.Classes)
		}
		// Pixel j of record n is byte(n*7 + j): check order and offsets.
		if img := test.Image(2); len(img) != CIFARImageBytes || img[0] != 14 || img[1023] != byte((14+1023)%256) {
			t.Fatalf("record 2 starts %v", img[:2])
		}
		dst := make([]float32, CIFARImageBytes)
		test.Float32(1, dst)
		if d := dst[0] - float32(7)/255; d > 1e-7 || d < -1e-7 {
			t.Fatalf("float pixel %v", dst[0])
		}
		train, err := LoadCIFAR10(dir, "train")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(train.Labels, []uint8{1, 2, 3, 4, 5}) || len(train.Images) != 5*CIFARImageBytes {
			t.Fatalf("train labels %v", train.Labels)
		}
	}
	if _, err := LoadCIFAR10(fixtures, "val"); err == nil {
		t.Fatal("unknown split accepted")
	}
}

func TestCIFAR100(t *testing.T) {
	train, err := LoadCIFAR100(fixtures, "train")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.Labels, []uint8{30, 99}) || !slices.Equal(train.CoarseLabels, []uint8{4, 19}) || train.Image(1)[0] != 7 {
		t.Fatalf("fine %v coarse %v", train.Labels, train.CoarseLabels)
	}
	test, err := ReadCIFAR100File(filepath.Join(fixtures, "cifar-100-binary", "test.bin"))
	if err != nil || test.Len() != 1 {
		t.Fatalf("test: %v", err)
	}
}

func TestCIFARErrors(t *testing.T) {
	dir := t.TempDir()
	ten := filepath.Join(fixtures, "cifar-10-batches-bin", "test_batch.bin")
	b, _ := os.ReadFile(ten)
	badLabel := append([]byte{}, b...)
	badLabel[0] = 10
	os.WriteFile(filepath.Join(dir, "badlabel.bin"), badLabel, 0o644)
	os.WriteFile(filepath.Join(dir, "empty.bin"), nil, 0o644)
	cases := []struct {
		name string
		read func(string) (*CIFAR, error)
		path string
		want string
	}{
		{"truncated", ReadCIFAR10File, filepath.Join(fixtures, "cifar10-truncated.bin"), "not a whole number"},
		{"empty", ReadCIFAR10File, filepath.Join(dir, "empty.bin"), "0 bytes"},
		{"missing", ReadCIFAR10File, filepath.Join(dir, "nope.bin"), "no such file"},
		{"label", ReadCIFAR10File, filepath.Join(dir, "badlabel.bin"), "label 10"},
		// A CIFAR-10 file read as CIFAR-100 has the wrong record size.
		{"wrong format", ReadCIFAR100File, ten, "3074-byte records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.read(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
				t.Fatalf("error %v: want %q and the file name", err, c.want)
			}
		})
	}
	if _, err := LoadCIFAR10(dir, "train"); err == nil || !strings.Contains(err.Error(), "data_batch_1.bin") {
		t.Fatalf("missing batches: %v", err)
	}
}
