package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
)

// The fuzz targets of this package. Their seed corpora live in
// testdata/fuzz/<target>/ (made by testdata/fuzzseeds/gen.go) and run as
// ordinary tests under go test; bench/fuzz.sh runs the fuzzer on each.

// FuzzDecodeIDX feeds arbitrary bytes to the IDX reader, plain and
// gzipped through a file. An accepted array is exactly the input: header,
// dimensions, and a payload as long as they say with nothing after it.
// Every refusal wraps ErrIDXFormat, the gzipped copy decodes the same, and
// the reader never allocates far more than the input holds, whatever size
// the header announces.
func FuzzDecodeIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, labels bool) {
		magic := uint32(IDXMagicImages)
		if labels {
			magic = IDXMagicLabels
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		x, err := DecodeIDX(bytes.NewReader(data), "fuzz", magic)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20+8*uint64(len(data)) {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
		if err != nil {
			if !errors.Is(err, ErrIDXFormat) {
				t.Fatalf("error %v does not wrap ErrIDXFormat", err)
			}
		} else {
			nd := int(magic & 0xff)
			size := 1
			for _, d := range x.Dims {
				size *= d
			}
			if len(x.Dims) != nd || len(x.Data) != size || 4+4*nd+size != len(data) {
				t.Fatalf("dims %v and %d payload bytes from %d input bytes", x.Dims, len(x.Data), len(data))
			}
			for i, d := range x.Dims {
				if uint32(d) != binary.BigEndian.Uint32(data[4+4*i:]) {
					t.Fatalf("dimension %d read as %d", i, d)
				}
			}
			if !bytes.Equal(x.Data, data[4+4*nd:]) {
				t.Fatal("payload differs from the input")
			}
		}
		if len(data) > 1<<12 {
			return // the file round costs more than the decode itself
		}
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(data)
		zw.Close()
		path := filepath.Join(t.TempDir(), "fuzz-idx.gz")
		if err := os.WriteFile(path, zb.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		z, zerr := ReadIDXFile(path, magic)
		if (zerr == nil) != (err == nil) {
			t.Fatalf("plain: %v; gzipped: %v", err, zerr)
		}
		if err == nil && (!slices.Equal(z.Dims, x.Dims) || !bytes.Equal(z.Data, x.Data)) {
			t.Fatal("the gzipped copy decodes differently")
		}
	})
}

// FuzzCIFAR feeds arbitrary bytes to the CIFAR-10 or CIFAR-100 record
// parser: it accepts exactly the inputs that are a positive whole number
// of records with labels in range, and then returns every record's labels
// and pixels unchanged.
func FuzzCIFAR(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, hundred bool) {
		format := cifar10Format
		if hundred {
			format = cifar100Format
		}
		c, err := decodeCIFAR(data, "fuzz.bin", format, &CIFAR{})
		rec := format.labelBytes + CIFARImageBytes
		valid := len(data) > 0 && len(data)%rec == 0
		for i := 0; valid && i < len(data); i += rec {
			for k := 0; k < format.labelBytes; k++ {
				valid = valid && data[i+k] <= format.maxLabel[k]
			}
		}
		if valid != (err == nil) {
			t.Fatalf("%d bytes, valid %v, error %v", len(data), valid, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.bin") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		n := len(data) / rec
		if c.Len() != n || len(c.Images) != n*CIFARImageBytes || (hundred != (c.CoarseLabels != nil)) {
			t.Fatalf("%d records read as %d labels, %d image bytes, %d coarse labels", n, c.Len(), len(c.Images), len(c.CoarseLabels))
		}
		px := make([]float32, CIFARImageBytes)
		for i := 0; i < n; i++ {
			r := data[i*rec : (i+1)*rec]
			if c.Labels[i] != r[format.labelBytes-1] || (hundred && c.CoarseLabels[i] != r[0]) {
				t.Fatalf("record %d: labels %d/%v", i, c.Labels[i], c.CoarseLabels)
			}
			if !bytes.Equal(c.Image(i), r[format.labelBytes:]) {
				t.Fatalf("record %d: pixels differ", i)
			}
		}
		c.Float32(n-1, px)
		for _, v := range px {
			if v < 0 || v > 1 {
				t.Fatalf("pixel value %v outside [0,1]", v)
			}
		}
	})
}

// FuzzImageFolder builds a folder tree from a fuzzed description and
// compares ScanImageFolder with a plain reference listing of the same
// tree. The description has one entry per line: "a/b/" makes a folder,
// "a/b.png" a file (and its parents), "a/l -> c" a symbolic link to c
// (inside the tree). The scan must find the same classes, the same images
// in the same order with the right labels, and fail exactly when the
// reference finds no class or a class without images.
func FuzzImageFolder(f *testing.F) {
	f.Fuzz(func(t *testing.T, spec string) {
		root := t.TempDir()
		buildTree(root, spec)
		classes, paths, labels, ok := referenceScan(root)
		got, err := ScanImageFolder(root)
		if ok != (err == nil) {
			t.Fatalf("tree %q: reference ok %v (classes %q), ScanImageFolder error %v", spec, ok, classes, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), root) || strings.ContainsRune(err.Error(), '\n') {
				t.Fatalf("error is not one line naming the root: %q", err)
			}
			return
		}
		if !slices.Equal(got.Classes, classes) || !slices.Equal(got.Paths, paths) || !slices.Equal(got.Labels, labels) {
			t.Fatalf("tree %q:\nscan      %q %q %v\nreference %q %q %v", spec, got.Classes, got.Paths, got.Labels, classes, paths, labels)
		}
		for i, c := range got.Classes {
			if j, ok := got.ClassIndex(c); !ok || j != i {
				t.Fatalf("ClassIndex(%q) = %d, %v, want %d", c, j, ok, i)
			}
		}
		for _, i := range []int{-1, got.Len()} {
			if _, _, err := LoadImageItem(got, i, os.ReadFile); err == nil {
				t.Fatalf("item %d of %d: no error", i, got.Len())
			}
		}
		if _, label, err := LoadImageItem(got, got.Len()-1, func(p string) (string, error) { return p, nil }); err != nil || label != labels[len(labels)-1] {
			t.Fatalf("last item: label %d, %v", label, err)
		}
	})
}

// buildTree makes the tree spec describes under root (see
// FuzzImageFolder). Unusable entries (bad names, too deep, clashing
// with what exists) are skipped; at most 32 entries are made.
func buildTree(root, spec string) {
	clean := func(p string) (string, bool) {
		var parts []string
		for _, c := range strings.Split(p, "/") {
			switch {
			case c == "" || c == "." || c == "..":
				continue
			case len(c) > 40 || strings.ContainsRune(c, 0):
				return "", false
			}
			parts = append(parts, c)
		}
		if len(parts) == 0 || len(parts) > 5 {
			return "", false
		}
		return filepath.Join(parts...), true
	}
	lines := strings.Split(spec, "\n")
	for _, line := range lines[:min(len(lines), 32)] {
		if link, target, isLink := strings.Cut(line, " -> "); isLink {
			l, ok1 := clean(link)
			tg, ok2 := clean(target)
			if ok1 && ok2 {
				os.MkdirAll(filepath.Dir(filepath.Join(root, l)), 0o755)
				os.Symlink(filepath.Join(root, tg), filepath.Join(root, l))
			}
			continue
		}
		p, ok := clean(line)
		if !ok {
			continue
		}
		full := filepath.Join(root, p)
		if strings.HasSuffix(line, "/") {
			os.MkdirAll(full, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("x"), 0o644)
	}
}

// referenceScan lists root the way ScanImageFolder documents it, with
// plain recursion: classes are the sub-folders of root (following links),
// sorted; a class's images are the files with an image extension below
// it (links inside are not followed but a link named like an image
// counts), folders in sorted path order, names sorted within each.
func referenceScan(root string) (classes, paths []string, labels []int, ok bool) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if st, err := os.Stat(filepath.Join(root, e.Name())); err == nil && st.IsDir() {
			classes = append(classes, e.Name())
		}
	}
	slices.Sort(classes)
	if len(classes) == 0 {
		return nil, nil, nil, false
	}
	for label, c := range classes {
		byDir := map[string][]string{}
		var walk func(dir string)
		walk = func(dir string) {
			es, _ := os.ReadDir(dir)
			for _, e := range es {
				p := filepath.Join(dir, e.Name())
				if e.IsDir() {
					walk(p)
				} else if imageio.IsImageFile(e.Name()) {
					byDir[dir] = append(byDir[dir], p)
				}
			}
		}
		walk(filepath.Join(root, c))
		dirs := make([]string, 0, len(byDir))
		for d := range byDir {
			dirs = append(dirs, d)
		}
		slices.Sort(dirs)
		n := len(paths)
		for _, d := range dirs {
			files := byDir[d]
			slices.Sort(files)
			paths = append(paths, files...)
		}
		if len(paths) == n {
			return classes, nil, nil, false
		}
		for range paths[n:] {
			labels = append(labels, label)
		}
	}
	return classes, paths, labels, true
}
